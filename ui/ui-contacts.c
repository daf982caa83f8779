/* The contacts screen. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curses.h>

#include "addr.h"
#include "err.h"
#include "outbox.h"
#include "policy.h"
#include "store.h"
#include "ui-app.h"
#include "ui-contacts.h"
#include "ui-listw.h"
#include "ui-term.h"
#include "xmalloc.h"

enum ui_contacts_action {
	UI_CT_ADD,
	UI_CT_EDIT,
	UI_CT_DELETE,
	UI_CT_POLICY,
	UI_CT_UNDO,
	UI_CT_BACK
};

static const struct ui_key ui_contacts_keys[] = {
	{ .key = 'a', .action = UI_CT_ADD, .help = "add a contact" },
	{ .key = 'e', .action = UI_CT_EDIT, .help = "edit the name and notes" },
	{ .key = '\r', .action = UI_CT_EDIT },
	{ .key = '\n', .action = UI_CT_EDIT },
	{ .key = UI_KEY(KEY_ENTER), .action = UI_CT_EDIT },
	{ .key = 'd', .action = UI_CT_DELETE, .help = "delete the contact" },
	{ .key = 'u', .action = UI_CT_UNDO,
	  .help = "undo the last delete (the contact back as it was)" },
	{ .key = 't', .action = UI_CT_POLICY, .help = "require TLS: cycle "
	  "default, may, encrypt, verify" },
	{ .key = 'q', .action = UI_CT_BACK, .help = "back" },
	{ .key = UI_ESC, .action = UI_CT_BACK },
};

const struct ui_keymap ui_contacts_keymap =
    UI_KEYMAP("Contacts", ui_contacts_keys);

struct ui_contacts {
	struct ui_listw		*lw;
	struct store_contact	*rows;		/* the window */
	size_t			 nrows, cap;
	long long		 n;		/* counting */
	const char		*find;		/* counting up to it (borrowed) */
	int			 found;
	struct store_contact	 undo;		/* the last deleted, for u */
	int			 has_undo;
};

static int	 ui_contacts_collect(const struct store_contact *, void *);
static int	 ui_contacts_tally(const struct store_contact *, void *);
static void	 ui_contacts_clear(struct ui_contacts *);
static int	 ui_contacts_count(void *, struct ui *, const char *,
		    long long *, struct err **);
static int	 ui_contacts_load(void *, struct ui *, const char *, size_t,
		    size_t, struct err **);
static int	 ui_contacts_row(void *, struct ui *, size_t, int, int, int);
static const char *ui_contacts_words(enum policy);
static int	 ui_contacts_find(const struct store_contact *, void *);
static void	 ui_contacts_add(struct ui_contacts *, struct ui *);
static void	 ui_contacts_edit(struct ui *, struct store_contact *);
static void	 ui_contacts_delete(struct ui_contacts *, struct ui *,
		    const char *);
static void	 ui_contacts_undo(struct ui_contacts *, struct ui *);
static void	 ui_contacts_draw(struct ui_screen *, struct ui *, int, int);
static int	 ui_contacts_key(struct ui_screen *, struct ui *, int);
static void	 ui_contacts_update(struct ui_screen *, struct ui *);
static void	 ui_contacts_title(struct ui_screen *, struct ui *, char *,
		    size_t);
static void	 ui_contacts_free(struct ui_screen *);

static const struct ui_listw_ops ui_contacts_lw = {
	.prompt = "Search contacts: ",
	.lines = 1,
	.count = ui_contacts_count,
	.load = ui_contacts_load,
	.draw = ui_contacts_row,
};

static const struct ui_screen_ops ui_contacts_ops = {
	.name = "contacts",
	.keymap = &ui_contacts_keymap,
	.hints = "t:require TLS  a:add  e:edit  d:delete  /:search  q:back  "
	    "?:help",
	.title = ui_contacts_title,
	.draw = ui_contacts_draw,
	.key = ui_contacts_key,
	.update = ui_contacts_update,
	.free = ui_contacts_free,
};

/* The contacts screen. */
struct ui_screen *
ui_contacts_new(struct ui *ui)
{
	struct ui_contacts	*c;

	(void)ui;
	c = xcalloc(1, sizeof *c);
	c->lw = ui_listw_new(&ui_contacts_lw, c);
	return ui_app_screen(&ui_contacts_ops, c);
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

/* Keep a contact of the window. */
static int
ui_contacts_collect(const struct store_contact *sc, void *arg)
{
	struct ui_contacts	*c = arg;
	struct store_contact	*d;

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

/* Count the contacts before c->find; 1 (stop) on it. */
static int
ui_contacts_find(const struct store_contact *sc, void *arg)
{
	struct ui_contacts	*c = arg;

	if (strcasecmp(sc->address, c->find) == 0) {
		c->found = 1;
		return 1;
	}
	c->n++;
	return 0;
}

/* Count a matching contact. */
static int
ui_contacts_tally(const struct store_contact *sc, void *arg)
{
	struct ui_contacts	*c = arg;

	(void)sc;
	c->n++;
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
}

/*
 * How many contacts match (the list widget's count).  The store counts
 * all of them; a search is counted row by row (contacts are few).
 */
static int
ui_contacts_count(void *arg, struct ui *ui, const char *search, long long *n,
    struct err **errp)
{
	struct ui_contacts	*c = arg;

	if (search == NULL)
		return store_contact_count(ui->store, n, errp);
	c->n = 0;
	if (store_contact_each(ui->store, search, 0, 0, ui_contacts_tally, c,
	    errp) == -1)
		return -1;
	*n = c->n;
	return 0;
}

/* Read the contacts on screen (the list widget's load). */
static int
ui_contacts_load(void *arg, struct ui *ui, const char *search, size_t off,
    size_t n, struct err **errp)
{
	struct ui_contacts	*c = arg;

	ui_contacts_clear(c);
	if (store_contact_each(ui->store, search, off, n, ui_contacts_collect,
	    c, errp) == -1)
		return -1;
	return (int)c->nrows;
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
	/*
	 * The whole list stays, its count with it, the cursor on the new
	 * contact (filtering to it made the counter say 1 of many).
	 */
	ui_listw_set_search(c->lw, NULL);
	c->find = a.mailbox;
	c->n = 0;
	c->found = 0;
	if (store_contact_each(ui->store, NULL, 0, 0, ui_contacts_find, c,
	    NULL) == 0 && c->found)
		ui_listw_set_cursor(c->lw, c->n);
	c->find = NULL;
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

/* Delete a contact, kept whole (with its groups) for u. */
static void
ui_contacts_delete(struct ui_contacts *c, struct ui *ui, const char *addr)
{
	struct store_contact	 keep;
	struct err		*e = NULL;

	memset(&keep, 0, sizeof keep);
	if (store_contact_get(ui->store, addr, &keep, &e) != 1 ||
	    store_contact_remove(ui->store, addr, &e) == -1) {
		ui_app_say(ui, 1, "%s", e != NULL ? e->msg : "no such contact");
		err_free(e);
		store_contact_clear(&keep);
		return;
	}
	if (c->has_undo)
		store_contact_clear(&c->undo);
	c->undo = keep;
	c->has_undo = 1;
	ui_app_say(ui, 0, "Deleted %s (u: undo).", c->undo.address);
}

/* Put the last deleted contact back: fields, policy, alias, groups. */
static void
ui_contacts_undo(struct ui_contacts *c, struct ui *ui)
{
	struct err	*e = NULL;
	const char	*g, *nl;
	char		*one;

	if (!c->has_undo) {
		ui_app_say(ui, 0, "Nothing to undo.");
		return;
	}
	if (store_contact_put(ui->store, &c->undo, &e) == -1) {
		ui_app_say(ui, 1, "Not restored: %s", e->msg);
		err_free(e);
		return;
	}
	for (g = c->undo.groups; g != NULL && *g != '\0'; g = nl + 1) {
		nl = strchr(g, '\n');
		one = nl != NULL ? xstrndup(g, (size_t)(nl - g)) : xstrdup(g);
		if (store_contact_group_add(ui->store, one, c->undo.address,
		    &e) == -1) {
			ui_app_say(ui, 1, "%s", e->msg);
			err_free(e);
			e = NULL;
		}
		free(one);
		if (nl == NULL)
			break;
	}
	ui_app_say(ui, 0, "Restored %s.", c->undo.address);
	store_contact_clear(&c->undo);
	c->has_undo = 0;
}

/* Draw one contact (the list widget's draw). */
static int
ui_contacts_row(void *arg, struct ui *ui, size_t i, int y, int h, int sel)
{
	struct ui_contacts	*c = arg;
	struct store_contact	*ct = &c->rows[i];
	enum policy_source	 src;
	enum policy		 p;
	char			*t;
	int			 w = ui_term_cols(), attr, aw = w / 4;

	(void)h;
	attr = sel ? ui_term_attr(UI_A_SELECT) : ui_term_attr(UI_A_NORMAL);
	if (sel)
		ui_term_fill(y, 0, w, attr);
	ui_term_text(y, 1, aw, ct->address, attr);
	ui_term_text(y, aw + 2, 14, ct->name != NULL ? ct->name : "", attr);
	p = outbox_policy(&ui->ob, ct->address, &src);
	if (ct->policy == POLICY_UNSET)
		t = xasprintf("%s %s (%s)", policy_needs_tls(p) ? "yes" : "no ",
		    policy_name(p), policy_source_name(src));
	else
		t = xasprintf("%s %s (contact): %s", policy_needs_tls(p) ?
		    "YES" : "no ", policy_name(p), ui_contacts_words(p));
	ui_term_text(y, aw + 17, w - aw - 18, t, sel ? attr :
	    policy_needs_tls(p) ? ui_term_attr(UI_A_GOOD) :
	    ui_term_attr(UI_A_NORMAL));
	free(t);
	return 1;
}

/* Draw the contacts. */
static void
ui_contacts_draw(struct ui_screen *sc, struct ui *ui, int top, int h)
{
	struct ui_contacts	*c = sc->data;
	int			 w = ui_term_cols(), aw = w / 4;
	int			 head = ui_term_attr(UI_A_HEAD);

	if (h < 3)
		return;
	ui_term_text(top, 1, aw, "Address", head);
	ui_term_text(top, aw + 2, 14, "Name", head);
	ui_term_text(top, aw + 17, w - aw - 18, "Require TLS? policy now "
	    "(from where)", head);
	ui_listw_draw(c->lw, ui, top + 1, h - 2);
	if (ui_listw_total(c->lw, ui) == 0)
		ui_term_text(top + 2, 2, w - 4, ui_listw_search(c->lw) != NULL ?
		    "No contact matches (/ and Enter: all)." : "No contacts "
		    "yet: press a to add one.", ui_term_attr(UI_A_DIM));
}

/* Contacts keys. */
static int
ui_contacts_key(struct ui_screen *sc, struct ui *ui, int k)
{
	struct ui_contacts	*c = sc->data;
	struct store_contact	*ct = NULL;
	struct err		*e = NULL;
	enum policy		 next;
	char			 q[300];
	long			 sel = ui_listw_sel(c->lw);

	if (sel >= 0)
		ct = &c->rows[sel];
	switch (ui_app_action(&ui_contacts_keymap, k)) {
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
		ui_contacts_delete(c, ui, ct->address);
		ui_app_changed(ui);
		break;
	case UI_CT_UNDO:
		ui_contacts_undo(c, ui);
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
			break;
		}
		/* Keys typed before the next draw cycle on from here. */
		ct->policy = next;
		if (next == POLICY_UNSET)
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
		return ui_listw_key(c->lw, ui, k);
	}
	ui_listw_stale(c->lw);
	return UI_REDRAW;
}

/* The store changed. */
static void
ui_contacts_update(struct ui_screen *sc, struct ui *ui)
{
	struct ui_contacts	*c = sc->data;

	(void)ui;
	ui_listw_stale(c->lw);
}

/* The title. */
static void
ui_contacts_title(struct ui_screen *sc, struct ui *ui, char *b, size_t len)
{
	struct ui_contacts	*c = sc->data;
	const char		*q = ui_listw_search(c->lw);

	snprintf(b, len, "Contacts %lld%s%s%s", ui_listw_total(c->lw, ui),
	    q != NULL ? " [/" : "", q != NULL ? q : "", q != NULL ? "]" : "");
}

/* Free the screen. */
static void
ui_contacts_free(struct ui_screen *sc)
{
	struct ui_contacts	*c = sc->data;

	ui_contacts_clear(c);
	free(c->rows);
	if (c->has_undo)
		store_contact_clear(&c->undo);
	ui_listw_free(c->lw);
	free(c);
	free(sc);
}
