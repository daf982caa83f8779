/* The Sent and Drafts lists. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "err.h"
#include "record.h"
#include "store.h"
#include "ui-app.h"
#include "ui-compose.h"
#include "ui-demo.h"
#include "ui-list.h"
#include "ui-listw.h"
#include "ui-term.h"
#include "ui-view.h"
#include "xmalloc.h"

enum ui_list_action {
	UI_LIST_OPEN,
	UI_LIST_TRANSPORT,
	UI_LIST_DELETE,
	UI_LIST_UNDO
};

static const struct ui_key ui_list_keys[] = {
	{ .key = '\r', .action = UI_LIST_OPEN,
	  .help = "open the message (a draft: edit it)" },
	{ .key = '\n', .action = UI_LIST_OPEN },
	{ .key = UI_KEY(KEY_ENTER), .action = UI_LIST_OPEN },
	{ .key = 't', .action = UI_LIST_TRANSPORT,
	  .help = "open the message at its transport section" },
	{ .key = 'd', .action = UI_LIST_DELETE, .help = "delete the message" },
	{ .key = 'u', .action = UI_LIST_UNDO,
	  .help = "Drafts: undo the last delete (the draft back)" },
};

const struct ui_keymap ui_list_keymap =
    UI_KEYMAP("Sent and Drafts lists", ui_list_keys);

struct ui_list {
	enum store_state	 state;
	struct ui_listw		*lw;
	struct store_msg	*rows;		/* the window */
	size_t			 nrows, cap;
	int			 rw;		/* width of the To column */
	struct store_draft	 undo;		/* the last deleted draft, for u */
	int			 has_undo;
};

static void	 ui_list_age(long long, char *, size_t);
static int	 ui_list_collect(const struct store_msg *, void *);
static void	 ui_list_clear_rows(struct ui_list *);
static int	 ui_list_count(void *, struct ui *, const char *, long long *,
		    struct err **);
static int	 ui_list_load(void *, struct ui *, const char *, size_t, size_t,
		    struct err **);
static int	 ui_list_row(void *, struct ui *, size_t, int, int, int);
static void	 ui_list_draw(struct ui_screen *, struct ui *, int, int);
static int	 ui_list_key(struct ui_screen *, struct ui *, int);
static void	 ui_list_update(struct ui_screen *, struct ui *);
static void	 ui_list_title(struct ui_screen *, struct ui *, char *, size_t);
static void	 ui_list_free(struct ui_screen *);

static const struct ui_listw_ops ui_list_lw = {
	.prompt = "Search: ",
	.lines = 1,
	.count = ui_list_count,
	.load = ui_list_load,
	.draw = ui_list_row,
};

static const struct ui_screen_ops ui_list_ops = {
	.name = "list",
	.keymap = &ui_list_keymap,
	.hints = "m:compose  Enter:open  t:transport  d:delete  /:search  "
	    "Tab:lists  c:contacts  s:sending  ?:help  q:quit",
	.title = ui_list_title,
	.draw = ui_list_draw,
	.key = ui_list_key,
	.update = ui_list_update,
	.free = ui_list_free,
};

/* A new list. */
struct ui_screen *
ui_list_new(struct ui *ui, enum store_state state)
{
	struct ui_list	*l;

	(void)ui;
	l = xcalloc(1, sizeof *l);
	l->state = state;
	l->lw = ui_listw_new(&ui_list_lw, l);
	return ui_app_screen(&ui_list_ops, l);
}

/* A short date. */
void
ui_list_date(long long t, char *b, size_t len)
{
	struct tm	 tm, now;
	time_t		 tt = (time_t)t, n = time(NULL);

	localtime_r(&tt, &tm);
	localtime_r(&n, &now);
	if (tm.tm_year == now.tm_year)
		strftime(b, len, "%b %d %H:%M", &tm);
	else
		strftime(b, len, "%Y-%m-%d", &tm);
}

/* How long ago, in words: "just now", "2 min ago", "3 days ago". */
static void
ui_list_age(long long t, char *b, size_t len)
{
	long long	d = (long long)time(NULL) - t;

	if (d < 60)
		snprintf(b, len, "just now");
	else if (d < 3600)
		snprintf(b, len, "%lld min ago", d / 60);
	else if (d < 86400)
		snprintf(b, len, "%lld h ago", d / 3600);
	else if (d < 2 * 86400)
		snprintf(b, len, "yesterday");
	else if (d < 60 * 86400)
		snprintf(b, len, "%lld days ago", d / 86400);
	else
		ui_list_date(t, b, len);
}

/* Keep a row of the window. */
static int
ui_list_collect(const struct store_msg *m, void *arg)
{
	struct ui_list		*l = arg;
	struct store_msg	*r;

	if (l->nrows == l->cap) {
		l->cap = l->cap == 0 ? 64 : l->cap * 2;
		l->rows = xreallocarray(l->rows, l->cap, sizeof *l->rows);
	}
	r = &l->rows[l->nrows++];
	*r = *m;
	r->from = xstrdup(m->from);
	r->rcpts = xstrdup(m->rcpts);
	r->subject = xstrdup(m->subject);
	return 0;
}

/* Free the window's rows. */
static void
ui_list_clear_rows(struct ui_list *l)
{
	size_t	i;

	for (i = 0; i < l->nrows; i++)
		store_msg_clear(&l->rows[i]);
	l->nrows = 0;
}

/* How many messages match (the list widget's count). */
static int
ui_list_count(void *arg, struct ui *ui, const char *search, long long *n,
    struct err **errp)
{
	struct ui_list	*l = arg;

	if (l->state == STORE_SENT)
		return store_sent_find_count(ui->store, search, n, errp);
	return store_message_find_count(ui->store, l->state, search, n, errp);
}

/* Read the rows on screen (the list widget's load). */
static int
ui_list_load(void *arg, struct ui *ui, const char *search, size_t off,
    size_t n, struct err **errp)
{
	struct ui_list	*l = arg;

	ui_list_clear_rows(l);
	/* Sent lists the partly delivered too (the Outbox their rest). */
	if ((l->state == STORE_SENT ? store_sent_find(ui->store, search, off,
	    n, ui_list_collect, l, errp) : store_message_find(ui->store,
	    l->state, search, off, n, ui_list_collect, l, errp)) == -1)
		return -1;
	return (int)l->nrows;
}

/* Draw one message (the list widget's draw). */
static int
ui_list_row(void *arg, struct ui *ui, size_t i, int y, int h, int sel)
{
	struct ui_list		*l = arg;
	struct store_msg	*m = &l->rows[i];
	const char		*subj;
	char			 date[32], *t;
	int			 w = ui_term_cols(), attr, rw = l->rw;

	(void)ui;
	(void)h;
	attr = sel ? ui_term_attr(UI_A_SELECT) : ui_term_attr(UI_A_NORMAL);
	if (sel)
		ui_term_fill(y, 0, w, attr);
	if (m->has_outcome)
		ui_term_text(y, 1, 7, ui_term_glyph(m->worst), sel ?
		    ui_term_outcome_attr_selected(m->worst) :
		    ui_term_outcome_attr(m->worst));
	else if (l->state == STORE_DRAFT)
		ui_term_text(y, 1, 7, "draft", attr);
	/* A postponed draft: how long it has waited. */
	if (l->state == STORE_DRAFT)
		ui_list_age(m->updated, date, sizeof date);
	else
		ui_list_date(m->updated, date, sizeof date);
	ui_term_text(y, 9, 12, date, attr);
	ui_term_text(y, 23, rw, m->rcpts != NULL && *m->rcpts != '\0' ?
	    m->rcpts : "(no recipient)", attr);
	subj = m->subject != NULL && *m->subject != '\0' ? m->subject :
	    "(no subject)";
	if (l->state == STORE_SENT && m->state == STORE_OUTBOX) {
		/* Partly delivered: how far, the rest in the Outbox. */
		t = xasprintf("%s  (%d delivered, %d %s%s%.0d%s)", subj,
		    m->delivered, m->queued, m->has_outcome && m->worst ==
		    OUTCOME_HELD ? "held" : "waiting", m->failed > 0 ? ", " :
		    "", m->failed, m->failed > 0 ? " failed" : "");
		ui_term_text(y, 24 + rw, w - 25 - rw, t, attr);
		free(t);
	} else
		ui_term_text(y, 24 + rw, w - 25 - rw, subj, attr);
	return 1;
}

/* Draw the list. */
static void
ui_list_draw(struct ui_screen *sc, struct ui *ui, int top, int h)
{
	struct ui_list	*l = sc->data;
	int		 w = ui_term_cols(), attr;

	if (h < 2)
		return;
	attr = ui_term_attr(UI_A_HEAD);
	ui_term_text(top, 1, 7, l->state == STORE_DRAFT ? "" : "TLS", attr);
	ui_term_text(top, 9, 12, l->state == STORE_DRAFT ? "Saved" : "Date",
	    attr);
	l->rw = (w - 24) * 2 / 5;
	ui_term_text(top, 23, l->rw, "To", attr);
	ui_term_text(top, 24 + l->rw, w - 25 - l->rw, "Subject", attr);
	ui_listw_draw(l->lw, ui, top + 1, h - 1);
	if (ui_listw_total(l->lw, ui) == 0)
		ui_term_text(top + 2, 2, w - 4, ui_listw_search(l->lw) != NULL ?
		    "No message matches the search (/ and Enter: show all)." :
		    l->state == STORE_DRAFT ? "No drafts. Press m to write a "
		    "message; it is saved here as you write." :
		    "Nothing sent yet. Press m to write a message.",
		    ui_term_attr(UI_A_DIM));
	if (l->state == STORE_SENT && ui_listw_search(l->lw) == NULL &&
	    ui_listw_total(l->lw, ui) < h - 10) {
		const char	*d;
		size_t		 i;
		int		 y = top + h - 8;

		/* The demo says so, and what each contact will show. */
		for (i = 0; (d = ui_demo_intro(i)) != NULL && y < top + h;
		    i++)
			ui_term_text(y++, 2, w - 4, d, i == 0 ?
			    ui_term_attr(UI_A_HEAD) : ui_term_attr(UI_A_NORMAL));
	}
}

/* List keys: its own, then the list widget's. */
static int
ui_list_key(struct ui_screen *sc, struct ui *ui, int k)
{
	struct ui_list		*l = sc->data;
	struct store_msg	*m = NULL;
	struct store_draft	 d;
	struct err		*e = NULL;
	char			 q[256];
	long			 i = ui_listw_sel(l->lw);
	int			 a = ui_app_action(&ui_list_keymap, k);

	if (i >= 0)
		m = &l->rows[i];
	switch (a) {
	case UI_LIST_OPEN:
	case UI_LIST_TRANSPORT:
		if (m == NULL)
			return UI_NONE;
		if (l->state == STORE_DRAFT)
			ui_app_push(ui, ui_compose_new(ui, m->id));
		else
			ui_app_push(ui, ui_view_new(ui, m->id,
			    a == UI_LIST_TRANSPORT));
		return UI_REDRAW;
	case UI_LIST_DELETE:
		if (m == NULL)
			return UI_NONE;
		snprintf(q, sizeof q, "Delete \"%s\"?%s", m->subject != NULL &&
		    *m->subject != '\0' ? m->subject : "(no subject)",
		    m->state == STORE_OUTBOX && l->state == STORE_SENT ?
		    " Its recipients still waiting will not get it." : "");
		if (!ui_app_confirm(ui, q))
			return UI_REDRAW;
		/* A draft is kept whole for u. */
		memset(&d, 0, sizeof d);
		if (l->state == STORE_DRAFT && store_draft_load(ui->store,
		    m->id, &d, &e) == -1) {
			ui_app_say(ui, 1, "%s", e->msg);
			err_free(e);
			return UI_REDRAW;
		}
		if (store_message_delete(ui->store, m->id, &e) == -1) {
			ui_app_say(ui, 1, "%s", e->msg);
			err_free(e);
			store_draft_clear(&d);
		} else if (l->state == STORE_DRAFT) {
			store_draft_clear(&l->undo);
			l->undo = d;
			l->has_undo = 1;
			ui_app_say(ui, 0, "Deleted (u: undo).");
		} else
			ui_app_say(ui, 0, "Deleted.");
		ui_app_changed(ui);
		return UI_REDRAW;
	case UI_LIST_UNDO:
		if (!l->has_undo) {
			ui_app_say(ui, 0, "Nothing to undo.");
			return UI_REDRAW;
		}
		l->undo.id = 0;		/* saved again as a new draft */
		if (store_draft_save(ui->store, &l->undo, &e) == -1) {
			ui_app_say(ui, 1, "Not restored: %s", e->msg);
			err_free(e);
			return UI_REDRAW;
		}
		store_draft_clear(&l->undo);
		l->has_undo = 0;
		ui_app_say(ui, 0, "The draft is back.");
		ui_app_changed(ui);
		return UI_REDRAW;
	}
	return ui_listw_key(l->lw, ui, k);
}

/* The store changed. */
static void
ui_list_update(struct ui_screen *sc, struct ui *ui)
{
	struct ui_list	*l = sc->data;

	(void)ui;
	ui_listw_stale(l->lw);
}

/* The tab label. */
static void
ui_list_title(struct ui_screen *sc, struct ui *ui, char *b, size_t len)
{
	struct ui_list	*l = sc->data;
	const char	*q = ui_listw_search(l->lw);

	snprintf(b, len, "%s %lld%s%s%s", l->state == STORE_DRAFT ? "Drafts" :
	    "Sent", ui_listw_total(l->lw, ui), q != NULL ? " [/" : "",
	    q != NULL ? q : "", q != NULL ? "]" : "");
}

/* Free the list. */
static void
ui_list_free(struct ui_screen *sc)
{
	struct ui_list	*l = sc->data;

	ui_list_clear_rows(l);
	free(l->rows);
	store_draft_clear(&l->undo);
	ui_listw_free(l->lw);
	free(l);
	free(sc);
}
