/* Unit tests for mailto.c: RFC 6068 URLs, draft files, injections. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "mailto.h"
#include "msg.h"

static void	refused(const char *, const char *);
static void	test_url_fields(void **);
static void	test_url_rfc6068(void **);
static void	test_url_utf8(void **);
static void	test_url_ignored(void **);
static void	test_url_injection(void **);
static void	test_url_bad(void **);
static void	test_headers(void **);
static void	test_headers_bad(void **);
static void	test_format_roundtrip(void **);
static void	test_build_extra(void **);

/* The URL is refused with words containing why. */
static void
refused(const char *url, const char *why)
{
	struct mailto	 m;
	struct err	*e = NULL;

	assert_int_equal(mailto_parse(url, &m, &e), -1);
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_INPUT);
	if (strstr(e->msg, why) == NULL)
		fail_msg("\"%s\": \"%s\" lacks \"%s\"", url, e->msg, why);
	assert_null(m.to);
	assert_null(m.subject);
	err_free(e);
}

static void
test_url_fields(void **state)
{
	struct mailto	 m;
	struct err	*e = NULL;

	(void)state;
	assert_int_equal(mailto_parse("mailto:bob@example.net?subject=Hi&"
	    "cc=carol@example.net&bcc=dave@example.net&body=Line%201%0D%0A"
	    "Line%202&in-reply-to=%3C1@x%3E", &m, &e), 0);
	assert_string_equal(m.to, "bob@example.net");
	assert_string_equal(m.cc, "carol@example.net");
	assert_string_equal(m.bcc, "dave@example.net");
	assert_string_equal(m.subject, "Hi");
	assert_string_equal(m.body, "Line 1\nLine 2");
	assert_string_equal(m.in_reply_to, "<1@x>");
	assert_null(m.ignored);
	mailto_clear(&m);
	assert_true(mailto_is_url("MAILTO:x@y"));
	assert_false(mailto_is_url("mail:x@y"));
}

/* The examples of RFC 6068 section 6. */
static void
test_url_rfc6068(void **state)
{
	struct mailto	 m;
	struct err	*e = NULL;

	(void)state;
	assert_int_equal(mailto_parse("mailto:chris@example.com", &m, &e), 0);
	assert_string_equal(m.to, "chris@example.com");
	mailto_clear(&m);
	/* Several addresses in the path, and more in to=. */
	assert_int_equal(mailto_parse("mailto:addr1@an.example,"
	    "addr2@an.example?to=addr3@an.example", &m, &e), 0);
	assert_string_equal(m.to, "addr1@an.example,addr2@an.example, "
	    "addr3@an.example");
	mailto_clear(&m);
	/* No address in the path, only hfields. */
	assert_int_equal(mailto_parse("mailto:?to=joe@example.com&"
	    "cc=bob@example.com&body=hello", &m, &e), 0);
	assert_string_equal(m.to, "joe@example.com");
	assert_string_equal(m.body, "hello");
	mailto_clear(&m);
	/* A quoted local part, %-encoded. */
	assert_int_equal(mailto_parse("mailto:%22not%40me%22@example.org",
	    &m, &e), 0);
	assert_string_equal(m.to, "\"not@me\"@example.org");
	mailto_clear(&m);
	/* '+' is a plus (not a space) and '=' may be in a value. */
	assert_int_equal(mailto_parse("mailto:a+b@example.org?subject=1+1=2",
	    &m, &e), 0);
	assert_string_equal(m.to, "a+b@example.org");
	assert_string_equal(m.subject, "1+1=2");
	mailto_clear(&m);
	/* Field names fold case; repeated fields join. */
	assert_int_equal(mailto_parse("mailto:x@example.org?SUBJECT=a&"
	    "Cc=c1@example.org&cc=c2@example.org", &m, &e), 0);
	assert_string_equal(m.subject, "a");
	assert_string_equal(m.cc, "c1@example.org, c2@example.org");
	mailto_clear(&m);
	assert_null(e);
}

static void
test_url_utf8(void **state)
{
	struct mailto	 m;
	struct err	*e = NULL;

	(void)state;
	assert_int_equal(mailto_parse("mailto:user@example.org?subject="
	    "Gr%C3%BC%C3%9Fe%20%E2%98%83&body=%E6%97%A5%E6%9C%AC", &m, &e), 0);
	assert_string_equal(m.subject, "Grüße ☃");
	assert_string_equal(m.body, "日本");
	mailto_clear(&m);
	/* Control characters in a header value are made harmless. */
	assert_int_equal(mailto_parse("mailto:user@example.org?subject="
	    "a%1B[2Jb%09c", &m, &e), 0);
	assert_null(strchr(m.subject, '\x1b'));
	assert_null(strchr(m.subject, '\t'));
	mailto_clear(&m);
	assert_int_equal(mailto_headers("Subject: a\x1b[2Jb\n\n", 17, "f",
	    &m, &e), 0);
	assert_null(strchr(m.subject, '\x1b'));
	mailto_clear(&m);
	/* Latin-1 octets are not UTF-8. */
	refused("mailto:user@example.org?subject=Gr%FC%DFe", "UTF-8");
}

static void
test_url_ignored(void **state)
{
	struct mailto	 m;
	struct err	*e = NULL;

	(void)state;
	assert_int_equal(mailto_parse("mailto:x@example.org?from=evil@x&"
	    "X-Mailer=1&subject=s&received=r&attach=/etc/passwd", &m, &e), 0);
	assert_string_equal(m.subject, "s");
	assert_string_equal(m.ignored, "from, X-Mailer, received, attach");
	assert_null(m.extra);
	mailto_clear(&m);
}

/* A line break in a header value would add a header: never. */
static void
test_url_injection(void **state)
{
	(void)state;
	refused("mailto:x@example.org?subject=Hi%0D%0ABcc:%20all@x",
	    "line break");
	refused("mailto:x@example.org?subject=Hi%0ABcc:%20all@x",
	    "line break");
	refused("mailto:x@example.org?subject=Hi%0D", "line break");
	refused("mailto:x@example.org%0D%0ABcc:all@x", "line break");
	refused("mailto:x@example.org?cc=a@x%0D%0AX-Evil:1", "line break");
	refused("mailto:x@example.org?in-reply-to=%3Ca@b%3E%0D%0AX:1",
	    "line break");
	/* A CRLF in the name, or in an ignored field, is no way in. */
	refused("mailto:x@example.org?x%0D%0AFrom:%20a@b=1", "line break");
	refused("mailto:x@example.org?subject=a%00b", "NUL");
}

static void
test_url_bad(void **state)
{
	(void)state;
	refused("http://example.org", "not a mailto");
	refused("mailto:x@example.org?subject=%4", "percent");
	refused("mailto:x@example.org?subject=%zz", "percent");
	refused("mailto:x@example.org?subject=50%", "percent");
	refused("mailto:not an address", "To");
	refused("mailto:x@example.org?cc=%3C%3E", "Cc");
}

static void
test_headers(void **state)
{
	static const char	 t[] = "To: Bob <bob@example.net>,\r\n"
	    "  carol@example.net\r\nCc: dave@example.net\r\n"
	    "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"
	    "Reply-To: list@example.net\r\nX-Label: work\r\n"
	    "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <old@x>\r\n"
	    "Content-Type: text/html\r\nIn-Reply-To: <p@x>\r\n"
	    "\r\nHello\r\n\r\nBye\r\n";
	struct mailto	 m;
	struct err	*e = NULL;

	(void)state;
	assert_int_equal(mailto_headers(t, strlen(t), "f", &m, &e), 0);
	assert_string_equal(m.to, "Bob <bob@example.net>, carol@example.net");
	assert_string_equal(m.cc, "dave@example.net");
	assert_string_equal(m.subject, "Grüße");
	assert_string_equal(m.reply_to, "list@example.net");
	assert_string_equal(m.in_reply_to, "<p@x>");
	assert_string_equal(m.extra, "X-Label: work\n");
	assert_string_equal(m.body, "Hello\n\nBye\n");
	mailto_clear(&m);
	/* Headers only, no body. */
	assert_int_equal(mailto_headers("To: a@example.org\n", 18, "f", &m,
	    &e), 0);
	assert_string_equal(m.to, "a@example.org");
	assert_string_equal(m.body, "");
	mailto_clear(&m);
	assert_null(e);
}

/* A bad file: the origin and the line, and nothing half-filled. */
static void
test_headers_bad(void **state)
{
	static const struct {
		const char	*text, *why;
	} bad[] = {
		{ "To: a@example.org\nthis is the body\n", "f:2: not a header" },
		{ " cont\nTo: a@example.org\n\n", "f:1: a continuation" },
		{ "Subject: s\nTo: a@example.org\nCc: <<bad\n\nb\n", "f:3: " },
		{ "Reply-To: not an address\n\nb\n", "f:1: " },
		{ "To: a@example.org\nFrom: <<x\n\nb\n", "f:2: From: " },
		{ "To: a@example.org\nBad Name: x\n\n", "f:2: not a header" },
		{ "Subject: \xff\xfe\n\nb\n", "f:1: the Subject field is not" },
	};
	struct mailto	 m;
	struct err	*e;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		e = NULL;
		assert_int_equal(mailto_headers(bad[i].text,
		    strlen(bad[i].text), "f", &m, &e), -1);
		assert_non_null(e);
		if (strstr(e->msg, bad[i].why) == NULL)
			fail_msg("%zu: \"%s\" lacks \"%s\"", i, e->msg,
			    bad[i].why);
		assert_null(m.to);
		assert_null(m.body);
		err_free(e);
	}
	e = NULL;
	assert_int_equal(mailto_file("/nonexistent/draft", &m, &e), -1);
	assert_non_null(strstr(e->msg, "/nonexistent/draft"));
	err_free(e);
}

/* What the editor gets reads back the same. */
static void
test_format_roundtrip(void **state)
{
	struct mailto	 m, back;
	struct err	*e = NULL;
	char		*t;

	(void)state;
	memset(&m, 0, sizeof m);
	m.to = "bob@example.net";
	m.subject = "Hi";
	m.reply_to = "me@example.org";
	m.extra = "X-Label: a\n";
	m.body = "Body\n";
	t = mailto_format(&m, "Me <me@example.org>");
	assert_string_equal(t, "From: Me <me@example.org>\n"
	    "To: bob@example.net\nCc: \nBcc: \nSubject: Hi\n"
	    "Reply-To: me@example.org\nX-Label: a\n\nBody\n");
	assert_int_equal(mailto_headers(t, strlen(t), "f", &back, &e), 0);
	assert_string_equal(back.to, "bob@example.net");
	assert_string_equal(back.cc, "");
	assert_string_equal(back.subject, "Hi");
	assert_string_equal(back.reply_to, "me@example.org");
	assert_string_equal(back.from, "Me <me@example.org>");
	assert_string_equal(back.extra, "X-Label: a\n");
	assert_string_equal(back.body, "Body\n");
	mailto_clear(&back);
	free(t);
}

/* Reply-To and extra fields reach the message; Bcc and tern's never. */
static void
test_build_extra(void **state)
{
	struct addr_list	 to = { NULL, 0 };
	struct msg_draft	 d;
	struct err		*e = NULL;
	char			*t;

	(void)state;
	addr_list_add(&to, NULL, "bob@example.net");
	memset(&d, 0, sizeof d);
	d.from = "me@example.org";
	d.to = &to;
	d.subject = "s";
	d.body = "b\n";
	d.bodylen = 2;
	d.reply_to = "List <list@example.org>";
	d.in_reply_to = "<p@x>";
	d.extra = "X-Label: work\n";
	t = msg_build(&d, NULL, &e);
	assert_non_null(t);
	assert_non_null(strstr(t, "\r\nReply-To: List <list@example.org>\r\n"));
	assert_non_null(strstr(t, "\r\nIn-Reply-To: <p@x>\r\n"));
	assert_non_null(strstr(t, "\r\nX-Label: work\r\n"));
	free(t);
	/* A non-ASCII name is refused, its value is RFC 2047 encoded. */
	d.extra = "X-Grüß: Grüße\n";
	assert_null(msg_build(&d, NULL, &e));
	err_free(e);
	e = NULL;
	d.extra = "X-Label: Grüße\n";
	t = msg_build(&d, NULL, &e);
	assert_non_null(strstr(t, "X-Label: =?UTF-8?"));
	free(t);
	d.extra = "Bcc: all@example.org\n";
	assert_null(msg_build(&d, NULL, &e));
	err_free(e);
	e = NULL;
	d.extra = "Message-ID: <mine@x>\n";
	assert_null(msg_build(&d, NULL, &e));
	err_free(e);
	e = NULL;
	d.extra = NULL;
	d.reply_to = "a@x\r\nBcc: all@x";
	assert_null(msg_build(&d, NULL, &e));
	err_free(e);
	addr_list_clear(&to);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_fields),
		cmocka_unit_test(test_url_rfc6068),
		cmocka_unit_test(test_url_utf8),
		cmocka_unit_test(test_url_ignored),
		cmocka_unit_test(test_url_injection),
		cmocka_unit_test(test_url_bad),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_headers_bad),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_build_extra),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
