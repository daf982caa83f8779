/* Unit tests for msg.c. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libetpan/libetpan.h>

#include "addr.h"
#include "buf.h"
#include "err.h"
#include "msg.h"
#include "text.h"

static char	*decode_phrase(const char *);
static char	*decode_qp(const char *, size_t);
static char	*strip_cr(const char *);
static char	*header_value(const char *, const char *);
static void	 check_lines(const char *, size_t, size_t);
static void	 check_word_bytes(const char *);
static char	*build(const char *, const char *, const char *, size_t,
		    struct err **);
static void	 test_rfc2047_roundtrip(void **);
static void	 test_build_basic(void **);
static void	 test_build_utf8(void **);
static void	 test_build_folding(void **);
static void	 test_build_injection(void **);
static void	 test_build_bad_body(void **);
static void	 test_build_long_line(void **);
static void	 test_to_7bit(void **);
static void	 test_to_7bit_none(void **);
static void	 test_wire(void **);
static void	 test_prepare(void **);
static void	 test_prepare_defaults(void **);
static void	 test_prepare_bad(void **);
static void	 test_new_id(void **);
static void	 check_body(const char *, const char *);
static void	 test_body_plain(void **);
static void	 test_body_qp(void **);
static void	 test_body_base64(void **);
static void	 test_body_latin1(void **);
static void	 test_body_alternative(void **);
static void	 test_body_crlf(void **);
static void	 test_body_sanitize(void **);

/* Decode RFC 2047 words with libetpan (new string). */
static char *
decode_phrase(const char *s)
{
	char	*out = NULL;
	size_t	 idx = 0;

	assert_int_equal(mailmime_encoded_phrase_parse("utf-8", s, strlen(s),
	    &idx, "utf-8", &out), MAILIMF_NO_ERROR);
	assert_non_null(out);
	return out;
}

/* Decode quoted-printable with libetpan, CR removed (new string). */
static char *
decode_qp(const char *s, size_t len)
{
	char	*res = NULL, *out;
	size_t	 idx = 0, rlen = 0;

	assert_int_equal(mailmime_part_parse(s, len, &idx,
	    MAILMIME_MECHANISM_QUOTED_PRINTABLE, &res, &rlen),
	    MAILIMF_NO_ERROR);
	out = strndup(res, rlen);
	mmap_string_unref(res);
	res = strip_cr(out);
	free(out);
	return res;
}

/* A copy without CR bytes. */
static char *
strip_cr(const char *s)
{
	char	*out, *o;

	out = o = malloc(strlen(s) + 1);
	assert_non_null(out);
	for (; *s != '\0'; s++)
		if (*s != '\r')
			*o++ = *s;
	*o = '\0';
	return out;
}

/* The unfolded value of the first header field called name, or NULL. */
static char *
header_value(const char *msg, const char *name)
{
	struct buf	 b = BUF_INIT;
	const char	*p, *end;
	size_t		 n = strlen(name);

	end = strstr(msg, "\r\n\r\n");
	assert_non_null(end);
	for (p = msg; p < end; p = strstr(p, "\r\n") + 2) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			break;
	}
	if (p >= end)
		return NULL;
	p += n + 1;
	while (*p == ' ')
		p++;
	buf_add(&b, "", 0);
	for (;;) {
		if (p[0] == '\r' && p[1] == '\n') {
			if (p[2] != ' ' && p[2] != '\t')
				break;
			p += 2;
			continue;
		}
		buf_addc(&b, *p++);
	}
	return buf_steal(&b);
}

/* Every line ends in CRLF (no bare CR or LF) and is at most max long. */
static void
check_lines(const char *s, size_t len, size_t max)
{
	size_t	i, start = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\r') {
			assert_true(i + 1 < len && s[i + 1] == '\n');
			if (i - start > max)
				fail_msg("line of %zu > %zu: %.*s", i - start,
				    max, (int)(i - start), s + start);
			start = i + 2;
			i++;
		} else if (s[i] == '\n')
			fail_msg("bare LF at %zu", i);
	}
}

/* Each encoded word is <= 75 and decodes to whole UTF-8 characters. */
static void
check_word_bytes(const char *enc)
{
	char		*copy, *w, *save = NULL, *dec;
	size_t		 n = 0;

	copy = strdup(enc);
	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		n++;
		assert_true(strlen(w) <= 75);
		assert_true(strncmp(w, "=?UTF-8?", 8) == 0);
		assert_true(w[8] == 'Q' || w[8] == 'B');
		assert_string_equal(w + strlen(w) - 2, "?=");
		dec = decode_phrase(w);
		if (!text_is_utf8(dec, strlen(dec)))
			fail_msg("word \"%s\" splits a character", w);
		free(dec);
	}
	assert_true(n > 0);
	free(copy);
}

/* RFC 2047 encode then decode gives the original back. */
static void
test_rfc2047_roundtrip(void **state)
{
	static const char *in[] = {
		"J\xc3\xbcrgen M\xc3\xbcller",
		"Caf\xc3\xa9 = ? _ \"quoted\" (x) <y> a,b;c:d",
		"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6"
		    "\xe5\x90\x8d",
		"\xf0\x9f\x94\x92 locked \xf0\x9f\x94\x93 open",
		"a\tb",
		"x",
	};
	struct buf	 b = BUF_INIT;
	char		*enc, *dec;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		enc = msg_rfc2047(in[i]);
		check_word_bytes(enc);
		dec = decode_phrase(enc);
		assert_string_equal(dec, in[i]);
		free(dec);
		free(enc);
	}
	/* Long text: many words, each whole, all decoding back. */
	for (i = 0; i < 40; i++)
		buf_adds(&b, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x92 x ");
	enc = msg_rfc2047(b.s);
	assert_non_null(strchr(enc, ' '));
	check_word_bytes(enc);
	dec = decode_phrase(enc);
	assert_string_equal(dec, b.s);
	free(dec);
	free(enc);
	/* Mostly non-ASCII text uses B, mostly ASCII Q. */
	enc = msg_rfc2047("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5"
	    "\xe6\x9c\xac\xe8\xaa\x9e");
	assert_true(strncmp(enc, "=?UTF-8?B?", 10) == 0);
	free(enc);
	enc = msg_rfc2047("Re: meeting at the caf\xc3\xa9");
	assert_string_equal(enc, "=?UTF-8?Q?Re=3A_meeting_at_the_caf=C3=A9?=");
	free(enc);
	buf_free(&b);
}

/* Build a draft to two To, one Cc and one Bcc recipient. */
static char *
build(const char *from, const char *subject, const char *body, size_t len,
    struct err **errp)
{
	struct addr_list	 to = { NULL, 0 }, cc = { NULL, 0 };
	struct addr_list	 bcc = { NULL, 0 };
	struct msg_draft	 d;
	char			*out;
	size_t			 olen = 0;

	addr_list_add(&to, "Bob", "bob@example.net");
	addr_list_add(&to, NULL, "carol@example.com");
	addr_list_add(&cc, "Dave, Jr.", "dave@example.com");
	addr_list_add(&bcc, "Secret", "hidden@example.com");
	memset(&d, 0, sizeof d);
	d.from = from;
	d.to = &to;
	d.cc = &cc;
	d.bcc = &bcc;
	d.subject = subject;
	d.body = body;
	d.bodylen = len;
	out = msg_build(&d, &olen, errp);
	if (out != NULL)
		assert_int_equal(strlen(out), olen);
	addr_list_clear(&to);
	addr_list_clear(&cc);
	addr_list_clear(&bcc);
	return out;
}

/* The header fields and body of a plain message. */
static void
test_build_basic(void **state)
{
	struct mailimf_fields		*f = NULL;
	struct mailimf_single_fields	 sf;
	struct err			*e = NULL;
	const char			*body = "Hello\nline two\r\n.\nend";
	char				*m, *v, *p;
	size_t				 idx = 0;
	clistiter			*it;
	int				 n;

	(void)state;
	m = build("Alice Example <alice@Example.ORG>", "Lunch?", body,
	    strlen(body), &e);
	if (m == NULL)
		fail_msg("%s", e->msg);
	check_lines(m, strlen(m), 78);
	assert_null(strstr(m, "hidden"));
	assert_null(strstr(m, "Secret"));
	assert_null(strstr(m, "Bcc"));
	assert_non_null(strstr(m, "\r\nMIME-Version: 1.0\r\n"));
	assert_non_null(strstr(m, "\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\n"));
	assert_non_null(strstr(m, "\r\nContent-Transfer-Encoding: 7bit\r\n"));
	p = strstr(m, "\r\n\r\n");
	assert_non_null(p);
	assert_string_equal(p + 4, "Hello\r\nline two\r\n.\r\nend\r\n");

	v = header_value(m, "From");
	assert_string_equal(v, "Alice Example <alice@example.org>");
	free(v);
	v = header_value(m, "Subject");
	assert_string_equal(v, "Lunch?");
	free(v);
	v = header_value(m, "Message-ID");
	assert_int_equal(strlen(v), 1 + 32 + 1 + strlen("example.org") + 1);
	assert_int_equal(v[0], '<');
	assert_int_equal(strspn(v + 1, "0123456789abcdef"), 32);
	assert_string_equal(v + 33, "@example.org>");
	free(v);
	v = header_value(m, "Date");
	/* "Tue, 3 Jun 2025 10:00:00 +0200" */
	assert_true(strlen(v) >= 30);
	assert_int_equal(v[3], ',');
	assert_true(v[strlen(v) - 5] == '+' || v[strlen(v) - 5] == '-');
	free(v);

	/* libetpan reads back what it wrote. */
	assert_int_equal(mailimf_fields_parse(m, strlen(m), &idx, &f),
	    MAILIMF_NO_ERROR);
	mailimf_single_fields_init(&sf, f);
	assert_non_null(sf.fld_to);
	n = 0;
	for (it = clist_begin(sf.fld_to->to_addr_list->ad_list); it != NULL;
	    it = clist_next(it))
		n++;
	assert_int_equal(n, 2);
	assert_non_null(sf.fld_cc);
	it = clist_begin(sf.fld_cc->cc_addr_list->ad_list);
	assert_string_equal(((struct mailimf_address *)clist_content(it))->
	    ad_data.ad_mailbox->mb_display_name, "Dave, Jr.");
	assert_null(sf.fld_bcc);
	assert_non_null(sf.fld_orig_date);
	assert_non_null(sf.fld_message_id);
	mailimf_fields_free(f);
	free(m);
}

/* Non-ASCII subject and names are encoded; the body is 8bit. */
static void
test_build_utf8(void **state)
{
	struct err	*e = NULL;
	const char	*subj = "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln";
	const char	*body = "Sch\xc3\xb6ne Gr\xc3\xbc\xc3\x9f" "e\n";
	char		*m, *v, *d;

	(void)state;
	m = build("J\xc3\xbcrgen <j@example.org>", subj, body, strlen(body),
	    &e);
	if (m == NULL)
		fail_msg("%s", e->msg);
	/* The header is ASCII, the body is not. */
	assert_int_equal(msg_is_8bit(m, (size_t)(strstr(m, "\r\n\r\n") - m)),
	    0);
	assert_int_equal(msg_is_8bit(m, strlen(m)), 1);
	assert_non_null(strstr(m, "Content-Transfer-Encoding: 8bit\r\n"));
	v = header_value(m, "Subject");
	assert_true(strncmp(v, "=?UTF-8?", 8) == 0);
	d = decode_phrase(v);
	assert_string_equal(d, subj);
	free(d);
	free(v);
	v = header_value(m, "From");
	assert_non_null(strstr(v, "=?UTF-8?"));
	assert_non_null(strstr(v, "<j@example.org>"));
	free(v);
	free(m);
}

/* Long subjects fold to lines of at most 78 and decode back. */
static void
test_build_folding(void **state)
{
	struct buf	 b = BUF_INIT;
	struct err	*e = NULL;
	char		*m, *v, *d;
	size_t		 i;

	(void)state;
	for (i = 0; i < 30; i++)
		buf_adds(&b, "\xc3\xa9t\xc3\xa9 ");
	buf_adds(&b, "fin");
	m = build("a@example.org", b.s, "x", 1, &e);
	assert_non_null(m);
	check_lines(m, strlen(m), 78);
	v = header_value(m, "Subject");
	check_word_bytes(v);
	d = decode_phrase(v);
	assert_string_equal(d, b.s);
	free(d);
	free(v);
	free(m);

	/* A long ASCII subject folds at spaces and unfolds unchanged. */
	buf_reset(&b);
	for (i = 0; i < 40; i++)
		buf_addf(&b, "%sword%zu", i > 0 ? " " : "", i);
	m = build("a@example.org", b.s, "x", 1, &e);
	assert_non_null(m);
	check_lines(m, strlen(m), 78);
	assert_non_null(strstr(m, "\r\n word"));
	v = header_value(m, "Subject");
	assert_string_equal(v, b.s);
	free(v);
	free(m);

	/* One ASCII word too long to fold is encoded instead. */
	buf_reset(&b);
	for (i = 0; i < 120; i++)
		buf_addc(&b, 'a' + i % 26);
	m = build("a@example.org", b.s, "x", 1, &e);
	assert_non_null(m);
	check_lines(m, strlen(m), 78);
	v = header_value(m, "Subject");
	d = decode_phrase(v);
	assert_string_equal(d, b.s);
	free(d);
	free(v);
	free(m);
	assert_null(e);
	buf_free(&b);
}

/* CR or LF in any header value is refused. */
static void
test_build_injection(void **state)
{
	static const char *subjects[] = {
		"hi\r\nBcc: victim@example.com", "hi\nX: y", "hi\rX: y"
	};
	struct addr_list	 to = { NULL, 0 };
	struct msg_draft	 d;
	struct err		*e = NULL;
	size_t			 i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_null(build("a@example.org", subjects[i], "x", 1, &e));
		assert_non_null(e);
		assert_int_equal(e->cls, ERR_INPUT);
		assert_string_equal(e->msg, "the subject contains a line break "
		    "(CR or LF); headers cannot");
		err_free(e);
		e = NULL;
	}
	assert_null(build("Alice\r\nBcc: v@x.org <a@example.org>", "s", "x",
	    1, &e));
	assert_non_null(strstr(e->msg, "From address contains a line break"));
	err_free(e);
	e = NULL;

	/* A recipient's name with a line break. */
	addr_list_add(&to, "Bob\r\nBcc: victim@example.com", "bob@example.net");
	memset(&d, 0, sizeof d);
	d.from = "a@example.org";
	d.to = &to;
	d.body = "x";
	d.bodylen = 1;
	assert_null(msg_build(&d, NULL, &e));
	assert_int_equal(e->cls, ERR_INPUT);
	assert_non_null(strstr(e->msg, "bob@example.net contains a line "
	    "break (CR or LF); headers cannot"));
	err_free(e);
	e = NULL;
	addr_list_clear(&to);

	/* A recipient's mailbox with '>' cannot escape either. */
	addr_list_add(&to, NULL, "bob@example.net>\r\nX: y");
	assert_null(msg_build(&d, NULL, &e));
	assert_int_equal(e->cls, ERR_INPUT);
	err_free(e);
	e = NULL;
	addr_list_clear(&to);

	assert_null(build("a@example.org", "bad \xff utf-8", "x", 1, &e));
	assert_string_equal(e->msg, "the subject is not valid UTF-8");
	err_free(e);
	e = NULL;
	assert_null(build(NULL, "s", "x", 1, &e));
	assert_int_equal(e->cls, ERR_INPUT);
	err_free(e);
}

/* NUL and invalid UTF-8 in the body are refused. */
static void
test_build_bad_body(void **state)
{
	struct err	*e = NULL;

	(void)state;
	assert_null(build("a@example.org", "s", "one\ntwo\0three", 13, &e));
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_INPUT);
	assert_string_equal(e->msg, "line 2 of the body contains a NUL byte; "
	    "a mail body cannot");
	err_free(e);
	e = NULL;
	assert_null(build("a@example.org", "s", "caf\xe9\n", 5, &e));
	assert_string_equal(e->msg, "the body is not valid UTF-8");
	err_free(e);
}

/* A line over 998 octets makes the body quoted-printable. */
static void
test_build_long_line(void **state)
{
	struct buf	 b = BUF_INIT;
	struct err	*e = NULL;
	char		*m, *dec, *want;
	size_t		 i;

	(void)state;
	for (i = 0; i < 1500; i++)
		buf_addc(&b, i % 100 == 99 ? ' ' : 'a' + i % 26);
	buf_adds(&b, "= end \xc3\xa9 \nnext line\t\n");
	m = build("a@example.org", "long", b.s, b.len, &e);
	assert_non_null(m);
	assert_non_null(strstr(m, "Content-Transfer-Encoding: "
	    "quoted-printable\r\n"));
	check_lines(m, strlen(m), 76 + 2);
	check_lines(strstr(m, "\r\n\r\n") + 4, strlen(strstr(m, "\r\n\r\n") +
	    4), 76);
	assert_int_equal(msg_is_8bit(m, strlen(m)), 0);
	assert_non_null(strstr(m, "=3D end =C3=A9=20\r\n"));
	assert_non_null(strstr(m, "next line=09\r\n"));
	dec = decode_qp(strstr(m, "\r\n\r\n") + 4, strlen(strstr(m,
	    "\r\n\r\n") + 4));
	want = strip_cr(b.s);
	assert_string_equal(dec, want);
	free(want);
	free(dec);
	free(m);
	buf_free(&b);
}

/* An 8bit message becomes quoted-printable with the header changed. */
static void
test_to_7bit(void **state)
{
	const char	*in =
	    "From: a@example.org\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding:\r\n 8bit\r\n"
	    "Subject: x\r\n"
	    "\r\n"
	    "caf\xc3\xa9 = cher \r\n"
	    ".\r\n"
	    "From the start\r\n";
	char		*out, *dec, *body;
	size_t		 len = 0;
	struct buf	 b = BUF_INIT;
	size_t		 i;

	(void)state;
	out = msg_to_7bit(in, strlen(in), &len);
	assert_non_null(out);
	assert_int_equal(strlen(out), len);
	assert_int_equal(msg_is_8bit(out, len), 0);
	check_lines(out, len, 76);
	assert_null(strstr(out, "8bit"));
	assert_non_null(strstr(out, "\r\nSubject: x\r\n"));
	assert_non_null(strstr(out, "Content-Transfer-Encoding: "
	    "quoted-printable\r\n\r\n"));
	body = strstr(out, "\r\n\r\n") + 4;
	assert_string_equal(body, "caf=C3=A9 =3D cher=20\r\n.\r\nFrom the "
	    "start\r\n");
	free(out);

	/* Soft line breaks keep lines at 76 and decode back. */
	buf_adds(&b, "Content-Type: text/plain\n\n");
	for (i = 0; i < 300; i++)
		buf_adds(&b, i % 7 == 0 ? "\xc3\xa9" : "=x");
	buf_adds(&b, "\n");
	out = msg_to_7bit(b.s, b.len, &len);
	assert_non_null(out);
	check_lines(out, len, 76);
	assert_non_null(strstr(out, "MIME-Version: 1.0\r\n"));
	body = strstr(out, "\r\n\r\n") + 4;
	assert_non_null(strstr(body, "=\r\n"));
	dec = decode_qp(body, strlen(body));
	assert_string_equal(dec, strstr(b.s, "\n\n") + 2);
	free(dec);
	free(out);

	/* 104 encoded: 75 and a soft break, then 29; 76 fit without one. */
	buf_reset(&b);
	buf_adds(&b, "\n\xc3\xa9");
	for (i = 0; i < 98; i++)
		buf_addc(&b, 'a');
	buf_adds(&b, "\n");
	for (i = 0; i < 76; i++)
		buf_addc(&b, 'b');
	buf_adds(&b, "\n");
	out = msg_to_7bit(b.s, b.len, &len);
	assert_non_null(out);
	body = strstr(out, "\r\n\r\n") + 4;
	assert_int_equal(strstr(body, "=\r\n") - body, 75);
	assert_true(strncmp(body, "=C3=A9aaa", 9) == 0);
	assert_int_equal(strspn(body + 78, "a"), 29);
	assert_string_equal(body + 78 + 29, "\r\n"
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\r\n");
	free(out);
	buf_free(&b);
}

/* Already 7-bit, multipart, or encoded: nothing to do. */
static void
test_to_7bit_none(void **state)
{
	const char	*ascii = "Subject: x\r\n\r\nplain\r\n";
	const char	*multi =
	    "Content-Type: multipart/mixed; b=\"x\"\r\n\r\n"
	    "--x\r\n\r\n\xc3\xa9\r\n--x--\r\n";
	const char	*qp = "Content-Transfer-Encoding: base64\r\n\r\n"
	    "\xc3\xa9\r\n";
	size_t		 len = 99;

	(void)state;
	assert_null(msg_to_7bit(ascii, strlen(ascii), &len));
	assert_null(msg_to_7bit(multi, strlen(multi), &len));
	assert_null(msg_to_7bit(qp, strlen(qp), &len));
}

/* Line ends for DATA; no dot-stuffing; NUL refused. */
static void
test_wire(void **state)
{
	struct err	*e = NULL;
	char		*w;
	size_t		 len = 0;

	(void)state;
	w = msg_wire("a\nb\rc\r\nd\n", 9, &len, &e);
	assert_string_equal(w, "a\r\nb\r\nc\r\nd");
	assert_int_equal(len, 10);
	free(w);
	/* Dot lines pass through: libetpan stuffs them. */
	w = msg_wire(".\n..\n.x\r\n", 9, &len, &e);
	assert_string_equal(w, ".\r\n..\r\n.x");
	free(w);
	/* Only one final line end is dropped. */
	w = msg_wire("a\n\n", 3, &len, &e);
	assert_string_equal(w, "a\r\n");
	free(w);
	w = msg_wire("a\r\n\r\n", 5, &len, &e);
	assert_string_equal(w, "a\r\n");
	free(w);
	w = msg_wire("", 0, &len, &e);
	assert_string_equal(w, "");
	assert_int_equal(len, 0);
	free(w);
	w = msg_wire("no end", 6, &len, &e);
	assert_string_equal(w, "no end");
	free(w);
	/* CR LF split as LF CR is two line ends. */
	w = msg_wire("a\n\rb", 4, &len, &e);
	assert_string_equal(w, "a\r\n\r\nb");
	free(w);
	assert_null(e);
	assert_null(msg_wire("one\r\ntwo\r\nth\0ree\r\n", 17, &len, &e));
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_INPUT);
	assert_non_null(strstr(e->msg, "line 3"));
	assert_non_null(strstr(e->msg, "NUL"));
	err_free(e);
}

/* sendmail -t: recipients collected, Bcc removed, nothing else changed. */
static void
test_prepare(void **state)
{
	const char		*in =
	    "From: Alice <alice@example.org>\n"
	    "To: bob@example.net,\n"
	    "  Carol <carol@Example.COM>\n"
	    "Bcc: hidden@example.com,\n"
	    "\tsecret@example.com\n"
	    "Subject: test\n"
	    "Cc: dave@example.com\n"
	    "BCC: other@example.com\n"
	    "Date: Mon, 2 Jun 2025 10:00:00 +0000\n"
	    "Message-ID: <id@example.org>\n"
	    "\n"
	    "Bcc: this is the body\n"
	    ".\n";
	struct addr_list	 r = { NULL, 0 };
	struct err		*e = NULL;
	char			*out;
	size_t			 len = 0;

	(void)state;
	addr_list_add(&r, NULL, "already@x.org");
	out = msg_prepare(in, strlen(in), "Default <d@example.org>", &r, &len,
	    &e);
	if (out == NULL)
		fail_msg("%s", e->msg);
	assert_int_equal(strlen(out), len);
	check_lines(out, len, 998);
	assert_string_equal(out,
	    "From: Alice <alice@example.org>\r\n"
	    "To: bob@example.net,\r\n"
	    "  Carol <carol@Example.COM>\r\n"
	    "Subject: test\r\n"
	    "Cc: dave@example.com\r\n"
	    "Date: Mon, 2 Jun 2025 10:00:00 +0000\r\n"
	    "Message-ID: <id@example.org>\r\n"
	    "\r\n"
	    "Bcc: this is the body\r\n"
	    ".\r\n");
	assert_int_equal(r.n, 7);
	assert_string_equal(r.v[0].mailbox, "already@x.org");
	assert_string_equal(r.v[1].mailbox, "bob@example.net");
	assert_string_equal(r.v[2].mailbox, "carol@example.com");
	assert_string_equal(r.v[2].name, "Carol");
	assert_string_equal(r.v[3].mailbox, "hidden@example.com");
	assert_string_equal(r.v[4].mailbox, "secret@example.com");
	assert_string_equal(r.v[5].mailbox, "dave@example.com");
	assert_string_equal(r.v[6].mailbox, "other@example.com");
	addr_list_clear(&r);
	free(out);
}

/* Missing From, Date and Message-ID are added. */
static void
test_prepare_defaults(void **state)
{
	const char		*in =
	    "To: bob@example.net\nSubject: s\n\nbody\n";
	struct addr_list	 r = { NULL, 0 };
	struct err		*e = NULL;
	char			*out, *v;
	size_t			 len = 0;

	(void)state;
	out = msg_prepare(in, strlen(in), "Default Sender <d@Example.org>",
	    &r, &len, &e);
	if (out == NULL)
		fail_msg("%s", e->msg);
	assert_true(strncmp(out, "To: bob@example.net\r\nSubject: s\r\n",
	    33) == 0);
	v = header_value(out, "From");
	assert_string_equal(v, "Default Sender <d@example.org>");
	free(v);
	v = header_value(out, "Message-ID");
	assert_non_null(strstr(v, "@example.org>"));
	free(v);
	v = header_value(out, "Date");
	assert_non_null(v);
	free(v);
	assert_non_null(strstr(out, "\r\n\r\nbody\r\n"));
	assert_int_equal(r.n, 1);
	addr_list_clear(&r);
	free(out);

	/* No blank line and no body at all. */
	out = msg_prepare("From: a@b.example\nTo: c@d.example", 33, NULL, &r,
	    &len, &e);
	assert_non_null(out);
	assert_non_null(strstr(out, "To: c@d.example\r\n"));
	assert_non_null(strstr(out, "@b.example>\r\n"));
	assert_int_equal(r.n, 1);
	addr_list_clear(&r);
	free(out);
	assert_null(e);
}

/* Broken input is refused and the recipient list left alone. */
static void
test_prepare_bad(void **state)
{
	struct addr_list	 r = { NULL, 0 };
	struct err		*e = NULL;
	const char		*s;

	(void)state;
	s = "To: a@b.example\nthis is not a header\n\nbody\n";
	assert_null(msg_prepare(s, strlen(s), "d@x.org", &r, NULL, &e));
	assert_int_equal(e->cls, ERR_INPUT);
	assert_non_null(strstr(e->msg, "line 2 of the message is not a "
	    "header field"));
	err_free(e);
	e = NULL;
	s = " folded: first\nTo: a@b.example\n\n";
	assert_null(msg_prepare(s, strlen(s), "d@x.org", &r, NULL, &e));
	assert_non_null(strstr(e->msg, "line 1"));
	err_free(e);
	e = NULL;
	s = "To: ok@b.example, bad@@b.example\n\nbody\n";
	assert_null(msg_prepare(s, strlen(s), "d@x.org", &r, NULL, &e));
	assert_non_null(strstr(e->msg, "the To header (line 1)"));
	assert_non_null(strstr(e->msg, "more than one '@'"));
	err_free(e);
	e = NULL;
	s = "To: a@b.example\n\nbody\n";
	assert_null(msg_prepare(s, strlen(s), NULL, &r, NULL, &e));
	assert_non_null(strstr(e->msg, "no From header"));
	err_free(e);
	e = NULL;
	assert_null(msg_prepare("To: a@b.example\n\nx\0y", 20, "d@x.org", &r,
	    NULL, &e));
	assert_non_null(strstr(e->msg, "NUL"));
	err_free(e);
	assert_int_equal(r.n, 0);
}

/* sendmail's rules: Resent- recipients, Bcc gone, -F, bare names. */
static void
test_prepare_with(void **state)
{
	const char	*in = "From: root (Cron Daemon)\n"
	    "To: orig@example.net\nBcc: ob@example.net\n"
	    "Resent-From: a@example.org\nResent-To: new@example.net, op\n"
	    "Resent-Bcc: rb@example.net\nSubject: s\n\nbody\n.\nmore\n";
	struct addr_list r = { NULL, 0 };
	struct msg_prep	 p;
	struct err	*e = NULL;
	char		*out;
	size_t		 len;

	(void)state;
	memset(&p, 0, sizeof p);
	p.from = "d@example.org";
	p.maildomain = "example.org";
	p.rcpts = &r;
	out = msg_prepare_with(in, strlen(in), &p, &len, &e);
	assert_non_null(out);
	assert_null(e);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.v[0].mailbox, "new@example.net");
	assert_string_equal(r.v[1].mailbox, "op@example.org");
	assert_string_equal(r.v[2].mailbox, "rb@example.net");
	assert_string_equal(p.sender, "root@example.org");
	assert_null(strstr(out, "Bcc"));
	assert_null(strstr(out, "rb@"));
	assert_null(strstr(out, "ob@"));
	assert_non_null(strstr(out, "\r\nResent-To: new@example.net, op\r\n"));
	assert_non_null(strstr(out, "\r\n.\r\nmore\r\n"));
	free(out);
	free(p.sender);
	addr_list_clear(&r);
	/* No rcpts: nothing collected (the crash of 2737b8b); -F names. */
	memset(&p, 0, sizeof p);
	p.from = "d@example.org";
	p.fullname = "Cron Daemon";
	out = msg_prepare_with("To: a@x.net\nCc: c@x.net\n\nb\n", 25, &p,
	    &len, &e);
	assert_non_null(out);
	assert_non_null(strstr(out, "From: Cron Daemon <d@example.org>\r\n"));
	assert_string_equal(p.sender, "d@example.org");
	free(out);
	free(p.sender);
}

/* Lines over 998 octets: headers folded, bodies quoted-printable. */
static void
test_prepare_long(void **state)
{
	struct buf	 b = BUF_INIT;
	struct msg_prep	 p;
	struct err	*e = NULL;
	char		*out, *line, *end, *dec = NULL;
	size_t		 len, i, idx = 0, declen;

	(void)state;
	buf_adds(&b, "To: a@x.net\nSubject:");
	for (i = 0; i < 400; i++)
		buf_addf(&b, " w%03zu", i);
	buf_adds(&b, "\n\n");
	for (i = 0; i < 5000; i++)
		buf_addc(&b, (char)('a' + i % 26));
	buf_adds(&b, " \nnext\n");
	memset(&p, 0, sizeof p);
	p.from = "d@example.org";
	out = msg_prepare_with(b.s, b.len, &p, &len, &e);
	assert_non_null(out);
	for (line = out; (end = strstr(line, "\r\n")) != NULL; line = end + 2)
		assert_true(end - line <= 998);
	assert_non_null(strstr(out, "Content-Transfer-Encoding: "
	    "quoted-printable\r\n"));
	assert_non_null(strstr(out, "\r\nMIME-Version: 1.0\r\n"));
	assert_non_null(strstr(out, " w399\r\n"));
	line = strstr(out, "\r\n\r\n") + 4;
	assert_int_equal(mailmime_part_parse(line, strlen(line), &idx,
	    MAILMIME_MECHANISM_QUOTED_PRINTABLE, &dec, &declen),
	    MAILIMF_NO_ERROR);
	assert_int_equal(declen, 5000 + 9);
	assert_memory_equal(dec, b.s + b.len - 5000 - 7, 5000);
	assert_memory_equal(dec + 5000, " \r\nnext\r\n", 9);
	mmap_string_unref(dec);
	free(out);
	free(p.sender);
	/* 1,200 octets without a space cannot be folded: refused. */
	buf_reset(&b);
	buf_adds(&b, "X-Long: ");
	for (i = 0; i < 1200; i++)
		buf_addc(&b, 'z');
	buf_adds(&b, "\n\nb\n");
	assert_null(msg_prepare_with(b.s, b.len, &p, &len, &e));
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_INPUT);
	assert_non_null(strstr(e->msg, "X-Long header"));
	err_free(e);
	buf_free(&b);
}

/* Message-IDs are random and well-formed. */
static void
test_new_id(void **state)
{
	char	*a, *b;

	(void)state;
	a = msg_new_id("example.org");
	b = msg_new_id("example.org");
	assert_string_not_equal(a, b);
	assert_int_equal(strlen(a), 1 + 32 + 1 + 11 + 1);
	assert_int_equal(a[0], '<');
	assert_int_equal(a[33], '@');
	free(a);
	free(b);
	a = msg_new_id(NULL);
	assert_non_null(strstr(a, "@localhost>"));
	free(a);
}

/* msg_body_text on a message gives want, its length in outlen. */
static void
check_body(const char *text, const char *want)
{
	char	*got;
	size_t	 len = 0;

	got = msg_body_text(text, strlen(text), &len);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(len, strlen(want));
	free(got);
}

/* Without MIME the whole body is the text; an empty body is "". */
static void
test_body_plain(void **state)
{
	char	*got;

	(void)state;
	check_body("From: a@example.org\nSubject: x\n\nHello\nthere\n",
	    "Hello\nthere\n");
	check_body("From: a@example.org\n\n", "");
	got = msg_body_text("From: a@example.org\n\nx", 22, NULL);
	assert_non_null(got);
	free(got);
}

/* Quoted-printable: soft line breaks join, =C3=BC is a u-umlaut. */
static void
test_body_qp(void **state)
{
	struct msg_draft	 d;
	struct addr_list	 to = { NULL, 0 };
	char			*text, *qp, *got;
	const char		*body = "Gr\xc3\xbc\xc3\x9f" "e aus M\xc3\xbc"
	    "nchen, and a line long enough to be folded by the quoted-"
	    "printable encoder at seventy-six columns.\nZweite Zeile.\n";
	size_t			 len, qplen;

	(void)state;
	check_body("From: a@example.org\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "\n"
	    "Gr=C3=BC=C3=9Fe, this line is=\n"
	    " joined; a=3Db\n"
	    "M=C3=BCnchen\n",
	    "Gr\xc3\xbc\xc3\x9f" "e, this line is joined; a=b\n"
	    "M\xc3\xbcnchen\n");

	/* What msg_to_7bit makes for a server without 8BITMIME reads back. */
	addr_list_add(&to, NULL, "bob@example.net");
	memset(&d, 0, sizeof d);
	d.from = "Alice <alice@example.org>";
	d.to = &to;
	d.subject = "x";
	d.body = body;
	d.bodylen = strlen(body);
	text = msg_build(&d, &len, NULL);
	assert_non_null(text);
	qp = msg_to_7bit(text, len, &qplen);
	assert_non_null(qp);
	assert_false(msg_is_8bit(qp, qplen));
	got = msg_body_text(qp, qplen, NULL);
	assert_non_null(got);
	assert_string_equal(got, body);
	free(got);
	free(qp);
	free(text);
	addr_list_clear(&to);
}

/* Base64, folded over lines, is decoded. */
static void
test_body_base64(void **state)
{
	(void)state;
	/* "Hallo W\xc3\xbclt\nzwei\n" */
	check_body("From: a@example.org\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=UTF-8\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    "SGFsbG8g\n"
	    "V8O8bHQKendlaQo=\n",
	    "Hallo W\xc3\xbclt\nzwei\n");
}

/* ISO-8859-1 becomes UTF-8, in 8bit and in quoted-printable. */
static void
test_body_latin1(void **state)
{
	(void)state;
	check_body("From: a@example.org\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=iso-8859-1\n"
	    "Content-Transfer-Encoding: 8bit\n"
	    "\n"
	    "Gr\xfc\xdf" "e, caf\xe9\n",
	    "Gr\xc3\xbc\xc3\x9f" "e, caf\xc3\xa9\n");
	check_body("From: a@example.org\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=\"ISO-8859-1\"\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "\n"
	    "caf=E9\n",
	    "caf\xc3\xa9\n");
}

/* multipart/alternative: text/plain wins even after text/html. */
static void
test_body_alternative(void **state)
{
	(void)state;
	check_body("From: a@example.org\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/alternative; boundary=\"b1\"\n"
	    "\n"
	    "preamble\n"
	    "--b1\n"
	    "Content-Type: text/html; charset=utf-8\n"
	    "\n"
	    "<p>HTML part</p>\n"
	    "--b1\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "\n"
	    "Plain part =C3=BC\n"
	    "--b1--\n"
	    "epilogue\n",
	    "Plain part \xc3\xbc");
	/* Nested in multipart/mixed with an attachment after it. */
	check_body("From: a@example.org\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=out\n"
	    "\n"
	    "--out\n"
	    "Content-Type: multipart/alternative; boundary=in\n"
	    "\n"
	    "--in\n"
	    "Content-Type: text/html\n"
	    "\n"
	    "<b>no</b>\n"
	    "--in\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    "yes\n"
	    "--in--\n"
	    "--out\n"
	    "Content-Type: application/octet-stream\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    "AAEC\n"
	    "--out--\n",
	    "yes");
	/* Only HTML: that is the text there is. */
	check_body("From: a@example.org\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/alternative; boundary=b\n"
	    "\n"
	    "--b\n"
	    "Content-Type: image/png\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    "AAEC\n"
	    "--b\n"
	    "Content-Type: text/html\n"
	    "\n"
	    "<p>only</p>\n"
	    "--b--\n",
	    "<p>only</p>");
}

/* CRLF (and a CR alone) become LF, also inside base64. */
static void
test_body_crlf(void **state)
{
	(void)state;
	check_body("From: a@example.org\r\n"
	    "Subject: x\r\n"
	    "\r\n"
	    "one\r\n"
	    "two\r\n"
	    "\r\n"
	    "three\rfour\r\n",
	    "one\ntwo\n\nthree\nfour\n");
	/* base64 of "a\r\nb\r\n" */
	check_body("From: a@example.org\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "YQ0KYg0K\r\n",
	    "a\nb\n");
}

/* Escape sequences and other controls are defused, plain or encoded. */
static void
test_body_sanitize(void **state)
{
	(void)state;
	check_body("From: a@example.org\n"
	    "\n"
	    "red \x1b[31mtext\x1b[0m\x07 end\n"
	    "tab\there\n",
	    "red ?[31mtext?[0m? end\n"
	    "tab here\n");
	check_body("From: a@example.org\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "\n"
	    "=1B]0;title=07 =C2=9B2J =00 =FF\n",
	    "?]0;title? ?2J ? ?\n");
	/* base64 of "\x1b[2J\xc2\x9b" */
	check_body("From: a@example.org\n"
	    "Content-Transfer-Encoding: base64\n"
	    "\n"
	    "G1sySsKb\n",
	    "?[2J?");
}

/*
 * msg_wire_ready and msg_next_dot read eight bytes at a time: each case
 * at every offset of a 40-byte text, so that the bytes fall on both
 * sides of a word's edge; the answer is the byte-by-byte one.
 */
static void
test_wire_scan(void **state)
{
	static const char *const cases[] = {
		"\r\n", "\n", "\r", "a\rb", "a\nb", "\r\r\n", "\r\n\n",
		"\n.", "\r\n.", ".", "x.\n", "\n\n.", "\r\n..",
	};
	char		 buf[48];
	const char	*want;
	size_t		 c, off, len, k, wl;
	int		 ok;

	(void)state;
	for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		for (off = 0; off + strlen(cases[c]) <= 40; off++) {
			memset(buf, 'a', sizeof buf);
			memcpy(buf + off, cases[c], strlen(cases[c]));
			for (len = off + strlen(cases[c]); len <= 40; len += 7) {
				/* byte by byte */
				ok = 1;
				want = NULL;
				for (k = 0; k < len; k++) {
					if (buf[k] == '\n' && (k == 0 ||
					    buf[k - 1] != '\r'))
						ok = 0;
					if (buf[k] == '\r' && (k + 1 == len ||
					    buf[k + 1] != '\n'))
						ok = 0;
					if (want == NULL && k + 1 < len &&
					    buf[k] == '\n' && buf[k + 1] == '.')
						want = buf + k;
				}
				assert_int_equal(msg_wire_ready(buf, len, &wl),
				    ok);
				assert_ptr_equal(msg_next_dot(buf, len), want);
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc2047_roundtrip),
		cmocka_unit_test(test_build_basic),
		cmocka_unit_test(test_build_utf8),
		cmocka_unit_test(test_build_folding),
		cmocka_unit_test(test_build_injection),
		cmocka_unit_test(test_build_bad_body),
		cmocka_unit_test(test_build_long_line),
		cmocka_unit_test(test_to_7bit),
		cmocka_unit_test(test_to_7bit_none),
		cmocka_unit_test(test_wire),
		cmocka_unit_test(test_prepare),
		cmocka_unit_test(test_prepare_defaults),
		cmocka_unit_test(test_prepare_bad),
		cmocka_unit_test(test_prepare_with),
		cmocka_unit_test(test_prepare_long),
		cmocka_unit_test(test_new_id),
		cmocka_unit_test(test_body_plain),
		cmocka_unit_test(test_body_qp),
		cmocka_unit_test(test_body_base64),
		cmocka_unit_test(test_body_latin1),
		cmocka_unit_test(test_body_alternative),
		cmocka_unit_test(test_body_crlf),
		cmocka_unit_test(test_body_sanitize),
		cmocka_unit_test(test_wire_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
