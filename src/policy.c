/* Transport security policy of a recipient. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "policy.h"
#include "xmalloc.h"

static const char *policy_names[POLICY_LAST] = { "may", "encrypt", "verify" };
static const char *policy_source_names[POLICY_FROM_LAST] = {
	"default", "domain", "contact"
};

static const char *reason_kind_names[REASON_LAST] = {
	"", "no-starttls", "starttls-refused", "handshake-failed",
	"injection", "cert-untrusted", "cert-name", "cert-expired", "old-tls",
	"downgrade", "auth-needs-tls", "auth-failed", "auth-unsupported",
	"temp-reply", "perm-reply", "connection", "timeout", "dns", "size",
	"message", "store", "uncertain", "interrupted", "probe", "expired",
	"mta-sts", "dane", "mx-unauthenticated"
};

static const char *verify_method_names[VERIFY_LAST] = {
	"", "pkix", "dane", "mta-sts"
};


/* Name of a policy. */
const char *
policy_name(enum policy p)
{
	if (p == POLICY_UNSET)
		return "default";
	if ((int)p < 0 || p >= POLICY_LAST)
		return "unknown";
	return policy_names[p];
}

/* Name of the place a policy came from. */
const char *
policy_source_name(enum policy_source src)
{
	if ((int)src < 0 || src >= POLICY_FROM_LAST)
		return "unknown";
	return policy_source_names[src];
}

/* Parse a policy name (case-insensitive). */
int
policy_parse(const char *s, enum policy *p)
{
	int	i;

	if (s == NULL)
		return -1;
	for (i = 0; i < POLICY_LAST; i++) {
		if (strcasecmp(s, policy_names[i]) == 0) {
			*p = (enum policy)i;
			return 0;
		}
	}
	return -1;
}

/* The most specific setting wins. */
enum policy
policy_pick(enum policy contact, enum policy domain, enum policy dflt,
    enum policy_source *src)
{
	enum policy_source	from = POLICY_FROM_DEFAULT;
	enum policy		p = dflt != POLICY_UNSET ? dflt : POLICY_MAY;

	if (contact != POLICY_UNSET) {
		from = POLICY_FROM_CONTACT;
		p = contact;
	} else if (domain != POLICY_UNSET) {
		from = POLICY_FROM_DOMAIN;
		p = domain;
	}
	if (src != NULL)
		*src = from;
	return p;
}

/* Does the policy forbid plaintext? */
int
policy_needs_tls(enum policy p)
{
	return p == POLICY_ENCRYPT || p == POLICY_VERIFY;
}

/* Name of a reason kind. */
const char *
reason_kind_name(enum reason_kind k)
{
	if ((int)k < 0 || k >= REASON_LAST)
		return "";
	return reason_kind_names[k];
}

/* Parse a reason kind's name. */
int
reason_kind_parse(const char *s, enum reason_kind *k)
{
	int	i;

	if (s == NULL)
		return -1;
	for (i = 0; i < REASON_LAST; i++) {
		if (strcmp(s, reason_kind_names[i]) == 0) {
			*k = (enum reason_kind)i;
			return 0;
		}
	}
	return -1;
}

/* The kind of a certificate problem. */
enum reason_kind
reason_kind_of_cert(enum cert_problem c)
{
	switch (c) {
	case CERT_NAME:
		return REASON_CERT_NAME;
	case CERT_EXPIRED:
		return REASON_CERT_EXPIRED;
	case CERT_OK:
		return REASON_NONE;
	default:
		return REASON_CERT_UNTRUSTED;
	}
}

/* Does the kind say TLS fell short? */
int
reason_kind_is_tls(enum reason_kind k)
{
	switch (k) {
	case REASON_NO_STARTTLS:
	case REASON_STARTTLS_REFUSED:
	case REASON_HANDSHAKE_FAILED:
	case REASON_INJECTION:
	case REASON_CERT_UNTRUSTED:
	case REASON_CERT_NAME:
	case REASON_CERT_EXPIRED:
	case REASON_OLD_TLS:
	case REASON_DOWNGRADE:
	case REASON_AUTH_NEEDS_TLS:
		return 1;
	default:
		return 0;
	}
}

/* Name of a verification method. */
const char *
verify_method_name(enum verify_method m)
{
	if ((int)m < 0 || m >= VERIFY_LAST)
		return "";
	return verify_method_names[m];
}

/* Parse a verification method's name. */
int
verify_method_parse(const char *s, enum verify_method *m)
{
	int	i;

	if (s == NULL)
		return -1;
	for (i = 1; i < VERIFY_LAST; i++) {
		if (strcmp(s, verify_method_names[i]) == 0) {
			*m = (enum verify_method)i;
			return 0;
		}
	}
	return -1;
}

/* How the certificate is verified as the recipient's server's. */
enum verify_method
policy_method(const struct policy_conn *c, enum reason_kind *weak)
{
	enum reason_kind	 w = REASON_NONE;
	enum verify_method	 m = VERIFY_NONE;

	if (!c->tls)
		w = c->plain != REASON_NONE ? c->plain : REASON_NO_STARTTLS;
	else if (c->old_version)
		w = REASON_OLD_TLS;
	else if (c->dane == POLICY_DANE_MATCH)
		m = VERIFY_DANE;
	else if (c->dane == POLICY_DANE_NOMATCH ||
	    c->dane == POLICY_DANE_BOGUS)
		w = REASON_DANE;
	else if (!c->verified)
		w = reason_kind_of_cert(c->cert != CERT_OK ? c->cert :
		    CERT_UNTRUSTED);
	else if (c->direct && c->sts != POLICY_STS_NONE && c->sts_mx_ok)
		m = VERIFY_MTA_STS;
	else if (!c->direct || c->mx_secure || c->cert_domain)
		m = VERIFY_PKIX;
	else
		w = REASON_MX_UNAUTH;
	if (weak != NULL)
		*weak = w;
	return m;
}

/* Does what the domain publishes hold this connection?  Its kind, or NONE. */
static enum reason_kind
policy_published(const struct policy_conn *c, enum verify_method m)
{
	if (!c->direct)
		return REASON_NONE;
	if (c->dane == POLICY_DANE_NOMATCH || c->dane == POLICY_DANE_BOGUS)
		return REASON_DANE;
	if (c->dane != POLICY_DANE_NONE && !c->tls)
		return REASON_DANE;
	if (c->dane == POLICY_DANE_MATCH)
		return REASON_NONE;	/* DANE wins over MTA-STS (RFC 8461 2) */
	if (c->sts == POLICY_STS_ENFORCE && m != VERIFY_MTA_STS)
		return REASON_MTA_STS;
	return REASON_NONE;
}

/* The verdict for one recipient over one connection. */
struct policy_verdict
policy_judge(enum policy p, const struct policy_conn *c)
{
	struct policy_verdict	v;
	enum reason_kind	weak, pub;

	v.method = policy_method(c, &weak);
	v.action = POLICY_SEND;
	v.kind = weak;
	if (c->downgrade && c->downgrade_hold) {
		v.action = POLICY_HOLD;
		v.kind = REASON_DOWNGRADE;
		v.method = VERIFY_NONE;
		return v;
	}
	if ((pub = policy_published(c, v.method)) != REASON_NONE) {
		v.action = POLICY_HOLD;
		v.kind = pub;
		v.method = VERIFY_NONE;
		return v;
	}
	switch (p) {
	case POLICY_ENCRYPT:
		if (!c->tls || c->old_version)
			v.action = POLICY_HOLD;
		break;
	case POLICY_VERIFY:
		if (weak != REASON_NONE)
			v.action = POLICY_HOLD;
		break;
	default:
		break;
	}
	if (v.action == POLICY_HOLD) {
		v.method = VERIFY_NONE;
		return v;
	}
	if (c->downgrade)
		v.kind = REASON_DOWNGRADE;
	else if (c->direct && c->sts == POLICY_STS_TESTING &&
	    v.method != VERIFY_MTA_STS && v.method != VERIFY_DANE)
		v.kind = REASON_MTA_STS;
	return v;
}

/*
 * What fell short of what the domain publishes, in words (a new string):
 * the connection as it is, for the words of a dane or mta-sts verdict.
 */
static char *
policy_shortfall(const struct policy_conn *c)
{
	const char	*host = c->host != NULL ? c->host : "the server";
	enum reason_kind weak;

	(void)policy_method(c, &weak);
	if (!c->tls)
		return xasprintf("%s", c->plain_words != NULL ?
		    c->plain_words : "no TLS");
	if (c->old_version)
		return xasprintf("%s offers only %s, below TLS 1.2", host,
		    c->version != NULL ? c->version : "TLS");
	if (weak == REASON_DANE || c->dane == POLICY_DANE_NOMATCH)
		return xasprintf("%s", c->dane_words != NULL ? c->dane_words :
		    "no TLSA record matches the certificate");
	if (!c->verified)
		return xasprintf("certificate %s", c->verify != NULL ?
		    c->verify : "not verified");
	if (c->sts != POLICY_STS_NONE && !c->sts_mx_ok)
		return xasprintf("%s is not one of the MX hosts its policy "
		    "lists", host);
	return xasprintf("certificate %s", c->verify != NULL ? c->verify :
	    "verified");
}

/* The words of a verdict for what the domain publishes, or NULL. */
static char *
policy_published_words(enum policy p, const struct policy_conn *c,
    const struct policy_verdict *v)
{
	const char	*dom = c->domain != NULL ? c->domain : "the domain";
	const char	*host = c->host != NULL ? c->host : "the server";
	char		*s, *w;

	if (v->kind == REASON_MX_UNAUTH) {
		w = xasprintf("the certificate is for %s, but that name came "
		    "from DNS that is not DNSSEC-signed, and %s publishes no "
		    "DANE or MTA-STS that covers it: no proof that this is "
		    "%s's server", host, dom, dom);
		if (v->action != POLICY_HOLD)
			return w;
		s = xasprintf("%s; policy %s needs that proof, so nothing was "
		    "sent", w, policy_name(p));
		free(w);
		return s;
	}
	if (v->kind != REASON_DANE && v->kind != REASON_MTA_STS)
		return NULL;
	w = policy_shortfall(c);
	if (v->kind == REASON_DANE) {
		if (c->dane == POLICY_DANE_BOGUS)
			s = xasprintf("the DANE TLSA records of %s failed DNSSEC "
			    "validation (%s); nothing was sent", host,
			    c->dane_words != NULL ? c->dane_words : "bogus");
		else
			s = xasprintf("%s publishes DANE TLSA records for %s, "
			    "which require TLS with a matching certificate: "
			    "%s; nothing was sent", dom, host, w);
	} else if (v->action == POLICY_HOLD)
		s = xasprintf("the MTA-STS policy of %s (enforce) takes mail "
		    "only over verified TLS 1.2 or later to the MX hosts it "
		    "lists: %s; nothing was sent", dom, w);
	else
		s = xasprintf("the MTA-STS policy of %s (testing) was not met: "
		    "%s", dom, w);
	free(w);
	return s;
}

/* The words of a verdict. */
char *
policy_words(enum policy p, const struct policy_conn *c,
    const struct policy_verdict *v)
{
	char		*pub;
	const char	*host = c->host != NULL ? c->host : "the server";
	const char	*plain = c->plain_words != NULL ? c->plain_words :
			    "no TLS";
	const char	*verify = c->verify != NULL ? c->verify :
			    "not verified";
	const char	*version = c->version != NULL ? c->version : "TLS";
	const char	*dg = c->downgrade_words != NULL ? c->downgrade_words :
			    "downgrade: this server gave better TLS before";

	if ((pub = policy_published_words(p, c, v)) != NULL)
		return pub;
	/* Verified by DANE: the PKIX result does not matter. */
	if (v->action != POLICY_HOLD && v->method == VERIFY_DANE &&
	    !c->downgrade)
		return NULL;
	if (v->action == POLICY_HOLD) {
		if (v->kind == REASON_DOWNGRADE)
			return xasprintf("%s; with downgrade = hold nothing "
			    "was sent", dg);
		if (v->kind == REASON_OLD_TLS)
			return xasprintf("%s offers only %s, below TLS 1.2; "
			    "policy %s needs TLS 1.2 or later, so nothing was "
			    "sent", host, version, policy_name(p));
		if (c->tls)
			return xasprintf("certificate %s; policy %s needs a "
			    "verified certificate, so nothing was sent",
			    verify, policy_name(p));
		return xasprintf("%s; policy %s needs TLS, so nothing was "
		    "sent", plain, policy_name(p));
	}
	if (!c->tls)
		return c->downgrade ? xasprintf("%s", dg) :
		    xasprintf("%s", plain);
	if (c->downgrade) {
		if (c->verified && !c->old_version)
			return xasprintf("%s", dg);
		return xasprintf("%s; certificate %s%s%s%s", dg, verify,
		    c->old_version ? "; an old TLS version (" : "",
		    c->old_version ? version : "", c->old_version ?
		    ", below 1.2) was accepted under policy may" : "");
	}
	if (c->verified && !c->old_version)
		return NULL;
	if (c->verified)
		return xasprintf("an old TLS version (%s, below 1.2) was "
		    "accepted under policy %s", version, policy_name(p));
	return xasprintf("certificate %s%s%s%s%s", verify,
	    c->old_version ? "; an old TLS version (" : "",
	    c->old_version ? version : "", c->old_version ?
	    ", below 1.2) was accepted under policy " : "",
	    c->old_version ? policy_name(p) : "");
}

/* The downgrade rule. */
int
policy_downgrade(const struct policy_seen *seen, const char *host,
    int starttls, int tls_failed, const char *issuer, char **words)
{
	*words = NULL;
	if (seen == NULL || !seen->known)
		return 0;
	if (host == NULL)
		host = "the server";
	if (starttls == 0 && seen->starttls) {
		*words = xasprintf("downgrade: %s offered STARTTLS before and "
		    "does not now", host);
		return 1;
	}
	if (tls_failed && seen->tls) {
		*words = xasprintf("downgrade: %s passed the TLS handshake "
		    "before and fails it now", host);
		return 1;
	}
	if (issuer != NULL && seen->issuer != NULL &&
	    strcmp(issuer, seen->issuer) != 0) {
		*words = xasprintf("downgrade: the certificate issuer of %s "
		    "changed from %s to %s", host, seen->issuer, issuer);
		return 1;
	}
	return 0;
}

/* AUTH only over TLS, unless the user allowed otherwise. */
int
policy_auth_allowed(const struct policy_conn *c, int allow_plain)
{
	return c->tls || allow_plain;
}

/* Advice for a held recipient, by kind. */
char *
policy_advice(enum reason_kind kind, const char *addr, enum policy p,
    enum policy_source src, const char *cfg)
{
	const char	*dom = strchr(addr, '@') != NULL ? addr_domain(addr) :
			    addr;

	if (cfg == NULL)
		cfg = "the config";
	switch (kind) {
	case REASON_DOWNGRADE:
		return xasprintf("This server gave better TLS before than now: "
		    "someone may be interfering. Wait and retry (r in the "
		    "Outbox), or relax the policy only if you trust the "
		    "network.");
	case REASON_DANE:
		return xasprintf("%s publishes DANE records that its server did "
		    "not match: that is what an attack on the path looks like. "
		    "Nothing was sent; wait and retry (r in the Outbox). A "
		    "contact policy does not override what the domain "
		    "publishes.", dom);
	case REASON_MTA_STS:
		return xasprintf("%s's MTA-STS policy (enforce) takes mail only "
		    "over verified TLS to the servers it lists, and this server "
		    "did not give that: someone may be interfering. Nothing was "
		    "sent; wait and retry (r in the Outbox).", dom);
	case REASON_MX_UNAUTH:
		if (!policy_needs_tls(p) || p != POLICY_VERIFY)
			break;
		return xasprintf("The certificate names the MX host, but that "
		    "name came from unsigned DNS, so it does not prove the "
		    "server is %s's. Any one of these lets it through: %s "
		    "publishing DANE or MTA-STS, DNSSEC-signed MX records, a "
		    "certificate for %s itself, or a [route %s] to a server "
		    "you name in %s. Or set this contact to 'encrypt' (c, t); "
		    "then r in the Outbox.", dom, dom, dom, dom, cfg);
	case REASON_AUTH_NEEDS_TLS:
		return xasprintf("tern does not send a password without TLS. "
		    "Use a relay that offers STARTTLS, or set auth_plaintext "
		    "= yes in %s.", cfg);
	default:
		break;
	}
	if (!policy_needs_tls(p))
		return xasprintf("Its policy is now %s (%s): press r in the "
		    "Outbox to send it again.", policy_name(p),
		    policy_source_name(src));
	if (kind == REASON_OLD_TLS)
		return xasprintf("The server speaks only TLS below 1.2, which "
		    "policy %s does not accept. Ask its operator to enable TLS "
		    "1.2, or relax this contact to 'may' (c, t) and press r in "
		    "the Outbox.", policy_name(p));
	if (p == POLICY_VERIFY && (kind == REASON_CERT_UNTRUSTED ||
	    kind == REASON_CERT_NAME || kind == REASON_CERT_EXPIRED))
		return xasprintf("The server's certificate does not verify "
		    "(%s). If you trust it, add its CA with ca_file in %s, or "
		    "set this contact to 'encrypt' (c, t); then r in the "
		    "Outbox.", kind == REASON_CERT_NAME ? "it is for another "
		    "name" : kind == REASON_CERT_EXPIRED ? "expired" :
		    "no trusted CA", cfg);
	switch (src) {
	case POLICY_FROM_CONTACT:
		return xasprintf("%s requires TLS (%s, set on the contact). To "
		    "send anyway, relax it: c for Contacts, select it, t until "
		    "'may', then r in the Outbox. Or wait until the server "
		    "offers TLS and retry (r).", addr, policy_name(p));
	case POLICY_FROM_DOMAIN:
		return xasprintf("The [domain %s] rule in %s requires TLS (%s). "
		    "To send anyway, set this contact to 'may' (c, t) and press "
		    "r in the Outbox; or wait until the server offers TLS and "
		    "retry (r).", dom, cfg, policy_name(p));
	default:
		return xasprintf("Your default (tls = %s in %s) requires TLS. To "
		    "send anyway, set this contact to 'may' (c, t) and press r "
		    "in the Outbox; or wait until the server offers TLS and "
		    "retry (r).", policy_name(p), cfg);
	}
}
