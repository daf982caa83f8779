/* Address completion from the contacts and their groups. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "policy.h"
#include "store.h"
#include "ui-complete.h"
#include "xmalloc.h"

struct ui_complete {
	struct store_contact	 v[UI_COMPLETE_MAX];
	size_t			 n;
	size_t			 sel;
};

static int	 ui_complete_row(const struct store_contact *, void *);
static int	 ui_complete_group(const char *, long long, void *);
static int	 ui_complete_member(const struct store_contact *, void *);

/* No completions yet. */
struct ui_complete *
ui_complete_new(void)
{
	struct ui_complete	*c;
	size_t			 i;

	c = xcalloc(1, sizeof *c);
	for (i = 0; i < UI_COMPLETE_MAX; i++)
		c->v[i].policy = POLICY_UNSET;
	return c;
}

/* Free the completions. */
void
ui_complete_free(struct ui_complete *c)
{
	if (c == NULL)
		return;
	ui_complete_clear(c);
	free(c);
}

/* Forget the completions. */
void
ui_complete_clear(struct ui_complete *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		store_contact_clear(&c->v[i]);
	c->n = 0;
	c->sel = 0;
}

/* Keep a contact. */
static int
ui_complete_row(const struct store_contact *sc, void *arg)
{
	struct ui_complete	*c = arg;
	struct store_contact	*d;

	if (c->n >= UI_COMPLETE_MAX)
		return 1;
	d = &c->v[c->n++];
	d->id = sc->id;
	d->address = xstrdup(sc->address);
	d->name = xstrdup(sc->name);
	d->notes = NULL;
	d->policy = sc->policy;
	return 0;
}

/* Keep the name of a group that matches (its members come later). */
static int
ui_complete_group(const char *name, long long n, void *arg)
{
	struct ui_complete	*c = arg;
	struct store_contact	*d;

	if (c->n >= UI_COMPLETE_MAX)
		return 1;
	d = &c->v[c->n++];
	d->id = 0;
	d->alias = xstrdup(name);
	d->name = xasprintf("group %s: %lld contact%s", name, n,
	    n == 1 ? "" : "s");
	d->policy = POLICY_UNSET;
	return 0;
}

/* Append a member's address to a group's list. */
static int
ui_complete_member(const struct store_contact *sc, void *arg)
{
	struct buf	*b = arg;

	if (b->len > 0)
		buf_adds(b, ", ");
	buf_adds(b, sc->address);
	return 0;
}

/* Complete the word being typed: groups first, then contacts. */
void
ui_complete_find(struct ui_complete *c, struct store *st, const char *s)
{
	struct buf	 b;
	const char	*w;
	size_t		 i, ngroups;

	ui_complete_clear(c);
	w = strrchr(s, ',');
	w = w != NULL ? w + 1 : s;
	while (*w == ' ')
		w++;
	if (*w == '\0')
		return;
	(void)store_contact_groups(st, w, UI_COMPLETE_MAX, ui_complete_group,
	    c, NULL);
	/* The members, once the group walk is over. */
	ngroups = c->n;
	for (i = 0; i < ngroups; i++) {
		b = (struct buf)BUF_INIT;
		buf_add(&b, "", 0);
		(void)store_contact_members(st, c->v[i].alias,
		    ui_complete_member, &b, NULL);
		c->v[i].address = buf_steal(&b);
	}
	if (c->n < UI_COMPLETE_MAX)
		(void)store_contact_each(st, w, 0, UI_COMPLETE_MAX - c->n,
		    ui_complete_row, c, NULL);
	/* Nothing to offer when the word is already a whole contact. */
	if (c->n == 1 && strcasecmp(c->v[0].address, w) == 0)
		ui_complete_clear(c);
}

/* How many. */
size_t
ui_complete_count(const struct ui_complete *c)
{
	return c->n;
}

/* Completion i. */
const struct store_contact *
ui_complete_get(const struct ui_complete *c, size_t i)
{
	return i < c->n ? &c->v[i] : NULL;
}

/* The chosen one. */
size_t
ui_complete_sel(const struct ui_complete *c)
{
	return c->sel;
}

/* Choose another, round. */
void
ui_complete_move(struct ui_complete *c, int dir)
{
	if (c->n == 0)
		return;
	c->sel = dir > 0 ? (c->sel + 1) % c->n : (c->sel + c->n - 1) % c->n;
}

/* The field's text with the chosen completion. */
char *
ui_complete_take(const struct ui_complete *c, const char *s)
{
	struct buf	 b = BUF_INIT;
	const char	*w;

	if (c->n == 0)
		return NULL;
	w = strrchr(s, ',');
	if (w != NULL) {
		buf_add(&b, s, (size_t)(w - s) + 1);
		buf_addc(&b, ' ');
	}
	buf_adds(&b, c->v[c->sel].address);
	buf_adds(&b, ", ");
	return buf_steal(&b);
}
