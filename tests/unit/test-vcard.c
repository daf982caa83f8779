/* Unit tests for vcard.c. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alias.h"
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
static void	test_aliases_groups(void **);
static void	test_vcard21_qp(void **);
static void	test_uid(void **);
static void	check_groups(const struct vcard_contact *, ...);
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
	assert_int_equal(alias_parse(in, strlen(in), &r, &e), 0);
	assert_null(e);
	assert_int_equal(r.n, 7);
	check_contact(&r.v[0], "bob@example.net", "Bob Smith", POLICY_UNSET,
	    NULL);
	check_contact(&r.v[1], "carol@example.org", "Doe, Carol",
	    POLICY_UNSET, "boss");
	/* A group alias: its members keep their own names. */
	check_contact(&r.v[2], "alice@example.org", NULL, POLICY_UNSET, NULL);
	check_contact(&r.v[3], "dave@example.org", "Dave", POLICY_UNSET, NULL);
	assert_string_equal(r.v[0].alias, "bob");
	assert_null(r.v[2].alias);
	check_groups(&r.v[2], "team", NULL);
	check_groups(&r.v[3], "team", NULL);
	check_groups(&r.v[0], NULL);
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
	assert_int_equal(alias_parse("alias a\0b", 9, &r, &e), -1);
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_INPUT);
	assert_int_equal(r.n, 0);
	err_free(e);
	e = NULL;
	assert_int_equal(alias_parse("", 0, &r, &e), 0);
	assert_int_equal(r.n + r.np, 0);
	vcard_result_clear(&r);
}

/* The contact is in exactly these groups (NULL-terminated). */
static void
check_groups(const struct vcard_contact *c, ...)
{
	va_list		 ap;
	const char	*g;
	size_t		 n = 0;

	va_start(ap, c);
	while ((g = va_arg(ap, const char *)) != NULL) {
		assert_true(n < c->ngroups);
		assert_string_equal(c->groups[n], g);
		n++;
	}
	va_end(ap);
	assert_int_equal(c->ngroups, n);
}

/* Aliases of aliases, -group, group/ungroup, "addr (Name)", loops. */
static void
test_aliases_groups(void **state)
{
	const char		*in =
	    "alias dave Dave Smith <dave@example.net>\n"		/* 1 */
	    "alias erin erin@example.net (Erin E.)\n"			/* 2 */
	    "alias -group work -group pals frank frank@example.net\n"	/* 3 */
	    "alias team dave, erin, gus@example.net\n"			/* 4 */
	    "alias all team, hal@example.net\n"			/* 5 */
	    "alias loop1 loop2, ivy@example.net\n"			/* 6 */
	    "alias loop2 loop1\n"					/* 7 */
	    "alias nobody ghost\n"					/* 8 */
	    "alias d2 \"D. Smith\" <dave@example.net>\n"		/* 9 */
	    "group -group friends -addr joe@example.org kim@example.org\n"
	    "group -group friends -rx .*@example\\.com\n"		/* 11 */
	    "ungroup -group pals *\n"					/* 12 */
	    "ungroup -group friends -addr kim@example.org\n"		/* 13 */
	    "alias gone gone@example.org\n"				/* 14 */
	    "unalias gone\n"						/* 15 */
	    "alias later early\n"					/* 16 */
	    "alias early lee@example.org\n";				/* 17 */
	struct vcard_result	 r;
	struct err		*e = NULL;

	(void)state;
	assert_int_equal(alias_parse(in, strlen(in), &r, &e), 0);
	assert_int_equal(r.n, 9);
	check_contact(&r.v[0], "dave@example.net", "Dave Smith", POLICY_UNSET,
	    NULL);
	assert_string_equal(r.v[0].alias, "dave");
	/* A second alias of one address is a group of one. */
	check_groups(&r.v[0], "team", "all", "d2", NULL);
	check_contact(&r.v[1], "erin@example.net", "Erin E.", POLICY_UNSET,
	    NULL);
	assert_string_equal(r.v[1].alias, "erin");
	check_groups(&r.v[1], "team", "all", NULL);
	assert_string_equal(r.v[2].address, "frank@example.net");
	assert_string_equal(r.v[2].alias, "frank");
	check_groups(&r.v[2], "work", NULL);
	assert_string_equal(r.v[3].address, "gus@example.net");
	assert_null(r.v[3].alias);
	check_groups(&r.v[3], "team", "all", NULL);
	assert_string_equal(r.v[4].address, "hal@example.net");
	check_groups(&r.v[4], "all", NULL);
	assert_string_equal(r.v[5].address, "ivy@example.net");
	check_groups(&r.v[5], "loop1", "loop2", NULL);
	assert_string_equal(r.v[6].address, "lee@example.org");
	assert_string_equal(r.v[6].alias, "early");
	check_groups(&r.v[6], "later", NULL);
	assert_string_equal(r.v[7].address, "joe@example.org");
	check_groups(&r.v[7], "friends", NULL);
	assert_string_equal(r.v[8].address, "kim@example.org");
	check_groups(&r.v[8], NULL);
	assert_int_equal(r.np, 4);
	check_problem(&r, 0, 6, "loop");
	check_problem(&r, 1, 7, "loop");
	check_problem(&r, 2, 8, "ghost");
	check_problem(&r, 3, 11, "-rx");
	vcard_result_clear(&r);
}

/* vCard 2.1 and Outlook 3.0: QUOTED-PRINTABLE, charsets, 2.1 folding. */
static void
test_vcard21_qp(void **state)
{
	const char		*in =
	    "BEGIN:VCARD\r\n"
	    "VERSION:2.1\r\n"
	    "N;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:M=C3=BCller;J=C3=BCrgen\r\n"
	    "FN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:J=C3=BCrgen M=C3=BC=\r\n"
	    "ller\r\n"
	    "EMAIL;INTERNET:j@example.de\r\n"
	    "EMAIL;INTERNET;PREF:jp@example.de\r\n"
	    "NOTE:folded in\r\n"
	    " 2.1\r\n"
	    "NICKNAME:jue\r\n"
	    "CATEGORIES:friends,work\\, team\r\n"
	    "END:VCARD\r\n"
	    "BEGIN:VCARD\r\n"
	    "VERSION:3.0\r\n"
	    "FN;ENCODING=QUOTED-PRINTABLE:Ren=E9e Dupont\r\n"
	    "EMAIL;TYPE=INTERNET:renee@example.fr\r\n"
	    "END:VCARD\r\n"
	    "BEGIN:VCARD\r\n"
	    "VERSION:2.1\r\n"
	    "N;CHARSET=ISO-8859-1:Gar\xe7on;Fran\xe7ois\r\n"
	    "EMAIL:f@example.fr\r\n"
	    "END:VCARD\r\n"
	    "BEGIN:VCARD\r\n"
	    "VERSION:2.1\r\n"
	    "FN;ENCODING=BASE64;CHARSET=UTF-8:WsO8cmljaA==\r\n"
	    "FN:second FN ignored\r\n"
	    "EMAIL:z@example.ch\r\n"
	    "END:VCARD\r\n"
	    "BEGIN:VCARD\r\n"
	    "VERSION:2.1\r\n"
	    "FN;CHARSET=X-NO-SUCH-CHARSET:abc\r\n"
	    "EMAIL:x@example.org\r\n"
	    "END:VCARD\r\n";
	struct vcard_result	 r;
	struct err		*e = NULL;

	(void)state;
	assert_int_equal(vcard_parse(in, strlen(in), &r, &e), 0);
	assert_int_equal(r.n, 6);
	/* Several EMAILs: one contact each, the preferred first, one name. */
	check_contact(&r.v[0], "jp@example.de", "J\xc3\xbcrgen M\xc3\xbcller",
	    POLICY_UNSET, "folded in 2.1");
	check_contact(&r.v[1], "j@example.de", "J\xc3\xbcrgen M\xc3\xbcller",
	    POLICY_UNSET, "folded in 2.1");
	assert_string_equal(r.v[0].alias, "jue");
	assert_null(r.v[1].alias);
	check_groups(&r.v[0], "friends", "work, team", NULL);
	check_groups(&r.v[1], "friends", "work, team", NULL);
	/* Outlook: QUOTED-PRINTABLE without CHARSET is windows-1252. */
	check_contact(&r.v[2], "renee@example.fr", "Ren\xc3\xa9" "e Dupont",
	    POLICY_UNSET, NULL);
	/* N without FN, 8-bit in its CHARSET. */
	check_contact(&r.v[3], "f@example.fr", "Fran\xc3\xa7ois Gar\xc3\xa7on",
	    POLICY_UNSET, NULL);
	check_contact(&r.v[4], "z@example.ch", "Z\xc3\xbcrich", POLICY_UNSET,
	    NULL);
	check_contact(&r.v[5], "x@example.org", NULL, POLICY_UNSET, NULL);
	assert_int_equal(r.np, 1);
	check_problem(&r, 0, 31, "X-NO-SUCH-CHARSET");
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
	/* vCard 2.1: QUOTED-PRINTABLE in ISO-8859-1, decoded. */
	check_contact(&r.v[1], "j@example.de", "J\xc3\xbcrgen", POLICY_UNSET,
	    NULL);
	check_contact(&r.v[2], "two@example.org", "Two", POLICY_UNSET, NULL);
	assert_int_equal(r.np, 6);
	check_problem(&r, 0, 5, "outside a vCard");
	check_problem(&r, 1, 7, "no EMAIL");
	check_problem(&r, 2, 12, "line 10");
	check_problem(&r, 3, 19, "no END:VCARD");
	check_problem(&r, 4, 25, "verfy");
	check_problem(&r, 5, 31, "no END:VCARD");
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

/* The exact text of a written card (vCard 3.0, as khard reads it). */
static void
test_write(void **state)
{
	char				*groups[] = { "team", "a,b" };
	const struct vcard_contact	 v[] = {
		{ .address = "bob@example.net", .name = "Smith, Bob",
		    .policy = POLICY_VERIFY, .notes = "line 1\nline; 2 \\ x",
		    .alias = "bob", .groups = groups, .ngroups = 2 },
		{ .address = "anon@example.org", .policy = POLICY_UNSET },
		{ .address = "f@example.org", .name = "Frank Jones, Jr.",
		    .policy = POLICY_UNSET },
	};
	char				*s, *uid;

	(void)state;
	s = vcard_write(v, 3);
	uid = vcard_uid("bob@example.net");
	assert_non_null(strstr(s, uid));
	free(uid);
	/* The UIDs are checked by test_uid; take them out. */
	{
		char	*p;

		while ((p = strstr(s, "UID:")) != NULL)
			memmove(p, p + 4 + 36 + 2, strlen(p + 4 + 36 + 2) + 1);
	}
	assert_string_equal(s,
	    "BEGIN:VCARD\r\nVERSION:3.0\r\n"
	    "N:Smith;Bob;;;\r\nFN:Smith\\, Bob\r\nNICKNAME:bob\r\n"
	    "EMAIL;TYPE=INTERNET:bob@example.net\r\n"
	    "CATEGORIES:team,a\\,b\r\n"
	    "NOTE:line 1\\nline\\; 2 \\\\ x\r\n"
	    "X-TERN-TLS:verify\r\nEND:VCARD\r\n"
	    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\n"
	    "FN:anon@example.org\r\n"
	    "EMAIL;TYPE=INTERNET:anon@example.org\r\nEND:VCARD\r\n"
	    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Jones;Frank;;;Jr.\r\n"
	    "FN:Frank Jones\\, Jr.\r\n"
	    "EMAIL;TYPE=INTERNET:f@example.org\r\nEND:VCARD\r\n");
	free(s);
	s = vcard_write(NULL, 0);
	assert_string_equal(s, "");
	free(s);
}

/* UIDs: stable, one per address, UUID-shaped (version 8, variant 10). */
static void
test_uid(void **state)
{
	char	*a, *b, *c;
	size_t	 i;

	(void)state;
	a = vcard_uid("Bob@Example.NET");
	b = vcard_uid("Bob@example.net");
	c = vcard_uid("bob@example.net");
	assert_string_equal(a, b);
	assert_string_not_equal(b, c);
	assert_int_equal(strlen(a), 36);
	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(a[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", a[i]));
	assert_int_equal(a[14], '8');
	assert_non_null(strchr("89ab", a[19]));
	free(a);
	free(b);
	free(c);
}

/* Long lines fold at 75 octets, never inside a UTF-8 character. */
static void
test_write_fold(void **state)
{
	struct vcard_contact	 v = { .address = "x@example.org",
	    .policy = POLICY_UNSET };
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
	char			*groups[] = { "x, y; z", "team" };
	size_t			 i, j;

	(void)state;
	notes[0] = '\0';
	for (i = 0; i < 30; i++)
		strcat(notes, "Caf\xc3\xa9, na\xc3\xafve; back\\slash \xe2\x82\xac "
		    "\xf0\x9f\x94\x92\n");
	strcat(notes, "end");
	v[0] = (struct vcard_contact){ .address = "jurgen@example.de",
	    .name = "J\xc3\xbcrgen M\xc3\xbcller \xe6\x97\xa5\xe6\x9c\xac",
	    .policy = POLICY_ENCRYPT, .notes = notes };
	v[1] = (struct vcard_contact){ .address = "noname@example.org",
	    .policy = POLICY_UNSET };
	v[2] = (struct vcard_contact){ .address =
	    "\"odd;local,part\"@example.com", .name = "Doe, John; Jr.",
	    .policy = POLICY_MAY, .notes = "short" };
	v[3] = (struct vcard_contact){ .address = "v@example.net", .name = "V",
	    .policy = POLICY_VERIFY, .alias = "vee", .groups = groups,
	    .ngroups = 2 };
	s = vcard_write(v, 4);
	assert_int_equal(vcard_parse(s, strlen(s), &r, &e), 0);
	assert_null(e);
	assert_int_equal(r.np, 0);
	assert_int_equal(r.n, 4);
	for (i = 0; i < 4; i++) {
		check_contact(&r.v[i], v[i].address, v[i].name, v[i].policy,
		    v[i].notes);
		if (v[i].alias == NULL)
			assert_null(r.v[i].alias);
		else
			assert_string_equal(r.v[i].alias, v[i].alias);
		assert_int_equal(r.v[i].ngroups, v[i].ngroups);
		for (j = 0; j < v[i].ngroups; j++)
			assert_string_equal(r.v[i].groups[j], v[i].groups[j]);
	}
	vcard_result_clear(&r);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_aliases_not_text),
		cmocka_unit_test(test_aliases_groups),
		cmocka_unit_test(test_vcard21_qp),
		cmocka_unit_test(test_uid),
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
