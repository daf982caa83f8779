/*
 * Unit tests for dane.c.  The certificates are made at test time with
 * GnuTLS (ECDSA P-256 keys, signed by the test's own CAs), and the TLSA
 * data is computed from them here, so that each case says exactly which
 * certificate or key a record names.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "dane.h"
#include "dns.h"

#define DAY	(24 * 60 * 60)

/* A key and its certificate, in GnuTLS form and in DER. */
struct tcert {
	gnutls_x509_privkey_t	key;
	gnutls_x509_crt_t	crt;
	gnutls_datum_t		der;
};

/* Everything the cases share, made once. */
struct fixture {
	struct tcert	ca;		/* a root CA */
	struct tcert	ca2;		/* another root CA */
	struct tcert	inter;		/* an intermediate under ca */
	struct tcert	leaf;		/* mx.example, issued by ca */
	struct tcert	leaf2;		/* mx.example, issued by ca2 */
	struct tcert	other;		/* other.example, issued by ca */
	struct tcert	self;		/* mx.example, self-signed */
	struct tcert	deep;		/* mx.example, issued by inter */
	struct tcert	wild;		/* *.mail.example, issued by ca */
	struct tcert	old;		/* mx.example, by ca, expired */
	struct tcert	oldca;		/* a root CA, expired */
	struct tcert	byold;		/* mx.example, by oldca */
};

static struct fixture	*fx;

static void	 tcert_make(struct tcert *, const char *, const char *, int,
		    const struct tcert *, time_t, time_t);
static void	 tcert_free(struct tcert *);
static void	 tlsa(struct dns_tlsa *, unsigned int, unsigned int,
		    unsigned int, const struct tcert *);
static void	 tlsa_free(struct dns_tlsa *, size_t);
static int	 run(struct dns_tlsa *, size_t, const struct tcert *const *,
		    size_t, const char *const *, struct dane_result *);
static int	 setup(void **);
static int	 teardown(void **);

static const char *const mx[] = { "mx.example", NULL };

/*
 * Make a certificate for cn (and the DNS name san, when not NULL), a CA
 * when ca, signed by issuer (NULL: by itself), valid from..until.
 */
static void
tcert_make(struct tcert *t, const char *cn, const char *san, int ca,
    const struct tcert *issuer, time_t from, time_t until)
{
	static unsigned char	serial = 1;
	const char		*errpos;
	char			 dn[128];

	memset(t, 0, sizeof *t);
	assert_int_equal(gnutls_x509_privkey_init(&t->key), 0);
	assert_int_equal(gnutls_x509_privkey_generate(t->key,
	    GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
	    0), 0);
	assert_int_equal(gnutls_x509_crt_init(&t->crt), 0);
	assert_int_equal(gnutls_x509_crt_set_version(t->crt, 3), 0);
	serial++;
	assert_int_equal(gnutls_x509_crt_set_serial(t->crt, &serial, 1), 0);
	snprintf(dn, sizeof dn, "CN=%s", cn);
	assert_int_equal(gnutls_x509_crt_set_dn(t->crt, dn, &errpos), 0);
	assert_int_equal(gnutls_x509_crt_set_key(t->crt, t->key), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(t->crt, from),
	    0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(t->crt, until),
	    0);
	assert_int_equal(gnutls_x509_crt_set_basic_constraints(t->crt, ca,
	    -1), 0);
	if (ca)
		assert_int_equal(gnutls_x509_crt_set_key_usage(t->crt,
		    GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), 0);
	else {
		assert_int_equal(gnutls_x509_crt_set_key_usage(t->crt,
		    GNUTLS_KEY_DIGITAL_SIGNATURE), 0);
		assert_int_equal(gnutls_x509_crt_set_key_purpose_oid(t->crt,
		    GNUTLS_KP_TLS_WWW_SERVER, 0), 0);
	}
	if (san != NULL)
		assert_int_equal(gnutls_x509_crt_set_subject_alt_name(t->crt,
		    GNUTLS_SAN_DNSNAME, san, (unsigned int)strlen(san),
		    GNUTLS_FSAN_APPEND), 0);
	if (issuer == NULL)
		issuer = t;
	assert_int_equal(gnutls_x509_crt_sign2(t->crt, issuer->crt,
	    issuer->key, GNUTLS_DIG_SHA256, 0), 0);
	assert_int_equal(gnutls_x509_crt_export2(t->crt, GNUTLS_X509_FMT_DER,
	    &t->der), 0);
}

static void
tcert_free(struct tcert *t)
{
	gnutls_x509_crt_deinit(t->crt);
	gnutls_x509_privkey_deinit(t->key);
	gnutls_free(t->der.data);
}

/* A record usage/selector/mtype naming t, its data computed here. */
static void
tlsa(struct dns_tlsa *r, unsigned int usage, unsigned int selector,
    unsigned int mtype, const struct tcert *t)
{
	gnutls_pubkey_t	 pub;
	gnutls_datum_t	 sel, spki = { NULL, 0 };

	memset(r, 0, sizeof *r);
	r->usage = (unsigned char)usage;
	r->selector = (unsigned char)selector;
	r->mtype = (unsigned char)mtype;
	if (selector == 1) {
		assert_int_equal(gnutls_pubkey_init(&pub), 0);
		assert_int_equal(gnutls_pubkey_import_x509(pub, t->crt, 0), 0);
		assert_int_equal(gnutls_pubkey_export2(pub,
		    GNUTLS_X509_FMT_DER, &spki), 0);
		gnutls_pubkey_deinit(pub);
		sel = spki;
	} else
		sel = t->der;
	switch (mtype) {
	case 1:
		r->len = 32;
		r->data = malloc(32);
		assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, sel.data,
		    sel.size, r->data), 0);
		break;
	case 2:
		r->len = 64;
		r->data = malloc(64);
		assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA512, sel.data,
		    sel.size, r->data), 0);
		break;
	default:
		r->len = sel.size;
		r->data = malloc(sel.size);
		memcpy(r->data, sel.data, sel.size);
		break;
	}
	gnutls_free(spki.data);
}

static void
tlsa_free(struct dns_tlsa *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i].data);
}

/* dane_verify of a validated list v[n] and the chain of certs. */
static int
run(struct dns_tlsa *v, size_t n, const struct tcert *const *certs,
    size_t ncerts, const char *const *names, struct dane_result *res)
{
	struct dns_tlsalist	 l;
	gnutls_datum_t		 chain[8];
	size_t			 i;

	assert_true(ncerts <= 8);
	for (i = 0; i < ncerts; i++)
		chain[i] = certs[i]->der;
	l.v = v;
	l.n = n;
	l.secure = 1;
	return dane_verify(&l, chain, (unsigned int)ncerts, names, res);
}

static int
setup(void **state)
{
	time_t	now = time(NULL);

	(void)state;
	fx = calloc(1, sizeof *fx);
	tcert_make(&fx->ca, "Test CA", NULL, 1, NULL, now - DAY,
	    now + 30 * DAY);
	tcert_make(&fx->ca2, "Other CA", NULL, 1, NULL, now - DAY,
	    now + 30 * DAY);
	tcert_make(&fx->inter, "Test Intermediate", NULL, 1, &fx->ca,
	    now - DAY, now + 30 * DAY);
	tcert_make(&fx->leaf, "mx.example", "mx.example", 0, &fx->ca,
	    now - DAY, now + 30 * DAY);
	tcert_make(&fx->leaf2, "mx.example", "mx.example", 0, &fx->ca2,
	    now - DAY, now + 30 * DAY);
	tcert_make(&fx->other, "other.example", "other.example", 0, &fx->ca,
	    now - DAY, now + 30 * DAY);
	tcert_make(&fx->self, "mx.example", "mx.example", 0, NULL,
	    now - DAY, now + 30 * DAY);
	tcert_make(&fx->deep, "mx.example", "mx.example", 0, &fx->inter,
	    now - DAY, now + 30 * DAY);
	tcert_make(&fx->wild, "*.mail.example", "*.mail.example", 0, &fx->ca,
	    now - DAY, now + 30 * DAY);
	tcert_make(&fx->old, "mx.example", "mx.example", 0, &fx->ca,
	    now - 30 * DAY, now - DAY);
	tcert_make(&fx->oldca, "Old CA", NULL, 1, NULL, now - 30 * DAY,
	    now - DAY);
	tcert_make(&fx->byold, "mx.example", "mx.example", 0, &fx->oldca,
	    now - DAY, now + 30 * DAY);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tcert_free(&fx->ca);
	tcert_free(&fx->ca2);
	tcert_free(&fx->inter);
	tcert_free(&fx->leaf);
	tcert_free(&fx->leaf2);
	tcert_free(&fx->other);
	tcert_free(&fx->self);
	tcert_free(&fx->deep);
	tcert_free(&fx->wild);
	tcert_free(&fx->old);
	tcert_free(&fx->oldca);
	tcert_free(&fx->byold);
	free(fx);
	return 0;
}

/* DANE-EE 3 1 1 with a self-signed certificate, no name involved. */
static void
test_ee_311_self(void **state)
{
	const struct tcert	*chain[] = { &fx->self };
	struct dane_result	 res;
	struct dns_tlsa		 r;

	(void)state;
	tlsa(&r, 3, 1, 1, &fx->self);
	assert_int_equal(run(&r, 1, chain, 1, NULL, &res), 0);
	assert_int_equal(res.how, DANE_EE);
	assert_int_equal(res.usage, 3);
	assert_int_equal(res.selector, 1);
	assert_int_equal(res.mtype, 1);
	assert_int_equal(res.index, 0);
	assert_non_null(strstr(res.why, "DANE-EE(3) record 3 1 1 "));
	dane_result_clear(&res);
	tlsa_free(&r, 1);
}

/* 3 0 1, 3 1 2 and 3 0 0 on a CA-issued leaf with its chain. */
static void
test_ee_other_types(void **state)
{
	const struct tcert	*chain[] = { &fx->leaf, &fx->ca };
	const unsigned int	 types[][2] = { { 0, 1 }, { 1, 2 }, { 0, 0 },
				    { 1, 0 }, { 0, 2 } };
	struct dane_result	 res;
	struct dns_tlsa		 r;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		tlsa(&r, 3, types[i][0], types[i][1], &fx->leaf);
		assert_int_equal(run(&r, 1, chain, 2, mx, &res), 0);
		assert_int_equal(res.how, DANE_EE);
		assert_int_equal(res.selector, types[i][0]);
		assert_int_equal(res.mtype, types[i][1]);
		dane_result_clear(&res);
		tlsa_free(&r, 1);
	}
}

/* DANE-EE ignores the name and the dates (RFC 7672 3.1.1). */
static void
test_ee_no_name_no_expiry(void **state)
{
	const struct tcert	*chain[] = { &fx->old };
	const char *const	 names[] = { "elsewhere.example", NULL };
	struct dane_result	 res;
	struct dns_tlsa		 r;

	(void)state;
	tlsa(&r, 3, 1, 1, &fx->old);
	assert_int_equal(run(&r, 1, chain, 1, names, &res), 0);
	assert_int_equal(res.how, DANE_EE);
	dane_result_clear(&res);
	tlsa_free(&r, 1);
}

/* 3 1 1 of another key: no match, the record named in the reason. */
static void
test_ee_mismatch(void **state)
{
	const struct tcert	*chain[] = { &fx->self };
	struct dane_result	 res;
	struct dns_tlsa		 r;
	char			 want[64], w[32];

	(void)state;
	tlsa(&r, 3, 1, 1, &fx->leaf);
	assert_int_equal(run(&r, 1, chain, 1, mx, &res), -1);
	assert_int_equal(res.how, DANE_NONE);
	snprintf(want, sizeof want, "no TLSA record matches the certificate "
	    "(%s)", dane_record_words(&r, w, sizeof w));
	assert_string_equal(res.why, want);
	assert_non_null(strstr(res.why, "(3 1 1 "));
	dane_result_clear(&res);
	tlsa_free(&r, 1);
}

/* 2 0 1 on the CA, the leaf naming the MX: a match at depth 1. */
static void
test_ta_201(void **state)
{
	const struct tcert	*chain[] = { &fx->leaf, &fx->ca };
	struct dane_result	 res;
	struct dns_tlsa		 r;

	(void)state;
	tlsa(&r, 2, 0, 1, &fx->ca);
	assert_int_equal(run(&r, 1, chain, 2, mx, &res), 0);
	assert_int_equal(res.how, DANE_TA);
	assert_int_equal(res.usage, 2);
	assert_int_equal(res.depth, 1);
	assert_string_equal(res.name, "mx.example");
	assert_non_null(strstr(res.why, "names mx.example"));
	dane_result_clear(&res);
	tlsa_free(&r, 1);
}

/* 2 1 1 and 2 1 2 and 2 0 0 on the CA. */
static void
test_ta_other_types(void **state)
{
	const struct tcert	*chain[] = { &fx->leaf, &fx->ca };
	const unsigned int	 types[][2] = { { 1, 1 }, { 1, 2 }, { 0, 0 },
				    { 1, 0 }, { 0, 2 } };
	struct dane_result	 res;
	struct dns_tlsa		 r;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		tlsa(&r, 2, types[i][0], types[i][1], &fx->ca);
		assert_int_equal(run(&r, 1, chain, 2, mx, &res), 0);
		assert_int_equal(res.how, DANE_TA);
		assert_int_equal(res.depth, 1);
		dane_result_clear(&res);
		tlsa_free(&r, 1);
	}
}

/* The leaf does not name the MX: no match, and the reason says so. */
static void
test_ta_wrong_name(void **state)
{
	const struct tcert	*chain[] = { &fx->other, &fx->ca };
	struct dane_result	 res;
	struct dns_tlsa		 r;

	(void)state;
	tlsa(&r, 2, 0, 1, &fx->ca);
	assert_int_equal(run(&r, 1, chain, 2, mx, &res), -1);
	assert_int_equal(res.how, DANE_NONE);
	assert_non_null(strstr(res.why, "DANE-TA(2) record 2 0 1 "));
	assert_non_null(strstr(res.why,
	    "but the certificate does not name mx.example"));
	dane_result_clear(&res);
	/* No name at all is no match either. */
	assert_int_equal(run(&r, 1, chain, 2, NULL, &res), -1);
	assert_non_null(strstr(res.why, "does not name"));
	dane_result_clear(&res);
	tlsa_free(&r, 1);
}

/* The CNAME-expanded name counts (RFC 7672 3.2.3); wildcards too. */
static void
test_ta_names(void **state)
{
	const struct tcert	*chain[] = { &fx->other, &fx->ca };
	const struct tcert	*wchain[] = { &fx->wild, &fx->ca };
	const char *const	 names[] = { "mx.example", "other.example",
				    NULL };
	const char *const	 wmx[] = { "mx.mail.example", NULL };
	const char *const	 deeper[] = { "a.mx.mail.example", NULL };
	struct dane_result	 res;
	struct dns_tlsa		 r;

	(void)state;
	tlsa(&r, 2, 0, 1, &fx->ca);
	assert_int_equal(run(&r, 1, chain, 2, names, &res), 0);
	assert_string_equal(res.name, "other.example");
	dane_result_clear(&res);
	assert_int_equal(run(&r, 1, wchain, 2, wmx, &res), 0);
	assert_string_equal(res.name, "mx.mail.example");
	dane_result_clear(&res);
	/* A wildcard covers one label only. */
	assert_int_equal(run(&r, 1, wchain, 2, deeper, &res), -1);
	assert_non_null(strstr(res.why, "does not name a.mx.mail.example"));
	dane_result_clear(&res);
	tlsa_free(&r, 1);
}

/* The chain does not lead to the CA the record names. */
static void
test_ta_wrong_chain(void **state)
{
	/* ca is in the chain and matches, but it did not sign the leaf */
	const struct tcert	*chain[] = { &fx->leaf2, &fx->ca };
	/* ca is not in the chain at all */
	const struct tcert	*chain2[] = { &fx->leaf2, &fx->ca2 };
	struct dane_result	 res;
	struct dns_tlsa		 r;

	(void)state;
	tlsa(&r, 2, 0, 1, &fx->ca);
	assert_int_equal(run(&r, 1, chain, 2, mx, &res), -1);
	assert_int_equal(res.how, DANE_NONE);
	assert_non_null(strstr(res.why, "but the chain does not verify"));
	dane_result_clear(&res);
	assert_int_equal(run(&r, 1, chain2, 2, mx, &res), -1);
	assert_non_null(strstr(res.why, "no TLSA record matches"));
	dane_result_clear(&res);
	tlsa_free(&r, 1);
}

/* Root, intermediate, leaf: the record may name either CA. */
static void
test_ta_intermediate(void **state)
{
	const struct tcert	*chain[] = { &fx->deep, &fx->inter, &fx->ca };
	const struct tcert	*nointer[] = { &fx->deep, &fx->ca };
	struct dane_result	 res;
	struct dns_tlsa		 r[2];

	(void)state;
	tlsa(&r[0], 2, 0, 1, &fx->ca);
	tlsa(&r[1], 2, 1, 1, &fx->inter);
	assert_int_equal(run(&r[0], 1, chain, 3, mx, &res), 0);
	assert_int_equal(res.depth, 2);
	dane_result_clear(&res);
	assert_int_equal(run(&r[1], 1, chain, 3, mx, &res), 0);
	assert_int_equal(res.depth, 1);
	dane_result_clear(&res);
	/* Without the intermediate the chain is broken. */
	assert_int_equal(run(&r[0], 1, nointer, 2, mx, &res), -1);
	assert_non_null(strstr(res.why, "does not verify"));
	dane_result_clear(&res);
	tlsa_free(r, 2);
}

/*
 * Expiry: an expired leaf fails under DANE-TA; an expired trust anchor
 * does not (its record, not its dates, makes it one).
 */
static void
test_ta_expiry(void **state)
{
	const struct tcert	*chain[] = { &fx->old, &fx->ca };
	const struct tcert	*oldchain[] = { &fx->byold, &fx->oldca };
	struct dane_result	 res;
	struct dns_tlsa		 r;

	(void)state;
	tlsa(&r, 2, 0, 1, &fx->ca);
	assert_int_equal(run(&r, 1, chain, 2, mx, &res), -1);
	assert_non_null(strstr(res.why, "does not verify"));
	dane_result_clear(&res);
	tlsa_free(&r, 1);
	tlsa(&r, 2, 0, 1, &fx->oldca);
	assert_int_equal(run(&r, 1, oldchain, 2, mx, &res), 0);
	assert_int_equal(res.how, DANE_TA);
	dane_result_clear(&res);
	tlsa_free(&r, 1);
}

/*
 * The server left the trust anchor out (RFC 7671 5.2.2): 2 0 0 holds the
 * whole certificate, 2 1 0 the bare key; hashes cannot work then.
 */
static void
test_ta_not_in_chain(void **state)
{
	const struct tcert	*chain[] = { &fx->leaf };
	const struct tcert	*deep[] = { &fx->deep, &fx->inter };
	const struct tcert	*wrong[] = { &fx->leaf2 };
	const struct tcert	*old[] = { &fx->old };
	struct dane_result	 res;
	struct dns_tlsa		 r;

	(void)state;
	tlsa(&r, 2, 0, 0, &fx->ca);
	assert_int_equal(run(&r, 1, chain, 1, mx, &res), 0);
	assert_int_equal(res.how, DANE_TA);
	assert_int_equal(res.depth, 1);
	dane_result_clear(&res);
	assert_int_equal(run(&r, 1, wrong, 1, mx, &res), -1);
	dane_result_clear(&res);
	tlsa_free(&r, 1);

	tlsa(&r, 2, 1, 0, &fx->ca);
	assert_int_equal(run(&r, 1, chain, 1, mx, &res), 0);
	assert_int_equal(res.how, DANE_TA);
	dane_result_clear(&res);
	assert_int_equal(run(&r, 1, deep, 2, mx, &res), 0);
	dane_result_clear(&res);
	assert_int_equal(run(&r, 1, wrong, 1, mx, &res), -1);
	assert_non_null(strstr(res.why, "no TLSA record matches"));
	dane_result_clear(&res);

	/* The certificate the bare key signed is held to its dates. */
	assert_int_equal(run(&r, 1, old, 1, mx, &res), -1);
	assert_non_null(strstr(res.why, "expired or not yet valid"));
	dane_result_clear(&res);
	tlsa_free(&r, 1);

	tlsa(&r, 2, 1, 1, &fx->ca);
	assert_int_equal(run(&r, 1, chain, 1, mx, &res), -1);
	dane_result_clear(&res);
	tlsa_free(&r, 1);
}

/* Only PKIX usages, or unknown selectors and types: nothing usable. */
static void
test_unusable(void **state)
{
	const struct tcert	*chain[] = { &fx->leaf, &fx->ca };
	struct dns_tlsalist	 l;
	struct dane_result	 res;
	struct dns_tlsa		 r[4];

	(void)state;
	tlsa(&r[0], 0, 0, 1, &fx->ca);
	tlsa(&r[1], 1, 1, 1, &fx->leaf);
	tlsa(&r[2], 3, 1, 1, &fx->leaf);
	r[2].mtype = 7;				/* garbage matching type */
	tlsa(&r[3], 3, 1, 1, &fx->leaf);
	r[3].selector = 2;			/* and selector */
	l.v = r;
	l.n = 4;
	l.secure = 1;
	assert_int_equal(dane_usable(&l), 0);
	assert_int_equal(dane_state(&l), DANE_UNUSABLE);
	assert_int_equal(dane_record_usable(&r[0]), 0);
	assert_int_equal(dane_record_usable(&r[2]), 0);
	assert_int_equal(run(r, 4, chain, 2, mx, &res), -1);
	assert_string_equal(res.why, "no TLSA record is usable for SMTP");
	dane_result_clear(&res);
	/* One usable record among them is enough, and it is counted. */
	r[2].mtype = 1;
	assert_int_equal(dane_usable(&l), 1);
	assert_int_equal(dane_state(&l), DANE_ON);
	assert_int_equal(run(r, 4, chain, 2, mx, &res), 0);
	assert_int_equal(res.index, 2);
	dane_result_clear(&res);
	tlsa_free(r, 4);
}

/* Not validated, or empty: no DANE at all. */
static void
test_off(void **state)
{
	const struct tcert	*chain[] = { &fx->leaf };
	gnutls_datum_t		 der;
	struct dns_tlsalist	 l, empty = { NULL, 0, 1 };
	struct dane_result	 res;
	struct dns_tlsa		 r;

	(void)state;
	tlsa(&r, 3, 1, 1, &fx->leaf);
	l.v = &r;
	l.n = 1;
	l.secure = 0;
	assert_int_equal(dane_usable(&l), 0);
	assert_int_equal(dane_state(&l), DANE_OFF);
	assert_int_equal(dane_state(&empty), DANE_OFF);
	assert_int_equal(dane_state(NULL), DANE_OFF);
	assert_int_equal(dane_usable(NULL), 0);
	der = chain[0]->der;
	assert_int_equal(dane_verify(&l, &der, 1, mx, &res), -1);
	assert_non_null(strstr(res.why, "not DNSSEC-validated"));
	dane_result_clear(&res);
	assert_int_equal(dane_verify(&empty, &der, 1, mx, &res), -1);
	assert_string_equal(res.why, "there is no TLSA record");
	dane_result_clear(&res);
	assert_int_equal(dane_verify(NULL, &der, 1, mx, &res), -1);
	dane_result_clear(&res);
	tlsa_free(&r, 1);
}

/* Truncated data, empty chains, garbage certificates: no crash, no match. */
static void
test_bad_input(void **state)
{
	const struct tcert	*chain[] = { &fx->leaf, &fx->ca };
	unsigned char		 junk[] = { 0x30, 0x82, 0xff, 0xff, 0x01 };
	gnutls_datum_t		 bad[2], half;
	struct dns_tlsalist	 l;
	struct dane_result	 res;
	struct dns_tlsa		 r[3];

	(void)state;
	tlsa(&r[0], 3, 1, 1, &fx->leaf);
	r[0].len = 31;				/* truncated digest */
	tlsa(&r[1], 2, 0, 2, &fx->ca);
	r[1].len = 63;
	tlsa(&r[2], 2, 0, 0, &fx->ca);
	r[2].len /= 2;				/* half a certificate */
	assert_int_equal(dane_record_usable(&r[0]), 0);
	assert_int_equal(dane_record_usable(&r[1]), 0);
	assert_int_equal(dane_record_usable(&r[2]), 1);
	assert_int_equal(run(r, 2, chain, 2, mx, &res), -1);
	assert_int_equal(res.how, DANE_NONE);
	dane_result_clear(&res);
	assert_int_equal(run(&r[2], 1, chain, 2, mx, &res), -1);
	assert_non_null(strstr(res.why, "no TLSA record matches"));
	dane_result_clear(&res);
	tlsa_free(r, 3);

	tlsa(&r[0], 3, 1, 1, &fx->leaf);
	l.v = r;
	l.n = 1;
	l.secure = 1;
	assert_int_equal(dane_verify(&l, NULL, 0, mx, &res), -1);
	assert_string_equal(res.why, "the server sent no certificate");
	dane_result_clear(&res);
	bad[0].data = junk;
	bad[0].size = sizeof junk;
	assert_int_equal(dane_verify(&l, bad, 1, mx, &res), -1);
	assert_string_equal(res.why, "the server's certificate cannot be "
	    "parsed");
	dane_result_clear(&res);
	bad[0].data = NULL;
	bad[0].size = 0;
	assert_int_equal(dane_verify(&l, bad, 1, mx, &res), -1);
	dane_result_clear(&res);
	/* A leaf cut short; a good leaf with a broken issuer after it. */
	half.data = fx->leaf.der.data;
	half.size = fx->leaf.der.size - 10;
	assert_int_equal(dane_verify(&l, &half, 1, mx, &res), -1);
	dane_result_clear(&res);
	bad[0] = fx->leaf.der;
	bad[1].data = junk;
	bad[1].size = sizeof junk;
	assert_int_equal(dane_verify(&l, bad, 2, mx, &res), 0);
	dane_result_clear(&res);
	/* A record with no data at all. */
	free(r[0].data);
	r[0].data = NULL;
	r[0].len = 0;
	assert_int_equal(dane_record_usable(&r[0]), 0);
	assert_int_equal(dane_verify(&l, bad, 2, mx, &res), -1);
	dane_result_clear(&res);
	dane_result_clear(NULL);
}

/* The words name at most a few records. */
static void
test_words(void **state)
{
	const struct tcert	*chain[] = { &fx->self };
	struct dane_result	 res;
	struct dns_tlsa		 r[6];
	char			 w[32];
	size_t			 i;

	(void)state;
	for (i = 0; i < 6; i++)
		tlsa(&r[i], 3, 1, 1, &fx->leaf);
	assert_int_equal(run(r, 6, chain, 1, mx, &res), -1);
	assert_non_null(strstr(res.why, ", and 2 more)"));
	dane_result_clear(&res);
	dane_record_words(&r[0], w, sizeof w);
	assert_int_equal(strlen(w), strlen("3 1 1 01234567..."));
	assert_int_equal(strncmp(w, "3 1 1 ", 6), 0);
	dane_record_words(&r[0], w, 8);
	assert_string_equal(w, "3 1 1 ");
	tlsa_free(r, 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ee_311_self),
		cmocka_unit_test(test_ee_other_types),
		cmocka_unit_test(test_ee_no_name_no_expiry),
		cmocka_unit_test(test_ee_mismatch),
		cmocka_unit_test(test_ta_201),
		cmocka_unit_test(test_ta_other_types),
		cmocka_unit_test(test_ta_wrong_name),
		cmocka_unit_test(test_ta_names),
		cmocka_unit_test(test_ta_wrong_chain),
		cmocka_unit_test(test_ta_intermediate),
		cmocka_unit_test(test_ta_expiry),
		cmocka_unit_test(test_ta_not_in_chain),
		cmocka_unit_test(test_unusable),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_words),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
