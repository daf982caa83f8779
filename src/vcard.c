/* Contact import (mutt aliases, vCard 2.1/3.0/4.0) and export (vCard 3.0). */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
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
#include "xmalloc.h"

#define VCARD_FOLD	75	/* octets per line, RFC 6350 3.2 */
#define VCARD_PREF_NONE	101	/* after every PREF (1..100) */
#define VCARD_SHOW	40	/* characters of input quoted in a message */
#define VCARD_DEPTH	16	/* aliases of aliases, deepest */

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

/* An alias line of the file, before its addresses are expanded. */
struct vcard_alias {
	char	*key;
	char	**groups;
	size_t	 ngroups;
	char	**items;	/* the address list split at its commas */
	size_t	 nitems;
	char	*notes;
	int	 line;
	int	 dead;		/* unaliased */
	size_t	 done;		/* expanded for top-level alias done - 1 */
};

/* A "group -addr" member, or an "ungroup -addr" exclusion. */
struct vcard_member {
	char	*group;
	char	*item;
	int	 line;
	int	 dead;
};

struct vcard_file {
	struct vcard_alias	*a;
	size_t			 na;
	struct vcard_member	*m;		/* group -addr */
	size_t			 nm;
	struct vcard_member	*x;		/* ungroup -addr */
	size_t			 nx;
};

struct vcard_set {
	size_t	*v;
	size_t	 n;
	int	 deep;		/* nesting too deep was said */
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
static void	 vcard_strs_add(char ***, size_t *, const char *);
static void	 vcard_strs_drop(char **, size_t *, const char *);
static void	 vcard_strs_free(char **, size_t);
static size_t	 vcard_contact_at(struct vcard_result *, const char *,
		    const char *, const char *);
static char	*vcard_word(char **);
static int	 vcard_next_is(const char *, const char *);
static int	 vcard_group_opts(char **, char ***, size_t *);
static void	 vcard_split(char *, char ***, size_t *);
static int	 vcard_is_key(const char *);
static char	*vcard_comment_name(const char *);
static void	 vcard_alias_line(struct vcard_result *, struct vcard_file *,
		    char *, int);
static void	 vcard_set_add(struct vcard_set *, size_t);
static long	 vcard_find_alias(const struct vcard_file *, const char *);
static int	 vcard_item(struct vcard_result *, const char *, const char *,
		    struct vcard_set *, char **);
static void	 vcard_expand(struct vcard_result *, struct vcard_file *,
		    size_t, struct vcard_set *, size_t *, size_t);
static void	 vcard_join(struct vcard_result *, size_t, const char *);
static void	 vcard_resolve(struct vcard_result *, struct vcard_file *);
static void	 vcard_file_clear(struct vcard_file *);
static void	 vcard_sort_problems(struct vcard_result *);
static int	 vcard_logical(const char *, size_t, size_t *, int *, int,
		    struct buf *);
static int	 vcard_is_qp(const char *);
static char	*vcard_decode(const struct vcard_params *, const char *,
		    char **);
static void	 vcard_list(struct vcard_card *, const char *, int);
static void	 vcard_write_n(struct buf *, const char *);
static uint64_t	 vcard_fnv(const char *, uint64_t);
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
	memset(c, 0, sizeof *c);
	c->address = xstrdup(address);
	c->name = name != NULL && strcasecmp(name, address) != 0 ?
	    xstrdup(name) : NULL;
	c->policy = policy;
	c->notes = xstrdup(notes);
}

/* Order the problems by line (stable). */
static void
vcard_sort_problems(struct vcard_result *out)
{
	struct vcard_problem	 t;
	size_t			 i, j;

	for (i = 1; i < out->np; i++) {
		t = out->p[i];
		for (j = i; j > 0 && out->p[j - 1].line > t.line; j--)
			out->p[j] = out->p[j - 1];
		out->p[j] = t;
	}
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

/* Add a copy of s to a list of strings unless it is there (any case). */
static void
vcard_strs_add(char ***v, size_t *n, const char *s)
{
	size_t	 i;

	for (i = 0; i < *n; i++)
		if (strcasecmp((*v)[i], s) == 0)
			return;
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
}

/* Free a list of strings. */
static void
vcard_strs_free(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The contact for an address: found (filling a missing name) or added. */
static size_t
vcard_contact_at(struct vcard_result *out, const char *address,
    const char *name, const char *notes)
{
	struct vcard_contact	*c;
	size_t			 i;

	for (i = 0; i < out->n; i++) {
		c = &out->v[i];
		if (strcmp(c->address, address) != 0)
			continue;
		if (c->name == NULL && name != NULL &&
		    strcasecmp(name, address) != 0)
			c->name = xstrdup(name);
		if (c->notes == NULL && notes != NULL)
			c->notes = xstrdup(notes);
		return i;
	}
	vcard_add(out, address, name, POLICY_UNSET, notes);
	return out->n - 1;
}

/* Next blank-separated word of *pp (cut in place), or NULL. */
static char *
vcard_word(char **pp)
{
	char	*p = *pp, *w;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0') {
		*pp = p;
		return NULL;
	}
	w = p;
	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	if (*p != '\0')
		*p++ = '\0';
	*pp = p;
	return w;
}

/* Does the next word of p equal opt? */
static int
vcard_next_is(const char *p, const char *opt)
{
	size_t	 n = strlen(opt);

	p += strspn(p, " \t");
	return strncmp(p, opt, n) == 0 && (p[n] == '\0' || p[n] == ' ' ||
	    p[n] == '\t');
}

/* Take "-group NAME"s from *pp into a list; -1 when a NAME is missing. */
static int
vcard_group_opts(char **pp, char ***v, size_t *n)
{
	char	*w;

	while (vcard_next_is(*pp, "-group")) {
		(void)vcard_word(pp);
		if ((w = vcard_word(pp)) == NULL)
			return -1;
		vcard_strs_add(v, n, w);
	}
	return 0;
}

/* Split an address list at its top-level commas into trimmed items. */
static void
vcard_split(char *s, char ***v, size_t *n)
{
	char	*p, *start = s, *t;
	int	 quote = 0, angle = 0, paren = 0, end;

	for (p = s;; p++) {
		end = *p == '\0';
		if (!end && quote) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				quote = 0;
			continue;
		}
		if (!end && paren) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '(')
				paren++;
			else if (*p == ')')
				paren--;
			continue;
		}
		if (!end && *p != ',') {
			if (*p == '"')
				quote = 1;
			else if (*p == '(')
				paren = 1;
			else if (*p == '<')
				angle = 1;
			else if (*p == '>')
				angle = 0;
			continue;
		}
		if (!end && angle)
			continue;
		*p = '\0';
		t = text_trim(start);
		if (*t != '\0') {
			*v = xreallocarray(*v, *n + 1, sizeof **v);
			(*v)[(*n)++] = xstrdup(t);
		}
		if (end)
			break;
		start = p + 1;
	}
}

/* Is an item a bare word, that is the key of another alias? */
static int
vcard_is_key(const char *s)
{
	return *s != '\0' && strpbrk(s, "@<>\"(),;: \t\\") == NULL;
}

/* The name in a trailing comment ("addr (Name)"), or NULL. */
static char *
vcard_comment_name(const char *s)
{
	struct buf	 b = BUF_INIT;
	const char	*p, *open;
	size_t		 n = strlen(s);
	int		 depth = 0;

	if (n < 2 || s[n - 1] != ')')
		return NULL;
	for (p = s + n - 1; p >= s; p--) {
		if (p > s && p[-1] == '\\')
			continue;
		if (*p == ')')
			depth++;
		else if (*p == '(' && --depth == 0)
			break;
	}
	if (p < s)
		return NULL;
	open = p;
	buf_add(&b, "", 0);
	for (p = open + 1; p < s + n - 1; p++) {
		if (*p == '\\' && p + 1 < s + n - 1)
			p++;
		buf_addc(&b, *p);
	}
	return vcard_one_line(buf_steal(&b));
}

/* Parse one logical line of an alias file into f. */
static void
vcard_alias_line(struct vcard_result *out, struct vcard_file *f, char *s,
    int line)
{
	struct vcard_alias	*a;
	struct vcard_member	*m;
	char			*p, *cmd, *w, *notes = NULL, *show;
	char			**groups = NULL, **items = NULL;
	size_t			 ngroups = 0, nitems = 0, i, j;
	int			 quote = 0, angle = 0, mode = 0, rx = 0;

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
	p = s;
	cmd = vcard_word(&p);
	if (strcasecmp(cmd, "unalias") == 0) {
		if (vcard_group_opts(&p, &groups, &ngroups) == -1)
			goto nogroup;
		while ((w = vcard_word(&p)) != NULL)
			for (i = 0; i < f->na; i++)
				if (strcmp(w, "*") == 0 ||
				    strcasecmp(w, f->a[i].key) == 0)
					f->a[i].dead = 1;
		goto out;
	}
	if (strcasecmp(cmd, "group") == 0 || strcasecmp(cmd, "ungroup") == 0) {
		int	 un = cmd[0] == 'u' || cmd[0] == 'U';

		if (vcard_group_opts(&p, &groups, &ngroups) == -1)
			goto nogroup;
		if (ngroups == 0) {
			vcard_problem(out, line, "%s needs -group NAME", cmd);
			goto out;
		}
		while ((w = vcard_word(&p)) != NULL) {
			if (strcmp(w, "-addr") == 0)
				mode = 1;
			else if (strcmp(w, "-rx") == 0)
				mode = 2;
			else if (un && strcmp(w, "*") == 0) {
				/* Empty the groups of what came before. */
				for (i = 0; i < ngroups; i++) {
					for (j = 0; j < f->nm; j++)
						if (strcasecmp(f->m[j].group,
						    groups[i]) == 0)
							f->m[j].dead = 1;
					for (j = 0; j < f->na; j++)
						vcard_strs_drop(f->a[j].groups,
						    &f->a[j].ngroups,
						    groups[i]);
				}
			} else if (mode == 1) {
				for (i = 0; i < ngroups; i++) {
					if (un) {
						f->x = xreallocarray(f->x,
						    f->nx + 1, sizeof *f->x);
						m = &f->x[f->nx++];
					} else {
						f->m = xreallocarray(f->m,
						    f->nm + 1, sizeof *f->m);
						m = &f->m[f->nm++];
					}
					m->group = xstrdup(groups[i]);
					m->item = xstrdup(w);
					m->line = line;
					m->dead = 0;
				}
			} else if (mode == 2)
				rx = 1;
			else {
				show = vcard_show(w);
				vcard_problem(out, line, "%s: \"%s\" is not "
				    "-addr or -rx", cmd, show);
				free(show);
				goto out;
			}
		}
		if (rx)
			vcard_problem(out, line, "%s -rx: a pattern is not an "
			    "address (skipped; use -addr)", cmd);
		goto out;
	}
	if (strcasecmp(cmd, "alias") != 0) {
		show = vcard_show(s);
		vcard_problem(out, line, "\"%s\" is not an alias (write: alias "
		    "KEY Name <user@domain>)", show);
		free(show);
		goto out;
	}
	if (vcard_group_opts(&p, &groups, &ngroups) == -1)
		goto nogroup;
	if ((w = vcard_word(&p)) == NULL) {
		vcard_problem(out, line, "alias has no key (write: alias "
		    "KEY Name <user@domain>)");
		goto out;
	}
	if (vcard_group_opts(&p, &groups, &ngroups) == -1)
		goto nogroup;
	show = vcard_show(w);
	vcard_split(p, &items, &nitems);
	if (nitems == 0) {
		vcard_problem(out, line, "alias \"%s\" has no address", show);
		free(show);
		goto out;
	}
	free(show);
	f->a = xreallocarray(f->a, f->na + 1, sizeof *f->a);
	a = &f->a[f->na++];
	a->key = xstrdup(w);
	a->groups = groups;
	a->ngroups = ngroups;
	a->items = items;
	a->nitems = nitems;
	a->notes = xstrdup(notes);
	a->line = line;
	a->dead = 0;
	return;
nogroup:
	vcard_problem(out, line, "-group needs a NAME");
out:
	vcard_strs_free(groups, ngroups);
	vcard_strs_free(items, nitems);
}

/* Drop a name from a list of strings (any case). */
static void
vcard_strs_drop(char **v, size_t *n, const char *s)
{
	size_t	 i;

	for (i = 0; i < *n; i++) {
		if (strcasecmp(v[i], s) != 0)
			continue;
		free(v[i]);
		memmove(&v[i], &v[i + 1], (*n - i - 1) * sizeof *v);
		(*n)--;
		i--;
	}
}

/* Add an index to a set unless it is there. */
static void
vcard_set_add(struct vcard_set *set, size_t i)
{
	size_t	 k;

	for (k = 0; k < set->n; k++)
		if (set->v[k] == i)
			return;
	set->v = xreallocarray(set->v, set->n + 1, sizeof *set->v);
	set->v[set->n++] = i;
}

/* The live alias of a key, or -1. */
static long
vcard_find_alias(const struct vcard_file *f, const char *key)
{
	size_t	 i;

	for (i = f->na; i > 0; i--)
		if (!f->a[i - 1].dead && strcasecmp(f->a[i - 1].key, key) == 0)
			return (long)(i - 1);
	return -1;
}

/*
 * The contacts of one address item: added to out and their indexes to
 * set.  Returns 0, or -1 with a problem in words in *why.
 */
static int
vcard_item(struct vcard_result *out, const char *item, const char *notes,
    struct vcard_set *set, char **why)
{
	struct addr_list	 l = { NULL, 0 };
	struct err		*e = NULL;
	char			*cname = NULL;
	size_t			 i;

	if (addr_parse_list(item, &l, &e) != 0) {
		*why = xstrdup(e->msg);
		err_free(e);
		return -1;
	}
	if (l.n == 1 && l.v[0].name == NULL)
		cname = vcard_comment_name(item);
	for (i = 0; i < l.n; i++)
		vcard_set_add(set, vcard_contact_at(out, l.v[i].mailbox,
		    l.v[i].name != NULL ? l.v[i].name : cname, notes));
	free(cname);
	addr_list_clear(&l);
	return 0;
}

/* Expand alias ai into set; stack holds the aliases being expanded. */
static void
vcard_expand(struct vcard_result *out, struct vcard_file *f,
    size_t ai, struct vcard_set *set, size_t *stack, size_t depth)
{
	struct vcard_alias		*a = &f->a[ai];
	char				*why, *show, *ks;
	long				 j;
	size_t				 i, k;

	stack[depth] = ai;
	/* Once per top-level alias: a set gains nothing the second time. */
	a->done = stack[0] + 1;
	for (i = 0; i < a->nitems; i++) {
		show = vcard_show(a->items[i]);
		ks = vcard_show(a->key);
		if (vcard_is_key(a->items[i])) {
			if ((j = vcard_find_alias(f, a->items[i])) == -1) {
				if (depth == 0)
					vcard_problem(out, a->line, "alias "
					    "\"%s\": \"%s\" is neither an "
					    "address (user@domain) nor an "
					    "alias of this file", ks, show);
				goto next;
			}
			for (k = 0; k <= depth; k++)
				if (stack[k] == (size_t)j)
					break;
			if (k <= depth) {
				if (depth == 0 || (size_t)j == stack[0])
					vcard_problem(out, a->line, "alias "
					    "\"%s\": \"%s\" makes a loop "
					    "(left out)", ks, show);
				goto next;
			}
			if (f->a[j].done == stack[0] + 1)
				goto next;
			if (depth + 1 >= VCARD_DEPTH) {
				if (!set->deep)
					vcard_problem(out, f->a[stack[0]].line,
					    "alias \"%s\": aliases nested more "
					    "than %d deep (the deeper ones left "
					    "out)", f->a[stack[0]].key,
					    VCARD_DEPTH);
				set->deep = 1;
				goto next;
			}
			vcard_expand(out, f, (size_t)j, set, stack, depth + 1);
		} else if (vcard_item(out, a->items[i], a->notes, set,
		    &why) == -1) {
			if (depth == 0)
				vcard_problem(out, a->line, "alias \"%s\": %s",
				    ks, why);
			free(why);
		}
next:
		free(ks);
		free(show);
	}
}

/* Put contact i of out in a group. */
static void
vcard_join(struct vcard_result *out, size_t i, const char *group)
{
	struct vcard_contact	*c = &out->v[i];

	vcard_strs_add(&c->groups, &c->ngroups, group);
}

/* Turn the lines of an alias file into contacts, aliases and groups. */
static void
vcard_resolve(struct vcard_result *out, struct vcard_file *f)
{
	struct vcard_set	 set = { NULL, 0, 0 };
	struct vcard_alias	*a;
	struct vcard_contact	*c;
	size_t			 stack[VCARD_DEPTH], i, k, j;
	char			*why;

	for (i = 0; i < f->na; i++) {
		a = &f->a[i];
		if (a->dead)
			continue;
		set.n = 0;
		set.deep = 0;
		vcard_expand(out, f, i, &set, stack, 0);
		if (set.n == 0)
			continue;
		c = &out->v[set.v[0]];
		if (set.n == 1 && a->nitems == 1 && !vcard_is_key(a->items[0]) &&
		    (c->alias == NULL || strcasecmp(c->alias, a->key) == 0)) {
			if (c->alias == NULL)
				c->alias = xstrdup(a->key);
		} else
			for (k = 0; k < set.n; k++)
				vcard_join(out, set.v[k], a->key);
		for (j = 0; j < a->ngroups; j++)
			for (k = 0; k < set.n; k++)
				vcard_join(out, set.v[k], a->groups[j]);
	}
	for (i = 0; i < f->nm; i++) {
		if (f->m[i].dead)
			continue;
		set.n = 0;
		if (vcard_item(out, f->m[i].item, NULL, &set, &why) == -1) {
			vcard_problem(out, f->m[i].line, "group -addr: %s",
			    why);
			free(why);
			continue;
		}
		for (k = 0; k < set.n; k++)
			vcard_join(out, set.v[k], f->m[i].group);
	}
	/* ungroup -addr: out of the group, wherever it came from. */
	for (i = 0; i < f->nx; i++) {
		struct addr_list	 l = { NULL, 0 };

		if (addr_parse_list(f->x[i].item, &l, NULL) != 0)
			continue;
		for (k = 0; k < l.n; k++)
			for (j = 0; j < out->n; j++)
				if (strcmp(out->v[j].address,
				    l.v[k].mailbox) == 0)
					vcard_strs_drop(out->v[j].groups,
					    &out->v[j].ngroups, f->x[i].group);
		addr_list_clear(&l);
	}
	free(set.v);
}

/* Free the lines of an alias file. */
static void
vcard_file_clear(struct vcard_file *f)
{
	size_t	 i;

	for (i = 0; i < f->na; i++) {
		free(f->a[i].key);
		vcard_strs_free(f->a[i].groups, f->a[i].ngroups);
		vcard_strs_free(f->a[i].items, f->a[i].nitems);
		free(f->a[i].notes);
	}
	for (i = 0; i < f->nm; i++) {
		free(f->m[i].group);
		free(f->m[i].item);
	}
	for (i = 0; i < f->nx; i++) {
		free(f->x[i].group);
		free(f->x[i].item);
	}
	free(f->a);
	free(f->m);
	free(f->x);
	memset(f, 0, sizeof *f);
}

/* Parse a mutt alias file. */
int
vcard_parse_aliases(const char *text, size_t len, struct vcard_result *out,
    struct err **errp)
{
	struct vcard_file	 f;
	struct buf		 b = BUF_INIT;
	const char		*s;
	size_t			 pos = 0, n;
	int			 lineno = 0, start, more;

	memset(out, 0, sizeof *out);
	memset(&f, 0, sizeof f);
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
		vcard_alias_line(out, &f, b.s, start);
	}
	vcard_resolve(out, &f);
	vcard_file_clear(&f);
	vcard_sort_problems(out);
	buf_free(&b);
	return 0;
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

/* N from a display name: "Family, Given" or "Given ... Family[, Jr.]". */
static void
vcard_write_n(struct buf *line, const char *name)
{
	static const char	*suffixes[] = { "Jr.", "Jr", "Sr.", "Sr", "II",
	    "III", "IV", "PhD", "Ph.D.", "MD", "M.D.", "Esq.", NULL };
	char			*copy, *sep, *family, *given, *t;
	char			*suffix = NULL;
	size_t			 i;
	int			 comma = 0;

	buf_adds(line, "N:");
	if (name == NULL) {
		buf_adds(line, ";;;;");
		return;
	}
	copy = xstrdup(name);
	/* "Frank, Jr.": the comma sets off a suffix, not the given name. */
	if ((sep = strchr(copy, ',')) != NULL) {
		t = text_trim(sep + 1);
		for (i = 0; suffixes[i] != NULL; i++)
			if (strcasecmp(t, suffixes[i]) == 0)
				break;
		if (suffixes[i] != NULL) {
			*sep = '\0';
			suffix = t;
		}
	}
	if (sep == NULL || suffix != NULL)
		sep = NULL;
	else
		comma = 1;
	if (sep == NULL)
		sep = strrchr(copy, ' ');
	if (comma) {
		*sep = '\0';
		family = text_trim(copy);
		given = text_trim(sep + 1);
	} else if (sep != NULL) {
		*sep = '\0';
		family = text_trim(sep + 1);
		given = text_trim(copy);
	} else {
		family = copy + strlen(copy);
		given = copy;
	}
	vcard_escape(line, family);
	buf_addc(line, ';');
	vcard_escape(line, given);
	buf_adds(line, ";;;");
	if (suffix != NULL)
		vcard_escape(line, suffix);
	free(copy);
}

/* Write contacts as vCard 3.0. */
char *
vcard_write(const struct vcard_contact *v, size_t n)
{
	struct buf	 b = BUF_INIT, line = BUF_INIT;
	const char	*addr;
	char		*uid;
	size_t		 i, j;

	buf_add(&b, "", 0);
	for (i = 0; i < n; i++) {
		addr = v[i].address != NULL ? v[i].address : "";
		buf_adds(&b, "BEGIN:VCARD\r\nVERSION:3.0\r\n");
		uid = vcard_uid(addr);
		buf_reset(&line);
		buf_addf(&line, "UID:%s", uid);
		vcard_fold(&b, line.s, line.len);
		free(uid);
		buf_reset(&line);
		vcard_write_n(&line, v[i].name);
		vcard_fold(&b, line.s, line.len);
		buf_reset(&line);
		buf_adds(&line, "FN:");
		vcard_escape(&line, v[i].name != NULL ? v[i].name : addr);
		vcard_fold(&b, line.s, line.len);
		if (v[i].alias != NULL && v[i].alias[0] != '\0') {
			buf_reset(&line);
			buf_adds(&line, "NICKNAME:");
			vcard_escape(&line, v[i].alias);
			vcard_fold(&b, line.s, line.len);
		}
		buf_reset(&line);
		buf_adds(&line, "EMAIL;TYPE=INTERNET:");
		vcard_escape(&line, addr);
		vcard_fold(&b, line.s, line.len);
		if (v[i].ngroups > 0) {
			buf_reset(&line);
			buf_adds(&line, "CATEGORIES:");
			for (j = 0; j < v[i].ngroups; j++) {
				if (j > 0)
					buf_addc(&line, ',');
				vcard_escape(&line, v[i].groups[j]);
			}
			vcard_fold(&b, line.s, line.len);
		}
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

/* FNV-1a over a string, from a start value. */
static uint64_t
vcard_fnv(const char *s, uint64_t h)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* A stable UUID-shaped UID for an address. */
char *
vcard_uid(const char *address)
{
	char		*key, *at;
	uint64_t	 hi, lo;

	key = xstrdup(address);
	if ((at = strrchr(key, '@')) != NULL)
		for (; *at != '\0'; at++)
			if (*at >= 'A' && *at <= 'Z')
				*at = (char)(*at - 'A' + 'a');
	hi = vcard_fnv(key, 0xcbf29ce484222325ULL);
	lo = vcard_fnv(key, hi ^ 0x9e3779b97f4a7c15ULL);
	free(key);
	/* Version 8 (custom), variant 10. */
	hi = (hi & ~0xf000ULL) | 0x8000ULL;
	lo = (lo & ~(3ULL << 62)) | (2ULL << 62);
	return xasprintf("%08llx-%04llx-%04llx-%04llx-%012llx",
	    (unsigned long long)(hi >> 32),
	    (unsigned long long)((hi >> 16) & 0xffff),
	    (unsigned long long)(hi & 0xffff),
	    (unsigned long long)(lo >> 48),
	    (unsigned long long)(lo & 0xffffffffffffULL));
}

/* Free a contact's strings. */
void
vcard_contact_clear(struct vcard_contact *c)
{
	if (c == NULL)
		return;
	free(c->address);
	free(c->name);
	free(c->notes);
	free(c->alias);
	vcard_strs_free(c->groups, c->ngroups);
	memset(c, 0, sizeof *c);
	c->policy = POLICY_UNSET;
}

/* Free a result. */
void
vcard_result_clear(struct vcard_result *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		vcard_contact_clear(&r->v[i]);
	for (i = 0; i < r->np; i++)
		free(r->p[i].msg);
	free(r->v);
	free(r->p);
	memset(r, 0, sizeof *r);
}
