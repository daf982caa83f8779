/* The contacts screen. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "addr.h"
#include "err.h"
#include "outbox.h"
#include "policy.h"
#include "store.h"
#include "ui-app.h"
#include "ui-contacts.h"
#include "ui-term.h"
#include "xmalloc.h"

enum ui_contacts_action {
	UI_CT_DOWN,
	UI_CT_UP,
	UI_CT_PGDN,
	UI_CT_PGUP,
	UI_CT_SEARCH,
	UI_CT_ADD,
	UI_CT_EDIT,
	UI_CT_DELETE,
	UI_CT_POLICY,
	UI_CT_BACK
};

static const struct ui_key ui_contacts_keys[] = {
	{ 'j', UI_CT_DOWN, "next contact" },
	{ UI_KEY(KEY_DOWN), UI_CT_DOWN, NULL },
	{ 'k', UI_CT_UP, "previous contact" },
	{ UI_KEY(KEY_UP), UI_CT_UP, NULL },
	{ UI_KEY(KEY_NPAGE), UI_CT_PGDN, "next page" },
	{ ' ', UI_CT_PGDN, NULL },
	{ UI_KEY(KEY_PPAGE), UI_CT_PGUP, "previous page" },
	{ '-', UI_CT_PGUP, NULL },
	{ '/', UI_CT_SEARCH, "search addresses and names (empty: all)" },
	{ 'a', UI_CT_ADD, "add a contact" },
	{ 'e', UI_CT_EDIT, "edit the name and notes" },
	{ '\r', UI_CT_EDIT, NULL },
	{ '\n', UI_CT_EDIT, NULL },
	{ UI_KEY(KEY_ENTER), UI_CT_EDIT, NULL },
	{ 'd', UI_CT_DELETE, "delete the contact" },
	{ 't', UI_CT_POLICY, "require TLS: cycle default, may, encrypt, "
	  "verify" },
	{ 'q', UI_CT_BACK, "back" },
	{ UI_ESC, UI_CT_BACK, NULL },
};

static const struct ui_keymap ui_contacts_map = {
	"Contacts", ui_contacts_keys,
	sizeof ui_contacts_keys / sizeof ui_contacts_keys[0]
};

struct ui_contacts {
	char			*search;
	long long		 total;		/* all contacts */
	long long		 cur, top;
	struct store_contact	*rows;		/* [top, top + nrows) */
	size_t			 nrows, cap;
	int			 more;		/* rows after the window */
	int			 height;
	int			 stale;
};

static int	 ui_contacts_collect(const struct store_contact *, void *);
static void	 ui_contacts_load(struct ui_contacts *, struct ui *);
static void	 ui_contacts_clear(struct ui_contacts *);
static const char *ui_contacts_words(enum policy);
static void	 ui_contacts_add(struct ui_contacts *, struct ui *);
static void	 ui_contacts_edit(struct ui *, struct store_contact *);
static void	 ui_contacts_draw(struct ui_screen *, struct ui *, int, int);
static int	 ui_contacts_key(struct ui_screen *, struct ui *, int);
static void	 ui_contacts_update(struct ui_screen *, struct ui *);
static void	 ui_contacts_title(struct ui_screen *, struct ui *, char *,
		    size_t);
static void	 ui_contacts_free(struct ui_screen *);

static const struct ui_screen_ops ui_contacts_ops = {
	"contacts", &ui_contacts_map, ui_contacts_draw, ui_contacts_key,
	ui_contacts_update, ui_contacts_title, NULL,
	"t:require TLS  a:add  e:edit  d:delete  /:search  q:back  ?:help",
	ui_contacts_free
};

/* The contacts screen. */
struct ui_screen *
ui_contacts_new(struct ui *ui)
{
	struct ui_contacts	*c;

	(void)ui;
	c = xcalloc(1, sizeof *c);
	c->stale = 1;
	c->height = 10;
	return ui_app_screen(&ui_contacts_ops, c);
}

/* The keys. */
const struct ui_keymap *
ui_contacts_keymap(void)
{
	return &ui_contacts_map;
}

/* A policy in plain words. */
static const char *
ui_contacts_words(enum policy p)
{
	switch (p) {
	case POLICY_MAY:
		return "TLS if offered, else plaintext";
	case POLICY_ENCRYPT:
		return "TLS required, any certificate";
	case POLICY_VERIFY:
		return "TLS required, certificate verified";
	default:
		return "";
	}
}

/* Keep a contact of the window (one more than fits tells of more). */
static int
ui_contacts_collect(const struct store_contact *sc, void *arg)
{
	struct ui_contacts	*c = arg;
	struct store_contact	*d;

	if ((int)c->nrows >= c->height) {
		c->more = 1;
		return 1;
	}
	if (c->nrows == c->cap) {
		c->cap = c->cap == 0 ? 32 : c->cap * 2;
		c->rows = xreallocarray(c->rows, c->cap, sizeof *c->rows);
	}
	d = &c->rows[c->nrows++];
	memset(d, 0, sizeof *d);
	d->id = sc->id;
	d->address = xstrdup(sc->address);
	d->name = xstrdup(sc->name);
	d->notes = xstrdup(sc->notes);
	d->alias = xstrdup(sc->alias);
	d->groups = xstrdup(sc->groups);
	d->policy = sc->policy;
	return 0;
}

/* Free the window. */
static void
ui_contacts_clear(struct ui_contacts *c)
{
	size_t	i;

	for (i = 0; i < c->nrows; i++)
		store_contact_clear(&c->rows[i]);
	c->nrows = 0;
	c->more = 0;
}

/* Read the window around the cursor. */
static void
ui_contacts_load(struct ui_contacts *c, struct ui *ui)
{
	struct err	*e = NULL;

	if (store_contact_count(ui->store, &c->total, &e) == -1) {
		err_free(e);
		e = NULL;
	}
	if (c->cur < 0)
		c->cur = 0;
	if (c->cur < c->top)
		c->top = c->cur;
	if (c->cur >= c->top + c->height)
		c->top = c->cur - c->height + 1;
	for (;;) {
		ui_contacts_clear(c);
		if (store_contact_each(ui->store, c->search, (size_t)c->top,
		    (size_t)c->height + 1, ui_contacts_collect, c, &e) == -1) {
			ui_app_say(ui, 1, "%s", e->msg);
			err_free(e);
			break;
		}
		/* The cursor went past the end: back to the last row. */
		if (c->nrows > 0 && c->cur >= c->top + (long long)c->nrows) {
			c->cur = c->top + (long long)c->nrows - 1;
			break;
		}
		if (c->nrows > 0 || c->top == 0)
			break;
		c->top = c->top > c->height ? c->top - c->height : 0;
		c->cur = c->top;
	}
	c->stale = 0;
}

/* Add a contact: address, name, policy. */
static void
ui_contacts_add(struct ui_contacts *c, struct ui *ui)
{
	struct store_contact	 sc;
	struct addr		 a;
	struct err		*e = NULL;
	char			*s, *name = NULL;

	memset(&a, 0, sizeof a);
	memset(&sc, 0, sizeof sc);
	sc.policy = POLICY_UNSET;
	if ((s = ui_app_prompt(ui, "Address: ", NULL)) == NULL)
		return;
	if (addr_parse(s, &a, &e) == -1 || addr_check(a.mailbox, &e) == -1) {
		ui_app_say(ui, 1, "%s", e->msg);
		goto out;
	}
	if ((name = ui_app_prompt(ui, "Name: ", a.name)) == NULL)
		goto out;
	sc.address = a.mailbox;
	sc.name = *name != '\0' ? name : NULL;
	if (store_contact_put(ui->store, &sc, &e) == -1) {
		ui_app_say(ui, 1, "%s", e->msg);
		goto out;
	}
	ui_app_say(ui, 0, "Added %s; t sets its TLS requirement.", a.mailbox);
	free(c->search);
	c->search = xstrdup(a.mailbox);
	c->cur = c->top = 0;
	ui_app_changed(ui);
out:
	err_free(e);
	free(s);
	free(name);
	addr_clear(&a);
}

/* Edit a contact's name and notes. */
static void
ui_contacts_edit(struct ui *ui, struct store_contact *ct)
{
	struct store_contact	 sc;
	struct err		*e = NULL;
	char			*name, *notes;

	if ((name = ui_app_prompt(ui, "Name: ", ct->name)) == NULL)
		return;
	if ((notes = ui_app_prompt(ui, "Notes: ", ct->notes)) == NULL) {
		free(name);
		return;
	}
	sc = *ct;
	sc.name = *name != '\0' ? name : NULL;
	sc.notes = *notes != '\0' ? notes : NULL;
	if (store_contact_put(ui->store, &sc, &e) == -1) {
		ui_app_say(ui, 1, "%s", e->msg);
		err_free(e);
	} else
		ui_app_say(ui, 0, "Saved %s.", ct->address);
	free(name);
	free(notes);
	ui_app_changed(ui);
}

/* Draw the contacts. */
static void
ui_contacts_draw(struct ui_screen *sc, struct ui *ui, int top, int h)
{
	struct ui_contacts	*c = sc->data;
	struct store_contact	*ct;
	enum policy_source	 src;
	enum policy		 p;
	char			*t;
	size_t			 i;
	int			 y, w = ui_term_cols(), attr, aw, sel;
	int			 head = ui_term_attr(UI_A_HEAD);

	if (h < 3)
		return;
	if (c->height != h - 2) {
		c->height = h - 2;
		c->stale = 1;
	}
	if (c->stale)
		ui_contacts_load(c, ui);
	aw = w / 4;
	ui_term_text(top, 1, aw, "Address", head);
	ui_term_text(top, aw + 2, 14, "Name", head);
	ui_term_text(top, aw + 17, w - aw - 18, "Require TLS? policy now "
	    "(from where)", head);
	if (c->nrows == 0) {
		ui_term_text(top + 2, 2, w - 4, c->search != NULL ?
		    "No contact matches (/ and Enter: all)." : "No contacts "
		    "yet: press a to add one.", ui_term_attr(UI_A_DIM));
		return;
	}
	for (i = 0; i < c->nrows; i++) {
		ct = &c->rows[i];
		y = top + 1 + (int)i;
		sel = (long long)i + c->top == c->cur;
		attr = sel ? ui_term_attr(UI_A_SELECT) :
		    ui_term_attr(UI_A_NORMAL);
		if (sel)
			ui_term_fill(y, 0, w, attr);
		ui_term_text(y, 1, aw, ct->address, attr);
		ui_term_text(y, aw + 2, 14, ct->name != NULL ? ct->name : "",
		    attr);
		p = outbox_policy(&ui->ob, ct->address, &src);
		if (ct->policy == POLICY_UNSET)
			t = xasprintf("%s %s (%s)", policy_needs_tls(p) ?
			    "yes" : "no ", policy_name(p),
			    policy_source_name(src));
		else
			t = xasprintf("%s %s (contact): %s",
			    policy_needs_tls(p) ? "YES" : "no ", policy_name(p),
			    ui_contacts_words(p));
		ui_term_text(y, aw + 17, w - aw - 18, t, sel ? attr :
		    policy_needs_tls(p) ? ui_term_attr(UI_A_GOOD) :
		    ui_term_attr(UI_A_NORMAL));
		free(t);
	}
}

/* Contacts keys. */
static int
ui_contacts_key(struct ui_screen *sc, struct ui *ui, int k)
{
	struct ui_contacts	*c = sc->data;
	struct store_contact	*ct = NULL;
	struct err		*e = NULL;
	enum policy		 next;
	char			*s, q[300];

	if (c->cur >= c->top && c->cur < c->top + (long long)c->nrows)
		ct = &c->rows[c->cur - c->top];
	switch (ui_app_action(&ui_contacts_map, k)) {
	case UI_CT_DOWN:
		if (ct != NULL && (c->cur + 1 < c->top +
		    (long long)c->nrows || c->more))
			c->cur++;
		break;
	case UI_CT_UP:
		if (c->cur > 0)
			c->cur--;
		break;
	case UI_CT_PGDN:
		if (c->more) {
			c->cur += c->height;
			c->top += c->height;
		} else if (c->nrows > 0)
			c->cur = c->top + (long long)c->nrows - 1;
		break;
	case UI_CT_PGUP:
		c->cur -= c->height;
		c->top -= c->height;
		if (c->top < 0)
			c->top = 0;
		if (c->cur < 0)
			c->cur = 0;
		break;
	case UI_CT_SEARCH:
		if ((s = ui_app_prompt(ui, "Search contacts: ", c->search)) ==
		    NULL)
			return UI_REDRAW;
		free(c->search);
		c->search = *s != '\0' ? s : NULL;
		if (c->search == NULL)
			free(s);
		c->cur = c->top = 0;
		break;
	case UI_CT_ADD:
		ui_contacts_add(c, ui);
		break;
	case UI_CT_EDIT:
		if (ct != NULL)
			ui_contacts_edit(ui, ct);
		break;
	case UI_CT_DELETE:
		if (ct == NULL)
			return UI_NONE;
		snprintf(q, sizeof q, "Delete the contact %s?", ct->address);
		if (!ui_app_confirm(ui, q))
			return UI_REDRAW;
		if (store_contact_remove(ui->store, ct->address, &e) == -1) {
			ui_app_say(ui, 1, "%s", e->msg);
			err_free(e);
		} else
			ui_app_say(ui, 0, "Deleted.");
		ui_app_changed(ui);
		break;
	case UI_CT_POLICY:
		if (ct == NULL)
			return UI_NONE;
		next = ct->policy == POLICY_UNSET ? POLICY_MAY :
		    ct->policy == POLICY_MAY ? POLICY_ENCRYPT :
		    ct->policy == POLICY_ENCRYPT ? POLICY_VERIFY : POLICY_UNSET;
		if (store_contact_set_policy(ui->store, ct->address, next,
		    &e) == -1) {
			ui_app_say(ui, 1, "%s", e->msg);
			err_free(e);
		} else if (next == POLICY_UNSET)
			ui_app_say(ui, 0, "%s follows the domain rule or your "
			    "default again.", ct->address);
		else
			ui_app_say(ui, 0, "%s: %s (%s).", ct->address,
			    policy_name(next), ui_contacts_words(next));
		ui_app_changed(ui);
		break;
	case UI_CT_BACK:
		return UI_CLOSE;
	default:
		return UI_UNHANDLED;
	}
	c->stale = 1;
	return UI_REDRAW;
}

/* The store changed. */
static void
ui_contacts_update(struct ui_screen *sc, struct ui *ui)
{
	struct ui_contacts	*c = sc->data;

	(void)ui;
	c->stale = 1;
}

/* The title. */
static void
ui_contacts_title(struct ui_screen *sc, struct ui *ui, char *b, size_t len)
{
	struct ui_contacts	*c = sc->data;

	(void)ui;
	snprintf(b, len, "Contacts %lld%s%s%s", c->total, c->search != NULL ?
	    " [/" : "", c->search != NULL ? c->search : "", c->search != NULL ?
	    "]" : "");
}

/* Free the screen. */
static void
ui_contacts_free(struct ui_screen *sc)
{
	struct ui_contacts	*c = sc->data;

	ui_contacts_clear(c);
	free(c->rows);
	free(c->search);
	free(c);
	free(sc);
}
