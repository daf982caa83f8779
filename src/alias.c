/* Contact import from mutt alias files. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "alias.h"
#include "buf.h"
#include "err.h"
#include "policy.h"
#include "text.h"
#include "vcard.h"
#include "vcard-int.h"
#include "xmalloc.h"

#define ALIAS_DEPTH	16	/* aliases of aliases, deepest */

/* An alias line of the file, before its addresses are expanded. */
struct alias_entry {
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
struct alias_member {
	char	*group;
	char	*item;
	int	 line;
	int	 dead;
};

struct alias_file {
	struct alias_entry	*a;
	size_t			 na;
	struct alias_member	*m;		/* group -addr */
	size_t			 nm;
	struct alias_member	*x;		/* ungroup -addr */
	size_t			 nx;
};

struct alias_set {
	size_t	*v;
	size_t	 n;
	int	 deep;		/* nesting too deep was said */
};

static void	 alias_strs_drop(char **, size_t *, const char *);
static size_t	 alias_contact_at(struct vcard_result *, const char *,
		    const char *, const char *);
static char	*alias_word(char **);
static int	 alias_next_is(const char *, const char *);
static int	 alias_group_opts(char **, char ***, size_t *);
static void	 alias_split(char *, char ***, size_t *);
static int	 alias_is_key(const char *);
static char	*alias_comment_name(const char *);
static void	 alias_line(struct vcard_result *, struct alias_file *,
		    char *, int);
static void	 alias_set_add(struct alias_set *, size_t);
static long	 alias_find(const struct alias_file *, const char *);
static int	 alias_item(struct vcard_result *, const char *, const char *,
		    struct alias_set *, char **);
static void	 alias_expand(struct vcard_result *, struct alias_file *,
		    size_t, struct alias_set *, size_t *, size_t);
static void	 alias_resolve(struct vcard_result *, struct alias_file *);
static void	 alias_file_clear(struct alias_file *);
static void	 alias_sort_problems(struct vcard_result *);

/* Order the problems by line (stable). */
static void
alias_sort_problems(struct vcard_result *out)
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

/* The contact for an address: found (filling a missing name) or added. */
static size_t
alias_contact_at(struct vcard_result *out, const char *address,
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
alias_word(char **pp)
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
alias_next_is(const char *p, const char *opt)
{
	size_t	 n = strlen(opt);

	p += strspn(p, " \t");
	return strncmp(p, opt, n) == 0 && (p[n] == '\0' || p[n] == ' ' ||
	    p[n] == '\t');
}

/* Take "-group NAME"s from *pp into a list; -1 when a NAME is missing. */
static int
alias_group_opts(char **pp, char ***v, size_t *n)
{
	char	*w;

	while (alias_next_is(*pp, "-group")) {
		(void)alias_word(pp);
		if ((w = alias_word(pp)) == NULL)
			return -1;
		vcard_strs_add(v, n, w);
	}
	return 0;
}

/* Split an address list at its top-level commas into trimmed items. */
static void
alias_split(char *s, char ***v, size_t *n)
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
alias_is_key(const char *s)
{
	return *s != '\0' && strpbrk(s, "@<>\"(),;: \t\\") == NULL;
}

/* The name in a trailing comment ("addr (Name)"), or NULL. */
static char *
alias_comment_name(const char *s)
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
alias_line(struct vcard_result *out, struct alias_file *f, char *s,
    int line)
{
	struct alias_entry	*a;
	struct alias_member	*m;
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
	/* A line that is empty once its comment is gone says nothing. */
	if ((cmd = alias_word(&p)) == NULL)
		goto out;
	if (strcasecmp(cmd, "unalias") == 0) {
		if (alias_group_opts(&p, &groups, &ngroups) == -1)
			goto nogroup;
		while ((w = alias_word(&p)) != NULL)
			for (i = 0; i < f->na; i++)
				if (strcmp(w, "*") == 0 ||
				    strcasecmp(w, f->a[i].key) == 0)
					f->a[i].dead = 1;
		goto out;
	}
	if (strcasecmp(cmd, "group") == 0 || strcasecmp(cmd, "ungroup") == 0) {
		int	 un = cmd[0] == 'u' || cmd[0] == 'U';

		if (alias_group_opts(&p, &groups, &ngroups) == -1)
			goto nogroup;
		if (ngroups == 0) {
			vcard_problem(out, line, "%s needs -group NAME", cmd);
			goto out;
		}
		while ((w = alias_word(&p)) != NULL) {
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
						alias_strs_drop(f->a[j].groups,
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
	if (alias_group_opts(&p, &groups, &ngroups) == -1)
		goto nogroup;
	if ((w = alias_word(&p)) == NULL) {
		vcard_problem(out, line, "alias has no key (write: alias "
		    "KEY Name <user@domain>)");
		goto out;
	}
	if (alias_group_opts(&p, &groups, &ngroups) == -1)
		goto nogroup;
	show = vcard_show(w);
	alias_split(p, &items, &nitems);
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
alias_strs_drop(char **v, size_t *n, const char *s)
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
alias_set_add(struct alias_set *set, size_t i)
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
alias_find(const struct alias_file *f, const char *key)
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
alias_item(struct vcard_result *out, const char *item, const char *notes,
    struct alias_set *set, char **why)
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
		cname = alias_comment_name(item);
	for (i = 0; i < l.n; i++)
		alias_set_add(set, alias_contact_at(out, l.v[i].mailbox,
		    l.v[i].name != NULL ? l.v[i].name : cname, notes));
	free(cname);
	addr_list_clear(&l);
	return 0;
}

/* Expand alias ai into set; stack holds the aliases being expanded. */
static void
alias_expand(struct vcard_result *out, struct alias_file *f,
    size_t ai, struct alias_set *set, size_t *stack, size_t depth)
{
	struct alias_entry		*a = &f->a[ai];
	char				*why, *show, *ks;
	long				 j;
	size_t				 i, k;

	stack[depth] = ai;
	/* Once per top-level alias: a set gains nothing the second time. */
	a->done = stack[0] + 1;
	for (i = 0; i < a->nitems; i++) {
		show = vcard_show(a->items[i]);
		ks = vcard_show(a->key);
		if (alias_is_key(a->items[i])) {
			if ((j = alias_find(f, a->items[i])) == -1) {
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
			if (depth + 1 >= ALIAS_DEPTH) {
				if (!set->deep)
					vcard_problem(out, f->a[stack[0]].line,
					    "alias \"%s\": aliases nested more "
					    "than %d deep (the deeper ones left "
					    "out)", f->a[stack[0]].key,
					    ALIAS_DEPTH);
				set->deep = 1;
				goto next;
			}
			alias_expand(out, f, (size_t)j, set, stack, depth + 1);
		} else if (alias_item(out, a->items[i], a->notes, set,
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

/* Turn the lines of an alias file into contacts, aliases and groups. */
static void
alias_resolve(struct vcard_result *out, struct alias_file *f)
{
	struct alias_set	 set = { NULL, 0, 0 };
	struct alias_entry	*a;
	struct vcard_contact	*c;
	size_t			 stack[ALIAS_DEPTH], i, k, j;
	char			*why;

	for (i = 0; i < f->na; i++) {
		a = &f->a[i];
		if (a->dead)
			continue;
		set.n = 0;
		set.deep = 0;
		alias_expand(out, f, i, &set, stack, 0);
		if (set.n == 0)
			continue;
		c = &out->v[set.v[0]];
		if (set.n == 1 && a->nitems == 1 && !alias_is_key(a->items[0]) &&
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
		if (alias_item(out, f->m[i].item, NULL, &set, &why) == -1) {
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
					alias_strs_drop(out->v[j].groups,
					    &out->v[j].ngroups, f->x[i].group);
		addr_list_clear(&l);
	}
	free(set.v);
}

/* Free the lines of an alias file. */
static void
alias_file_clear(struct alias_file *f)
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
alias_parse(const char *text, size_t len, struct vcard_result *out,
    struct err **errp)
{
	struct alias_file	 f;
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
		alias_line(out, &f, b.s, start);
	}
	alias_resolve(out, &f);
	alias_file_clear(&f);
	alias_sort_problems(out);
	buf_free(&b);
	return 0;
}
