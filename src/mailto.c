/* Prefilled messages: mailto URLs (RFC 6068) and draft files (mutt -H). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "addr.h"
#include "buf.h"
#include "err.h"
#include "mailto.h"
#include "text.h"
#include "xmalloc.h"

/* A draft file bigger than this is not a draft. */
#define MAILTO_FILE_MAX	(16 * 1024 * 1024)

static int	 mailto_hex(int);
static char	*mailto_decode(const char *, size_t, const char *,
		    struct err **);
static void	 mailto_join(char **, const char *, const char *);
static int	 mailto_check_addrs(const char *, const char *, struct err **);
static char	*mailto_decode_2047(const char *);
static int	 mailto_dropped(const char *);
static void	 mailto_lf(struct buf *, const char *, size_t);

/* Is s a mailto URL? */
int
mailto_is_url(const char *s)
{
	return s != NULL && strncasecmp(s, "mailto:", 7) == 0;
}

/* The value of a hex digit, or -1. */
static int
mailto_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..n) (what: its name for errors); new string or NULL. */
static char *
mailto_decode(const char *s, size_t n, const char *what, struct err **errp)
{
	struct buf	b = BUF_INIT;
	size_t		i;
	int		hi, lo;

	buf_add(&b, "", 0);
	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			buf_addc(&b, s[i]);
			continue;
		}
		if (i + 2 >= n || (hi = mailto_hex((unsigned char)s[i + 1]))
		    == -1 || (lo = mailto_hex((unsigned char)s[i + 2])) == -1) {
			err_set(errp, ERR_INPUT, 0, "the mailto URL's %s has a "
			    "bad percent escape (%% must be followed by two "
			    "hex digits)", what);
			goto fail;
		}
		if (hi == 0 && lo == 0) {
			err_set(errp, ERR_INPUT, 0, "the mailto URL's %s "
			    "contains a NUL byte (%%00): refused", what);
			goto fail;
		}
		buf_addc(&b, (char)(hi << 4 | lo));
		i += 2;
	}
	if (!text_is_utf8(b.s, b.len)) {
		err_set(errp, ERR_INPUT, 0, "the mailto URL's %s is not valid "
		    "UTF-8 once decoded", what);
		goto fail;
	}
	return buf_steal(&b);
fail:
	buf_free(&b);
	return NULL;
}

/* Append v to *dst, joined by sep. */
static void
mailto_join(char **dst, const char *v, const char *sep)
{
	char	*t;

	if (*dst == NULL || **dst == '\0') {
		free(*dst);
		*dst = xstrdup(v);
		return;
	}
	if (*v == '\0')
		return;
	t = xasprintf("%s%s%s", *dst, sep, v);
	free(*dst);
	*dst = t;
}

/* Do the addresses of a list parse (what: the field, for errors)? */
static int
mailto_check_addrs(const char *v, const char *what, struct err **errp)
{
	struct addr_list	 l = { NULL, 0 };
	struct err		*e = NULL;
	size_t			 i;
	int			 rv = 0;

	if (strspn(v, " \t,") == strlen(v))
		return 0;
	if (addr_parse_list(v, &l, &e) == -1)
		rv = err_set(errp, ERR_INPUT, 0, "%s: %s", what, e->msg);
	for (i = 0; rv == 0 && i < l.n; i++)
		if (addr_check(l.v[i].mailbox, &e) == -1)
			rv = err_set(errp, ERR_INPUT, 0, "%s: %s", what,
			    e->msg);
	err_free(e);
	addr_list_clear(&l);
	return rv;
}

/* Parse a mailto URL. */
int
mailto_parse(const char *url, struct mailto *m, struct err **errp)
{
	const char	*p, *q, *amp, *eq;
	char		*name = NULL, *val = NULL, **dst;
	int		 body;

	memset(m, 0, sizeof *m);
	if (!mailto_is_url(url))
		return err_set(errp, ERR_INPUT, 0, "not a mailto URL: it "
		    "starts with mailto:");
	p = url + 7;
	q = p + strcspn(p, "?");
	if ((val = mailto_decode(p, (size_t)(q - p), "address", errp)) ==
	    NULL)
		goto fail;
	if (strpbrk(val, "\r\n") != NULL) {
		err_set(errp, ERR_INPUT, 0, "the mailto URL's address "
		    "contains a line break (%%0D or %%0A): refused, it could "
		    "add a header");
		goto fail;
	}
	/* Control characters (ESC, C1) as in every other field. */
	m->to = text_sanitize(val);
	free(val);
	val = NULL;
	for (p = *q == '?' ? q + 1 : q; *p != '\0'; p = *amp != '\0' ?
	    amp + 1 : amp) {
		amp = p + strcspn(p, "&");
		if (amp == p)
			continue;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		if ((name = mailto_decode(p, (size_t)(eq - p), "field name",
		    errp)) == NULL)
			goto fail;
		if (strpbrk(name, "\r\n") != NULL) {
			err_set(errp, ERR_INPUT, 0, "a field name of the mailto "
			    "URL contains a line break (%%0D or %%0A): "
			    "refused");
			goto fail;
		}
		body = strcasecmp(name, "body") == 0;
		if ((val = mailto_decode(eq < amp ? eq + 1 : eq, eq < amp ?
		    (size_t)(amp - eq - 1) : 0, name, errp)) == NULL)
			goto fail;
		if (!body && strpbrk(val, "\r\n") != NULL) {
			char	*clean = text_sanitize(name);

			err_set(errp, ERR_INPUT, 0, "the mailto URL's %s "
			    "contains a line break (%%0D or %%0A): refused, it "
			    "could add a header", clean);
			free(clean);
			goto fail;
		}
		if (!body) {
			/* Other control characters (ESC, TAB) go here. */
			char	*clean = text_sanitize(val);

			free(val);
			val = clean;
		}
		dst = NULL;
		if (strcasecmp(name, "to") == 0)
			dst = &m->to;
		else if (strcasecmp(name, "cc") == 0)
			dst = &m->cc;
		else if (strcasecmp(name, "bcc") == 0)
			dst = &m->bcc;
		else if (strcasecmp(name, "subject") == 0)
			dst = &m->subject;
		else if (body)
			dst = &m->body;
		else if (strcasecmp(name, "in-reply-to") == 0)
			dst = &m->in_reply_to;
		if (dst == NULL) {
			char	*clean = text_sanitize(name);

			mailto_join(&m->ignored, clean, ", ");
			free(clean);
		} else if (body) {
			struct buf	b = BUF_INIT;

			mailto_lf(&b, val, strlen(val));
			buf_add(&b, "", 0);
			mailto_join(dst, b.s, "\n");
			buf_free(&b);
		} else
			mailto_join(dst, val, dst == &m->subject ||
			    dst == &m->in_reply_to ? " " : ", ");
		free(name);
		free(val);
		name = val = NULL;
	}
	if (mailto_check_addrs(m->to, "To", errp) == -1 ||
	    (m->cc != NULL && mailto_check_addrs(m->cc, "Cc", errp) == -1) ||
	    (m->bcc != NULL && mailto_check_addrs(m->bcc, "Bcc", errp) == -1))
		goto fail;
	if (*m->to == '\0') {
		free(m->to);
		m->to = NULL;
	}
	return 0;
fail:
	free(name);
	free(val);
	mailto_clear(m);
	return -1;
}

/* Append text with every CRLF and CR made LF. */
static void
mailto_lf(struct buf *b, const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\r') {
			buf_addc(b, '\n');
			if (i + 1 < n && s[i + 1] == '\n')
				i++;
		} else
			buf_addc(b, s[i]);
	}
}

/* RFC 2047 words decoded to UTF-8 (new string; the raw text if none). */
static char *
mailto_decode_2047(const char *raw)
{
	size_t	 idx = 0;
	char	*dec = NULL;

	char	*out;

	/*
	 * What the encoded words decode to is new text from the file: a
	 * line break or a control in it (=0A, "=?UTF-8?Q?a=0Ab?=") is made
	 * a space or '?' here, so that no header can be added through it.
	 */
	if (strstr(raw, "=?") != NULL && mailmime_encoded_phrase_parse("utf-8",
	    raw, strlen(raw), &idx, "utf-8", &dec) == MAILIMF_NO_ERROR &&
	    dec != NULL) {
		out = text_sanitize_line(dec, strlen(dec));
		free(dec);
		return out;
	}
	free(dec);
	return xstrdup(raw);
}

/* Is a field one that tern writes itself (dropped from a draft)? */
static int
mailto_dropped(const char *name)
{
	static const char *const mine[] = {
		"Date", "Message-ID", "MIME-Version", "Sender",
		"Return-Path", "Received", "Delivered-To", "Resent-From",
		"Resent-To", "Resent-Cc", "Resent-Bcc", "Resent-Date",
		"Resent-Message-ID", "Resent-Sender", "Bcc-Delivered",
	};
	size_t	i;

	if (strncasecmp(name, "Content-", 8) == 0)
		return 1;
	for (i = 0; i < sizeof mine / sizeof mine[0]; i++)
		if (strcasecmp(name, mine[i]) == 0)
			return 1;
	return 0;
}

/* Parse a header block, a blank line and a body. */
int
mailto_headers(const char *s, size_t len, const char *origin,
    struct mailto *m, struct err **errp)
{
	struct buf	 v = BUF_INIT;
	const char	*eol;
	char		*name = NULL, *val, **dst;
	size_t		 i = 0, end, nl, colon;
	int		 line = 0, fline = 0, done = 0;

	memset(m, 0, sizeof *m);
	while (!done) {
		/* One line: [i, end), the next at nl. */
		if (i < len) {
			eol = memchr(s + i, '\n', len - i);
			end = eol != NULL ? (size_t)(eol - s) : len;
			nl = eol != NULL ? end + 1 : len;
			if (end > i && s[end - 1] == '\r')
				end--;
			line++;
		} else
			end = nl = i;
		if (i < len && end > i && (s[i] == ' ' || s[i] == '\t')) {
			if (name == NULL) {
				err_set(errp, ERR_INPUT, 0, "%s:%d: a "
				    "continuation line with no header field "
				    "above it", origin, line);
				goto fail;
			}
			buf_addc(&v, ' ');
			while (i < end && (s[i] == ' ' || s[i] == '\t'))
				i++;
			buf_add(&v, s + i, end - i);
			i = nl;
			continue;
		}
		/* The field gathered so far is complete. */
		if (name != NULL) {
			char	*clean;

			buf_add(&v, "", 0);
			val = text_trim(v.s);
			if (!text_is_utf8(val, strlen(val)) ||
			    strpbrk(val, "\r") != NULL) {
				err_set(errp, ERR_INPUT, 0, "%s:%d: the %s "
				    "field is not valid UTF-8 text", origin,
				    fline, name);
				goto fail;
			}
			/* Control characters (ESC, TAB) sanitized here. */
			clean = text_sanitize(val);
			buf_reset(&v);
			buf_adds(&v, clean);
			buf_add(&v, "", 0);
			free(clean);
			val = v.s;
			dst = NULL;
			if (strcasecmp(name, "To") == 0)
				dst = &m->to;
			else if (strcasecmp(name, "Cc") == 0)
				dst = &m->cc;
			else if (strcasecmp(name, "Bcc") == 0)
				dst = &m->bcc;
			else if (strcasecmp(name, "Reply-To") == 0)
				dst = &m->reply_to;
			if (dst != NULL) {
				struct err	*e = NULL;

				if (mailto_check_addrs(val, name, &e) == -1) {
					err_set(errp, ERR_INPUT, 0, "%s:%d: %s",
					    origin, fline, e->msg);
					err_free(e);
					goto fail;
				}
				mailto_join(dst, val, ", ");
			} else if (strcasecmp(name, "From") == 0) {
				struct addr	 a;
				struct err	*e = NULL;

				if (addr_parse(val, &a, &e) == -1) {
					err_set(errp, ERR_INPUT, 0, "%s:%d: From: "
					    "%s", origin, fline, e->msg);
					err_free(e);
					goto fail;
				}
				addr_clear(&a);
				free(m->from);
				m->from = xstrdup(val);
			} else if (strcasecmp(name, "Subject") == 0) {
				free(m->subject);
				m->subject = mailto_decode_2047(val);
			} else if (strcasecmp(name, "In-Reply-To") == 0) {
				free(m->in_reply_to);
				m->in_reply_to = xstrdup(val);
			} else if (!mailto_dropped(name)) {
				char	*t = xasprintf("%s: %s\n", name, val);

				mailto_join(&m->extra, t, "");
				free(t);
			}
			free(name);
			name = NULL;
			buf_reset(&v);
		}
		if (i >= len || end == i) {
			/* A blank line or the end: the body follows. */
			struct buf	b = BUF_INIT;

			mailto_lf(&b, s + nl, len - nl);
			buf_add(&b, "", 0);
			m->body = buf_steal(&b);
			done = 1;
			continue;
		}
		for (colon = i; colon < end && s[colon] != ':'; colon++)
			if ((unsigned char)s[colon] <= 32 ||
			    (unsigned char)s[colon] >= 127)
				break;
		if (colon == end || colon == i || s[colon] != ':') {
			char	*t = text_sanitize_line(s + i, end - i);

			err_set(errp, ERR_INPUT, 0, "%s:%d: not a header field "
			    "(Name: value; a blank line ends them): \"%s\"",
			    origin, line, t);
			free(t);
			goto fail;
		}
		name = xstrndup(s + i, colon - i);
		fline = line;
		buf_add(&v, s + colon + 1, end - colon - 1);
		i = nl;
	}
	buf_free(&v);
	return 0;
fail:
	free(name);
	buf_free(&v);
	mailto_clear(m);
	return -1;
}

/* Read a draft file. */
int
mailto_file(const char *path, struct mailto *m, struct err **errp)
{
	struct buf	 b = BUF_INIT;
	char		 chunk[65536];
	FILE		*f;
	size_t		 r;
	int		 rv;

	memset(m, 0, sizeof *m);
	if ((f = fopen(path, "r")) == NULL)
		return err_set(errp, ERR_INPUT, 0, "%s: %s", path,
		    strerror(errno));
	while ((r = fread(chunk, 1, sizeof chunk, f)) > 0 &&
	    b.len <= MAILTO_FILE_MAX)
		buf_add(&b, chunk, r);
	if (ferror(f) || b.len > MAILTO_FILE_MAX) {
		rv = err_set(errp, ERR_INPUT, 0, "%s: %s", path, ferror(f) ?
		    strerror(errno) : "too big for a draft");
		fclose(f);
		buf_free(&b);
		return rv;
	}
	fclose(f);
	if (memchr(b.s, '\0', b.len) != NULL) {
		buf_free(&b);
		return err_set(errp, ERR_INPUT, 0, "%s: contains a NUL byte: "
		    "not a message", path);
	}
	rv = mailto_headers(b.len > 0 ? b.s : "", b.len, path, m, errp);
	buf_free(&b);
	return rv;
}

/* The editor's text: headers, a blank line, the body. */
char *
mailto_format(const struct mailto *m, const char *from)
{
	struct buf	b = BUF_INIT;

#define V(x)	((x) != NULL ? (x) : "")
	if (from != NULL)
		buf_addf(&b, "From: %s\n", from);
	buf_addf(&b, "To: %s\n", V(m->to));
	buf_addf(&b, "Cc: %s\n", V(m->cc));
	buf_addf(&b, "Bcc: %s\n", V(m->bcc));
	buf_addf(&b, "Subject: %s\n", V(m->subject));
	buf_addf(&b, "Reply-To: %s\n", V(m->reply_to));
	if (m->in_reply_to != NULL && *m->in_reply_to != '\0')
		buf_addf(&b, "In-Reply-To: %s\n", m->in_reply_to);
	buf_adds(&b, V(m->extra));
	buf_adds(&b, "\n");
	buf_adds(&b, V(m->body));
#undef V
	buf_add(&b, "", 0);
	return buf_steal(&b);
}

/* Free the strings. */
void
mailto_clear(struct mailto *m)
{
	if (m == NULL)
		return;
	free(m->to);
	free(m->cc);
	free(m->bcc);
	free(m->subject);
	free(m->body);
	free(m->in_reply_to);
	free(m->reply_to);
	free(m->from);
	free(m->extra);
	free(m->ignored);
	memset(m, 0, sizeof *m);
}
