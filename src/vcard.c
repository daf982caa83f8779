/* Contact import from vCards 2.1, 3.0 and 4.0. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "addr.h"
#include "buf.h"
#include "err.h"
#include "policy.h"
#include "text.h"
#include "vcard.h"
#include "vcard-int.h"
#include "xmalloc.h"

#define VCARD_PREF_NONE	101	/* after every PREF (1..100) */

struct vcard_email {
	char	*addr;
	int	 pref;
};

struct vcard_card {
	int			 begin;		/* line of BEGIN:VCARD */
	int			 bad_line;	/* first fatal problem, or 0 */
	char			*bad_msg;
	int			 v21;		/* VERSION:2.1 */
	char			*fn;
	char			*nname;
	char			*nick;
	char			**cats;
	size_t			 ncats;
	struct buf		 notes;
	enum policy		 policy;
	struct vcard_email	*emails;
	size_t			 nemails;
};

enum vcard_enc {
	VCARD_ENC_NONE,
	VCARD_ENC_QP,		/* QUOTED-PRINTABLE */
	VCARD_ENC_B64,		/* BASE64, B */
	VCARD_ENC_OTHER		/* unknown: named in encoded */
};

struct vcard_params {
	int		 pref;		/* lowest PREF, TYPE=pref is 1 */
	enum vcard_enc	 enc;
	char		 encoded[32];	/* the unknown encoding */
	char		 charset[40];	/* CHARSET, or "" */
};

static int	 vcard_is_blank(const char *);
static int	 vcard_is_vcard(const char *);
static int	 vcard_logical(const char *, size_t, size_t *, int *, int,
		    struct buf *);
static int	 vcard_is_qp(const char *);
static char	*vcard_decode(const struct vcard_params *, const char *,
		    char **);
static void	 vcard_list(struct vcard_card *, const char *, int);
static char	*vcard_text(const char *, size_t, int);
static char	*vcard_n_name(const char *);
static void	 vcard_param(struct vcard_params *, const char *, size_t,
		    const char *, size_t);
static int	 vcard_params(const char **, struct vcard_params *);
static void	 vcard_card_bad(struct vcard_card *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 vcard_card_start(struct vcard_card *, int);
static void	 vcard_card_clear(struct vcard_card *);
static void	 vcard_card_end(struct vcard_result *, struct vcard_card *);
static void	 vcard_email(struct vcard_card *, const char *, int, int);
static void	 vcard_property(struct vcard_result *, struct vcard_card *,
		    int *, char *, int);

/* Is a string only white space? */
static int
vcard_is_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r')
			return 0;
	return 1;
}

/* Is a BEGIN or END value "VCARD" (any case, trailing blanks)? */
static int
vcard_is_vcard(const char *v)
{
	return strncasecmp(v, "VCARD", 5) == 0 && vcard_is_blank(v + 5);
}

/* Does a content line use QUOTED-PRINTABLE (before its ':')? */
static int
vcard_is_qp(const char *s)
{
	const char	*p;

	for (p = s; *p != '\0' && *p != ':'; p++)
		if (strncasecmp(p, "QUOTED-PRINTABLE", 16) == 0)
			return 1;
	return 0;
}

/*
 * Next logical vCard line into b; 0 at the end.  Folds are joined (in a
 * vCard 2.1 card, v21, the blank after the line break is kept); a
 * QUOTED-PRINTABLE line ending in '=' goes on at the next line, the soft
 * line break kept for the decoder.
 */
static int
vcard_logical(const char *text, size_t len, size_t *pos, int *lineno,
    int v21, struct buf *b)
{
	const char	*s;
	size_t		 n;

	buf_reset(b);
	buf_add(b, "", 0);
	if (!vcard_physical(text, len, pos, &s, &n))
		return 0;
	(*lineno)++;
	buf_add(b, s, n);
	while (*pos < len) {
		if (text[*pos] == ' ' || text[*pos] == '\t') {
			vcard_physical(text, len, pos, &s, &n);
			(*lineno)++;
			if (v21)
				buf_add(b, s, n);
			else
				buf_add(b, s + 1, n - 1);
		} else if (b->len > 0 && b->s[b->len - 1] == '=' &&
		    vcard_is_qp(b->s)) {
			vcard_physical(text, len, pos, &s, &n);
			(*lineno)++;
			buf_add(b, "\r\n", 2);
			buf_add(b, s, n);
		} else
			break;
	}
	return 1;
}

/* Undo text escapes (\n \, \; \\); commas (if asked) become spaces. */
static char *
vcard_text(const char *s, size_t n, int comma_space)
{
	struct buf	 b = BUF_INIT;
	size_t		 i;

	buf_add(&b, "", 0);
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
			buf_addc(&b, s[i] == 'n' || s[i] == 'N' ? '\n' : s[i]);
		} else if (s[i] == ',' && comma_space)
			buf_addc(&b, ' ');
		else
			buf_addc(&b, s[i]);
	}
	return buf_steal(&b);
}

/* A name from N (family;given;additional;prefix;suffix), or NULL. */
static char *
vcard_n_name(const char *v)
{
	static const int	 order[] = { 3, 1, 2, 0, 4 };
	const char		*comp[5], *end[5], *p;
	struct buf		 b = BUF_INIT;
	char			*t;
	size_t			 i, k;

	for (i = 0; i < 5; i++)
		comp[i] = end[i] = v + strlen(v);
	p = v;
	for (k = 0; k < 5; k++) {
		comp[k] = p;
		while (*p != '\0' && *p != ';') {
			if (*p == '\\' && p[1] != '\0')
				p++;
			p++;
		}
		end[k] = p;
		if (*p == '\0')
			break;
		p++;
	}
	buf_add(&b, "", 0);
	for (i = 0; i < 5; i++) {
		k = (size_t)order[i];
		t = vcard_one_line(vcard_text(comp[k], (size_t)(end[k] -
		    comp[k]), 1));
		if (t == NULL)
			continue;
		if (b.len > 0)
			buf_addc(&b, ' ');
		buf_adds(&b, t);
		free(t);
	}
	return vcard_one_line(buf_steal(&b));
}

/* Take one parameter value into pr. */
static void
vcard_param(struct vcard_params *pr, const char *name, size_t nlen,
    const char *v, size_t vlen)
{
	const char	*p, *e;
	size_t		 n;
	long		 pref;
	char		 num[8];

	if (nlen == 4 && strncasecmp(name, "PREF", 4) == 0) {
		if (vlen == 0 || vlen >= sizeof num)
			return;
		memcpy(num, v, vlen);
		num[vlen] = '\0';
		pref = strtol(num, NULL, 10);
		if (pref >= 1 && pref <= 100 && pref < pr->pref)
			pr->pref = (int)pref;
		return;
	}
	if (nlen == 8 && strncasecmp(name, "ENCODING", 8) == 0) {
		if (vlen == 16 && strncasecmp(v, "QUOTED-PRINTABLE", 16) == 0)
			pr->enc = VCARD_ENC_QP;
		else if ((vlen == 6 && strncasecmp(v, "BASE64", 6) == 0) ||
		    (vlen == 1 && (*v == 'b' || *v == 'B')))
			pr->enc = VCARD_ENC_B64;
		else if (!(vlen == 4 && (strncasecmp(v, "8BIT", 4) == 0 ||
		    strncasecmp(v, "7BIT", 4) == 0))) {
			pr->enc = VCARD_ENC_OTHER;
			snprintf(pr->encoded, sizeof pr->encoded, "%.*s",
			    (int)(vlen < 24 ? vlen : 24), v);
		}
		return;
	}
	if (nlen == 7 && strncasecmp(name, "CHARSET", 7) == 0) {
		if (vlen >= sizeof pr->charset) {
			pr->enc = VCARD_ENC_OTHER;
			snprintf(pr->encoded, sizeof pr->encoded, "CHARSET");
		} else
			snprintf(pr->charset, sizeof pr->charset, "%.*s",
			    (int)vlen, v);
		return;
	}
	if (!(nlen == 4 && strncasecmp(name, "TYPE", 4) == 0))
		return;
	/* TYPE values, also a quoted list, and vCard 2.1 bare values. */
	for (p = v; p < v + vlen; p = e + 1) {
		if ((e = memchr(p, ',', (size_t)(v + vlen - p))) == NULL)
			e = v + vlen;
		n = (size_t)(e - p);
		if (n == 4 && strncasecmp(p, "PREF", 4) == 0)
			pr->pref = 1;
		else if (n == 16 && strncasecmp(p, "QUOTED-PRINTABLE", 16) ==
		    0)
			pr->enc = VCARD_ENC_QP;
		else if (n == 6 && strncasecmp(p, "BASE64", 6) == 0)
			pr->enc = VCARD_ENC_B64;
	}
}

/* Parse ";param=value..." up to the ':'; *pp then points at the value. */
static int
vcard_params(const char **pp, struct vcard_params *pr)
{
	const char	*p = *pp, *name, *v;
	size_t		 nlen, vlen;

	while (*p == ';') {
		name = ++p;
		while (*p != '\0' && *p != '=' && *p != ';' && *p != ':')
			p++;
		nlen = (size_t)(p - name);
		if (*p != '=') {
			vcard_param(pr, "TYPE", 4, name, nlen);
			continue;
		}
		p++;
		for (;;) {
			if (*p == '"') {
				v = ++p;
				while (*p != '\0' && *p != '"')
					p++;
				if (*p == '\0')
					return -1;
				vlen = (size_t)(p++ - v);
			} else {
				v = p;
				while (*p != '\0' && *p != ',' && *p != ';' &&
				    *p != ':')
					p++;
				vlen = (size_t)(p - v);
			}
			vcard_param(pr, name, nlen, v, vlen);
			if (*p != ',')
				break;
			p++;
		}
	}
	if (*p != ':')
		return -1;
	*pp = p + 1;
	return 0;
}

/*
 * A property value decoded from its ENCODING and converted from its
 * CHARSET to UTF-8 (libetpan's decoders): a new string, or NULL with the
 * reason in words in *why (a new string).
 */
static char *
vcard_decode(const struct vcard_params *pr, const char *v, char **why)
{
	struct buf	 b = BUF_INIT;
	const char	*cs;
	char		*res = NULL, *conv;
	size_t		 idx = 0, rlen = 0, clen;
	int		 r = MAILIMF_NO_ERROR;

	*why = NULL;
	buf_add(&b, "", 0);
	switch (pr->enc) {
	case VCARD_ENC_NONE:
		buf_adds(&b, v);
		break;
	case VCARD_ENC_QP:
		r = mailmime_quoted_printable_body_parse(v, strlen(v), &idx,
		    &res, &rlen, 0);
		break;
	case VCARD_ENC_B64:
		r = mailmime_base64_body_parse(v, strlen(v), &idx, &res,
		    &rlen);
		break;
	case VCARD_ENC_OTHER:
		*why = xasprintf("the encoding %s is not supported (export as "
		    "vCard 3.0 or 4.0)", pr->encoded);
		goto fail;
	}
	if (r != MAILIMF_NO_ERROR) {
		*why = xstrdup("the encoded value cannot be decoded");
		goto fail;
	}
	if (res != NULL) {
		buf_add(&b, res, rlen);
		mailmime_decoded_part_free(res);
	}
	if (memchr(b.s, '\0', b.len) != NULL) {
		*why = xstrdup("the value holds a NUL byte");
		goto fail;
	}
	/*
	 * Encoded without a CHARSET and not UTF-8: Outlook's 3.0 cards are
	 * in the Windows code page.
	 */
	cs = pr->charset;
	if (*cs == '\0' && pr->enc != VCARD_ENC_NONE &&
	    !text_is_utf8(b.s, b.len))
		cs = "windows-1252";
	if (*cs != '\0' && strcasecmp(cs, "UTF-8") != 0 &&
	    strcasecmp(cs, "UTF8") != 0) {
		if (charconv_buffer("utf-8", cs, b.s, b.len, &conv, &clen) !=
		    MAIL_CHARCONV_NO_ERROR) {
			*why = xasprintf("the charset %.40s is unknown", cs);
			goto fail;
		}
		buf_reset(&b);
		buf_add(&b, conv, clen);
		charconv_buffer_free(conv);
	}
	if (!text_is_utf8(b.s, b.len) || memchr(b.s, '\0', b.len) != NULL) {
		*why = xstrdup(*cs != '\0' ? "the value is not "
		    "valid in its CHARSET" : "the value is not valid UTF-8 "
		    "(export the vCard as UTF-8, or give its CHARSET)");
		goto fail;
	}
	return buf_steal(&b);
fail:
	buf_free(&b);
	return NULL;
}

/* NICKNAME (the first is the alias key) or CATEGORIES (groups). */
static void
vcard_list(struct vcard_card *c, const char *v, int nick)
{
	const char	*p, *start;
	char		*t;

	for (start = p = v;; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p != ',' && *p != '\0')
			continue;
		t = vcard_one_line(vcard_text(start, (size_t)(p - start), 0));
		if (t != NULL) {
			if (nick && c->nick == NULL)
				c->nick = xstrdup(t);
			else if (!nick)
				vcard_strs_add(&c->cats, &c->ncats, t);
			free(t);
		}
		if (*p == '\0' || nick)
			break;
		start = p + 1;
	}
}

/* Mark the card broken (the first reason wins). */
static void
vcard_card_bad(struct vcard_card *c, int line, const char *fmt, ...)
{
	va_list	 ap;

	if (c->bad_msg != NULL)
		return;
	va_start(ap, fmt);
	c->bad_msg = xvasprintf(fmt, ap);
	va_end(ap);
	c->bad_line = line;
}

/* Start an empty card. */
static void
vcard_card_start(struct vcard_card *c, int line)
{
	memset(c, 0, sizeof *c);
	c->begin = line;
	c->policy = POLICY_UNSET;
}

/* Free a card's contents. */
static void
vcard_card_clear(struct vcard_card *c)
{
	size_t	 i;

	for (i = 0; i < c->nemails; i++)
		free(c->emails[i].addr);
	free(c->emails);
	free(c->bad_msg);
	free(c->fn);
	free(c->nname);
	free(c->nick);
	vcard_strs_free(c->cats, c->ncats);
	buf_free(&c->notes);
	memset(c, 0, sizeof *c);
}

/* At END:VCARD: import the card's contacts or report it. */
static void
vcard_card_end(struct vcard_result *out, struct vcard_card *c)
{
	struct vcard_email	 t;
	const char		*name;
	size_t			 i, j;

	if (c->bad_msg != NULL) {
		vcard_problem(out, c->bad_line, "the vCard from line %d: %s",
		    c->begin, c->bad_msg);
		return;
	}
	if (c->nemails == 0) {
		vcard_problem(out, c->begin, "the vCard beginning here has no "
		    "EMAIL");
		return;
	}
	/* Stable sort by PREF: the preferred address first. */
	for (i = 1; i < c->nemails; i++) {
		t = c->emails[i];
		for (j = i; j > 0 && c->emails[j - 1].pref > t.pref; j--)
			c->emails[j] = c->emails[j - 1];
		c->emails[j] = t;
	}
	name = c->fn != NULL ? c->fn : c->nname;
	/* A name that is only one of the addresses is no name. */
	for (i = 0; name != NULL && i < c->nemails; i++)
		if (strcasecmp(name, c->emails[i].addr) == 0)
			name = NULL;
	for (i = 0; i < c->nemails; i++) {
		vcard_add(out, c->emails[i].addr, name, c->policy,
		    c->notes.len > 0 ? c->notes.s : NULL);
		if (i == 0 && c->nick != NULL)
			out->v[out->n - 1].alias = xstrdup(c->nick);
		for (j = 0; j < c->ncats; j++)
			vcard_join(out, out->n - 1, c->cats[j]);
	}
}

/* Take an EMAIL value into the card. */
static void
vcard_email(struct vcard_card *c, const char *value, int pref, int line)
{
	struct err	*e = NULL;
	char		*raw, *a, *p;
	size_t		 i;

	raw = vcard_text(value, strlen(value), 0);
	a = text_trim(raw);
	if (strncasecmp(a, "mailto:", 7) == 0)
		a += 7;
	if (addr_check(a, &e) != 0) {
		vcard_card_bad(c, line, "EMAIL: %s", e->msg);
		goto fail;
	}
	if ((p = strrchr(a, '@')) != NULL)
		for (; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	for (i = 0; i < c->nemails; i++) {
		if (strcmp(c->emails[i].addr, a) == 0) {
			if (pref < c->emails[i].pref)
				c->emails[i].pref = pref;
			goto fail;
		}
	}
	c->emails = xreallocarray(c->emails, c->nemails + 1,
	    sizeof *c->emails);
	c->emails[c->nemails].addr = xstrdup(a);
	c->emails[c->nemails].pref = pref;
	c->nemails++;
fail:
	err_free(e);
	free(raw);
}

/* Handle one logical vCard line. */
static void
vcard_property(struct vcard_result *out, struct vcard_card *c, int *stray,
    char *s, int line)
{
	struct vcard_params	 pr;
	const char		*name, *value, *p;
	char			*t, *raw, *show, *dec, *why;
	size_t			 nlen;
	enum policy		 pol;
	int			 plain;

	if (vcard_is_blank(s))
		return;
	while (*s == ' ' || *s == '\t')
		s++;
	/* The name, after an optional group ("item1.EMAIL"). */
	name = s;
	for (p = s; *p != '\0' && *p != ';' && *p != ':'; p++)
		if (*p == '.')
			name = p + 1;
	nlen = (size_t)(p - name);
	memset(&pr, 0, sizeof pr);
	pr.pref = VCARD_PREF_NONE;
	value = p;
	if (vcard_params(&value, &pr) != 0) {
		show = vcard_show(s);
		if (c->begin == 0) {
			if (!*stray)
				vcard_problem(out, line, "\"%s\" is outside "
				    "a vCard (BEGIN:VCARD ... END:VCARD)",
				    show);
			*stray = 1;
		} else
			vcard_problem(out, line, "\"%s\" is not a vCard "
			    "property (NAME:value)", show);
		free(show);
		return;
	}
#define IS(n)	(nlen == sizeof(n) - 1 && strncasecmp(name, n, nlen) == 0)
	if (IS("BEGIN") && vcard_is_vcard(value)) {
		if (c->begin != 0) {
			vcard_problem(out, c->begin, "the vCard beginning here "
			    "has no END:VCARD");
			vcard_card_clear(c);
		}
		vcard_card_start(c, line);
		*stray = 0;
		return;
	}
	if (c->begin == 0) {
		if (!*stray) {
			show = vcard_show(s);
			vcard_problem(out, line, "\"%s\" is outside a vCard "
			    "(BEGIN:VCARD ... END:VCARD)", show);
			free(show);
		}
		*stray = 1;
		return;
	}
	plain = pr.enc == VCARD_ENC_NONE && (pr.charset[0] == '\0' ||
	    strcasecmp(pr.charset, "UTF-8") == 0 ||
	    strcasecmp(pr.charset, "UTF8") == 0 ||
	    strcasecmp(pr.charset, "US-ASCII") == 0);
	if (plain && !text_is_utf8(s, strlen(s))) {
		vcard_card_bad(c, line, "the line is not valid UTF-8 (export "
		    "the vCard as UTF-8)");
		return;
	}
	if (IS("END") && vcard_is_vcard(value)) {
		vcard_card_end(out, c);
		vcard_card_clear(c);
		return;
	}
	if (IS("VERSION")) {
		c->v21 = strncmp(value, "2.1", 3) == 0;
		return;
	}
	if (!IS("FN") && !IS("N") && !IS("NOTE") && !IS("EMAIL") &&
	    !IS("X-TERN-TLS") && !IS("NICKNAME") && !IS("CATEGORIES"))
		return;
	if ((dec = vcard_decode(&pr, value, &why)) == NULL) {
		if (IS("EMAIL") || IS("X-TERN-TLS"))
			vcard_card_bad(c, line, "%.*s: %s", (int)nlen, name,
			    why);
		else
			vcard_problem(out, line, "%.*s: %s (left out)",
			    (int)nlen, name, why);
		free(why);
		return;
	}
	value = dec;
	if (IS("FN")) {
		if (c->fn == NULL)
			c->fn = vcard_one_line(vcard_text(value, strlen(value),
			    0));
	} else if (IS("N")) {
		if (c->nname == NULL)
			c->nname = vcard_n_name(value);
	} else if (IS("NICKNAME"))
		vcard_list(c, value, 1);
	else if (IS("CATEGORIES"))
		vcard_list(c, value, 0);
	else if (IS("NOTE")) {
		raw = vcard_text(value, strlen(value), 0);
		t = text_sanitize(raw);
		free(raw);
		if (*t != '\0') {
			if (c->notes.len > 0)
				buf_addc(&c->notes, '\n');
			buf_adds(&c->notes, t);
		}
		free(t);
	} else if (IS("EMAIL"))
		vcard_email(c, value, pr.pref, line);
	else if (IS("X-TERN-TLS")) {
		t = vcard_text(value, strlen(value), 0);
		if (policy_parse(text_trim(t), &pol) != 0) {
			show = vcard_show(t);
			vcard_card_bad(c, line, "X-TERN-TLS must be may, "
			    "encrypt or verify, not \"%s\"", show);
			free(show);
		} else
			c->policy = pol;
		free(t);
	}
	free(dec);
#undef IS
}

/* Parse vCards. */
int
vcard_parse(const char *text, size_t len, struct vcard_result *out,
    struct err **errp)
{
	struct buf		 b = BUF_INIT;
	struct vcard_card	 c;
	size_t			 pos = 0;
	int			 lineno = 0, stray = 0, cards = 0, blank = 1;

	memset(out, 0, sizeof *out);
	memset(&c, 0, sizeof c);
	if (memchr(text, '\0', len) != NULL)
		return err_set(errp, ERR_INPUT, 0, "this is not a vCard file: "
		    "it is not text (it contains a NUL byte)");
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (vcard_logical(text, len, &pos, &lineno, c.begin != 0 && c.v21,
	    &b)) {
		if (!vcard_is_blank(b.s))
			blank = 0;
		if (c.begin == 0 && strncasecmp(b.s + strspn(b.s, " \t"),
		    "BEGIN:VCARD", 11) == 0)
			cards++;
		vcard_property(out, &c, &stray, b.s, lineno);
	}
	if (c.begin != 0)
		vcard_problem(out, c.begin, "the vCard beginning here has no "
		    "END:VCARD");
	vcard_card_clear(&c);
	buf_free(&b);
	if (cards == 0 && !blank) {
		vcard_result_clear(out);
		return err_set(errp, ERR_INPUT, 0, "this is not a vCard file: "
		    "there is no BEGIN:VCARD line");
	}
	return 0;
}
