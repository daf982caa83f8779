/* Unit tests for text.c and buf.c. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "text.h"

static void	test_sanitize_controls(void **);
static void	test_sanitize_utf8(void **);
static void	test_sanitize_n_nul(void **);
static void	test_sanitize_bidi(void **);
static void	test_sanitize_line(void **);
static void	test_escape(void **);
static void	test_is_utf8(void **);
static void	test_has_8bit(void **);
static void	test_buf_grow(void **);
static void	test_buf_addf(void **);
static void	test_buf_json(void **);
static void	test_buf_steal_reset(void **);

/* Control characters become '?', tabs spaces, CR disappears. */
static void
test_sanitize_controls(void **state)
{
	char	*s;

	(void)state;
	s = text_sanitize("a\033[2Jb\tc\r\nd\x7f" "e\x01");
	assert_string_equal(s, "a?[2Jb c\nd?e?");
	free(s);
	s = text_sanitize("");
	assert_string_equal(s, "");
	free(s);
}

/* Valid UTF-8 stays, invalid bytes and C1 controls become '?'. */
static void
test_sanitize_utf8(void **state)
{
	char	*s;

	(void)state;
	s = text_sanitize("J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x94\x92");
	assert_string_equal(s, "J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x94\x92");
	free(s);
	/* Lone continuation byte, overlong '/', C1 NEL (U+0085). */
	s = text_sanitize("a\x80z \xc0\xaf \xc2\x85.");
	assert_string_equal(s, "a?z ?? ?.");
	free(s);
	/* Truncated sequence at the end. */
	s = text_sanitize("ok\xe2\x82");
	assert_string_equal(s, "ok??");
	free(s);
	/* UTF-16 surrogate encoded in UTF-8 is not valid UTF-8. */
	s = text_sanitize("\xed\xa0\x80");
	assert_string_equal(s, "???");
	free(s);
}

/* text_sanitize_n reads past NUL bytes. */
static void
test_sanitize_n_nul(void **state)
{
	char	*s;

	(void)state;
	s = text_sanitize_n("a\0b", 3);
	assert_string_equal(s, "a?b");
	free(s);
	s = text_sanitize_n("abc", 2);
	assert_string_equal(s, "ab");
	free(s);
}

/*
 * Every bidirectional control becomes '?' (U+061C, U+200E, U+200F,
 * U+202A-U+202E, U+2066-U+2069); their neighbours stay.
 */
static void
test_sanitize_bidi(void **state)
{
	static const char *bidi[] = {
		"\xd8\x9c", "\xe2\x80\x8e", "\xe2\x80\x8f",
		"\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac",
		"\xe2\x80\xad", "\xe2\x80\xae", "\xe2\x81\xa6",
		"\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9",
	};
	char		*s, *in;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof bidi / sizeof bidi[0]; i++) {
		assert_true(asprintf(&in, "250 ok%sgnp.exe", bidi[i]) > 0);
		s = text_sanitize(in);
		assert_string_equal(s, "250 ok?gnp.exe");
		free(s);
		free(in);
	}
	/* Neighbours of the ranges are ordinary text and stay. */
	s = text_sanitize("\xd8\x9b\xe2\x80\x8d\xe2\x80\x90\xe2\x80\xa9"
	    "\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa");
	assert_string_equal(s, "\xd8\x9b\xe2\x80\x8d\xe2\x80\x90"
	    "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa");
	free(s);
}

/* One line: newlines become spaces, the rest as text_sanitize_n. */
static void
test_sanitize_line(void **state)
{
	char	*s;

	(void)state;
	s = text_sanitize_line("CN=a\nO=b\033]52;c;eA==\007\r\0z", 23);
	assert_string_equal(s, "CN=a O=b?]52;c;eA==??z");
	free(s);
}

/* Escaping for error messages: visible \xNN for what is unsafe. */
static void
test_escape(void **state)
{
	char	*s;

	(void)state;
	s = text_escape("res\033[2Jolver");
	assert_string_equal(s, "res\\x1b[2Jolver");
	free(s);
	s = text_escape("a\tb\nc\rd\x7f\xc2\x85\xff \xe2\x80\xae! J\xc3\xbc");
	assert_string_equal(s, "a\\x09b\\x0ac\\x0dd\\x7f\\xc2\\x85\\xff "
	    "\\xe2\\x80\\xae! J\xc3\xbc");
	free(s);
	s = text_escape("");
	assert_string_equal(s, "");
	free(s);
}

/* UTF-8 validation. */
static void
test_is_utf8(void **state)
{
	(void)state;
	assert_int_equal(text_is_utf8("", 0), 1);
	assert_int_equal(text_is_utf8("plain", 5), 1);
	assert_int_equal(text_is_utf8("\xc3\xa9", 2), 1);
	assert_int_equal(text_is_utf8("\xf4\x8f\xbf\xbf", 4), 1);
	assert_int_equal(text_is_utf8("\xc3", 1), 0);
	assert_int_equal(text_is_utf8("\xc3\xa9", 1), 0);
	assert_int_equal(text_is_utf8("\xe0\x80\xaf", 3), 0);
	assert_int_equal(text_is_utf8("\xf4\x90\x80\x80", 4), 0);
	assert_int_equal(text_is_utf8("\xed\xbf\xbf", 3), 0);
	assert_int_equal(text_is_utf8("\xff", 1), 0);
}

/* Detection of 8-bit bytes. */
static void
test_has_8bit(void **state)
{
	(void)state;
	assert_int_equal(text_has_8bit("abc\x7f", 4), 0);
	assert_int_equal(text_has_8bit("ab\x80", 3), 1);
	assert_int_equal(text_has_8bit("ab\x80", 2), 0);
	assert_int_equal(text_has_8bit("", 0), 0);
}

/* A buffer grows and stays NUL-terminated. */
static void
test_buf_grow(void **state)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	(void)state;
	for (i = 0; i < 1000; i++)
		buf_addc(&b, (char)('a' + i % 26));
	assert_int_equal(b.len, 1000);
	assert_true(b.cap > 1000);
	assert_int_equal(b.s[1000], '\0');
	assert_int_equal(b.s[26], 'a');
	buf_add(&b, "x\0y", 3);
	assert_int_equal(b.len, 1003);
	assert_memory_equal(b.s + 1000, "x\0y", 3);
	buf_adds(&b, "zz");
	assert_string_equal(b.s + 1002, "yzz");
	buf_free(&b);
	assert_null(b.s);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

/* Formatted appends. */
static void
test_buf_addf(void **state)
{
	struct buf	 b = BUF_INIT;
	char		 big[300];

	(void)state;
	buf_addf(&b, "%d-%s", 42, "x");
	assert_string_equal(b.s, "42-x");
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_addf(&b, "[%s]", big);
	assert_int_equal(b.len, 4 + 2 + 299);
	assert_int_equal(b.s[b.len - 1], ']');
	assert_int_equal(strlen(b.s), b.len);
	buf_free(&b);
}

/* JSON string literals escape what JSON needs. */
static void
test_buf_json(void **state)
{
	struct buf	b = BUF_INIT;

	(void)state;
	buf_add_json(&b, NULL);
	buf_addc(&b, ' ');
	buf_add_json(&b, "a\"b\\c\nd\re\tf\x01g\x7f");
	assert_string_equal(b.s,
	    "null \"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u007f\"");
	buf_reset(&b);
	buf_add_json(&b, "\xc3\xa9");
	assert_string_equal(b.s, "\"\xc3\xa9\"");
	buf_free(&b);
}

/* buf_steal hands over the string; reset keeps memory. */
static void
test_buf_steal_reset(void **state)
{
	struct buf	 b = BUF_INIT;
	char		*s;

	(void)state;
	s = buf_steal(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	buf_adds(&b, "hello");
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.s, "");
	assert_true(b.cap > 0);
	buf_adds(&b, "again");
	s = buf_steal(&b);
	assert_string_equal(s, "again");
	assert_null(b.s);
	assert_int_equal(b.len, 0);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_controls),
		cmocka_unit_test(test_sanitize_utf8),
		cmocka_unit_test(test_sanitize_n_nul),
		cmocka_unit_test(test_sanitize_bidi),
		cmocka_unit_test(test_sanitize_line),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_is_utf8),
		cmocka_unit_test(test_has_8bit),
		cmocka_unit_test(test_buf_grow),
		cmocka_unit_test(test_buf_addf),
		cmocka_unit_test(test_buf_json),
		cmocka_unit_test(test_buf_steal_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
