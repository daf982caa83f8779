/* Preparing a message for sendmail -t and for the wire. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "buf.h"
#include "err.h"
#include "msg.h"
#include "msg-int.h"
#include "text.h"
#include "xmalloc.h"

static int	 msg_field_is_resent(const char *, const struct msg_field *);
static int	 msg_add_field(struct buf *, const char *,
		    const struct msg_field *, struct err **);
static int	 msg_add_long_body(struct buf *, const char *, size_t,
		    const struct msg_head *, struct err **);
static int	 msg_prep_put(void *, const char *, size_t);

/* Convert an 8bit single-part body to quoted-printable. */
char *
msg_to_7bit(const char *s, size_t len, size_t *outlen)
{
	struct msg_head	 h;
	struct buf	 b = BUF_INIT;
	char		*v, *out = NULL;
	size_t		 i;
	int		 mime = 0, ctype = 0, skip;

	if (msg_head_parse(s, len, &h) != 0)
		return NULL;
	if (!text_has_8bit(s + h.body, len - h.body))
		goto fail;
	for (i = 0; i < h.n; i++) {
		if (msg_field_is(s, &h.v[i], "MIME-Version"))
			mime = 1;
		if (msg_field_is(s, &h.v[i], "Content-Type")) {
			ctype = 1;
			v = msg_field_value(s, &h.v[i]);
			skip = strncasecmp(v, "multipart/", 10) == 0 ||
			    strncasecmp(v, "message/", 8) == 0;
			free(v);
			if (skip)
				goto fail;
		}
		if (msg_field_is(s, &h.v[i], "Content-Transfer-Encoding")) {
			v = msg_field_value(s, &h.v[i]);
			skip = strcasecmp(v, "quoted-printable") == 0 ||
			    strcasecmp(v, "base64") == 0;
			free(v);
			if (skip)
				goto fail;
		}
	}
	for (i = 0; i < h.n; i++) {
		if (msg_field_is(s, &h.v[i], "Content-Transfer-Encoding"))
			continue;
		msg_crlf(&b, s + h.v[i].off, h.v[i].len);
		buf_add(&b, "\r\n", 2);
	}
	if (!mime)
		buf_adds(&b, "MIME-Version: 1.0\r\n");
	if (!ctype)
		buf_adds(&b, "Content-Type: text/plain; charset=utf-8\r\n");
	buf_adds(&b, "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	msg_qp(&b, s + h.body, len - h.body);
	if (outlen != NULL)
		*outlen = b.len;
	out = buf_steal(&b);
fail:
	buf_free(&b);
	free(h.v);
	return out;
}

/* Prepare text for DATA. */
char *
msg_wire(const char *s, size_t len, size_t *outlen, struct err **errp)
{
	struct buf	b = BUF_INIT;
	int		line;

	if ((line = msg_nul_line(s, len)) != 0) {
		err_set(errp, ERR_INPUT, 0, "line %d of the message contains a "
		    "NUL byte; mail cannot carry it", line);
		return NULL;
	}
	buf_add(&b, "", 0);
	msg_crlf(&b, s, len);
	if (b.len >= 2 && b.s[b.len - 2] == '\r' && b.s[b.len - 1] == '\n') {
		b.len -= 2;
		b.s[b.len] = '\0';
	}
	if (outlen != NULL)
		*outlen = b.len;
	return buf_steal(&b);
}

/* Read a whole message for sendmail -t. */
char *
msg_prepare(const char *s, size_t len, const char *deffrom,
    struct addr_list *rcpts, size_t *outlen, struct err **errp)
{
	struct msg_prep	p;
	char		*out;

	memset(&p, 0, sizeof p);
	p.from = deffrom;
	p.rcpts = rcpts;
	out = msg_prepare_with(s, len, &p, outlen, errp);
	free(p.sender);
	return out;
}

/* Is the field one of the Resent- block (RFC 5322 3.6.6)? */
static int
msg_field_is_resent(const char *s, const struct msg_field *f)
{
	return f->namelen > 7 && strncasecmp(s + f->off, "Resent-", 7) == 0;
}

/*
 * Append a header field with its lines no longer than MSG_LINE_MAX
 * octets: a field that fits is copied (line ends made CRLF); a longer
 * one is unfolded and folded again at white space (RFC 5322 2.2.3),
 * aiming at 78 columns.  -1 with *errp when a run without white space is
 * too long to fold.
 */
static int
msg_add_field(struct buf *b, const char *s, const struct msg_field *f,
    struct err **errp)
{
	struct buf	 u = BUF_INIT;
	const char	*p, *end;
	size_t		 i, col, word, wend, next;

	end = s + f->off + f->len;
	for (i = f->off, col = 0; i < f->off + f->len; i++) {
		if (s[i] == '\r' || s[i] == '\n')
			col = 0;
		else if (++col > MSG_LINE_MAX)
			break;
	}
	if (i == f->off + f->len) {
		msg_crlf(b, s + f->off, f->len);
		buf_add(b, "\r\n", 2);
		return 0;
	}
	/* Unfold: drop the line ends (the white space after them stays). */
	buf_add(&u, "", 0);
	for (p = s + f->off; p < end; p++)
		if (*p != '\r' && *p != '\n')
			buf_addc(&u, *p);
	/* The name and colon, then words, each with the blanks before it. */
	col = f->namelen + 1;
	buf_add(b, u.s, col);
	for (i = col; i < u.len; i = wend) {
		for (word = i; word < u.len && (u.s[word] == ' ' ||
		    u.s[word] == '\t'); word++)
			;
		for (wend = word; wend < u.len && u.s[wend] != ' ' &&
		    u.s[wend] != '\t'; wend++)
			;
		if (wend - word + 1 > MSG_LINE_MAX) {
			buf_free(&u);
			return err_set(errp, ERR_INPUT, 0, "the %.*s header "
			    "(line %d) has %zu octets without a space; a mail "
			    "line can hold at most %d, and tern can only fold "
			    "a header at a space", (int)f->namelen, s + f->off,
			    f->line, wend - word, MSG_LINE_MAX);
		}
		next = col + (wend - i);
		if (col > 1 && word > i && next > 78) {
			/* Fold: the line break goes before the blank. */
			buf_add(b, "\r\n", 2);
			col = 0;
		}
		buf_add(b, u.s + i, wend - i);
		col += wend - i;
	}
	buf_add(b, "\r\n", 2);
	buf_free(&u);
	return 0;
}

/*
 * Append a body with lines over MSG_LINE_MAX octets, made to fit: a
 * single-part body is sent quoted-printable (its old
 * Content-Transfer-Encoding dropped, MIME-Version and Content-Type added
 * when missing); the header fields in h are written first, with
 * msg_add_field.  -1 with *errp when the body cannot be re-encoded.
 */
static int
msg_add_long_body(struct buf *b, const char *s, size_t len,
    const struct msg_head *h, struct err **errp)
{
	char	*v;
	size_t	 i;
	int	 mime = 0, ctype = 0, bad = 0;

	for (i = 0; i < h->n; i++) {
		if (msg_field_is(s, &h->v[i], "MIME-Version"))
			mime = 1;
		else if (msg_field_is(s, &h->v[i], "Content-Type")) {
			ctype = 1;
			v = msg_field_value(s, &h->v[i]);
			bad = strncasecmp(v, "multipart/", 10) == 0 ||
			    strncasecmp(v, "message/", 8) == 0;
			free(v);
		} else if (msg_field_is(s, &h->v[i],
		    "Content-Transfer-Encoding")) {
			v = msg_field_value(s, &h->v[i]);
			bad = strcasecmp(v, "quoted-printable") == 0 ||
			    strcasecmp(v, "base64") == 0;
			free(v);
		}
		if (bad)
			return err_set(errp, ERR_INPUT, 0, "the body has a "
			    "line longer than %d octets inside a %s message; "
			    "encode that part (quoted-printable or base64)",
			    MSG_LINE_MAX, msg_field_is(s, &h->v[i],
			    "Content-Type") ? "multipart" : "encoded");
	}
	for (i = 0; i < h->n; i++) {
		if (msg_field_is(s, &h->v[i], "Content-Transfer-Encoding"))
			continue;
		if (msg_add_field(b, s, &h->v[i], errp) != 0)
			return -1;
	}
	if (!mime)
		buf_adds(b, "MIME-Version: 1.0\r\n");
	if (!ctype)
		buf_addf(b, "Content-Type: text/plain; charset=%s\r\n",
		    text_has_8bit(s + h->body, len - h->body) ? "utf-8" :
		    "us-ascii");
	buf_adds(b, "Content-Transfer-Encoding: quoted-printable\r\n");
	return 0;
}

/* Read a whole message for sendmail (the text built in one buffer). */
char *
msg_prepare_with(const char *s, size_t len, struct msg_prep *o,
    size_t *outlen, struct err **errp)
{
	struct msg_built	 mb;
	struct buf		 b = BUF_INIT;

	if (msg_prepare_parts(s, len, o, &mb, errp) == -1)
		return NULL;
	buf_add(&b, "", 0);
	buf_reserve(&b, mb.len);
	(void)msg_built_write(&mb, msg_prep_put, &b);
	msg_built_clear(&mb);
	if (outlen != NULL)
		*outlen = b.len;
	return buf_steal(&b);
}

/* msg_built_write's put into a buffer. */
static int
msg_prep_put(void *arg, const char *p, size_t n)
{
	buf_add(arg, p, n);
	return 0;
}

/*
 * Read a whole message for sendmail as a header and the body after it
 * (borrowed from s, given CRLF as msg_built_write writes it).
 */
int
msg_prepare_parts(const char *s, size_t len, struct msg_prep *o,
    struct msg_built *mb, struct err **errp)
{
	struct msg_head	 h = { NULL, 0, 0 };
	struct msg_head	 kept = { NULL, 0, 0 };
	struct buf	 b = BUF_INIT;
	struct addr_list tmp = { NULL, 0 }, froml = { NULL, 0 };
	struct addr	 def = { NULL, NULL };
	struct err	*e = NULL;
	struct msg_scan	 sc;
	const char	*fdomain = NULL;
	char		*v, *mid = NULL, name[64];
	size_t		 i;
	int		 line, hasfrom = 0, hasdate = 0, hasmid = 0, resent = 0;
	int		 rcpt, longbody, rv = -1;

	memset(mb, 0, sizeof *mb);
	o->sender = NULL;
	if ((line = msg_nul_line(s, len)) != 0) {
		err_set(errp, ERR_INPUT, 0, "line %d of the message contains a "
		    "NUL byte; mail cannot carry it", line);
		goto fail;
	}
	if (msg_head_parse(s, len, &h) != 0) {
		err_set(errp, ERR_INPUT, 0, "line %zu of the message is not a "
		    "header field (Name: value); put a blank line between the "
		    "header and the body", h.n);
		h.n = 0;
		goto fail;
	}
	/* sendmail: when there are Resent- fields, only they name rcpts. */
	for (i = 0; i < h.n; i++)
		if (msg_field_is_resent(s, &h.v[i]))
			resent = 1;
	for (i = 0; i < h.n; i++) {
		snprintf(name, sizeof name, "%.*s", (int)h.v[i].namelen,
		    s + h.v[i].off);
		if (msg_field_is(s, &h.v[i], "From")) {
			hasfrom = 1;
			v = msg_field_value(s, &h.v[i]);
			addr_list_clear(&froml);
			if (addr_parse_list_in(v, o->maildomain, &froml,
			    &e) != 0) {
				err_set(errp, ERR_INPUT, 0, "the From header "
				    "(line %d): %s", h.v[i].line, e->msg);
				free(v);
				goto fail;
			}
			free(v);
			continue;
		}
		if (msg_field_is(s, &h.v[i], "Date"))
			hasdate = 1;
		else if (msg_field_is(s, &h.v[i], "Message-ID"))
			hasmid = 1;
		if (resent)
			rcpt = msg_field_is(s, &h.v[i], "Resent-To") ||
			    msg_field_is(s, &h.v[i], "Resent-Cc") ||
			    msg_field_is(s, &h.v[i], "Resent-Bcc");
		else
			rcpt = msg_field_is(s, &h.v[i], "To") ||
			    msg_field_is(s, &h.v[i], "Cc") ||
			    msg_field_is(s, &h.v[i], "Bcc");
		if (!rcpt || o->rcpts == NULL)
			continue;
		v = msg_field_value(s, &h.v[i]);
		if (addr_parse_list_in(v, o->maildomain, &tmp, &e) != 0) {
			err_set(errp, ERR_INPUT, 0, "the %s header (line %d): "
			    "%s", name, h.v[i].line, e->msg);
			free(v);
			goto fail;
		}
		free(v);
	}
	if (!hasfrom) {
		if (o->from == NULL || *o->from == '\0') {
			err_set(errp, ERR_INPUT, 0, "the message has no From "
			    "header and no sender is set (use -f or from = in "
			    "the config)");
			goto fail;
		}
		if (addr_parse_in(o->from, o->maildomain, &def, errp) != 0)
			goto fail;
		if (o->fullname != NULL) {
			if (msg_check_header("full name (-F)", o->fullname,
			    errp) != 0)
				goto fail;
			free(def.name);
			def.name = *o->fullname != '\0' ?
			    xstrdup(o->fullname) : NULL;
		}
		fdomain = addr_domain(def.mailbox);
		o->sender = xstrdup(def.mailbox);
	} else if (froml.n > 0) {
		fdomain = addr_domain(froml.v[0].mailbox);
		o->sender = xstrdup(froml.v[0].mailbox);
	} else if (o->from != NULL && addr_parse(o->from, &def, NULL) == 0)
		fdomain = addr_domain(def.mailbox);
	if (!hasmid)
		mid = msg_new_id(fdomain);

	/* Bcc and Resent-Bcc are never sent. */
	kept.body = h.body;
	kept.v = xreallocarray(NULL, h.n + 1, sizeof *kept.v);
	for (i = 0; i < h.n; i++)
		if (!msg_field_is(s, &h.v[i], "Bcc") &&
		    !msg_field_is(s, &h.v[i], "Resent-Bcc"))
			kept.v[kept.n++] = h.v[i];
	buf_add(&b, "", 0);
	/* One pass over the body: its longest line and its CRLF length. */
	msg_scan(s + h.body, len - h.body, &sc);
	longbody = sc.longest > MSG_LINE_MAX;
	if (longbody) {
		buf_reserve(&b, len + len / 8 + 512);
		if (msg_add_long_body(&b, s, len, &kept, errp) != 0)
			goto fail;
	} else {
		for (i = 0; i < kept.n; i++)
			if (msg_add_field(&b, s, &kept.v[i], errp) != 0)
				goto fail;
	}
	if (msg_write_fields(&b, hasfrom ? NULL : &def, NULL, NULL, !hasdate,
	    mid, NULL, errp) != 0)
		goto fail;
	buf_add(&b, "\r\n", 2);
	if (longbody)
		msg_qp(&b, s + h.body, len - h.body);
	else {
		/* The body follows as it is; no line end added after it. */
		mb->body = s + h.body;
		mb->bodylen = len - h.body;
		mb->len = sc.crlf_len;
	}

	for (i = 0; i < tmp.n && o->rcpts != NULL; i++)
		addr_list_add(o->rcpts, tmp.v[i].name, tmp.v[i].mailbox);
	mb->headlen = b.len;
	mb->len += b.len;
	mb->head = buf_steal(&b);
	rv = 0;
fail:
	if (rv == -1) {
		free(o->sender);
		o->sender = NULL;
	}
	buf_free(&b);
	free(h.v);
	free(kept.v);
	free(mid);
	addr_clear(&def);
	addr_list_clear(&tmp);
	addr_list_clear(&froml);
	err_free(e);
	return rv;
}

/* Can the text go to DATA as it is?  Then *wirelen is its DATA length. */
int
msg_wire_ready(const char *s, size_t len, size_t *wirelen)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0;
	int			 cr = 0;

	if (memchr(s, '\0', len) != NULL)
		return 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{
		uint64_t	w, crs, lfs, carry = 0;

		/*
		 * Eight bytes at a time: every LF right after a CR, every CR
		 * right before an LF (a CR's bit moved one byte up is an
		 * LF's; the last byte's CR carries into the next word).
		 */
		for (; i + 8 <= len; i += 8) {
			memcpy(&w, p + i, 8);
			crs = msg_bytes_eq(w, '\r');
			lfs = msg_bytes_eq(w, '\n');
			if (lfs != ((crs << 8) | carry))
				return 0;
			carry = crs >> 56;
		}
		cr = carry != 0;
	}
#endif
	for (; i < len; i++) {
		if ((p[i] == '\n') != cr)
			return 0;
		cr = p[i] == '\r';
	}
	if (cr)
		return 0;
	*wirelen = len;
	if (len >= 2 && s[len - 2] == '\r' && s[len - 1] == '\n')
		*wirelen = len - 2;
	return 1;
}

/* The first LF followed by a dot in the n bytes at s, or NULL. */
const char *
msg_next_dot(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{
		uint64_t	w, hits, carry = 0;

		/* Eight bytes at a time: a dot whose byte before is an LF. */
		for (; i + 8 <= n; i += 8) {
			memcpy(&w, p + i, 8);
			hits = ((msg_bytes_eq(w, '\n') << 8) | carry) &
			    msg_bytes_eq(w, '.');
			if (hits != 0)
				return s + i + (size_t)__builtin_ctzll(hits) /
				    8 - 1;
			carry = msg_bytes_eq(w, '\n') >> 56;
		}
		if (carry && i < n && p[i] == '.')
			return s + i - 1;
	}
#endif
	for (; i + 1 < n; i++)
		if (p[i] == '\n' && p[i + 1] == '.')
			return s + i;
	return NULL;
}
