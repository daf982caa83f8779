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
	assert_int_equal(policy_resolve(c, "a@other.example", POLICY_UNSET,
	    &src), POLICY_ENCRYPT);
	assert_int_equal(src, POLICY_FROM_DEFAULT);
	/* Subdomains do not match a domain rule. */
	assert_int_equal(policy_resolve(c, "a@mail.bank.example",
	    POLICY_UNSET, &src), POLICY_ENCRYPT);
	assert_int_equal(src, POLICY_FROM_DEFAULT);
	/* A [domain] without tls is no rule. */
	assert_int_equal(policy_resolve(c, "a@empty.example", POLICY_UNSET,
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
	assert_int_equal(policy_resolve(c, "bob@Bank.Example", POLICY_UNSET,
	    &src), POLICY_VERIFY);
	assert_int_equal(src, POLICY_FROM_DOMAIN);
	/* A domain can relax the default. */
	assert_int_equal(policy_resolve(c, "bob@lax.example", POLICY_UNSET,
	    &src), POLICY_MAY);
	assert_int_equal(src, POLICY_FROM_DOMAIN);
	/* A bare domain works too (tern probe DOMAIN). */
	assert_int_equal(policy_resolve(c, "bank.example", POLICY_UNSET,
	    &src), POLICY_VERIFY);
	assert_int_equal(policy_resolve(c, "bob@bank.example", POLICY_UNSET,
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
	assert_int_equal(policy_resolve(c, "bob@bank.example", POLICY_MAY,
	    &src), POLICY_MAY);
	assert_int_equal(src, POLICY_FROM_CONTACT);
	assert_int_equal(policy_resolve(c, "a@other.example", POLICY_VERIFY,
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
	assert_int_equal(policy_resolve(c, "x@EXAMPLE.net", POLICY_UNSET,
	    &src), POLICY_VERIFY);
	assert_int_equal(src, POLICY_FROM_DOMAIN);
	/* [domain lax.example] tls = may beats [route lax.example]. */
	assert_int_equal(policy_resolve(c, "x@lax.example", POLICY_UNSET,
	    &src), POLICY_MAY);
	assert_int_equal(src, POLICY_FROM_DOMAIN);
	/* A route without tls leaves the default. */
	assert_int_equal(policy_resolve(c, "x@plain.example", POLICY_UNSET,
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
	assert_int_equal(policy_resolve(NULL, "a@b.example", POLICY_UNSET,
	    &src), POLICY_MAY);
	assert_int_equal(src, POLICY_FROM_DEFAULT);
	c = conf_new();
	assert_int_equal(policy_resolve(c, "a@b.example", POLICY_UNSET,
	    &src), POLICY_MAY);
	assert_int_equal(src, POLICY_FROM_DEFAULT);
	conf_free(c);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
