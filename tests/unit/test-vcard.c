/* Unit tests for vcard.c. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "policy.h"
#include "text.h"
#include "vcard.h"

static void	check_contact(const struct vcard_contact *, const char *,
		    const char *, enum policy, const char *);
static void	check_problem(const struct vcard_result *, size_t, int,
		    const char *);
static void	test_aliases(void **);
static void	test_aliases_not_text(void **);
static void	test_vcard3(void **);
static void	test_vcard4_pref(void **);
static void	test_vcard_broken(void **);
static void	test_vcard_not_utf8(void **);
static void	test_vcard_not_vcard(void **);
static void	test_write(void **);
static void	test_write_fold(void **);
static void	test_round_trip(void **);

/* One contact has these fields (NULL: none). */
static void
check_contact(const struct vcard_contact *c, const char *address,
    const char *name, enum policy policy, const char *notes)
{
	assert_string_equal(c->address, address);
	if (name == NULL)
		assert_null(c->name);
	else
		assert_string_equal(c->name, name);
	assert_int_equal(c->policy, policy);
	if (notes == NULL)
		assert_null(c->notes);
	else
		assert_string_equal(c->notes, notes);
}

/* Problem i is at this line and its words contain part. */
static void
check_problem(const struct vcard_result *r, size_t i, int line,
    const char *part)
{
	assert_true(i < r->np);
	assert_int_equal(r->p[i].line, line);
	assert_non_null(strstr(r->p[i].msg, part));
}

/* Aliases: names, quotes, groups, comments, continuations, bad lines. */
static void
test_aliases(void **state)
{
	const char		*in =
	    "# my aliases\n"						/* 1 */
	    "alias bob Bob Smith <bob@Example.NET>\n"			/* 2 */
	    "\n"							/* 3 */
	    "alias carol \"Doe, Carol\" <carol@example.org>  # boss\n"	/* 4 */
	    "alias broken <no-at-sign>\n"				/* 5 */
	    "set realname=\"x\"\n"					/* 6 */
	    "alias team alice@example.org, \\\n"			/* 7 */
	    "\tDave <dave@example.org>\n"				/* 8 */
	    "alias lonely\n"						/* 9 */
	    "alias plain eve@EXAMPLE.com\r\n"				/* 10 */
	    "alias j J\xc3\xbcrgen M\xc3\xbcller <j@example.de>\n"	/* 11 */
	    "alias bad \xff <x@example.org>\n"				/* 12 */
	    "alias long \\\n"						/* 13 */
	    "  \"Quoted \\\"Q\\\" Name\" \\\n"				/* 14 */
	    "  <q@example.org>\n"					/* 15 */
	    "alias sp two words@example.com";				/* 16 */
	struct vcard_result	 r;
	struct err		*e = NULL;

	(void)state;
	assert_int_equal(vcard_parse_aliases(in, strlen(in), &r, &e), 0);
	assert_null(e);
	assert_int_equal(r.n, 7);
	check_contact(&r.v[0], "bob@example.net", "Bob Smith", POLICY_UNSET,
	    NULL);
	check_contact(&r.v[1], "carol@example.org", "Doe, Carol",
	    POLICY_UNSET, "boss");
	/* A group alias: no name on its members. */
	check_contact(&r.v[2], "alice@example.org", NULL, POLICY_UNSET, NULL);
	check_contact(&r.v[3], "dave@example.org", NULL, POLICY_UNSET, NULL);
	check_contact(&r.v[4], "eve@example.com", NULL, POLICY_UNSET, NULL);
	check_contact(&r.v[5], "j@example.de", "J\xc3\xbcrgen M\xc3\xbcller",
	    POLICY_UNSET, NULL);
	check_contact(&r.v[6], "q@example.org", "Quoted \"Q\" Name",
	    POLICY_UNSET, NULL);
	assert_int_equal(r.np, 5);
	check_problem(&r, 0, 5, "broken");
	check_problem(&r, 1, 6, "not an alias");
	check_problem(&r, 2, 9, "no address");
	check_problem(&r, 3, 12, "UTF-8");
	check_problem(&r, 4, 16, "sp");
	vcard_result_clear(&r);
	vcard_result_clear(&r);
	assert_null(r.v);
}

/* Binary input is an error; an empty file gives nothing. */
static void
test_aliases_not_text(void **state)
{
	struct vcard_result	 r;
	struct err		*e = NULL;

	(void)state;
	assert_int_equal(vcard_parse_aliases("alias a\0b", 9, &r, &e), -1);
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_INPUT);
	assert_int_equal(r.n, 0);
	err_free(e);
	e = NULL;
	assert_int_equal(vcard_parse_aliases("", 0, &r, &e), 0);
	assert_int_equal(r.n + r.np, 0);
	vcard_result_clear(&r);
}

/* vCard 3.0: N fallback, groups, TYPE=pref, folding, NOTE, X-TERN-TLS. */
static void
test_vcard3(void **state)
{
	const char		*in =
	    "BEGIN:VCARD\r\n"
	    "VERSION:3.0\r\n"
	    "N:Smith;Robert;J.;Dr.;\r\n"
	    "item1.EMAIL;TYPE=INTERNET:bob@Work.Example.COM\r\n"
	    "item1.X-ABLabel:work\r\n"
	    "email;type=INTERNET,pref:bob@home.example\r\n"
	    "NOTE:Met at the conference\\, 2019\\;\r\n"
	    "  second line\\nthird \\\\ done\r\n"
	    "x-tern-tls:Verify\r\n"
	    "end:vcard\r\n";
	const char		*notes = "Met at the conference, 2019; second "
	    "line\nthird \\ done";
	struct vcard_result	 r;
	struct err		*e = NULL;

	(void)state;
	assert_int_equal(vcard_parse(in, strlen(in), &r, &e), 0);
	assert_int_equal(r.np, 0);
	assert_int_equal(r.n, 2);
	check_contact(&r.v[0], "bob@home.example", "Dr. Robert J. Smith",
	    POLICY_VERIFY, notes);
	check_contact(&r.v[1], "bob@work.example.com", "Dr. Robert J. Smith",
	    POLICY_VERIFY, notes);
	vcard_result_clear(&r);
}

/* vCard 4.0: PREF order, LF line ends, tab folding, FN over N. */
static void
test_vcard4_pref(void **state)
{
	const char		*in =
	    "\xef\xbb\xbf" "BEGIN:VCARD\n"
	    "VERSION:4.0\n"
	    "N:Example;Alice;;;\n"
	    "FN:Alice\n"
	    "\t Example\n"
	    "EMAIL;TYPE=work:alice@example.org\n"
	    "EMAIL;PREF=1:alice@private.example\n"
	    "EMAIL;TYPE=\"home,voice\";PREF=2:alice@third.example\n"
	    "EMAIL:alice@EXAMPLE.ORG\n"
	    "X-TERN-TLS:encrypt\n"
	    "END:VCARD\n";
	struct vcard_result	 r;
	struct err		*e = NULL;

	(void)state;
	assert_int_equal(vcard_parse(in, strlen(in), &r, &e), 0);
	assert_int_equal(r.np, 0);
	assert_int_equal(r.n, 3);
	check_contact(&r.v[0], "alice@private.example", "Alice Example",
	    POLICY_ENCRYPT, NULL);
	check_contact(&r.v[1], "alice@third.example", "Alice Example",
	    POLICY_ENCRYPT, NULL);
	/* The second spelling of an address is the same contact. */
	check_contact(&r.v[2], "alice@example.org", "Alice Example",
	    POLICY_ENCRYPT, NULL);
	vcard_result_clear(&r);
}

/* Broken cards are reported with their lines; good ones are kept. */
static void
test_vcard_broken(void **state)
{
	const char		*in =
	    "BEGIN:VCARD\n"					/* 1 */
	    "FN:Good One\n"					/* 2 */
	    "EMAIL:one@example.org\n"				/* 3 */
	    "END:VCARD\n"					/* 4 */
	    "garbage\n"						/* 5 */
	    "more garbage\n"					/* 6 */
	    "BEGIN:VCARD\n"					/* 7 */
	    "FN:No Mail\n"					/* 8 */
	    "END:VCARD\n"					/* 9 */
	    "BEGIN:VCARD\n"					/* 10 */
	    "FN:Bad\n"						/* 11 */
	    "EMAIL:not an address\n"				/* 12 */
	    "END:VCARD\n"					/* 13 */
	    "BEGIN:VCARD\n"					/* 14 */
	    "VERSION:2.1\n"					/* 15 */
	    "FN;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:J=FCrgen\n"
	    "EMAIL;INTERNET:j@example.de\n"			/* 17 */
	    "END:VCARD\n"					/* 18 */
	    "BEGIN:VCARD\n"					/* 19 */
	    "FN:Unended\n"					/* 20 */
	    "EMAIL:u@example.org\n"				/* 21 */
	    "BEGIN:VCARD\n"					/* 22 */
	    "FN:Tls typo\n"					/* 23 */
	    "EMAIL:t@example.org\n"				/* 24 */
	    "X-TERN-TLS:verfy\n"				/* 25 */
	    "END:VCARD\n"					/* 26 */
	    "BEGIN:VCARD\n"					/* 27 */
	    "FN:Two\n"						/* 28 */
	    "EMAIL:two@example.org\n"				/* 29 */
	    "END:VCARD\n"					/* 30 */
	    "BEGIN:VCARD\n"					/* 31 */
	    "FN:Last\n"						/* 32 */
	    "EMAIL:last@example.org\n";				/* 33 */
	struct vcard_result	 r;
	struct err		*e = NULL;

	(void)state;
	assert_int_equal(vcard_parse(in, strlen(in), &r, &e), 0);
	assert_int_equal(r.n, 3);
	check_contact(&r.v[0], "one@example.org", "Good One", POLICY_UNSET,
	    NULL);
	check_contact(&r.v[1], "j@example.de", NULL, POLICY_UNSET, NULL);
	check_contact(&r.v[2], "two@example.org", "Two", POLICY_UNSET, NULL);
	assert_int_equal(r.np, 7);
	check_problem(&r, 0, 5, "outside a vCard");
	check_problem(&r, 1, 7, "no EMAIL");
	check_problem(&r, 2, 12, "line 10");
	check_problem(&r, 3, 16, "QUOTED-PRINTABLE");
	check_problem(&r, 4, 19, "no END:VCARD");
	check_problem(&r, 5, 25, "verfy");
	check_problem(&r, 6, 31, "no END:VCARD");
	vcard_result_clear(&r);
}

/* Bytes that are not UTF-8 spoil only their card. */
static void
test_vcard_not_utf8(void **state)
{
	const char		*in =
	    "BEGIN:VCARD\r\nFN:M\xfcller\r\nEMAIL:m@example.de\r\n"
	    "END:VCARD\r\n"
	    "BEGIN:VCARD\r\nFN:M\xc3\xbcller\r\nEMAIL:m@example.de\r\n"
	    "END:VCARD\r\n";
	struct vcard_result	 r;
	struct err		*e = NULL;

	(void)state;
	assert_int_equal(vcard_parse(in, strlen(in), &r, &e), 0);
	assert_int_equal(r.n, 1);
	check_contact(&r.v[0], "m@example.de", "M\xc3\xbcller", POLICY_UNSET,
	    NULL);
	assert_int_equal(r.np, 1);
	check_problem(&r, 0, 2, "UTF-8");
	vcard_result_clear(&r);
}

/* Text without a vCard, or not text, is an error. */
static void
test_vcard_not_vcard(void **state)
{
	struct vcard_result	 r;
	struct err		*e = NULL;

	(void)state;
	assert_int_equal(vcard_parse("hello\nworld\n", 12, &r, &e), -1);
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_INPUT);
	assert_non_null(strstr(e->msg, "BEGIN:VCARD"));
	assert_int_equal(r.n + r.np, 0);
	err_free(e);
	e = NULL;
	assert_int_equal(vcard_parse("BEGIN:VCARD\n\0", 13, &r, &e), -1);
	assert_non_null(e);
	err_free(e);
	e = NULL;
	assert_int_equal(vcard_parse("\r\n\r\n", 4, &r, &e), 0);
	assert_int_equal(r.n + r.np, 0);
	vcard_result_clear(&r);
}

/* The exact text of a written card. */
static void
test_write(void **state)
{
	const struct vcard_contact	 v[] = {
		{ "bob@example.net", "Smith, Bob", POLICY_VERIFY,
		    "line 1\nline; 2 \\ x" },
		{ "anon@example.org", NULL, POLICY_UNSET, NULL },
	};
	char				*s;

	(void)state;
	s = vcard_write(v, 2);
	assert_string_equal(s,
	    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Smith\\, Bob\r\n"
	    "EMAIL:bob@example.net\r\nNOTE:line 1\\nline\\; 2 \\\\ x\r\n"
	    "X-TERN-TLS:verify\r\nEND:VCARD\r\n"
	    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:\r\n"
	    "EMAIL:anon@example.org\r\nEND:VCARD\r\n");
	free(s);
	s = vcard_write(NULL, 0);
	assert_string_equal(s, "");
	free(s);
}

/* Long lines fold at 75 octets, never inside a UTF-8 character. */
static void
test_write_fold(void **state)
{
	struct vcard_contact	 v = { "x@example.org", NULL, POLICY_UNSET,
	    NULL };
	char			 name[400], *s, *line, *end;
	size_t			 i;

	(void)state;
	/* "é" (2 octets) after an odd prefix lands on every fold point. */
	strcpy(name, "a");
	for (i = 0; i < 150; i++)
		strcat(name, "\xc3\xa9");
	v.name = name;
	s = vcard_write(&v, 1);
	for (line = s; *line != '\0'; line = end + 2) {
		end = strstr(line, "\r\n");
		assert_non_null(end);
		assert_true(end - line <= 75);
		assert_true(text_is_utf8(line, (size_t)(end - line)));
	}
	free(s);
}

/* vcard_parse(vcard_write(x)) gives x back. */
static void
test_round_trip(void **state)
{
	struct vcard_contact	 v[4];
	struct vcard_result	 r;
	struct err		*e = NULL;
	char			 notes[2000], *s;
	size_t			 i;

	(void)state;
	notes[0] = '\0';
	for (i = 0; i < 30; i++)
		strcat(notes, "Caf\xc3\xa9, na\xc3\xafve; back\\slash \xe2\x82\xac "
		    "\xf0\x9f\x94\x92\n");
	strcat(notes, "end");
	v[0] = (struct vcard_contact){ "jurgen@example.de",
	    "J\xc3\xbcrgen M\xc3\xbcller \xe6\x97\xa5\xe6\x9c\xac",
	    POLICY_ENCRYPT, notes };
	v[1] = (struct vcard_contact){ "noname@example.org", NULL,
	    POLICY_UNSET, NULL };
	v[2] = (struct vcard_contact){ "\"odd;local,part\"@example.com",
	    "Doe, John; Jr.", POLICY_MAY, "short" };
	v[3] = (struct vcard_contact){ "v@example.net", "V", POLICY_VERIFY,
	    NULL };
	s = vcard_write(v, 4);
	assert_int_equal(vcard_parse(s, strlen(s), &r, &e), 0);
	assert_null(e);
	assert_int_equal(r.np, 0);
	assert_int_equal(r.n, 4);
	for (i = 0; i < 4; i++)
		check_contact(&r.v[i], v[i].address, v[i].name, v[i].policy,
		    v[i].notes);
	vcard_result_clear(&r);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_aliases_not_text),
		cmocka_unit_test(test_vcard3),
		cmocka_unit_test(test_vcard4_pref),
		cmocka_unit_test(test_vcard_broken),
		cmocka_unit_test(test_vcard_not_utf8),
		cmocka_unit_test(test_vcard_not_vcard),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_write_fold),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
