/* Contact import (mutt aliases, vCard 3.0/4.0) and export (vCard 4.0). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "buf.h"
#include "err.h"
#include "policy.h"
#include "text.h"
#include "vcard.h"
#include "xmalloc.h"

#define VCARD_FOLD	75	/* octets per line, RFC 6350 3.2 */
#define VCARD_PREF_NONE	101	/* after every PREF (1..100) */
#define VCARD_SHOW	40	/* characters of input quoted in a message */

struct vcard_email {
	char	*addr;
	int	 pref;
};

struct vcard_card {
	int			 begin;		/* line of BEGIN:VCARD */
	int			 bad_line;	/* first fatal problem, or 0 */
	char			*bad_msg;
	char			*fn;
	char			*nname;
	struct buf		 notes;
	enum policy		 policy;
	struct vcard_email	*emails;
	size_t			 nemails;
};

struct vcard_params {
	int	 pref;		/* lowest PREF, TYPE=pref is 1 */
	char	 encoded[48];	/* the vCard 2.1 encoding met, or "" */
};

static void	 vcard_problem(struct vcard_result *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 vcard_add(struct vcard_result *, const char *, const char *,
		    enum policy, const char *);
static char	*vcard_show(const char *);
static int	 vcard_physical(const char *, size_t, size_t *, const char **,
		    size_t *);
static int	 vcard_is_blank(const char *);
static int	 vcard_is_vcard(const char *);
static char	*vcard_one_line(char *);
static void	 vcard_alias_line(struct vcard_result *, char *, int);
static int	 vcard_logical(const char *, size_t, size_t *, int *,
		    struct buf *);
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
static void	 vcard_escape(struct buf *, const char *);
static void	 vcard_fold(struct buf *, const char *, size_t);

/* Append a problem found at a line. */
static void
vcard_problem(struct vcard_result *out, int line, const char *fmt, ...)
{
	va_list	 ap;

	out->p = xreallocarray(out->p, out->np + 1, sizeof *out->p);
	va_start(ap, fmt);
	out->p[out->np].msg = xvasprintf(fmt, ap);
	va_end(ap);
	out->p[out->np].line = line;
	out->np++;
}

/* Append a copy of a contact. */
static void
vcard_add(struct vcard_result *out, const char *address, const char *name,
    enum policy policy, const char *notes)
{
	struct vcard_contact	*c;

	out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
	c = &out->v[out->n++];
	c->address = xstrdup(address);
	c->name = xstrdup(name);
	c->policy = policy;
	c->notes = xstrdup(notes);
}

/* A short, safe copy of some input to quote in a message. */
static char *
vcard_show(const char *s)
{
	char	*san, *p;
	size_t	 n, i;

	san = text_sanitize(s);
	for (p = san; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	/* Cut after VCARD_SHOW characters, not inside one. */
	for (n = i = 0; san[i] != '\0'; i++) {
		if (((unsigned char)san[i] & 0xc0) != 0x80 && n++ == VCARD_SHOW) {
			p = xasprintf("%.*s...", (int)i, san);
			free(san);
			return p;
		}
	}
	return san;
}

/* Next physical line (without its CRLF or LF); 0 at the end. */
static int
vcard_physical(const char *text, size_t len, size_t *pos, const char **start,
    size_t *n)
{
	const char	*nl;

	if (*pos >= len)
		return 0;
	*start = text + *pos;
	nl = memchr(*start, '\n', len - *pos);
	if (nl == NULL) {
		*n = len - *pos;
		*pos = len;
	} else {
		*n = (size_t)(nl - *start);
		*pos += *n + 1;
	}
	if (*n > 0 && (*start)[*n - 1] == '\r')
		(*n)--;
	return 1;
}

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

/* Sanitize a name to one trimmed line (frees s); NULL when empty. */
static char *
vcard_one_line(char *s)
{
	char	*san, *p, *t;

	if (s == NULL)
		return NULL;
	san = text_sanitize(s);
	free(s);
	for (p = san; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	t = text_trim(san);
	if (*t == '\0') {
		free(san);
		return NULL;
	}
	t = xstrdup(t);
	free(san);
	return t;
}

/* Read one logical alias line (continuations joined). */
static void
vcard_alias_line(struct vcard_result *out, char *s, int line)
{
	struct addr_list	 l = { NULL, 0 };
	struct err		*e = NULL;
	char			*p, *key, *rest, *notes = NULL, *show;
	int			 quote = 0, angle = 0;
	size_t			 i;

	if (!text_is_utf8(s, strlen(s))) {
		vcard_problem(out, line, "the line is not valid UTF-8 (save "
		    "the file as UTF-8)");
		return;
	}
	s = text_trim(s);
	if (*s == '\0' || *s == '#')
		return;
	/* A '#' after white space, outside quotes and <>, starts a comment. */
	for (p = s; *p != '\0'; p++) {
		if (quote) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				quote = 0;
		} else if (*p == '"')
			quote = 1;
		else if (*p == '<')
			angle = 1;
		else if (*p == '>')
			angle = 0;
		else if (*p == '#' && !angle && (p[-1] == ' ' ||
		    p[-1] == '\t')) {
			*p = '\0';
			notes = text_trim(p + 1);
			if (*notes == '\0')
				notes = NULL;
			break;
		}
	}
	s = text_trim(s);
	if (strncasecmp(s, "alias", 5) != 0 || (s[5] != ' ' && s[5] != '\t')) {
		show = vcard_show(s);
		vcard_problem(out, line, "\"%s\" is not an alias (write: alias "
		    "KEY Name <user@domain>)", show);
		free(show);
		return;
	}
	key = text_trim(s + 5);
	for (p = key; *p != '\0' && *p != ' ' && *p != '\t'; p++)
		;
	rest = p;
	if (*rest != '\0')
		*rest++ = '\0';
	rest = text_trim(rest);
	show = vcard_show(key);
	if (*rest == '\0') {
		vcard_problem(out, line, "alias \"%s\" has no address",
		    show);
		goto fail;
	}
	if (addr_parse_list(rest, &l, &e) != 0) {
		vcard_problem(out, line, "alias \"%s\": %s", show, e->msg);
		goto fail;
	}
	if (l.n == 0) {
		vcard_problem(out, line, "alias \"%s\" has no address",
		    show);
		goto fail;
	}
	for (i = 0; i < l.n; i++)
		vcard_add(out, l.v[i].mailbox, l.n == 1 ? l.v[i].name : NULL,
		    POLICY_UNSET, notes);
fail:
	free(show);
	err_free(e);
	addr_list_clear(&l);
}

/* Parse a mutt alias file. */
int
vcard_parse_aliases(const char *text, size_t len, struct vcard_result *out,
    struct err **errp)
{
	struct buf	 b = BUF_INIT;
	const char	*s;
	size_t		 pos = 0, n;
	int		 lineno = 0, start, more;

	memset(out, 0, sizeof *out);
	if (memchr(text, '\0', len) != NULL)
		return err_set(errp, ERR_INPUT, 0, "this is not an alias "
		    "file: it is not text (it contains a NUL byte)");
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		buf_reset(&b);
		buf_add(&b, "", 0);
		start = lineno + 1;
		do {
			if (!vcard_physical(text, len, &pos, &s, &n))
				break;
			lineno++;
			more = n > 0 && s[n - 1] == '\\';
			buf_add(&b, s, more ? n - 1 : n);
		} while (more);
		vcard_alias_line(out, b.s, start);
	}
	buf_free(&b);
	return 0;
}

/* Next logical vCard line (folds joined) into b; 0 at the end. */
static int
vcard_logical(const char *text, size_t len, size_t *pos, int *lineno,
    struct buf *b)
{
	const char	*s;
	size_t		 n;

	buf_reset(b);
	buf_add(b, "", 0);
	if (!vcard_physical(text, len, pos, &s, &n))
		return 0;
	(*lineno)++;
	buf_add(b, s, n);
	while (*pos < len && (text[*pos] == ' ' || text[*pos] == '\t')) {
		vcard_physical(text, len, pos, &s, &n);
		(*lineno)++;
		buf_add(b, s + 1, n - 1);
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
	if ((nlen == 8 && strncasecmp(name, "ENCODING", 8) == 0 &&
	    !(vlen == 4 && (strncasecmp(v, "8BIT", 4) == 0 ||
	    strncasecmp(v, "7BIT", 4) == 0))) || (nlen == 7 &&
	    strncasecmp(name, "CHARSET", 7) == 0 && !(vlen == 5 &&
	    strncasecmp(v, "UTF-8", 5) == 0))) {
		if (pr->encoded[0] == '\0')
			snprintf(pr->encoded, sizeof pr->encoded, "%.*s=%.*s",
			    (int)nlen, name, (int)(vlen < 24 ? vlen : 24), v);
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
		else if ((n == 16 && strncasecmp(p, "QUOTED-PRINTABLE",
		    16) == 0) || (n == 6 && strncasecmp(p, "BASE64", 6) == 0))
			if (pr->encoded[0] == '\0')
				snprintf(pr->encoded, sizeof pr->encoded,
				    "%.*s", (int)n, p);
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
	for (i = 0; i < c->nemails; i++)
		vcard_add(out, c->emails[i].addr, name, c->policy,
		    c->notes.len > 0 ? c->notes.s : NULL);
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
	char			*t, *raw, *show;
	size_t			 nlen;
	enum policy		 pol;

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
	if (!text_is_utf8(s, strlen(s))) {
		vcard_card_bad(c, line, "the line is not valid UTF-8 (export "
		    "the vCard as UTF-8)");
		return;
	}
	if (IS("END") && vcard_is_vcard(value)) {
		vcard_card_end(out, c);
		vcard_card_clear(c);
		return;
	}
	if (!IS("FN") && !IS("N") && !IS("NOTE") && !IS("EMAIL") &&
	    !IS("X-TERN-TLS"))
		return;
	if (pr.encoded[0] != '\0') {
		if (IS("EMAIL") || IS("X-TERN-TLS"))
			vcard_card_bad(c, line, "%.*s in the vCard 2.1 encoding "
			    "%s is not supported (export as vCard 3.0 or 4.0)",
			    (int)nlen, name, pr.encoded);
		else
			vcard_problem(out, line, "%.*s in the vCard 2.1 "
			    "encoding %s is not supported (export as vCard 3.0 "
			    "or 4.0)", (int)nlen, name, pr.encoded);
		return;
	}
	if (IS("FN")) {
		if (c->fn == NULL)
			c->fn = vcard_one_line(vcard_text(value, strlen(value),
			    0));
	} else if (IS("N")) {
		if (c->nname == NULL)
			c->nname = vcard_n_name(value);
	} else if (IS("NOTE")) {
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
	while (vcard_logical(text, len, &pos, &lineno, &b)) {
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

/* Append s with vCard text escapes. */
static void
vcard_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == ',' || *s == ';') {
			buf_addc(b, '\\');
			buf_addc(b, *s);
		} else if (*s == '\n')
			buf_add(b, "\\n", 2);
		else if (*s != '\r')
			buf_addc(b, *s);
	}
}

/* Append one content line, folded at 75 octets, with CRLF. */
static void
vcard_fold(struct buf *b, const char *s, size_t n)
{
	size_t	 room = VCARD_FOLD, cut;

	for (;;) {
		if (n <= room) {
			buf_add(b, s, n);
			break;
		}
		/* Never cut before a UTF-8 continuation byte. */
		for (cut = room; cut > 1 &&
		    ((unsigned char)s[cut] & 0xc0) == 0x80; cut--)
			;
		buf_add(b, s, cut);
		buf_add(b, "\r\n ", 3);
		s += cut;
		n -= cut;
		room = VCARD_FOLD - 1;
	}
	buf_add(b, "\r\n", 2);
}

/* Write contacts as vCard 4.0. */
char *
vcard_write(const struct vcard_contact *v, size_t n)
{
	struct buf	 b = BUF_INIT, line = BUF_INIT;
	size_t		 i;

	buf_add(&b, "", 0);
	for (i = 0; i < n; i++) {
		buf_adds(&b, "BEGIN:VCARD\r\nVERSION:4.0\r\n");
		buf_reset(&line);
		buf_adds(&line, "FN:");
		if (v[i].name != NULL)
			vcard_escape(&line, v[i].name);
		vcard_fold(&b, line.s, line.len);
		buf_reset(&line);
		buf_adds(&line, "EMAIL:");
		vcard_escape(&line, v[i].address != NULL ? v[i].address : "");
		vcard_fold(&b, line.s, line.len);
		if (v[i].notes != NULL && v[i].notes[0] != '\0') {
			buf_reset(&line);
			buf_adds(&line, "NOTE:");
			vcard_escape(&line, v[i].notes);
			vcard_fold(&b, line.s, line.len);
		}
		if (v[i].policy > POLICY_UNSET && v[i].policy < POLICY_LAST)
			buf_addf(&b, "X-TERN-TLS:%s\r\n",
			    policy_name(v[i].policy));
		buf_adds(&b, "END:VCARD\r\n");
	}
	buf_free(&line);
	return buf_steal(&b);
}

/* Free a result. */
void
vcard_result_clear(struct vcard_result *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->v[i].address);
		free(r->v[i].name);
		free(r->v[i].notes);
	}
	for (i = 0; i < r->np; i++)
		free(r->p[i].msg);
	free(r->v);
	free(r->p);
	memset(r, 0, sizeof *r);
}
