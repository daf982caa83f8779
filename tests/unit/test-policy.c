/* Unit tests for policy.c. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"
#include "err.h"
#include "policy.h"

static struct conf	*test_conf(void);
static void		 test_names(void **);
static void		 test_parse(void **);
static void		 test_needs_tls(void **);
static void		 test_resolve_default(void **);
static void		 test_resolve_domain(void **);
static void		 test_resolve_contact(void **);
static void		 test_resolve_route(void **);
static void		 test_resolve_no_conf(void **);
static void		 test_verdict_matrix(void **);
static void		 test_verdict_words(void **);
static void		 test_downgrade_rule(void **);
static void		 test_kinds(void **);
static void		 test_pick(void **);
static void		 test_published(void **);
static void		 test_published_words(void **);

/* A config with rules for a few domains. */
static struct conf *
test_conf(void)
{
	struct conf	*c;
	struct err	*e = NULL;

	c = conf_parse(
	    "tls = encrypt\n"
	    "[domain bank.example]\n"
	    "tls = verify\n"
	    "[domain lax.example]\n"
	    "tls = may\n"
	    "[domain empty.example]\n"
	    "[route example.net]\n"
	    "host = localhost:2525\n"
	    "tls = verify\n"
	    "[route lax.example]\n"
	    "host = 127.0.0.1\n"
	    "tls = encrypt\n"
	    "[route plain.example]\n"
	    "host = 127.0.0.1\n", "test", &e);
	if (e != NULL)
		fail_msg("%s", e->msg);
	assert_non_null(c);
	return c;
}

/* Names of policies and sources. */
static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(policy_name(POLICY_MAY), "may");
	assert_string_equal(policy_name(POLICY_ENCRYPT), "encrypt");
	assert_string_equal(policy_name(POLICY_VERIFY), "verify");
	assert_string_equal(policy_name(POLICY_UNSET), "default");
	assert_string_equal(policy_source_name(POLICY_FROM_DEFAULT), "default");
	assert_string_equal(policy_source_name(POLICY_FROM_DOMAIN), "domain");
	assert_string_equal(policy_source_name(POLICY_FROM_CONTACT), "contact");
}

/* Parsing policy names. */
static void
test_parse(void **state)
{
	enum policy	p = POLICY_UNSET;

	(void)state;
	assert_int_equal(policy_parse("verify", &p), 0);
	assert_int_equal(p, POLICY_VERIFY);
	assert_int_equal(policy_parse("encrypt", &p), 0);
	assert_int_equal(p, POLICY_ENCRYPT);
	assert_int_equal(policy_parse("may", &p), 0);
	assert_int_equal(p, POLICY_MAY);
	assert_int_equal(policy_parse("Verify", &p), 0);
	assert_int_equal(p, POLICY_VERIFY);
	p = POLICY_MAY;
	assert_int_equal(policy_parse("secure", &p), -1);
	assert_int_equal(policy_parse("", &p), -1);
	assert_int_equal(policy_parse("default", &p), -1);
	assert_int_equal(p, POLICY_MAY);
}

/* Only encrypt and verify forbid plaintext. */
static void
test_needs_tls(void **state)
{
	(void)state;
	assert_int_equal(policy_needs_tls(POLICY_MAY), 0);
	assert_int_equal(policy_needs_tls(POLICY_UNSET), 0);
	assert_int_equal(policy_needs_tls(POLICY_ENCRYPT), 1);
	assert_int_equal(policy_needs_tls(POLICY_VERIFY), 1);
}

/* Without a contact or domain rule the account default applies. */
static void
test_resolve_default(void **state)
{
	struct conf		*c = test_conf();
	enum policy_source	 src = POLICY_FROM_CONTACT;

	(void)state;
	assert_int_equal(conf_policy(c, "a@other.example", POLICY_UNSET,
	    &src), POLICY_ENCRYPT);
	assert_int_equal(src, POLICY_FROM_DEFAULT);
	/* Subdomains do not match a domain rule. */
	assert_int_equal(conf_policy(c, "a@mail.bank.example",
	    POLICY_UNSET, &src), POLICY_ENCRYPT);
	assert_int_equal(src, POLICY_FROM_DEFAULT);
	/* A [domain] without tls is no rule. */
	assert_int_equal(conf_policy(c, "a@empty.example", POLICY_UNSET,
	    &src), POLICY_ENCRYPT);
	assert_int_equal(src, POLICY_FROM_DEFAULT);
	conf_free(c);
}

/* A domain rule beats the default, case-insensitively, both ways. */
static void
test_resolve_domain(void **state)
{
	struct conf		*c = test_conf();
	enum policy_source	 src = POLICY_FROM_DEFAULT;

	(void)state;
	assert_int_equal(conf_policy(c, "bob@Bank.Example", POLICY_UNSET,
	    &src), POLICY_VERIFY);
	assert_int_equal(src, POLICY_FROM_DOMAIN);
	/* A domain can relax the default. */
	assert_int_equal(conf_policy(c, "bob@lax.example", POLICY_UNSET,
	    &src), POLICY_MAY);
	assert_int_equal(src, POLICY_FROM_DOMAIN);
	/* A bare domain works too (tern probe DOMAIN). */
	assert_int_equal(conf_policy(c, "bank.example", POLICY_UNSET,
	    &src), POLICY_VERIFY);
	assert_int_equal(conf_policy(c, "bob@bank.example", POLICY_UNSET,
	    NULL), POLICY_VERIFY);
	conf_free(c);
}

/* The contact's own setting wins, also below the default. */
static void
test_resolve_contact(void **state)
{
	struct conf		*c = test_conf();
	enum policy_source	 src = POLICY_FROM_DEFAULT;

	(void)state;
	assert_int_equal(conf_policy(c, "bob@bank.example", POLICY_MAY,
	    &src), POLICY_MAY);
	assert_int_equal(src, POLICY_FROM_CONTACT);
	assert_int_equal(conf_policy(c, "a@other.example", POLICY_VERIFY,
	    &src), POLICY_VERIFY);
	assert_int_equal(src, POLICY_FROM_CONTACT);
	conf_free(c);
}

/* A route's tls counts as a domain rule unless a [domain] exists. */
static void
test_resolve_route(void **state)
{
	struct conf		*c = test_conf();
	enum policy_source	 src = POLICY_FROM_DEFAULT;

	(void)state;
	assert_int_equal(conf_policy(c, "x@EXAMPLE.net", POLICY_UNSET,
	    &src), POLICY_VERIFY);
	assert_int_equal(src, POLICY_FROM_DOMAIN);
	/* [domain lax.example] tls = may beats [route lax.example]. */
	assert_int_equal(conf_policy(c, "x@lax.example", POLICY_UNSET,
	    &src), POLICY_MAY);
	assert_int_equal(src, POLICY_FROM_DOMAIN);
	/* A route without tls leaves the default. */
	assert_int_equal(conf_policy(c, "x@plain.example", POLICY_UNSET,
	    &src), POLICY_ENCRYPT);
	assert_int_equal(src, POLICY_FROM_DEFAULT);
	conf_free(c);
}

/* No config: may. */
static void
test_resolve_no_conf(void **state)
{
	struct conf		*c;
	enum policy_source	 src = POLICY_FROM_CONTACT;

	(void)state;
	assert_int_equal(conf_policy(NULL, "a@b.example", POLICY_UNSET,
	    &src), POLICY_MAY);
	assert_int_equal(src, POLICY_FROM_DEFAULT);
	c = conf_new();
	assert_int_equal(conf_policy(c, "a@b.example", POLICY_UNSET,
	    &src), POLICY_MAY);
	assert_int_equal(src, POLICY_FROM_DEFAULT);
	conf_free(c);
}

/*
 * The verdict over the whole matrix: 3 policies x no TLS / TLS 1.0 / 1.1
 * / 1.2 / 1.3 x verified / not x no downgrade / downgrade warn / hold.
 * The expectations are written out here from DESIGN.md, independently of
 * policy.c.
 */
static void
test_verdict_matrix(void **state)
{
	static const char	*versions[] = {
		NULL, "TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3"
	};
	struct policy_conn	 c;
	struct policy_verdict	 v;
	enum reason_kind	 want_kind;
	int			 p, ver, verified, dg, want_hold, old, n = 0;

	(void)state;
	for (p = POLICY_MAY; p < POLICY_LAST; p++)
	for (ver = 0; ver < 5; ver++)
	for (verified = 0; verified < 2; verified++)
	for (dg = 0; dg < 3; dg++) {
		memset(&c, 0, sizeof c);
		c.tls = versions[ver] != NULL;
		old = ver == 1 || ver == 2;
		c.old_version = old;
		c.verified = c.tls && verified;
		c.cert = c.verified ? CERT_OK : CERT_NAME;
		c.plain = REASON_STARTTLS_REFUSED;
		c.version = versions[ver];
		c.downgrade = dg > 0;
		c.downgrade_hold = dg == 2;
		v = policy_judge((enum policy)p, &c);

		if (!c.tls) {
			want_hold = p != POLICY_MAY;
			want_kind = REASON_STARTTLS_REFUSED;
		} else if (old) {
			want_hold = p != POLICY_MAY;
			want_kind = REASON_OLD_TLS;
		} else if (!c.verified) {
			want_hold = p == POLICY_VERIFY;
			want_kind = REASON_CERT_NAME;
		} else {
			want_hold = 0;
			want_kind = REASON_NONE;
		}
		if (dg == 2) {
			want_hold = 1;
			want_kind = REASON_DOWNGRADE;
		} else if (dg == 1 && !want_hold)
			want_kind = REASON_DOWNGRADE;

		if ((v.action == POLICY_HOLD) != want_hold ||
		    v.kind != want_kind)
			fail_msg("policy %s, %s, %s, downgrade %s: got %s/%s, "
			    "want %s/%s", policy_name((enum policy)p),
			    c.tls ? versions[ver] : "no TLS", verified ?
			    "verified" : "unverified", dg == 0 ? "none" :
			    dg == 1 ? "warn" : "hold", v.action == POLICY_HOLD ?
			    "hold" : "send", reason_kind_name(v.kind),
			    want_hold ? "hold" : "send",
			    reason_kind_name(want_kind));
		/* Never plaintext for encrypt or verify. */
		if (p != POLICY_MAY && !c.tls)
			assert_int_equal(v.action, POLICY_HOLD);
		n++;
	}
	assert_int_equal(n, 3 * 5 * 2 * 3);
}

/* A verified TLS 1.3 connection in direct mode to mx.evil.test. */
static void
direct_conn(struct policy_conn *c)
{
	memset(c, 0, sizeof *c);
	c->tls = 1;
	c->verified = 1;
	c->version = "TLS1.3";
	c->host = "mx.evil.test";
	c->domain = "bank.test";
	c->direct = 1;
}

/*
 * Direct mode: what authenticates the MX name, and what the domain
 * publishes (DANE, MTA-STS), written out from DESIGN.md and RFC 7672 /
 * RFC 8461, independently of policy.c.
 */
static void
test_published(void **state)
{
	struct policy_conn	 c;
	struct policy_verdict	 v;
	int			 p;

	(void)state;
	/* The spoofed-MX case: a certificate for the attacker's own name. */
	direct_conn(&c);
	v = policy_judge(POLICY_VERIFY, &c);
	assert_int_equal(v.action, POLICY_HOLD);
	assert_int_equal(v.kind, REASON_MX_UNAUTH);
	assert_int_equal(policy_method(&c, NULL), VERIFY_NONE);
	v = policy_judge(POLICY_MAY, &c);
	assert_int_equal(v.action, POLICY_SEND);
	assert_int_equal(v.kind, REASON_MX_UNAUTH);
	assert_int_equal(v.method, VERIFY_NONE);
	v = policy_judge(POLICY_ENCRYPT, &c);
	assert_int_equal(v.action, POLICY_SEND);
	/* What authenticates it: each one alone. */
	c.mx_secure = 1;
	v = policy_judge(POLICY_VERIFY, &c);
	assert_int_equal(v.action, POLICY_SEND);
	assert_int_equal(v.method, VERIFY_PKIX);
	direct_conn(&c);
	c.cert_domain = 1;
	assert_int_equal(policy_judge(POLICY_VERIFY, &c).method, VERIFY_PKIX);
	direct_conn(&c);
	c.direct = 0;			/* relay or [route] */
	assert_int_equal(policy_judge(POLICY_VERIFY, &c).method, VERIFY_PKIX);
	direct_conn(&c);
	c.sts = POLICY_STS_ENFORCE;
	c.sts_mx_ok = 1;
	v = policy_judge(POLICY_VERIFY, &c);
	assert_int_equal(v.action, POLICY_SEND);
	assert_int_equal(v.method, VERIFY_MTA_STS);
	c.sts = POLICY_STS_TESTING;
	assert_int_equal(policy_judge(POLICY_MAY, &c).method, VERIFY_MTA_STS);

	/* MTA-STS enforce binds every policy, may included. */
	for (p = POLICY_MAY; p < POLICY_LAST; p++) {
		direct_conn(&c);
		c.sts = POLICY_STS_ENFORCE;
		c.sts_mx_ok = 0;	/* an MX outside its patterns */
		c.mx_secure = 1;
		v = policy_judge((enum policy)p, &c);
		assert_int_equal(v.action, POLICY_HOLD);
		assert_int_equal(v.kind, REASON_MTA_STS);
		direct_conn(&c);
		c.sts = POLICY_STS_ENFORCE;
		c.sts_mx_ok = 1;
		c.tls = 0;		/* STARTTLS stripped */
		c.verified = 0;
		c.plain = REASON_NO_STARTTLS;
		v = policy_judge((enum policy)p, &c);
		assert_int_equal(v.action, POLICY_HOLD);
		assert_int_equal(v.kind, REASON_MTA_STS);
		c.tls = 1;
		c.cert = CERT_UNTRUSTED;	/* self-signed */
		assert_int_equal(policy_judge((enum policy)p, &c).action,
		    POLICY_HOLD);
		c.verified = 1;
		c.old_version = 1;
		c.version = "TLS1.0";
		assert_int_equal(policy_judge((enum policy)p, &c).action,
		    POLICY_HOLD);

		/* Testing: delivered as the recipient's policy allows. */
		direct_conn(&c);
		c.sts = POLICY_STS_TESTING;
		c.sts_mx_ok = 0;
		c.mx_secure = 1;
		v = policy_judge((enum policy)p, &c);
		assert_int_equal(v.action, POLICY_SEND);
		assert_int_equal(v.kind, REASON_MTA_STS);
		assert_int_equal(v.method, VERIFY_PKIX);
		c.tls = 0;
		c.verified = 0;
		v = policy_judge((enum policy)p, &c);
		assert_int_equal(v.action, p == POLICY_MAY ? POLICY_SEND :
		    POLICY_HOLD);

		/* DANE: a match verifies even a self-signed certificate. */
		direct_conn(&c);
		c.verified = 0;
		c.cert = CERT_UNTRUSTED;
		c.dane = POLICY_DANE_MATCH;
		v = policy_judge((enum policy)p, &c);
		assert_int_equal(v.action, POLICY_SEND);
		assert_int_equal(v.method, VERIFY_DANE);
		assert_int_equal(v.kind, REASON_NONE);
		/* ... and wins over MTA-STS (RFC 8461 section 2). */
		c.sts = POLICY_STS_ENFORCE;
		c.sts_mx_ok = 0;
		assert_int_equal(policy_judge((enum policy)p, &c).method,
		    VERIFY_DANE);
		/* A mismatch holds, even with a CA-verified certificate. */
		direct_conn(&c);
		c.mx_secure = 1;
		c.dane = POLICY_DANE_NOMATCH;
		v = policy_judge((enum policy)p, &c);
		assert_int_equal(v.action, POLICY_HOLD);
		assert_int_equal(v.kind, REASON_DANE);
		c.dane = POLICY_DANE_BOGUS;
		assert_int_equal(policy_judge((enum policy)p, &c).kind,
		    REASON_DANE);
		/* Usable or not, TLSA records make TLS mandatory. */
		c.dane = POLICY_DANE_UNUSABLE;
		c.tls = 0;
		c.verified = 0;
		v = policy_judge((enum policy)p, &c);
		assert_int_equal(v.action, POLICY_HOLD);
		assert_int_equal(v.kind, REASON_DANE);
		c.tls = 1;
		c.verified = 1;
		v = policy_judge((enum policy)p, &c);
		assert_int_equal(v.action, POLICY_SEND);
		assert_int_equal(v.method, VERIFY_PKIX);
	}
	/* Outside direct mode what DNS says never holds anything. */
	direct_conn(&c);
	c.direct = 0;
	c.dane = POLICY_DANE_NOMATCH;
	c.sts = POLICY_STS_ENFORCE;
	assert_int_equal(policy_judge(POLICY_MAY, &c).action, POLICY_SEND);
	assert_string_equal(verify_method_name(VERIFY_MTA_STS), "mta-sts");
	assert_string_equal(reason_kind_name(REASON_MX_UNAUTH),
	    "mx-unauthenticated");
}

/* The words say what the domain publishes and what would let it through. */
static void
test_published_words(void **state)
{
	struct policy_conn	 c;
	struct policy_verdict	 v;
	char			*w;

	(void)state;
	direct_conn(&c);
	v = policy_judge(POLICY_VERIFY, &c);
	w = policy_words(POLICY_VERIFY, &c, &v);
	assert_non_null(strstr(w, "mx.evil.test"));
	assert_non_null(strstr(w, "not DNSSEC-signed"));
	assert_non_null(strstr(w, "nothing was sent"));
	free(w);
	w = policy_advice(v.kind, "alice@bank.test", POLICY_VERIFY,
	    POLICY_FROM_DOMAIN, "cfg");
	assert_non_null(strstr(w, "DNSSEC-signed MX"));
	assert_non_null(strstr(w, "[route bank.test]"));
	free(w);
	direct_conn(&c);
	c.sts = POLICY_STS_ENFORCE;
	c.tls = 0;
	c.plain_words = "mx.evil.test did not offer STARTTLS";
	v = policy_judge(POLICY_MAY, &c);
	w = policy_words(POLICY_MAY, &c, &v);
	assert_non_null(strstr(w, "MTA-STS policy of bank.test (enforce)"));
	assert_non_null(strstr(w, "did not offer STARTTLS"));
	free(w);
	direct_conn(&c);
	c.dane = POLICY_DANE_NOMATCH;
	c.dane_words = "no TLSA record matches the certificate";
	v = policy_judge(POLICY_MAY, &c);
	w = policy_words(POLICY_MAY, &c, &v);
	assert_non_null(strstr(w, "bank.test publishes DANE TLSA records"));
	assert_non_null(strstr(w, "no TLSA record matches"));
	free(w);
}

/* The words come from the kind and the facts. */
static void
test_verdict_words(void **state)
{
	struct policy_conn	 c;
	struct policy_verdict	 v;
	char			*w;

	(void)state;
	memset(&c, 0, sizeof c);
	c.tls = 1;
	c.old_version = 1;
	c.verified = 1;
	c.host = "mx.example";
	c.version = "TLS1.0";
	v = policy_judge(POLICY_VERIFY, &c);
	w = policy_words(POLICY_VERIFY, &c, &v);
	assert_non_null(strstr(w, "mx.example offers only TLS1.0"));
	assert_non_null(strstr(w, "policy verify needs TLS 1.2"));
	assert_non_null(strstr(w, "nothing was sent"));
	free(w);
	/* Under may the same connection is used and said to be old. */
	v = policy_judge(POLICY_MAY, &c);
	w = policy_words(POLICY_MAY, &c, &v);
	assert_non_null(strstr(w, "old TLS version (TLS1.0"));
	assert_non_null(strstr(w, "under policy may"));
	free(w);
	/* Verified, modern: nothing to say. */
	c.old_version = 0;
	c.version = "TLS1.3";
	v = policy_judge(POLICY_VERIFY, &c);
	assert_null(policy_words(POLICY_VERIFY, &c, &v));
	/* Without TLS, encrypt is held with the connection's words. */
	memset(&c, 0, sizeof c);
	c.plain = REASON_NO_STARTTLS;
	c.plain_words = "mx.example did not offer STARTTLS";
	v = policy_judge(POLICY_ENCRYPT, &c);
	w = policy_words(POLICY_ENCRYPT, &c, &v);
	assert_string_equal(w, "mx.example did not offer STARTTLS; policy "
	    "encrypt needs TLS, so nothing was sent");
	free(w);
	/* A downgrade with hold holds even may, and says so. */
	c.downgrade = c.downgrade_hold = 1;
	c.downgrade_words = "downgrade: mx.example offered STARTTLS before";
	v = policy_judge(POLICY_MAY, &c);
	assert_int_equal(v.action, POLICY_HOLD);
	w = policy_words(POLICY_MAY, &c, &v);
	assert_non_null(strstr(w, "with downgrade = hold nothing was sent"));
	free(w);
}

/* Server memory: what counts as a downgrade. */
static void
test_downgrade_rule(void **state)
{
	struct policy_seen	 seen;
	char			*w = NULL;

	(void)state;
	memset(&seen, 0, sizeof seen);
	/* Never seen: nothing is a downgrade. */
	assert_int_equal(policy_downgrade(&seen, "h", 0, 1, "CN=x", &w), 0);
	assert_null(w);
	assert_int_equal(policy_downgrade(NULL, "h", 0, 1, NULL, &w), 0);
	seen.known = 1;
	seen.starttls = 1;
	seen.tls = 1;
	seen.issuer = "CN=Old CA";
	assert_int_equal(policy_downgrade(&seen, "h", 0, 0, NULL, &w), 1);
	assert_non_null(strstr(w, "offered STARTTLS before"));
	free(w);
	assert_int_equal(policy_downgrade(&seen, "h", 1, 1, NULL, &w), 1);
	assert_non_null(strstr(w, "passed the TLS handshake before"));
	free(w);
	assert_int_equal(policy_downgrade(&seen, "h", 1, 0, "CN=New CA", &w),
	    1);
	assert_non_null(strstr(w, "changed from CN=Old CA to CN=New CA"));
	free(w);
	/* The same as before is fine. */
	assert_int_equal(policy_downgrade(&seen, "h", 1, 0, "CN=Old CA", &w),
	    0);
	/* A server that never offered STARTTLS does not "stop" offering. */
	seen.starttls = seen.tls = 0;
	assert_int_equal(policy_downgrade(&seen, "h", 0, 1, NULL, &w), 0);
}

/* Kind names round-trip; AUTH needs TLS unless allowed. */
static void
test_kinds(void **state)
{
	struct policy_conn	c;
	enum reason_kind	k;
	int			i;

	(void)state;
	for (i = 1; i < REASON_LAST; i++) {
		assert_int_equal(reason_kind_parse(reason_kind_name(
		    (enum reason_kind)i), &k), 0);
		assert_int_equal((int)k, i);
	}
	assert_int_equal(reason_kind_parse("no-such-kind", &k), -1);
	assert_string_equal(reason_kind_name(REASON_OLD_TLS), "old-tls");
	assert_int_equal(reason_kind_of_cert(CERT_EXPIRED),
	    REASON_CERT_EXPIRED);
	memset(&c, 0, sizeof c);
	assert_int_equal(policy_auth_allowed(&c, 0), 0);
	assert_int_equal(policy_auth_allowed(&c, 1), 1);
	c.tls = 1;
	assert_int_equal(policy_auth_allowed(&c, 0), 1);
}

/* policy_pick: the most specific level wins, even when it relaxes. */
static void
test_pick(void **state)
{
	enum policy_source	src;

	(void)state;
	assert_int_equal(policy_pick(POLICY_UNSET, POLICY_UNSET, POLICY_UNSET,
	    &src), POLICY_MAY);
	assert_int_equal(src, POLICY_FROM_DEFAULT);
	assert_int_equal(policy_pick(POLICY_UNSET, POLICY_UNSET,
	    POLICY_ENCRYPT, &src), POLICY_ENCRYPT);
	assert_int_equal(policy_pick(POLICY_UNSET, POLICY_VERIFY,
	    POLICY_ENCRYPT, &src), POLICY_VERIFY);
	assert_int_equal(src, POLICY_FROM_DOMAIN);
	assert_int_equal(policy_pick(POLICY_MAY, POLICY_VERIFY, POLICY_VERIFY,
	    &src), POLICY_MAY);
	assert_int_equal(src, POLICY_FROM_CONTACT);
	assert_int_equal(policy_pick(POLICY_UNSET, POLICY_MAY, POLICY_VERIFY,
	    NULL), POLICY_MAY);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_needs_tls),
		cmocka_unit_test(test_resolve_default),
		cmocka_unit_test(test_resolve_domain),
		cmocka_unit_test(test_resolve_contact),
		cmocka_unit_test(test_resolve_route),
		cmocka_unit_test(test_resolve_no_conf),
		cmocka_unit_test(test_verdict_matrix),
		cmocka_unit_test(test_verdict_words),
		cmocka_unit_test(test_downgrade_rule),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_published),
		cmocka_unit_test(test_published_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
