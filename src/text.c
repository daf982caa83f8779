/* Sanitizing untrusted text. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text.h"

static size_t	text_utf8_len(const unsigned char *, size_t, unsigned int *);
static int	text_unsafe(unsigned int);
static size_t	text_ascii_run(const unsigned char *, size_t);

/* Length of the valid UTF-8 sequence at p (0 if invalid); *cp gets it. */
static size_t
text_utf8_len(const unsigned char *p, size_t n, unsigned int *cp)
{
	size_t		len, i;
	unsigned int	c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		c = p[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/*
 * 1 for a code point that must not reach a terminal as it is: C0 but tab
 * and newline, DEL, C1, and the bidirectional controls (they reorder what
 * follows them on screen, so a reply or a name could show text in an
 * order other than its own: U+061C, U+200E, U+200F, U+202A-U+202E,
 * U+2066-U+2069).
 */
static int
text_unsafe(unsigned int cp)
{
	if (cp == '\t' || cp == '\n')
		return 0;
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	    cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Sanitize n bytes into a new string. */
char *
text_sanitize_n(const char *s, size_t n)
{
	struct buf		 b = BUF_INIT;
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, len;
	unsigned int		 cp;

	buf_add(&b, "", 0);
	for (i = 0; i < n; i += len) {
		len = text_utf8_len(p + i, n - i, &cp);
		if (len == 0) {
			buf_addc(&b, '?');
			len = 1;
		} else if (cp == '\r')
			continue;
		else if (cp == '\t')
			buf_addc(&b, ' ');
		else if (cp == '\n')
			buf_addc(&b, '\n');
		else if (text_unsafe(cp))
			buf_addc(&b, '?');
		else
			buf_add(&b, p + i, len);
	}
	return buf_steal(&b);
}

/* Sanitize a string into a new string. */
char *
text_sanitize(const char *s)
{
	return text_sanitize_n(s, strlen(s));
}

/* Sanitize into one line. */
char *
text_sanitize_line(const char *s, size_t n)
{
	char	*t, *p;

	t = text_sanitize_n(s, n);
	for (p = t; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	return t;
}

/* Escape what text_sanitize would replace, visibly. */
char *
text_escape(const char *s)
{
	struct buf		 b = BUF_INIT;
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, k, n = strlen(s), len;
	unsigned int		 cp;

	buf_add(&b, "", 0);
	for (i = 0; i < n; i += len) {
		len = text_utf8_len(p + i, n - i, &cp);
		if (len == 0)
			len = 1;
		else if (!text_unsafe(cp) && cp != '\t' && cp != '\n') {
			buf_add(&b, p + i, len);
			continue;
		}
		for (k = 0; k < len; k++)
			buf_addf(&b, "\\x%02x", p[i + k]);
	}
	return buf_steal(&b);
}

/*
 * Bytes from s up to the first with the high bit set (n when there is
 * none), eight at a time: a big text body is mostly ASCII.
 */
static size_t
text_ascii_run(const unsigned char *p, size_t n)
{
	const uint64_t	 high = 0x8080808080808080ULL;
	uint64_t	 w[4];
	size_t		 i = 0;

	for (; i + sizeof w <= n; i += sizeof w) {
		memcpy(w, p + i, sizeof w);
		if (((w[0] | w[1] | w[2] | w[3]) & high) != 0)
			break;
	}
	for (; i < n; i++)
		if (p[i] >= 0x80)
			break;
	return i;
}

/* Check that n bytes are valid UTF-8. */
int
text_is_utf8(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, len;
	unsigned int		 cp;

	while (i < n) {
		i += text_ascii_run(p + i, n - i);
		if (i == n)
			break;
		if ((len = text_utf8_len(p + i, n - i, &cp)) == 0)
			return 0;
		i += len;
	}
	return 1;
}

/* Check for bytes with the high bit set. */
int
text_has_8bit(const char *s, size_t n)
{
	return text_ascii_run((const unsigned char *)s, n) < n;
}

/* Strip white space at both ends, in place. */
char *
text_trim(char *s)
{
	char	*end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		end--;
	*end = '\0';
	return s;
}
