/* Unit tests for addr.c. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "err.h"

static void	check_bad(const char *, const char *);
static void	test_check_good(void **);
static void	test_check_bad(void **);
static void	test_check_limits(void **);
static void	test_parse_forms(void **);
static void	test_parse_rfc2047(void **);
static void	test_parse_bad(void **);
static void	test_list(void **);
static void	test_list_group(void **);
static void	test_list_bad_keeps_list(void **);
static void	test_list_folded(void **);
static void	test_domain(void **);
static void	test_list_add_clear(void **);

/* addr_check must refuse s with an ERR_INPUT message containing why. */
static void
check_bad(const char *s, const char *why)
{
	struct err	*e = NULL;

	if (addr_check(s, &e) != -1)
		fail_msg("accepted \"%s\"", s);
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_INPUT);
	if (strstr(e->msg, why) == NULL)
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", s, e->msg, why);
	err_free(e);
}

/* Addresses usable in the envelope. */
static void
test_check_good(void **state)
{
	struct err	*e = NULL;

	(void)state;
	assert_int_equal(addr_check("a@b.c", &e), 0);
	assert_int_equal(addr_check("first.last+tag@sub.example.org", &e), 0);
	assert_int_equal(addr_check("\"john doe\"@example.com", &e), 0);
	assert_int_equal(addr_check("\"a@b\"@example.com", &e), 0);
	assert_int_equal(addr_check("\"q\\\"x\"@example.com", &e), 0);
	assert_int_equal(addr_check("user@[192.0.2.1]", &e), 0);
	assert_int_equal(addr_check("user@[IPv6:2001:db8::1]", &e), 0);
	assert_int_equal(addr_check("jos\xc3\xa9@b\xc3\xbc" "cher.example", &e), 0);
	assert_int_equal(addr_check("j\xc3\xbcrgen@m\xc3\xbcller.example", &e),
	    0);
	assert_null(e);
}

/* Each broken form is refused, naming the reason. */
static void
test_check_bad(void **state)
{
	(void)state;
	check_bad("", "empty");
	check_bad("nobody", "no '@'");
	check_bad("a@@b.c", "more than one '@'");
	check_bad("a@b@c", "more than one '@'");
	check_bad("@b.c", "nothing before");
	check_bad("a@", "nothing after");
	/* A C1 control or a text-direction override (found by fuzz-vcard). */
	check_bad("eKice@\xc2\x93icc", "text-direction character");
	check_bad("a@b\xe2\x80\xae" "c.example", "control or text-direction");
	check_bad("\xe2\x81\xa6" "a@b.example", "control or text-direction");
	check_bad("a b@c.d", "space");
	check_bad("a@c .d", "space");
	check_bad("a>@c.d", "'<' or '>'");
	check_bad("a@c.d>", "'<' or '>'");
	check_bad("a\r\nRCPT TO:<x@y>@c.d", "control character");
	check_bad("a\x7f@c.d", "control character");
	check_bad("a@c\x01.d", "control character");
	check_bad("a@b..c", "empty label");
	check_bad("a@.b.c", "empty label");
	check_bad("a@b.c.", "empty label");
	check_bad("\"open@b.c", "quote is not closed");
	check_bad("\"q\"x@b.c", "must be followed by '@'");
	check_bad("a@[1.2.3.4", "no closing");
	check_bad("a@[1.2.3.4]x", "after the address literal");
	check_bad("a@[]", "empty");
	check_bad("a,b@c.d", "needs quotes");
	check_bad("a@b\xff.c", "UTF-8");
	/* The message names the address, sanitized. */
	check_bad("evil\033[2J", "evil?[2J");
}

/* RFC 5321 length limits. */
static void
test_check_limits(void **state)
{
	char		 buf[400], label[70];
	struct err	*e = NULL;

	(void)state;
	memset(buf, 'l', 64);
	strcpy(buf + 64, "@example.org");
	assert_int_equal(addr_check(buf, &e), 0);
	memset(buf, 'l', 65);
	strcpy(buf + 65, "@example.org");
	check_bad(buf, "64 octets");

	memset(label, 'd', 63);
	label[63] = '\0';
	snprintf(buf, sizeof buf, "a@%s.org", label);
	assert_int_equal(addr_check(buf, &e), 0);
	snprintf(buf, sizeof buf, "a@%sd.org", label);
	check_bad(buf, "63 octets");

	/* 64 + 1 + 4 * 63 + 3 dots = 320 > 254. */
	memset(buf, 'l', 64);
	snprintf(buf + 64, sizeof buf - 64, "@%s.%s.%s.%s", label, label,
	    label, label);
	check_bad(buf, "254 octets");
	/* A domain over 255 octets. */
	snprintf(buf, sizeof buf, "a@%s.%s.%s.%s.%s", label, label, label,
	    label, label);
	check_bad(buf, "255 octets");
	assert_null(e);
}

/* The usual ways of writing one address. */
static void
test_parse_forms(void **state)
{
	struct addr	 a;
	struct err	*e = NULL;

	(void)state;
	assert_int_equal(addr_parse("bob@Example.NET", &a, &e), 0);
	assert_null(a.name);
	assert_string_equal(a.mailbox, "bob@example.net");
	addr_clear(&a);

	assert_int_equal(addr_parse("Alice Example <Alice@B.C>", &a, &e), 0);
	assert_string_equal(a.name, "Alice Example");
	/* The local part keeps its case, the domain is lowered. */
	assert_string_equal(a.mailbox, "Alice@b.c");
	addr_clear(&a);

	assert_int_equal(addr_parse("\"Smith, John\" <j@x.org>", &a, &e), 0);
	assert_string_equal(a.name, "Smith, John");
	assert_string_equal(a.mailbox, "j@x.org");
	addr_clear(&a);

	assert_int_equal(addr_parse("  <j@x.org>  ", &a, &e), 0);
	assert_null(a.name);
	assert_string_equal(a.mailbox, "j@x.org");
	addr_clear(&a);

	assert_int_equal(addr_parse("J\xc3\xbcrgen <j@x.org>", &a, &e), 0);
	assert_string_equal(a.name, "J\xc3\xbcrgen");
	addr_clear(&a);
	assert_null(e);
}

/* Encoded display names are decoded to UTF-8. */
static void
test_parse_rfc2047(void **state)
{
	struct addr	 a;
	struct err	*e = NULL;

	(void)state;
	assert_int_equal(addr_parse("=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= "
	    "<jm@x.org>", &a, &e), 0);
	assert_string_equal(a.name, "J\xc3\xbcrgen M\xc3\xbcller");
	addr_clear(&a);
	assert_int_equal(addr_parse("=?ISO-8859-1?Q?Andr=E9?= <a@x.org>", &a,
	    &e), 0);
	assert_string_equal(a.name, "Andr\xc3\xa9");
	addr_clear(&a);
	/* A decoded line break does not survive into the name. */
	assert_int_equal(addr_parse("=?UTF-8?Q?a=0D=0Ab?= <a@x.org>", &a,
	    &e), 0);
	assert_null(strpbrk(a.name, "\r\n"));
	addr_clear(&a);
	assert_null(e);
}

/* What a user must not be allowed to send to. */
static void
test_parse_bad(void **state)
{
	static const struct {
		const char	*in;
		const char	*why;
	} bad[] = {
		{ "", "empty" },
		{ "   ", "empty" },
		{ "nobody", "no '@'" },
		{ "a@b junk", "spaces" },
		{ "a b@c.d", "spaces" },
		{ "a@b.c, d@e.f", "one address" },
		{ "a@b.c (comment", "after the address" },
		{ "a@b.c (comment) junk", "after the address" },
		{ "Alice <a@b.c\r\n>", "line break" },
		{ "a@b.c\nRCPT TO:<x@y.z>", "line break" },
		{ "Bob <a@@b.c>", "more than one '@'" },
		{ "<>", "address" },
	};
	struct addr	 a;
	struct err	*e;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		e = NULL;
		a.name = a.mailbox = (char *)"junk";
		if (addr_parse(bad[i].in, &a, &e) != -1)
			fail_msg("accepted \"%s\"", bad[i].in);
		assert_null(a.name);
		assert_null(a.mailbox);
		assert_non_null(e);
		assert_int_equal(e->cls, ERR_INPUT);
		if (strstr(e->msg, bad[i].why) == NULL)
			fail_msg("\"%s\": \"%s\" lacks \"%s\"", bad[i].in,
			    e->msg, bad[i].why);
		err_free(e);
	}
}

/* Comments wherever RFC 5322 allows CFWS, groups, bare local parts. */
static void
test_comments_groups_bare(void **state)
{
	static const struct {
		const char	*in;
		const char	*mailbox;
		const char	*name;
	} good[] = {
		{ "bob@x.org (Bob)", "bob@x.org", NULL },
		{ "Bob <bob@x.org>", "bob@x.org", "Bob" },
		{ "\"Bob, Jr.\" <bob@x.org>", "bob@x.org", "Bob, Jr." },
		{ "<bob@x.org (c)>", "bob@x.org", NULL },
		{ "Bob <(c) bob@x.org>", "bob@x.org", "Bob" },
		{ "Bob <bob@x.org> (after)", "bob@x.org", "Bob" },
		{ "(lead) bob@x.org", "bob@x.org", NULL },
		{ "a@x.org (nested (c) here)", "a@x.org", NULL },
	};
	struct addr_list	 l = { NULL, 0 };
	struct addr		 a;
	struct err		*e = NULL;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (addr_parse(good[i].in, &a, &e) != 0)
			fail_msg("refused \"%s\": %s", good[i].in, e->msg);
		assert_string_equal(a.mailbox, good[i].mailbox);
		if (good[i].name == NULL)
			assert_null(a.name);
		else
			assert_string_equal(a.name, good[i].name);
		addr_clear(&a);
		assert_int_equal(addr_parse_list(good[i].in, &l, &e), 0);
		assert_int_equal(l.n, 1);
		assert_string_equal(l.v[0].mailbox, good[i].mailbox);
		addr_list_clear(&l);
	}
	/* Comments after each member of a list, and after the last. */
	assert_int_equal(addr_parse_list("a@x.org (A), b@y.org (B)", &l, &e),
	    0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1].mailbox, "b@y.org");
	addr_list_clear(&l);
	/* Groups: empty, with members, with a comment after. */
	assert_int_equal(addr_parse_list("undisclosed-recipients:;", &l, &e),
	    0);
	assert_int_equal(l.n, 0);
	assert_int_equal(addr_parse_list("team: a@x.org (A), b@y.org; (end)",
	    &l, &e), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].mailbox, "a@x.org");
	assert_string_equal(l.v[1].mailbox, "b@y.org");
	addr_list_clear(&l);
	/* Bare local parts: qualified when a domain is given, else refused. */
	assert_int_equal(addr_parse_in("root (Cron Daemon)", "Mail.Example",
	    &a, &e), 0);
	assert_string_equal(a.mailbox, "root@mail.example");
	addr_clear(&a);
	assert_int_equal(addr_parse_list_in("root, bob@x.org, team: op;",
	    "example.org", &l, &e), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].mailbox, "root@example.org");
	assert_string_equal(l.v[1].mailbox, "bob@x.org");
	assert_string_equal(l.v[2].mailbox, "op@example.org");
	addr_list_clear(&l);
	assert_null(e);
	assert_int_equal(addr_parse_list("root", &l, &e), -1);
	assert_non_null(strstr(e->msg, "no '@'"));
	err_free(e);
	e = NULL;
	assert_int_equal(addr_parse_in("ro ot", "example.org", &a, &e), -1);
	err_free(e);
	assert_int_equal(l.n, 0);
}

/* A list as a user types it. */
static void
test_list(void **state)
{
	struct addr_list	 l = { NULL, 0 };
	struct err		*e = NULL;

	(void)state;
	assert_int_equal(addr_parse_list("bob@example.net, Alice <a@B.c>",
	    &l, &e), 0);
	assert_int_equal(l.n, 2);
	assert_null(l.v[0].name);
	assert_string_equal(l.v[0].mailbox, "bob@example.net");
	assert_string_equal(l.v[1].name, "Alice");
	assert_string_equal(l.v[1].mailbox, "a@b.c");
	/* Appends; stray commas and an empty list are fine. */
	assert_int_equal(addr_parse_list(" c@d.e ,, f@g.h, ", &l, &e), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[2].mailbox, "c@d.e");
	assert_string_equal(l.v[3].mailbox, "f@g.h");
	assert_int_equal(addr_parse_list("   ", &l, &e), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(addr_parse_list("\"Doe, Jane\" <jd@x.org>", &l, &e),
	    0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[4].name, "Doe, Jane");
	assert_null(e);
	addr_list_clear(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
}

/* Groups are flattened; an empty group adds nothing. */
static void
test_list_group(void **state)
{
	struct addr_list	 l = { NULL, 0 };
	struct err		*e = NULL;

	(void)state;
	assert_int_equal(addr_parse_list("friends: a@b.c, Dee <d@e.f>;, "
	    "g@h.i", &l, &e), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].mailbox, "a@b.c");
	assert_string_equal(l.v[1].mailbox, "d@e.f");
	assert_string_equal(l.v[1].name, "Dee");
	assert_string_equal(l.v[2].mailbox, "g@h.i");
	assert_int_equal(addr_parse_list("undisclosed-recipients:;", &l, &e),
	    0);
	assert_int_equal(l.n, 3);
	assert_null(e);
	addr_list_clear(&l);
}

/* On error, the list is left as it was. */
static void
test_list_bad_keeps_list(void **state)
{
	struct addr_list	 l = { NULL, 0 };
	struct err		*e = NULL;

	(void)state;
	addr_list_add(&l, NULL, "keep@x.org");
	assert_int_equal(addr_parse_list("ok@x.org, a@b c@d", &l, &e), -1);
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_INPUT);
	assert_non_null(strstr(e->msg, "commas"));
	err_free(e);
	e = NULL;
	assert_int_equal(l.n, 1);
	assert_int_equal(addr_parse_list("ok@x.org, broken@", &l, &e), -1);
	assert_non_null(strstr(e->msg, "broken@"));
	err_free(e);
	e = NULL;
	assert_int_equal(addr_parse_list("ok@x.org,\r\nRCPT TO:<x@y>", &l,
	    &e), -1);
	assert_non_null(strstr(e->msg, "line break"));
	err_free(e);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].mailbox, "keep@x.org");
	addr_list_clear(&l);
}

/* A folded header value is unfolded. */
static void
test_list_folded(void **state)
{
	struct addr_list	 l = { NULL, 0 };
	struct err		*e = NULL;

	(void)state;
	assert_int_equal(addr_parse_list("a@b.c,\r\n =?UTF-8?B?w6k=?= "
	    "<e@f.g>,\n\td@e.f", &l, &e), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[1].name, "\xc3\xa9");
	assert_string_equal(l.v[2].mailbox, "d@e.f");
	assert_null(e);
	addr_list_clear(&l);
}

/* The domain part. */
static void
test_domain(void **state)
{
	(void)state;
	assert_string_equal(addr_domain("a@b.c"), "b.c");
	assert_string_equal(addr_domain("\"x@y\"@b.c"), "b.c");
	assert_string_equal(addr_domain("nodomain"), "");
}

/* Copies are made and freed. */
static void
test_list_add_clear(void **state)
{
	struct addr_list	 l = { NULL, 0 };
	char			 name[] = "N", mbox[] = "n@x.org";
	struct addr		 a = { NULL, NULL };

	(void)state;
	addr_list_add(&l, name, mbox);
	addr_list_add(&l, NULL, "m@x.org");
	name[0] = 'X';
	mbox[0] = 'z';
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "N");
	assert_string_equal(l.v[0].mailbox, "n@x.org");
	assert_null(l.v[1].name);
	addr_list_clear(&l);
	addr_list_clear(&l);
	addr_clear(&a);
	addr_clear(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_good),
		cmocka_unit_test(test_check_bad),
		cmocka_unit_test(test_check_limits),
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_rfc2047),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_comments_groups_bare),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_group),
		cmocka_unit_test(test_list_bad_keeps_list),
		cmocka_unit_test(test_list_folded),
		cmocka_unit_test(test_domain),
		cmocka_unit_test(test_list_add_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
