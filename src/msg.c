/* Building messages: headers, RFC 2047 encoded words, the body. */
#include "config.h"

#include <sys/random.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "addr.h"
#include "attach.h"
#include "buf.h"
#include "err.h"
#include "msg.h"
#include "msg-int.h"
#include "text.h"
#include "xmalloc.h"

/* RFC 2047: an encoded word is at most 75 characters; we stay shorter. */
#define MSG_EW_MAX	75
#define MSG_EW_TARGET	60
/* An unencoded word longer than this would not fold under 78 columns. */
#define MSG_WORD_MAX	60
_Static_assert(MSG_EW_TARGET <= MSG_EW_MAX, "encoded words too long");
/* RFC 2045: a quoted-printable line is at most 76 characters. */
#define MSG_QP_MAX	76

static size_t	 msg_char_len(unsigned char);
static int	 msg_needs_encoding(const char *, size_t);
static int	 msg_q_safe(unsigned char);
static void	 msg_qp_line(struct buf *, const unsigned char *, size_t);
static char	*msg_encode_name(const char *);
static int	 msg_add_list(struct mailimf_address_list **,
		    const struct addr_list *, const char *, struct err **);
static struct mailimf_date_time *msg_date_now(void);
static int	 msg_write_parts(struct buf *, const char *, size_t,
		    const char *, const struct attach_list *, struct err **);
static int	 msg_write_more(struct buf *, const struct msg_draft *,
		    struct err **);
static int	 msg_put_buf(void *, const char *, size_t);

/* Length of the line end at i (0 if none); *next gets the next line. */
size_t
msg_eol(const char *s, size_t len, size_t i, size_t *next)
{
	if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') {
		*next = i + 2;
		return 2;
	}
	if (s[i] == '\r' || s[i] == '\n') {
		*next = i + 1;
		return 1;
	}
	*next = i;
	return 0;
}

/* Append text with every CR, LF and CRLF made CRLF. */
void
msg_crlf(struct buf *b, const char *s, size_t len)
{
	msg_eols(b, s, len, "\r\n");
}

/* Start walking the lines of s. */
void
msg_lines_init(struct msg_lines *w, const char *s, size_t len)
{
	w->p = s;
	w->end = s + len;
	w->cr = w->lf = NULL;
}

/* The next line of the walk: 1, or 0 after the last. */
int
msg_lines_next(struct msg_lines *w, const char **line, size_t *n,
    size_t *eol)
{
	const char	*e;

	if (w->p >= w->end)
		return 0;
	/* Each search runs once to the next CR or LF, not once per line. */
	if (w->lf == NULL || w->lf < w->p)
		if ((w->lf = memchr(w->p, '\n', (size_t)(w->end - w->p))) ==
		    NULL)
			w->lf = w->end;
	if (w->cr == NULL || w->cr < w->p)
		if ((w->cr = memchr(w->p, '\r', (size_t)(w->end - w->p))) ==
		    NULL)
			w->cr = w->end;
	e = w->cr < w->lf ? w->cr : w->lf;
	*line = w->p;
	*n = (size_t)(e - w->p);
	if (e == w->end)
		*eol = 0;
	else if (*e == '\r' && e + 1 < w->end && e[1] == '\n')
		*eol = 2;
	else
		*eol = 1;
	w->p = e + *eol;
	return 1;
}

/* Append text with every CR, LF and CRLF made eol. */
void
msg_eols(struct buf *b, const char *s, size_t len, const char *eol)
{
	struct msg_lines	 w;
	const char		*line;
	size_t			 n, el, eollen = strlen(eol);

	msg_lines_init(&w, s, len);
	while (msg_lines_next(&w, &line, &n, &el)) {
		buf_add(b, line, n);
		if (el > 0)
			buf_add(b, eol, eollen);
	}
}

/* One pass over a body: NUL, UTF-8, 8-bit, the longest line, CRLF size. */
void
msg_scan(const char *s, size_t len, struct msg_scan *sc)
{
	struct msg_lines	 w;
	const char		*line, *nul;
	size_t			 n, el;
	int			 lineno = 0;

	memset(sc, 0, sizeof *sc);
	sc->utf8 = 1;
	sc->ends_eol = 1;
	nul = memchr(s, '\0', len);
	msg_lines_init(&w, s, len);
	while (msg_lines_next(&w, &line, &n, &el)) {
		lineno++;
		if (nul != NULL && sc->nul_line == 0 && nul < line + n + el)
			sc->nul_line = lineno;
		if (n > sc->longest)
			sc->longest = n;
		if (text_has_8bit(line, n)) {
			sc->eightbit = 1;
			if (sc->utf8 && !text_is_utf8(line, n))
				sc->utf8 = 0;
		}
		sc->crlf_len += n + (el > 0 ? 2 : 0);
		sc->ends_eol = el > 0;
	}
}

/* Length of a UTF-8 sequence from its (valid) lead byte. */
static size_t
msg_char_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return 4;
}

/* Must this header text be written as RFC 2047 encoded words? */
static int
msg_needs_encoding(const char *s, size_t maxword)
{
	const unsigned char	*p;
	size_t			 word = 0;

	if (strstr(s, "=?") != NULL)
		return 1;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p >= 0x80 || *p == 0x7f || (*p < 0x20 && *p != '\t'))
			return 1;
		word = (*p == ' ' || *p == '\t') ? 0 : word + 1;
		if (word > maxword)
			return 1;
	}
	return 0;
}

/* May c stand for itself in a Q-encoded word in a phrase (RFC 2047 5.3)? */
static int
msg_q_safe(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '!' || c == '*' || c == '+' ||
	    c == '-' || c == '/';
}

/* Encode UTF-8 text as RFC 2047 encoded words separated by spaces. */
char *
msg_rfc2047(const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	static const char	 b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char	*p = (const unsigned char *)s;
	struct buf		 b = BUF_INIT;
	size_t			 qlen, blen, n, i, j, clen, used, maxpay;
	size_t			 bmax;
	unsigned int		 v;
	int			 useq;

	/* Q for mostly ASCII text, B when it would be shorter. */
	n = strlen(s);
	for (qlen = i = 0; i < n; i++)
		qlen += msg_q_safe(p[i]) || p[i] == ' ' ? 1 : 3;
	blen = (n + 2) / 3 * 4;
	useq = qlen <= blen;
	maxpay = MSG_EW_TARGET - 12;	/* "=?UTF-8?Q?" and "?=" */
	bmax = maxpay / 4 * 3;

	buf_add(&b, "", 0);
	for (i = 0; i < n; ) {
		if (b.len > 0)
			buf_addc(&b, ' ');
		buf_adds(&b, useq ? "=?UTF-8?Q?" : "=?UTF-8?B?");
		used = 0;
		for (j = i; j < n; j += clen) {
			clen = msg_char_len(p[j]);
			if (j + clen > n)
				clen = n - j;
			if (useq) {
				if (clen == 1 && (msg_q_safe(p[j]) ||
				    p[j] == ' '))
					v = 1;
				else
					v = 3 * (unsigned int)clen;
				if (used + v > maxpay && j > i)
					break;
				used += v;
			} else {
				if (used + clen > bmax && j > i)
					break;
				used += clen;
			}
		}
		if (useq) {
			for (; i < j; i++) {
				if (p[i] == ' ')
					buf_addc(&b, '_');
				else if (msg_q_safe(p[i]))
					buf_addc(&b, (char)p[i]);
				else {
					buf_addc(&b, '=');
					buf_addc(&b, hex[p[i] >> 4]);
					buf_addc(&b, hex[p[i] & 0xf]);
				}
			}
		} else {
			for (; i < j; i += 3) {
				v = (unsigned int)p[i] << 16;
				if (i + 1 < j)
					v |= (unsigned int)p[i + 1] << 8;
				if (i + 2 < j)
					v |= p[i + 2];
				buf_addc(&b, b64[(v >> 18) & 0x3f]);
				buf_addc(&b, b64[(v >> 12) & 0x3f]);
				buf_addc(&b, i + 1 < j ? b64[(v >> 6) & 0x3f] :
				    '=');
				buf_addc(&b, i + 2 < j ? b64[v & 0x3f] : '=');
			}
			i = j;
		}
		buf_adds(&b, "?=");
	}
	return buf_steal(&b);
}

/* Refuse a header value with a line break or invalid UTF-8. */
int
msg_check_header(const char *what, const char *value, struct err **errp)
{
	if (strpbrk(value, "\r\n") != NULL)
		return err_set(errp, ERR_INPUT, 0, "the %s contains a line "
		    "break (CR or LF); headers cannot", what);
	if (!text_is_utf8(value, strlen(value)))
		return err_set(errp, ERR_INPUT, 0, "the %s is not valid UTF-8",
		    what);
	return 0;
}

/* A display name as libetpan should write it (new string or NULL). */
static char *
msg_encode_name(const char *name)
{
	if (name == NULL || *name == '\0')
		return NULL;
	if (msg_needs_encoding(name, MSG_WORD_MAX) ||
	    strlen(name) > MSG_WORD_MAX)
		return msg_rfc2047(name);
	return xstrdup(name);
}

/* Build a libetpan address list from ours. */
static int
msg_add_list(struct mailimf_address_list **out, const struct addr_list *l,
    const char *what, struct err **errp)
{
	struct mailimf_address_list	*al;
	char				*san, *name, *mbox, *label;
	size_t				 i;

	*out = NULL;
	if (l == NULL || l->n == 0)
		return 0;
	for (i = 0; i < l->n; i++) {
		if (l->v[i].name != NULL) {
			san = text_sanitize(l->v[i].mailbox);
			label = xasprintf("name of %s recipient %s", what, san);
			free(san);
			if (msg_check_header(label, l->v[i].name, errp) != 0) {
				free(label);
				return -1;
			}
			free(label);
		}
		if (addr_check(l->v[i].mailbox, errp) != 0)
			return -1;
	}
	if ((al = mailimf_address_list_new_empty()) == NULL)
		return err_set(errp, ERR_INTERNAL, 0, "out of memory in "
		    "libetpan");
	for (i = 0; i < l->n; i++) {
		name = msg_encode_name(l->v[i].name);
		mbox = xstrdup(l->v[i].mailbox);
		if (mailimf_address_list_add_mb(al, name, mbox) !=
		    MAILIMF_NO_ERROR) {
			mailimf_address_list_free(al);
			return err_set(errp, ERR_INTERNAL, 0, "cannot build "
			    "the %s header", what);
		}
	}
	*out = al;
	return 0;
}

/* The current local time with its zone, for a Date header. */
static struct mailimf_date_time *
msg_date_now(void)
{
	struct tm	tm;
	time_t		now;
	long		off;
	int		zone;

	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL)
		return NULL;
	off = tm.tm_gmtoff;
	zone = (int)((off < 0 ? -off : off) / 3600 * 100 +
	    (off < 0 ? -off : off) % 3600 / 60);
	if (off < 0)
		zone = -zone;
	return mailimf_date_time_new(tm.tm_mday, tm.tm_mon + 1,
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, zone);
}

/*
 * Write header fields with libetpan: Date (when date is set), From, To,
 * Cc, Message-ID and Subject, each when given.
 */
int
msg_write_fields(struct buf *b, const struct addr *from,
    const struct addr_list *to, const struct addr_list *cc, int date,
    const char *msgid, const char *subject, struct err **errp)
{
	struct mailimf_fields		*fields = NULL;
	struct mailimf_mailbox_list	*fl = NULL;
	struct mailimf_address_list	*tl = NULL, *cl = NULL;
	struct mailimf_date_time	*dt = NULL;
	MMAPString			*ms = NULL;
	char				*mid = NULL, *subj = NULL;
	int				 col = 0, rv = -1;

	if (msg_add_list(&tl, to, "To", errp) != 0 ||
	    msg_add_list(&cl, cc, "Cc", errp) != 0)
		goto fail;
	if (from != NULL) {
		if ((fl = mailimf_mailbox_list_new_empty()) == NULL ||
		    mailimf_mailbox_list_add_mb(fl, msg_encode_name(from->name),
		    xstrdup(from->mailbox)) != MAILIMF_NO_ERROR) {
			err_set(errp, ERR_INTERNAL, 0, "cannot build the From "
			    "header");
			goto fail;
		}
	}
	if (date && (dt = msg_date_now()) == NULL) {
		err_set(errp, ERR_INTERNAL, 0, "cannot read the local time");
		goto fail;
	}
	if (msgid != NULL)	/* libetpan adds the angle brackets */
		mid = xstrndup(msgid + 1, strlen(msgid) - 2);
	if (subject != NULL) {
		if (msg_needs_encoding(subject, MSG_WORD_MAX))
			subj = msg_rfc2047(subject);
		else
			subj = xstrdup(subject);
	}
	fields = mailimf_fields_new_with_data_all(dt, fl, NULL, NULL, tl, cl,
	    NULL, mid, NULL, NULL, subj);
	if (fields == NULL) {
		err_set(errp, ERR_INTERNAL, 0, "cannot build the header");
		goto fail;
	}
	dt = NULL;
	fl = NULL;
	tl = cl = NULL;
	mid = subj = NULL;
	if ((ms = mmap_string_new("")) == NULL ||
	    mailimf_fields_write_mem(ms, &col, fields) != MAILIMF_NO_ERROR) {
		err_set(errp, ERR_INTERNAL, 0, "cannot write the header");
		goto fail;
	}
	buf_add(b, ms->str, ms->len);
	rv = 0;
fail:
	if (ms != NULL)
		mmap_string_free(ms);
	if (fields != NULL)
		mailimf_fields_free(fields);
	if (dt != NULL)
		mailimf_date_time_free(dt);
	if (fl != NULL)
		mailimf_mailbox_list_free(fl);
	if (tl != NULL)
		mailimf_address_list_free(tl);
	if (cl != NULL)
		mailimf_address_list_free(cl);
	free(mid);
	free(subj);
	return rv;
}

/* A new Message-ID "<hex@domain>". */
char *
msg_new_id(const char *domain)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 r[16];
	char			 s[sizeof r * 2 + 1];
	struct timespec		 ts;
	size_t			 got = 0, i;
	ssize_t			 n;

	while (got < sizeof r) {
		n = getrandom(r + got, sizeof r - got, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof r) {
		/* No getrandom(2): time and pid still make it unique. */
		clock_gettime(CLOCK_REALTIME, &ts);
		for (i = got; i < sizeof r; i++)
			r[i] = (unsigned char)((uint64_t)ts.tv_nsec >>
			    (i % 4 * 8) ^ (uint64_t)ts.tv_sec >> (i % 8 * 4) ^
			    (uint64_t)getpid() >> (i % 3 * 8) ^ i * 131);
	}
	for (i = 0; i < sizeof r; i++) {
		s[2 * i] = hex[r[i] >> 4];
		s[2 * i + 1] = hex[r[i] & 0xf];
	}
	s[sizeof s - 1] = '\0';
	if (domain == NULL || *domain == '\0')
		domain = "localhost";
	return xasprintf("<%s@%s>", s, domain);
}

/* Is there any 8-bit byte? */
int
msg_is_8bit(const char *s, size_t len)
{
	return text_has_8bit(s, len);
}

/* Length of the longest line (any line end). */
size_t
msg_longest_line(const char *s, size_t len)
{
	struct msg_lines	 w;
	const char		*line;
	size_t			 n, el, max = 0;

	msg_lines_init(&w, s, len);
	while (msg_lines_next(&w, &line, &n, &el))
		if (n > max)
			max = n;
	return max;
}

/* Line number (from 1) of the first NUL byte, or 0. */
int
msg_nul_line(const char *s, size_t len)
{
	struct msg_scan	sc;

	if (memchr(s, '\0', len) == NULL)
		return 0;
	msg_scan(s, len, &sc);
	return sc.nul_line;
}

/* Quoted-printable encode one line (no line end) and end it with CRLF. */
static void
msg_qp_line(struct buf *b, const unsigned char *p, size_t n)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			i, col = 0, tl;
	int			lit;

	for (i = 0; i < n; i++) {
		lit = (p[i] >= 33 && p[i] <= 126 && p[i] != '=') ||
		    ((p[i] == ' ' || p[i] == '\t') && i + 1 < n);
		tl = lit ? 1 : 3;
		/* Room for a soft break '=' unless this is the last token. */
		if (col + tl > (i + 1 < n ? MSG_QP_MAX - 1 : MSG_QP_MAX)) {
			buf_add(b, "=\r\n", 3);
			col = 0;
		}
		if (lit)
			buf_addc(b, (char)p[i]);
		else {
			buf_addc(b, '=');
			buf_addc(b, hex[p[i] >> 4]);
			buf_addc(b, hex[p[i] & 0xf]);
		}
		col += tl;
	}
	buf_add(b, "\r\n", 2);
}

/* Quoted-printable encode a text (any line ends); every line ends CRLF. */
void
msg_qp(struct buf *b, const char *s, size_t len)
{
	struct msg_lines	 w;
	const char		*line;
	size_t			 n, el;

	msg_lines_init(&w, s, len);
	while (msg_lines_next(&w, &line, &n, &el))
		msg_qp_line(b, (const unsigned char *)line, n);
}

/* The text body in its transfer encoding, CRLF line ends. */
static void
msg_text_body(struct buf *b, const char *body, size_t len, const char *cte)
{
	/* One allocation for a big body: CR added to LF lines, 1/8 slack. */
	buf_reserve(b, b->len + len + len / 8 + 2);
	if (strcmp(cte, "quoted-printable") == 0)
		msg_qp(b, body, len);
	else {
		msg_crlf(b, body, len);
		if (len > 0 && body[len - 1] != '\n' && body[len - 1] != '\r')
			buf_add(b, "\r\n", 2);
	}
}

/* RFC 2231's ext-value of UTF-8 text: utf-8''%E2%98%83.txt; new string. */
static char *
msg_rfc2231(const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";
	struct buf		b = BUF_INIT;
	const unsigned char	*p;

	buf_adds(&b, "utf-8''");
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("!#$&+-.^_`|~", *p))
			buf_addc(&b, (char)*p);
		else {
			buf_addc(&b, '%');
			buf_addc(&b, hex[*p >> 4]);
			buf_addc(&b, hex[*p & 0xf]);
		}
	}
	return buf_steal(&b);
}

/* The name with every byte that is not printable ASCII or is '"' or '\'
 * made '_': the plain filename beside the RFC 2231 one; new string. */
static char *
msg_ascii_name(const char *s)
{
	char	*o = xstrdup(s), *p;

	for (p = o; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e ||
		    *p == '"' || *p == '\\')
			*p = '_';
	return o;
}

/* One file as a MIME part; NULL when out of memory. */
static struct mailmime *
msg_file_part(const struct attach *a)
{
	struct mailmime_content		*ct = NULL;
	struct mailmime_fields		*mf = NULL;
	struct mailmime_disposition	*dsp;
	struct mailmime_disposition_parm *dp;
	struct mailmime_parameter	*par;
	struct mailmime			*m = NULL;
	char				*ascii, *ext;
	int				 enc;

	/* Text in lines MIME allows goes as it is; anything else base64. */
	enc = strncmp(a->type, "text/", 5) == 0 &&
	    msg_nul_line(a->data, a->len) == 0 &&
	    msg_longest_line(a->data, a->len) <= MSG_LINE_MAX &&
	    !text_has_8bit(a->data, a->len) ? MAILMIME_MECHANISM_7BIT :
	    MAILMIME_MECHANISM_BASE64;
	ascii = msg_ascii_name(a->name);
	if ((mf = mailmime_fields_new_filename(
	    MAILMIME_DISPOSITION_TYPE_ATTACHMENT, ascii, enc)) == NULL) {
		free(ascii);
		return NULL;
	}
	if (strcmp(ascii, a->name) != 0) {
		/* The real name, RFC 2231: filename*=utf-8''... */
		dsp = NULL;
		for (clistiter *it = clist_begin(mf->fld_list); it != NULL;
		    it = clist_next(it)) {
			struct mailmime_field *f = clist_content(it);

			if (f->fld_type == MAILMIME_FIELD_DISPOSITION)
				dsp = f->fld_data.fld_disposition;
		}
		ext = msg_rfc2231(a->name);
		if (dsp == NULL || (par = mailmime_parameter_new(
		    xstrdup("filename*"), ext)) == NULL) {
			free(ext);
			goto fail;
		}
		if ((dp = mailmime_disposition_parm_new(
		    MAILMIME_DISPOSITION_PARM_PARAMETER, NULL, NULL, NULL,
		    NULL, 0, par)) == NULL) {
			mailmime_parameter_free(par);
			goto fail;
		}
		if (clist_insert_before(dsp->dsp_parms,
		    clist_begin(dsp->dsp_parms), dp) != 0) {
			mailmime_disposition_parm_free(dp);
			goto fail;
		}
	}
	if ((ct = mailmime_content_new_with_str(a->type)) == NULL)
		goto fail;
	if ((m = mailmime_new_empty(ct, mf)) == NULL)
		goto fail;
	if (mailmime_set_body_text(m, a->data, a->len) != MAILIMF_NO_ERROR) {
		mailmime_free(m);
		return NULL;
	}
	return m;
fail:
	if (ct != NULL)
		mailmime_content_free(ct);
	mailmime_fields_free(mf);
	return NULL;
}

/* In ms, filename*="EXT" of name becomes filename*=EXT. */
static void
msg_unquote_ext(MMAPString *ms, const char *name)
{
	char	*ext, *q, *at;
	size_t	 ql;

	ext = msg_rfc2231(name);
	q = xasprintf("filename*=\"%s\"", ext);
	ql = strlen(q);
	if ((at = strstr(ms->str, q)) != NULL) {
		memmove(at + 10, at + 11, strlen(ext));	/* the opening quote */
		memmove(at + 10 + strlen(ext), at + ql,
		    ms->len - (size_t)(at - ms->str) - ql + 1);
		ms->len -= 2;
	}
	free(q);
	free(ext);
}

/*
 * The body as multipart/mixed: the text, then each file, written by
 * libetpan (its boundary, its base64).  0, or -1 with *errp.
 */
static int
msg_write_parts(struct buf *b, const char *body, size_t len,
    const char *cte, const struct attach_list *al, struct err **errp)
{
	struct buf		 tb = BUF_INIT;
	struct mailmime		*multi, *part;
	struct mailmime_content	*ct;
	struct mailmime_fields	*mf;
	struct mailmime_data	*data;
	MMAPString		*ms = NULL;
	size_t			 i;
	int			 col = 0, rv = -1;

	if ((multi = mailmime_multiple_new("multipart/mixed")) == NULL)
		goto oom;
	msg_text_body(&tb, body, len, cte);
	if ((ct = mailmime_content_new_with_str("text/plain")) == NULL)
		goto oom;
	if (clist_append(ct->ct_parameters, mailmime_param_new_with_data(
	    "charset", "utf-8")) != 0) {
		mailmime_content_free(ct);
		goto oom;
	}
	mf = mailmime_fields_new_encoding(strcmp(cte, "quoted-printable") ==
	    0 ? MAILMIME_MECHANISM_QUOTED_PRINTABLE : strcmp(cte, "8bit") ==
	    0 ? MAILMIME_MECHANISM_8BIT : MAILMIME_MECHANISM_7BIT);
	if (mf == NULL || (part = mailmime_new_empty(ct, mf)) == NULL) {
		mailmime_content_free(ct);
		if (mf != NULL)
			mailmime_fields_free(mf);
		goto oom;
	}
	/* Already in its encoding: written as it is. */
	if ((data = mailmime_data_new(MAILMIME_DATA_TEXT,
	    MAILMIME_MECHANISM_8BIT, 1, tb.s, tb.len, NULL)) == NULL) {
		mailmime_free(part);
		goto oom;
	}
	part->mm_data.mm_single = data;
	if (mailmime_smart_add_part(multi, part) != MAILIMF_NO_ERROR) {
		mailmime_free(part);
		goto oom;
	}
	for (i = 0; i < al->n; i++) {
		if ((part = msg_file_part(&al->v[i])) == NULL)
			goto oom;
		if (mailmime_smart_add_part(multi, part) != MAILIMF_NO_ERROR) {
			mailmime_free(part);
			goto oom;
		}
	}
	/* The top part's Content-Type (its boundary), then its parts. */
	if ((ms = mmap_string_new("")) == NULL ||
	    mailmime_content_write_mem(ms, &col, multi->mm_content_type) !=
	    MAILIMF_NO_ERROR || mmap_string_append(ms, "\r\n\r\n") == NULL ||
	    mailmime_write_mem(ms, &col, multi) != MAILIMF_NO_ERROR)
		goto oom;
	/*
	 * libetpan quotes every parameter value; RFC 2231 says an extended
	 * value is never quoted (readers ignore a quoted one), so the
	 * quotes around each filename*= we wrote are taken off here.
	 */
	for (i = 0; i < al->n; i++)
		msg_unquote_ext(ms, al->v[i].name);
	buf_add(b, ms->str, ms->len);
	if (b->len < 2 || memcmp(b->s + b->len - 2, "\r\n", 2) != 0)
		buf_add(b, "\r\n", 2);
	rv = 0;
	goto out;
oom:
	err_set(errp, ERR_INTERNAL, 0, "out of memory building the "
	    "attachments");
out:
	if (ms != NULL)
		mmap_string_free(ms);
	if (multi != NULL)
		mailmime_free(multi);
	buf_free(&tb);
	return rv;
}

/*
 * Build a message from a draft as its header and the body after it: a
 * text body is borrowed and given CRLF line ends only as msg_built_write
 * writes it, so a big one is never held twice.  0, or -1 with *errp.
 */
int
msg_build_parts(const struct msg_draft *d, struct msg_built *mb,
    struct err **errp)
{
	struct buf	 b = BUF_INIT;
	struct addr	 from = { NULL, NULL };
	struct msg_scan	 sc;
	const char	*cte;
	char		*mid = NULL;
	int		 rv = -1;
	size_t		 bodylen = d->body != NULL ? d->bodylen : 0;

	memset(mb, 0, sizeof *mb);
	if (d->from == NULL || *d->from == '\0') {
		err_set(errp, ERR_INPUT, 0, "no From address is set (set "
		    "from = in the config)");
		goto fail;
	}
	if (msg_check_header("From address", d->from, errp) != 0 ||
	    addr_parse(d->from, &from, errp) != 0)
		goto fail;
	if (from.name != NULL &&
	    msg_check_header("From name", from.name, errp) != 0)
		goto fail;
	if (d->subject != NULL &&
	    msg_check_header("subject", d->subject, errp) != 0)
		goto fail;
	/* One pass over the body tells all that is checked of it. */
	msg_scan(d->body != NULL ? d->body : "", bodylen, &sc);
	if (sc.nul_line != 0) {
		err_set(errp, ERR_INPUT, 0, "line %d of the body contains a "
		    "NUL byte; a mail body cannot", sc.nul_line);
		goto fail;
	}
	if (!sc.utf8) {
		err_set(errp, ERR_INPUT, 0, "the body is not valid UTF-8");
		goto fail;
	}
	if (sc.longest > MSG_LINE_MAX)
		cte = "quoted-printable";
	else if (sc.eightbit)
		cte = "8bit";
	else
		cte = "7bit";

	mid = msg_new_id(addr_domain(from.mailbox));
	if (msg_write_fields(&b, &from, d->to, d->cc, 1, mid,
	    d->subject, errp) != 0 || msg_write_more(&b, d, errp) != 0)
		goto fail;
	if (d->attach != NULL && d->attach->n > 0) {
		buf_adds(&b, "MIME-Version: 1.0\r\n");
		if (msg_write_parts(&b, d->body, bodylen, cte, d->attach,
		    errp) != 0)
			goto fail;
	} else {
		buf_adds(&b, "MIME-Version: 1.0\r\n"
		    "Content-Type: text/plain; charset=utf-8\r\n");
		buf_addf(&b, "Content-Transfer-Encoding: %s\r\n\r\n", cte);
		if (strcmp(cte, "quoted-printable") == 0)
			msg_text_body(&b, d->body, bodylen, cte);
		else {
			/* The body follows as it is, CRLF made in pieces. */
			mb->body = d->body;
			mb->bodylen = bodylen;
			mb->body_eol = !sc.ends_eol;
			mb->len = sc.crlf_len + (mb->body_eol ? 2 : 0);
		}
	}
	mb->headlen = b.len;
	mb->len += b.len;
	mb->head = buf_steal(&b);
	rv = 0;
fail:
	buf_free(&b);
	addr_clear(&from);
	free(mid);
	return rv;
}

/* The size of the pieces msg_built_write hands on. */
#define MSG_PIECE	(256 * 1024)

/* Write a built message in pieces through put; 0, or put's -1. */
int
msg_built_write(const struct msg_built *mb,
    int (*put)(void *, const char *, size_t), void *arg)
{
	struct msg_lines	 w;
	struct buf		 b = BUF_INIT;
	const char		*line;
	size_t			 n, el, k;
	int			 rv = -1;

	if (mb->headlen > 0 && put(arg, mb->head, mb->headlen) == -1)
		return -1;
	if (mb->body == NULL)
		return 0;
	buf_reserve(&b, MSG_PIECE + 2);
	msg_lines_init(&w, mb->body, mb->bodylen);
	while (msg_lines_next(&w, &line, &n, &el)) {
		/* A line longer than a piece goes on in pieces. */
		while (n > 0) {
			k = MSG_PIECE - b.len < n ? MSG_PIECE - b.len : n;
			buf_add(&b, line, k);
			line += k;
			n -= k;
			if (b.len >= MSG_PIECE) {
				if (put(arg, b.s, b.len) == -1)
					goto out;
				b.len = 0;
			}
		}
		if (el > 0 || mb->body_eol)
			buf_add(&b, "\r\n", 2);
		if (b.len >= MSG_PIECE) {
			if (put(arg, b.s, b.len) == -1)
				goto out;
			b.len = 0;
		}
	}
	if (b.len > 0 && put(arg, b.s, b.len) == -1)
		goto out;
	rv = 0;
out:
	buf_free(&b);
	return rv;
}

/* Free what msg_build_parts made; NULL-safe. */
void
msg_built_clear(struct msg_built *mb)
{
	if (mb == NULL)
		return;
	free(mb->head);
	memset(mb, 0, sizeof *mb);
}

/* msg_built_write's put into a buffer. */
static int
msg_put_buf(void *arg, const char *p, size_t n)
{
	buf_add(arg, p, n);
	return 0;
}

/* Build a message from a draft. */
char *
msg_build(const struct msg_draft *d, size_t *len, struct err **errp)
{
	struct msg_built	 mb;
	struct buf		 b = BUF_INIT;

	if (msg_build_parts(d, &mb, errp) == -1)
		return NULL;
	buf_reserve(&b, mb.len);
	(void)msg_built_write(&mb, msg_put_buf, &b);
	msg_built_clear(&mb);
	if (len != NULL)
		*len = b.len;
	return buf_steal(&b);
}

/*
 * Reply-To, In-Reply-To and the extra fields of a draft (edit_headers,
 * mutt's -H), written with libetpan; 0 or -1 with *errp.
 */
static int
msg_write_more(struct buf *b, const struct msg_draft *d, struct err **errp)
{
	static const char *const mine[] = {
		"From", "To", "Cc", "Bcc", "Date", "Message-ID", "Subject",
		"MIME-Version", "Reply-To", "In-Reply-To", "Sender",
		"Return-Path", "Received",
	};
	struct addr_list		 rl = { NULL, 0 };
	struct mailimf_address_list	*al = NULL;
	struct mailimf_fields		*fields = NULL;
	struct mailimf_field		*f;
	struct mailimf_reply_to		*rt;
	MMAPString			*ms = NULL;
	const char			*p, *nl, *colon, *v;
	char				*name = NULL, *val = NULL, *enc;
	size_t				 i;
	int				 col = 0, rv = -1;

	if ((d->reply_to == NULL || *d->reply_to == '\0') &&
	    (d->in_reply_to == NULL || *d->in_reply_to == '\0') &&
	    (d->extra == NULL || *d->extra == '\0'))
		return 0;
	if ((fields = mailimf_fields_new_empty()) == NULL)
		goto oom;
	if (d->reply_to != NULL && strspn(d->reply_to, " \t,") !=
	    strlen(d->reply_to)) {
		if (msg_check_header("Reply-To", d->reply_to, errp) != 0 ||
		    addr_parse_list(d->reply_to, &rl, errp) != 0 ||
		    msg_add_list(&al, &rl, "Reply-To", errp) != 0)
			goto fail;
		if ((rt = mailimf_reply_to_new(al)) == NULL)
			goto oom;
		al = NULL;
		if ((f = mailimf_field_new(MAILIMF_FIELD_REPLY_TO, NULL, NULL,
		    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, rt,
		    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		    NULL)) == NULL) {
			mailimf_reply_to_free(rt);
			goto oom;
		}
		if (mailimf_fields_add(fields, f) != MAILIMF_NO_ERROR) {
			mailimf_field_free(f);
			goto oom;
		}
	}
	if (d->in_reply_to != NULL && *d->in_reply_to != '\0') {
		if (msg_check_header("In-Reply-To", d->in_reply_to, errp) != 0)
			goto fail;
		if ((f = mailimf_field_new_custom(xstrdup("In-Reply-To"),
		    xstrdup(d->in_reply_to))) == NULL ||
		    mailimf_fields_add(fields, f) != MAILIMF_NO_ERROR)
			goto oom;
	}
	for (p = d->extra; p != NULL && *p != '\0'; p = *nl != '\0' ? nl + 1 :
	    nl) {
		nl = p + strcspn(p, "\n");
		if (nl == p)
			continue;
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon == NULL || colon == p) {
			err_set(errp, ERR_INPUT, 0, "an extra header line is "
			    "not Name: value");
			goto fail;
		}
		name = xstrndup(p, (size_t)(colon - p));
		for (i = 0; name[i] != '\0'; i++)
			if ((unsigned char)name[i] <= 32 ||
			    (unsigned char)name[i] >= 127) {
				err_set(errp, ERR_INPUT, 0, "a header name may "
				    "hold only printable ASCII");
				goto fail;
			}
		for (i = 0; i < sizeof mine / sizeof mine[0]; i++)
			if (strcasecmp(name, mine[i]) == 0 ||
			    strncasecmp(name, "Content-", 8) == 0 ||
			    strncasecmp(name, "Resent-", 7) == 0) {
				err_set(errp, ERR_INPUT, 0, "the %s header is "
				    "written by tern, not as an extra header",
				    name);
				goto fail;
			}
		val = xstrndup(colon + 1, (size_t)(nl - colon - 1));
		if (msg_check_header(name, val, errp) != 0)
			goto fail;
		v = val + strspn(val, " \t");
		enc = msg_needs_encoding(v, MSG_WORD_MAX) ? msg_rfc2047(v) :
		    xstrdup(v);
		free(val);
		val = enc;
		if ((f = mailimf_field_new_custom(name, val)) == NULL ||
		    mailimf_fields_add(fields, f) != MAILIMF_NO_ERROR)
			goto oom;
		name = val = NULL;
	}
	if ((ms = mmap_string_new("")) == NULL ||
	    mailimf_fields_write_mem(ms, &col, fields) != MAILIMF_NO_ERROR)
		goto oom;
	buf_add(b, ms->str, ms->len);
	rv = 0;
	goto fail;
oom:
	err_set(errp, ERR_INTERNAL, 0, "cannot build the extra headers");
fail:
	free(name);
	free(val);
	if (ms != NULL)
		mmap_string_free(ms);
	if (al != NULL)
		mailimf_address_list_free(al);
	if (fields != NULL)
		mailimf_fields_free(fields);
	addr_list_clear(&rl);
	return rv;
}

/* Split the header block into fields; -1 (bad line number in h->n). */
int
msg_head_parse(const char *s, size_t len, struct msg_head *h)
{
	size_t	i, end, next, colon;
	int	line = 0;

	memset(h, 0, sizeof *h);
	for (i = 0; i < len; i = next) {
		line++;
		for (end = i; end < len && s[end] != '\r' && s[end] != '\n';
		    end++)
			;
		if (end == len)
			next = len;
		else
			msg_eol(s, len, end, &next);
		if (end == i) {
			h->body = next;
			return 0;
		}
		if (s[i] == ' ' || s[i] == '\t') {
			if (h->n == 0)
				goto bad;
			h->v[h->n - 1].len = end - h->v[h->n - 1].off;
			continue;
		}
		for (colon = i; colon < end && s[colon] != ':'; colon++)
			if ((unsigned char)s[colon] <= 32 ||
			    (unsigned char)s[colon] >= 127)
				goto bad;
		if (colon == end || colon == i)
			goto bad;
		h->v = xreallocarray(h->v, h->n + 1, sizeof *h->v);
		h->v[h->n].off = i;
		h->v[h->n].len = end - i;
		h->v[h->n].namelen = colon - i;
		h->v[h->n].line = line;
		h->n++;
	}
	h->body = len;
	return 0;
bad:
	free(h->v);
	h->v = NULL;
	h->n = (size_t)line;
	return -1;
}

/* Is the field called name (case-insensitive)? */
int
msg_field_is(const char *s, const struct msg_field *f, const char *name)
{
	return f->namelen == strlen(name) &&
	    strncasecmp(s + f->off, name, f->namelen) == 0;
}

/* The unfolded, trimmed value of a field (new string). */
char *
msg_field_value(const char *s, const struct msg_field *f)
{
	struct buf	 b = BUF_INIT;
	const char	*p, *end;

	p = s + f->off + f->namelen + 1;
	end = s + f->off + f->len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	buf_add(&b, "", 0);
	for (; p < end; p++)
		if (*p != '\r' && *p != '\n')
			buf_addc(&b, *p);
	while (b.len > 0 && (b.s[b.len - 1] == ' ' || b.s[b.len - 1] == '\t'))
		b.s[--b.len] = '\0';
	return buf_steal(&b);
}
