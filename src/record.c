/* Outcomes and delivery records. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "record.h"
#include "secret.h"
#include "text.h"
#include "xmalloc.h"

static const char *outcome_names[OUTCOME_LAST] = {
	"verified", "encrypted", "plaintext", "deferred", "held", "failed"
};
static const char *outcome_glyphs[OUTCOME_LAST] = {
	"[TLS+]", "[TLS]", "[PLAIN]", "[WAIT]", "[HELD]", "[FAIL]"
};

/* Name of an outcome. */
const char *
outcome_name(enum outcome o)
{
	if (o >= OUTCOME_LAST)
		return "unknown";
	return outcome_names[o];
}

/* Parse an outcome name. */
int
outcome_parse(const char *s, enum outcome *o)
{
	int	i;

	for (i = 0; i < OUTCOME_LAST; i++) {
		if (strcmp(s, outcome_names[i]) == 0) {
			*o = (enum outcome)i;
			return 0;
		}
	}
	return -1;
}

/* ASCII glyph of an outcome. */
const char *
outcome_glyph_ascii(enum outcome o)
{
	if (o >= OUTCOME_LAST)
		return "[?]";
	return outcome_glyphs[o];
}

/* The worse of two outcomes. */
enum outcome
outcome_worst(enum outcome a, enum outcome b)
{
	return a > b ? a : b;
}

/* Did the server take the message? */
int
outcome_delivered(enum outcome o)
{
	return o == OUTCOME_VERIFIED || o == OUTCOME_ENCRYPTED ||
	    o == OUTCOME_PLAINTEXT;
}

/* Deep copy of TLS facts. */
void
tls_facts_copy(struct tls_facts *dst, const struct tls_facts *src)
{
	dst->used = src->used;
	dst->version = xstrdup(src->version);
	dst->cipher = xstrdup(src->cipher);
	dst->cert_subject = xstrdup(src->cert_subject);
	dst->cert_issuer = xstrdup(src->cert_issuer);
	dst->cert_sha256 = xstrdup(src->cert_sha256);
	dst->cert_expires = xstrdup(src->cert_expires);
	dst->verified = src->verified;
	dst->method = src->method;
	dst->cert_domain = src->cert_domain;
	dst->dane = src->dane;
	dst->dane_words = xstrdup(src->dane_words);
	dst->verify = xstrdup(src->verify);
	dst->old_version = src->old_version;
	dst->cert = src->cert;
	dst->resumed = src->resumed;
}

/* Free TLS facts. */
void
tls_facts_clear(struct tls_facts *t)
{
	free(t->version);
	free(t->cipher);
	free(t->cert_subject);
	free(t->cert_issuer);
	free(t->cert_sha256);
	free(t->cert_expires);
	free(t->verify);
	free(t->dane_words);
	memset(t, 0, sizeof *t);
}

/* Deep copy of a ticket. */
void
tls_ticket_copy(struct tls_ticket *dst, const struct tls_ticket *src)
{
	memset(dst, 0, sizeof *dst);
	if (src->data != NULL && src->len > 0) {
		dst->data = xmalloc(src->len);
		memcpy(dst->data, src->data, src->len);
		dst->len = src->len;
	}
	dst->since = src->since;
	dst->expires = src->expires;
	tls_facts_copy(&dst->facts, &src->facts);
}

/* Wipe a ticket. */
void
tls_ticket_clear(struct tls_ticket *tk)
{
	if (tk->data != NULL) {
		secret_wipe(tk->data, tk->len);
		free(tk->data);
	}
	tls_facts_clear(&tk->facts);
	memset(tk, 0, sizeof *tk);
}

/* TLS facts in words. */
char *
tls_facts_summary(const struct tls_facts *t, enum tls_summary how)
{
	const char	*version = t->version != NULL ? t->version : "TLS";
	int		 ok = t->method != VERIFY_NONE;
	int		 why = !ok && t->verify != NULL;
	const char	*m = verify_method_name(t->method);
	const char	*res = t->resumed ? " (resumed)" : "";

	if (!t->used)
		return xstrdup("no TLS");
	if (how == TLS_SUMMARY_SHORT)
		return xasprintf("%s%s, %s%s%s%s", version, res, ok ?
		    "verified" : "NOT verified", ok ? " (" : "", ok ? m : "",
		    ok ? ")" : "");
	if (ok)
		return xasprintf("%s%s, %s%s, certificate verified (%s)",
		    version, res, t->cipher != NULL ? t->cipher : "?",
		    t->old_version ? " (an old version)" : "", m);
	if (t->verified)
		return xasprintf("%s%s, %s%s, certificate NOT verified (it "
		    "chains to a trusted CA for the MX host's name, but that "
		    "name came from DNS that proves nothing)", version, res,
		    t->cipher != NULL ? t->cipher : "?", t->old_version ?
		    " (an old version)" : "");
	return xasprintf("%s%s, %s%s, certificate NOT verified%s%s%s", version,
	    res, t->cipher != NULL ? t->cipher : "?", t->old_version ?
	    " (an old version)" : "", why ? " (" : "", why ? t->verify : "",
	    why ? ")" : "");
}

/* Replace a string field with a sanitized copy. */
void
record_set(char **field, const char *s)
{
	char	*n;

	n = s != NULL ? text_sanitize(s) : NULL;
	free(*field);
	*field = n;
}

/* Free the strings of a record. */
void
record_clear(struct record *r)
{
	free(r->recipient);
	free(r->reason);
	free(r->server);
	free(r->address);
	free(r->reply);
	tls_facts_clear(&r->tls);
	next_hop_clear(&r->next_hop);
	memset(r, 0, sizeof *r);
}

/* Deep copy of a record. */
void
record_copy(struct record *dst, const struct record *src)
{
	*dst = *src;
	dst->recipient = xstrdup(src->recipient);
	dst->reason = xstrdup(src->reason);
	dst->server = xstrdup(src->server);
	dst->address = xstrdup(src->address);
	dst->reply = xstrdup(src->reply);
	memset(&dst->tls, 0, sizeof dst->tls);
	tls_facts_copy(&dst->tls, &src->tls);
	next_hop_copy(&dst->next_hop, &src->next_hop);
}

static const char *next_hop_sts_names[] = { "none", "testing", "enforce" };

/* Name of an MTA-STS mode a domain publishes (NULL: unknown). */
const char *
next_hop_sts_name(enum next_hop_sts m)
{
	if (m < NEXT_HOP_STS_NONE || m > NEXT_HOP_STS_ENFORCE)
		return NULL;
	return next_hop_sts_names[m];
}

/* Parse an MTA-STS mode name. */
int
next_hop_sts_parse(const char *s, enum next_hop_sts *m)
{
	int	i;

	for (i = NEXT_HOP_STS_NONE; i <= NEXT_HOP_STS_ENFORCE; i++) {
		if (strcmp(s, next_hop_sts_names[i]) == 0) {
			*m = (enum next_hop_sts)i;
			return 0;
		}
	}
	return -1;
}

/* Deep copy of next hop facts. */
void
next_hop_copy(struct next_hop *dst, const struct next_hop *src)
{
	size_t	i;

	*dst = *src;
	dst->mx = NULL;
	if (src->nmx > 0) {
		dst->mx = xcalloc(src->nmx, sizeof *dst->mx);
		for (i = 0; i < src->nmx; i++)
			dst->mx[i] = xstrdup(src->mx[i]);
	}
}

/* Free next hop facts and zero them. */
void
next_hop_clear(struct next_hop *h)
{
	size_t	i;

	for (i = 0; i < h->nmx; i++)
		free(h->mx[i]);
	free(h->mx);
	memset(h, 0, sizeof *h);
}

/* A tri-state as JSON. */
static const char *
next_hop_bool(int v)
{
	return v < 0 ? "null" : v ? "true" : "false";
}

/* The --json value of next hop facts. */
char *
next_hop_json(const struct next_hop *h)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	if (!h->known)
		return xstrdup("null");
	buf_adds(&b, "{\"mx\":[");
	for (i = 0; i < h->nmx; i++) {
		if (i > 0)
			buf_addc(&b, ',');
		buf_add_json(&b, h->mx[i]);
	}
	buf_adds(&b, "],\"mta_sts\":");
	buf_add_json(&b, next_hop_sts_name(h->mta_sts));
	buf_addf(&b, ",\"dane\":%s,\"dnssec\":%s}", next_hop_bool(h->dane),
	    next_hop_bool(h->dnssec));
	return buf_steal(&b);
}

/* Free an array of records. */
void
record_free_array(struct record *v, size_t n)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		record_clear(&v[i]);
	free(v);
}

/* The latest attempt for a recipient. */
const struct record *
record_latest(const struct record *v, size_t n, const char *recipient,
    size_t *earlier)
{
	const struct record	*last = NULL;
	size_t			 i, before = 0;

	for (i = 0; i < n; i++) {
		if (v[i].recipient == NULL || recipient == NULL ||
		    strcmp(v[i].recipient, recipient) != 0)
			continue;
		if (last != NULL)
			before++;
		last = &v[i];
	}
	if (earlier != NULL)
		*earlier = before;
	return last;
}

/* The --json object of a record. */
char *
record_json(const struct record *r)
{
	struct buf		 b = BUF_INIT;
	const struct tls_facts	*t = &r->tls;
	char			*nh;

	buf_adds(&b, "{\"recipient\":");
	buf_add_json(&b, r->recipient);
	buf_adds(&b, ",\"outcome\":");
	buf_add_json(&b, outcome_name(r->outcome));
	buf_adds(&b, ",\"policy\":");
	buf_add_json(&b, policy_name(r->policy));
	buf_adds(&b, ",\"policy_source\":");
	buf_add_json(&b, policy_source_name(r->policy_source));
	buf_adds(&b, ",\"reason\":");
	buf_add_json(&b, r->reason);
	buf_adds(&b, ",\"reason_kind\":");
	buf_add_json(&b, r->kind != REASON_NONE ? reason_kind_name(r->kind) :
	    NULL);
	buf_addf(&b, ",\"uncertain\":%s", r->uncertain ? "true" : "false");
	buf_addf(&b, ",\"resent\":%s", r->resent ? "true" : "false");
	buf_addf(&b, ",\"recorded\":%s", r->unrecorded ? "false" : "true");
	buf_adds(&b, ",\"server\":");
	buf_add_json(&b, r->server);
	buf_adds(&b, ",\"address\":");
	buf_add_json(&b, r->address);
	if (r->port > 0)
		buf_addf(&b, ",\"port\":%d", r->port);
	else
		buf_adds(&b, ",\"port\":null");
	buf_adds(&b, ",\"tls_version\":");
	buf_add_json(&b, t->used ? t->version : NULL);
	buf_adds(&b, ",\"cipher\":");
	buf_add_json(&b, t->used ? t->cipher : NULL);
	buf_adds(&b, ",\"cert_subject\":");
	buf_add_json(&b, t->used ? t->cert_subject : NULL);
	buf_adds(&b, ",\"cert_issuer\":");
	buf_add_json(&b, t->used ? t->cert_issuer : NULL);
	buf_adds(&b, ",\"cert_sha256\":");
	buf_add_json(&b, t->used ? t->cert_sha256 : NULL);
	buf_adds(&b, ",\"cert_expires\":");
	buf_add_json(&b, t->used ? t->cert_expires : NULL);
	buf_adds(&b, ",\"verify\":");
	buf_add_json(&b, t->used ? t->verify : NULL);
	buf_adds(&b, ",\"verify_method\":");
	buf_add_json(&b, t->used && t->method != VERIFY_NONE ?
	    verify_method_name(t->method) : NULL);
	buf_addf(&b, ",\"resumed\":%s", !t->used ? "null" : t->resumed ?
	    "true" : "false");
	buf_addf(&b, ",\"requiretls\":%s", r->requiretls ? "true" : "false");
	buf_addf(&b, ",\"downgrade\":%s", r->downgrade ? "true" : "false");
	buf_adds(&b, ",\"reply\":");
	buf_add_json(&b, r->reply);
	nh = next_hop_json(&r->next_hop);
	buf_addf(&b, ",\"next_hop\":%s", nh);
	free(nh);
	buf_addc(&b, '}');
	return buf_steal(&b);
}
