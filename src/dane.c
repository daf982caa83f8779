/* DANE for SMTP: a certificate chain against TLSA records (RFC 7672). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "buf.h"
#include "dane.h"
#include "dns.h"
#include "tls.h"
#include "xmalloc.h"

#define DANE_WORDS_MAX	4	/* records named in a "no match" reason */

/* The server's chain as parsed certificates (the DER is borrowed). */
struct dane_chain {
	const gnutls_datum_t	*der;
	gnutls_x509_crt_t	*crt;
	unsigned int		 n;	/* parsed, from the leaf up */
};

/* Why the best attempt so far failed; a higher rank says more. */
enum dane_fail {
	DANE_FAIL_NOMATCH,	/* no record matched any certificate */
	DANE_FAIL_CHAIN,	/* a DANE-TA matched; the chain does not verify */
	DANE_FAIL_NAME		/* ... it verifies; the leaf names no name */
};

static int	dane_chain_load(const gnutls_datum_t *, unsigned int,
		    struct dane_chain *);
static void	dane_chain_free(struct dane_chain *);
static int	dane_select(gnutls_x509_crt_t, const gnutls_datum_t *,
		    unsigned int, gnutls_datum_t *, int *);
static int	dane_match(const struct dns_tlsa *, gnutls_x509_crt_t,
		    const gnutls_datum_t *);
static int	dane_anchor_verify(const struct dane_chain *,
		    gnutls_x509_crt_t, unsigned int, char **);
static int	dane_names(gnutls_x509_crt_t, const char *const *,
		    const char **);
static char	*dane_names_words(const char *const *);
static int	dane_signed_by(gnutls_x509_crt_t, const gnutls_datum_t *,
		    gnutls_pubkey_t);
static int	dane_in_time(gnutls_x509_crt_t);
static int	dane_try_ta(const struct dns_tlsa *, size_t,
		    const struct dane_chain *, const char *const *,
		    struct dane_result *, enum dane_fail *, char **);
static int	dane_ta_at(const struct dns_tlsa *, size_t,
		    const struct dane_chain *, gnutls_x509_crt_t, unsigned int,
		    unsigned int, unsigned int, const char *const *,
		    struct dane_result *, enum dane_fail *, char **);
static void	dane_fail_set(enum dane_fail *, char **, enum dane_fail,
		    char *);
static const char *dane_usage_name(unsigned int);

/* Is one record usable for SMTP (RFC 7672 3.1, RFC 7671 4)? */
int
dane_record_usable(const struct dns_tlsa *r)
{
	if (r == NULL || r->data == NULL || r->len == 0)
		return 0;
	if (r->usage != DANE_USAGE_DANE_TA && r->usage != DANE_USAGE_DANE_EE)
		return 0;
	if (r->selector != DANE_SEL_CERT && r->selector != DANE_SEL_SPKI)
		return 0;
	switch (r->mtype) {
	case DANE_MT_FULL:
		return 1;
	case DANE_MT_SHA256:
		return r->len == 32;
	case DANE_MT_SHA512:
		return r->len == 64;
	default:
		return 0;
	}
}

/* Count the usable records of a validated answer. */
size_t
dane_usable(const struct dns_tlsalist *l)
{
	size_t	i, n = 0;

	if (l == NULL || !l->secure || l->v == NULL)
		return 0;
	for (i = 0; i < l->n; i++)
		if (dane_record_usable(&l->v[i]))
			n++;
	return n;
}

/* What an answer means for the connection. */
enum dane_state
dane_state(const struct dns_tlsalist *l)
{
	if (l == NULL || !l->secure || l->v == NULL || l->n == 0)
		return DANE_OFF;
	return dane_usable(l) > 0 ? DANE_ON : DANE_UNUSABLE;
}

/* "3 1 1 9f86d081..." */
char *
dane_record_words(const struct dns_tlsa *r, char *buf, size_t len)
{
	size_t	i, at;
	int	k;

	if (len == 0)
		return buf;
	k = snprintf(buf, len, "%u %u %u ", r->usage, r->selector, r->mtype);
	if (k < 0 || (size_t)k >= len)
		return buf;
	at = (size_t)k;
	for (i = 0; i < r->len && i < 4 && r->data != NULL; i++) {
		k = snprintf(buf + at, len - at, "%02x", r->data[i]);
		if (k < 0 || (size_t)k >= len - at) {
			buf[at] = '\0';
			return buf;
		}
		at += (size_t)k;
	}
	if (r->len > 4)
		snprintf(buf + at, len - at, "...");
	else if (r->len == 0)
		snprintf(buf + at, len - at, "(empty)");
	return buf;
}

/* Free a result and zero it. */
void
dane_result_clear(struct dane_result *res)
{
	if (res == NULL)
		return;
	free(res->name);
	free(res->why);
	memset(res, 0, sizeof *res);
}

/*
 * Parse the chain from the leaf up to the first certificate that fails;
 * -1 (nothing held) when the leaf does not parse.
 */
static int
dane_chain_load(const gnutls_datum_t *der, unsigned int n,
    struct dane_chain *c)
{
	unsigned int	i;

	memset(c, 0, sizeof *c);
	if (der == NULL || n == 0)
		return -1;
	c->der = der;
	c->crt = xcalloc(n, sizeof *c->crt);
	for (i = 0; i < n; i++) {
		if (der[i].data == NULL || der[i].size == 0 ||
		    gnutls_x509_crt_init(&c->crt[i]) < 0)
			break;
		if (gnutls_x509_crt_import(c->crt[i], &der[i],
		    GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(c->crt[i]);
			break;
		}
		c->n++;
	}
	if (c->n == 0) {
		dane_chain_free(c);
		return -1;
	}
	return 0;
}

/* Free the parsed certificates. */
static void
dane_chain_free(struct dane_chain *c)
{
	unsigned int	i;

	for (i = 0; i < c->n; i++)
		gnutls_x509_crt_deinit(c->crt[i]);
	free(c->crt);
	memset(c, 0, sizeof *c);
}

/*
 * What a selector takes of a certificate: its DER (borrowed) or its
 * SubjectPublicKeyInfo in DER (*allocated 1: gnutls_free it).  0 or -1.
 */
static int
dane_select(gnutls_x509_crt_t crt, const gnutls_datum_t *der,
    unsigned int selector, gnutls_datum_t *out, int *allocated)
{
	gnutls_pubkey_t	pub;
	int		rv = -1;

	*allocated = 0;
	if (selector == DANE_SEL_CERT) {
		*out = *der;
		return 0;
	}
	if (gnutls_pubkey_init(&pub) < 0)
		return -1;
	if (gnutls_pubkey_import_x509(pub, crt, 0) == 0 &&
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, out) == 0) {
		*allocated = 1;
		rv = 0;
	}
	gnutls_pubkey_deinit(pub);
	return rv;
}

/* Does a (usable) record match one certificate?  1 or 0. */
static int
dane_match(const struct dns_tlsa *r, gnutls_x509_crt_t crt,
    const gnutls_datum_t *der)
{
	gnutls_datum_t	 sel;
	unsigned char	 md[64];
	int		 allocated, ok = 0;

	if (dane_select(crt, der, r->selector, &sel, &allocated) == -1)
		return 0;
	switch (r->mtype) {
	case DANE_MT_FULL:
		ok = sel.size == r->len && memcmp(sel.data, r->data,
		    r->len) == 0;
		break;
	case DANE_MT_SHA256:
		ok = r->len == 32 && gnutls_hash_fast(GNUTLS_DIG_SHA256,
		    sel.data, sel.size, md) == 0 &&
		    memcmp(md, r->data, 32) == 0;
		break;
	case DANE_MT_SHA512:
		ok = r->len == 64 && gnutls_hash_fast(GNUTLS_DIG_SHA512,
		    sel.data, sel.size, md) == 0 &&
		    memcmp(md, r->data, 64) == 0;
		break;
	}
	if (allocated)
		gnutls_free(sel.data);
	return ok;
}

/*
 * Verify the chain with anchor (taken: freed here) as the only trust
 * anchor, for TLS server use, with flags; 0, or -1 with *why (new).
 */
static int
dane_anchor_verify(const struct dane_chain *c, gnutls_x509_crt_t anchor,
    unsigned int flags, char **why)
{
	gnutls_x509_trust_list_t list;
	gnutls_typed_vdata_st	 data;
	gnutls_datum_t		 out;
	unsigned int		 status = GNUTLS_CERT_INVALID;
	size_t			 len;

	*why = NULL;
	if (gnutls_x509_trust_list_init(&list, 0) < 0) {
		gnutls_x509_crt_deinit(anchor);
		*why = xstrdup("GnuTLS could not make a trust list");
		return -1;
	}
	if (gnutls_x509_trust_list_add_cas(list, &anchor, 1, 0) != 1) {
		gnutls_x509_crt_deinit(anchor);
		gnutls_x509_trust_list_deinit(list, 1);
		*why = xstrdup("GnuTLS refused the trust anchor");
		return -1;
	}
	memset(&data, 0, sizeof data);
	data.type = GNUTLS_DT_KEY_PURPOSE_OID;
	data.data = (unsigned char *)(uintptr_t)GNUTLS_KP_TLS_WWW_SERVER;
	if (gnutls_x509_trust_list_verify_crt2(list, c->crt, c->n, &data, 1,
	    flags, &status, NULL) < 0)
		status = GNUTLS_CERT_INVALID;
	gnutls_x509_trust_list_deinit(list, 1);
	if (status == 0)
		return 0;
	if (gnutls_certificate_verification_status_print(status,
	    GNUTLS_CRT_X509, &out, 0) == 0) {
		*why = xstrndup((const char *)out.data, out.size);
		gnutls_free(out.data);
		len = strlen(*why);
		while (len > 0 && ((*why)[len - 1] == ' ' ||
		    (*why)[len - 1] == '.'))
			(*why)[--len] = '\0';
	} else
		*why = xstrdup("the chain does not verify");
	return -1;
}

/* Does the leaf name one of names?  1 with *which, or 0. */
static int
dane_names(gnutls_x509_crt_t leaf, const char *const *names,
    const char **which)
{
	size_t	i;

	for (i = 0; names != NULL && names[i] != NULL; i++) {
		if (names[i][0] == '\0')
			continue;
		if (gnutls_x509_crt_check_hostname2(leaf, names[i],
		    GNUTLS_VERIFY_DO_NOT_ALLOW_IP_MATCHES)) {
			*which = names[i];
			return 1;
		}
	}
	return 0;
}

/* "mx.example", "mx.example or mail.example" (a new string). */
static char *
dane_names_words(const char *const *names)
{
	struct buf	b = BUF_INIT;
	size_t		i, k = 0;

	for (i = 0; names != NULL && names[i] != NULL; i++) {
		if (names[i][0] == '\0')
			continue;
		if (k++ > 0)
			buf_adds(&b, " or ");
		buf_adds(&b, names[i]);
	}
	if (k == 0)
		buf_adds(&b, "the MX host (no name given)");
	return buf_steal(&b);
}


/*
 * Is crt (from der) signed by the bare public key pub (RFC 7671 5.2.2)?
 * The signed part is the certificate's first element, tbsCertificate.
 */
static int
dane_signed_by(gnutls_x509_crt_t crt, const gnutls_datum_t *der,
    gnutls_pubkey_t pub)
{
	const unsigned char	*end = der->data + der->size, *inner, *tbsin;
	gnutls_datum_t		 tbs, sig;
	size_t			 w, tw, slen = 0;
	char			*s;
	int			 algo, ok = 0;

	if (tls_der_next(der->data, end, &w, &inner) == -1 ||
	    tls_der_next(inner, der->data + w, &tw, &tbsin) == -1)
		return 0;
	tbs.data = (unsigned char *)(uintptr_t)inner;
	tbs.size = (unsigned int)tw;
	if ((algo = gnutls_x509_crt_get_signature_algorithm(crt)) < 0 ||
	    gnutls_x509_crt_get_signature(crt, NULL, &slen) !=
	    GNUTLS_E_SHORT_MEMORY_BUFFER || slen == 0)
		return 0;
	s = xmalloc(slen);
	if (gnutls_x509_crt_get_signature(crt, s, &slen) == 0) {
		sig.data = (unsigned char *)s;
		sig.size = (unsigned int)slen;
		ok = gnutls_pubkey_verify_data2(pub,
		    (gnutls_sign_algorithm_t)algo, 0, &tbs, &sig) >= 0;
	}
	free(s);
	return ok;
}

/* Is a certificate within its validity period now?  1 or 0. */
static int
dane_in_time(gnutls_x509_crt_t crt)
{
	time_t	now = time(NULL), from, until;

	from = gnutls_x509_crt_get_activation_time(crt);
	until = gnutls_x509_crt_get_expiration_time(crt);
	return from != (time_t)-1 && until != (time_t)-1 && from <= now &&
	    now <= until;
}

/* Keep the reason of the best attempt: the highest rank, else the first. */
static void
dane_fail_set(enum dane_fail *rank, char **why, enum dane_fail r, char *w)
{
	if (*why == NULL || r > *rank) {
		free(*why);
		*why = w;
		*rank = r;
	} else
		free(w);
}

/* "DANE-TA(2)" */
static const char *
dane_usage_name(unsigned int usage)
{
	return usage == DANE_USAGE_DANE_TA ? "DANE-TA(2)" : "DANE-EE(3)";
}

/*
 * The chain with anchor (taken) as its trust anchor at depth (c->n: the
 * record's own; for a bare key, kdepth is the certificate it signed), for
 * record r: verify it, then the names.  0 and *res filled, or -1 with the
 * reason offered to *rank, *why.
 */
static int
dane_ta_at(const struct dns_tlsa *r, size_t idx, const struct dane_chain *c,
    gnutls_x509_crt_t anchor, unsigned int depth, unsigned int kdepth,
    unsigned int flags, const char *const *names, struct dane_result *res,
    enum dane_fail *rank, char **why)
{
	const char	*which = NULL;
	char		 rw[64], where[96], *bad, *nw;

	dane_record_words(r, rw, sizeof rw);
	if (depth < c->n)
		snprintf(where, sizeof where, "matches the certificate at "
		    "depth %u", depth);
	else if (r->selector == DANE_SEL_CERT)
		snprintf(where, sizeof where, "holds the trust anchor (not in "
		    "the server's chain)");
	else
		snprintf(where, sizeof where, "holds the key that signed the "
		    "certificate at depth %u", kdepth);
	if (dane_anchor_verify(c, anchor, flags, &bad) == -1) {
		dane_fail_set(rank, why, DANE_FAIL_CHAIN, xasprintf(
		    "%s record %s %s, but the chain does not verify with it "
		    "as trust anchor: %s", dane_usage_name(r->usage), rw,
		    where, bad));
		free(bad);
		return -1;
	}
	if (!dane_names(c->crt[0], names, &which)) {
		nw = dane_names_words(names);
		dane_fail_set(rank, why, DANE_FAIL_NAME, xasprintf(
		    "%s record %s %s, but the certificate does not name %s",
		    dane_usage_name(r->usage), rw, where, nw));
		free(nw);
		return -1;
	}
	res->how = DANE_TA;
	res->usage = r->usage;
	res->selector = r->selector;
	res->mtype = r->mtype;
	res->index = idx;
	res->depth = depth;
	res->name = xstrdup(which);
	res->why = xasprintf("%s record %s %s, and the certificate names %s",
	    dane_usage_name(r->usage), rw, where, which);
	return 0;
}

/*
 * One DANE-TA(2) record: a certificate of the chain it matches (above the
 * leaf first, then the leaf as its own anchor), else the anchor the record
 * holds whole (2 0 0: a certificate; 2 1 0: a bare key that signed one of
 * the chain's certificates).  0 with *res, or -1.
 */
static int
dane_try_ta(const struct dns_tlsa *r, size_t idx, const struct dane_chain *c,
    const char *const *names, struct dane_result *res, enum dane_fail *rank,
    char **why)
{
	gnutls_x509_crt_t	anchor;
	gnutls_pubkey_t		pub;
	gnutls_datum_t		data;
	unsigned int		i, d;

	for (i = 0; i < c->n; i++) {
		d = i + 1 < c->n ? i + 1 : 0;
		if (!dane_match(r, c->crt[d], &c->der[d]))
			continue;
		if (gnutls_x509_crt_init(&anchor) < 0)
			return -1;
		if (gnutls_x509_crt_import(anchor, &c->der[d],
		    GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(anchor);
			continue;
		}
		if (dane_ta_at(r, idx, c, anchor, d, d,
		    GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS, names, res, rank,
		    why) == 0)
			return 0;
	}
	if (r->mtype != DANE_MT_FULL)
		return -1;
	if (r->len > UINT32_MAX)
		return -1;
	data.data = r->data;
	data.size = (unsigned int)r->len;
	if (r->selector == DANE_SEL_CERT) {
		if (gnutls_x509_crt_init(&anchor) < 0)
			return -1;
		if (gnutls_x509_crt_import(anchor, &data,
		    GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(anchor);
			return -1;
		}
		return dane_ta_at(r, idx, c, anchor, c->n, c->n,
		    GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS, names, res, rank,
		    why);
	}
	/*
	 * A bare key: the certificate it signed becomes the anchor, and is
	 * held to its validity dates (the key has none to ignore).
	 */
	if (gnutls_pubkey_init(&pub) < 0)
		return -1;
	if (gnutls_pubkey_import(pub, &data, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_pubkey_deinit(pub);
		return -1;
	}
	for (i = c->n; i-- > 0;) {
		if (!dane_signed_by(c->crt[i], &c->der[i], pub))
			continue;
		if (!dane_in_time(c->crt[i])) {
			char	rw[64];

			dane_fail_set(rank, why, DANE_FAIL_CHAIN, xasprintf(
			    "%s record %s holds the key that signed the "
			    "certificate at depth %u, but that certificate is "
			    "expired or not yet valid", dane_usage_name(
			    r->usage), dane_record_words(r, rw, sizeof rw), i));
			continue;
		}
		if (gnutls_x509_crt_init(&anchor) < 0)
			break;
		if (gnutls_x509_crt_import(anchor, &c->der[i],
		    GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(anchor);
			continue;
		}
		if (dane_ta_at(r, idx, c, anchor, c->n, i, 0, names, res,
		    rank, why) == 0) {
			gnutls_pubkey_deinit(pub);
			return 0;
		}
	}
	gnutls_pubkey_deinit(pub);
	return -1;
}

/* Match the chain against the usable records: DANE-EE, then DANE-TA. */
int
dane_verify(const struct dns_tlsalist *l, const gnutls_datum_t *chain,
    unsigned int n, const char *const *names, struct dane_result *res)
{
	struct dane_chain	 c;
	const struct dns_tlsa	*r;
	struct buf		 b = BUF_INIT;
	enum dane_fail		 rank = DANE_FAIL_NOMATCH;
	char			 rw[64], *why = NULL;
	size_t			 i, k = 0;

	memset(res, 0, sizeof *res);
	res->how = DANE_NONE;
	if (l == NULL || !l->secure) {
		res->why = xstrdup("the TLSA records are not DNSSEC-validated");
		return -1;
	}
	if (dane_usable(l) == 0) {
		res->why = xstrdup(l->n == 0 ? "there is no TLSA record" :
		    "no TLSA record is usable for SMTP");
		return -1;
	}
	if (chain == NULL || n == 0) {
		res->why = xstrdup("the server sent no certificate");
		return -1;
	}
	if (dane_chain_load(chain, n, &c) == -1) {
		res->why = xstrdup("the server's certificate cannot be parsed");
		return -1;
	}
	for (i = 0; i < l->n; i++) {
		r = &l->v[i];
		if (!dane_record_usable(r) || r->usage != DANE_USAGE_DANE_EE ||
		    !dane_match(r, c.crt[0], &c.der[0]))
			continue;
		res->how = DANE_EE;
		res->usage = r->usage;
		res->selector = r->selector;
		res->mtype = r->mtype;
		res->index = i;
		res->why = xasprintf("DANE-EE(3) record %s matches the "
		    "server's certificate", dane_record_words(r, rw,
		    sizeof rw));
		goto out;
	}
	for (i = 0; i < l->n; i++) {
		r = &l->v[i];
		if (!dane_record_usable(r) || r->usage != DANE_USAGE_DANE_TA)
			continue;
		if (dane_try_ta(r, i, &c, names, res, &rank, &why) == 0)
			goto out;
	}
	if (why != NULL && rank > DANE_FAIL_NOMATCH) {
		res->why = why;
		why = NULL;
		goto out;
	}
	/* No match at all: name the usable records. */
	buf_adds(&b, "no TLSA record matches the certificate (");
	for (i = 0; i < l->n; i++) {
		if (!dane_record_usable(&l->v[i]))
			continue;
		if (k == DANE_WORDS_MAX) {
			buf_addf(&b, ", and %zu more", dane_usable(l) - k);
			break;
		}
		buf_addf(&b, "%s%s", k++ > 0 ? ", " : "",
		    dane_record_words(&l->v[i], rw, sizeof rw));
	}
	buf_adds(&b, ")");
	res->why = buf_steal(&b);
out:
	free(why);
	dane_chain_free(&c);
	return res->how == DANE_NONE ? -1 : 0;
}
