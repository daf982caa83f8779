/* The Outbox tab. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "buf.h"
#include "err.h"
#include "msg.h"
#include "outbox.h"
#include "policy.h"
#include "record.h"
#include "store.h"
#include "ui-app.h"
#include "ui-job.h"
#include "ui-list.h"
#include "ui-listw.h"
#include "ui-outbox.h"
#include "ui-send.h"
#include "ui-term.h"
#include "ui-view.h"
#include "xmalloc.h"

enum ui_outbox_action {
	UI_OB_OPEN,
	UI_OB_RETRY,
	UI_OB_RETRY_ALL,
	UI_OB_DELETE,
	UI_OB_UNDO
};

static const struct ui_key ui_outbox_keys[] = {
	{ .key = '\r', .action = UI_OB_OPEN,
	  .help = "open the message at its transport section" },
	{ .key = '\n', .action = UI_OB_OPEN },
	{ .key = UI_KEY(KEY_ENTER), .action = UI_OB_OPEN },
	{ .key = 'r', .action = UI_OB_RETRY, .help = "retry this message now" },
	{ .key = 'R', .action = UI_OB_RETRY_ALL,
	  .help = "retry every message in the outbox" },
	{ .key = 'd', .action = UI_OB_DELETE,
	  .help = "delete this message (it will not be sent)" },
	{ .key = 'u', .action = UI_OB_UNDO,
	  .help = "undo the last delete (the message queued again)" },
};

const struct ui_keymap ui_outbox_keymap = UI_KEYMAP("Outbox", ui_outbox_keys);

struct ui_ob_msg {
	struct store_msg	 m;
	struct store_rcpt	*rc;
	size_t			 nrc;
};

/* A deleted message as it was queued, for u (all owned). */
struct ui_ob_undo {
	char			*from, *subject, *text, *account, *msgid;
	size_t			 len;
	char			**rcpts;
	size_t			 n;
};

struct ui_outbox {
	struct ui_listw		*lw;
	struct ui_ob_msg	*rows;		/* the window */
	size_t			 nrows, cap;
	struct ui_ob_undo	 undo;		/* text NULL: nothing to undo */
};

struct ui_ob_ids {
	long long		*id;
	char			**subject;
	size_t			 n;
};

static void	 ui_outbox_ask(const struct ui_ob_msg *, char *, size_t);
static void	 ui_outbox_undo_clear(struct ui_ob_undo *);
static void	 ui_outbox_delete(struct ui_outbox *, struct ui *,
		    const struct ui_ob_msg *);
static void	 ui_outbox_undo(struct ui_outbox *, struct ui *);
static int	 ui_outbox_collect(const struct store_msg *, void *);
static int	 ui_outbox_collect_id(const struct store_msg *, void *);
static void	 ui_outbox_clear(struct ui_outbox *);
static int	 ui_outbox_count(void *, struct ui *, const char *, long long *,
		    struct err **);
static int	 ui_outbox_load(void *, struct ui *, const char *, size_t,
		    size_t, struct err **);
static int	 ui_outbox_row(void *, struct ui *, size_t, int, int, int);
static void	 ui_outbox_draw(struct ui_screen *, struct ui *, int, int);
static int	 ui_outbox_key(struct ui_screen *, struct ui *, int);
static void	 ui_outbox_update(struct ui_screen *, struct ui *);
static void	 ui_outbox_title(struct ui_screen *, struct ui *, char *,
		    size_t);
static void	 ui_outbox_free(struct ui_screen *);

/* A message takes two lines at least: itself and a recipient. */
static const struct ui_listw_ops ui_outbox_lw = {
	.prompt = "Search the outbox: ",
	.lines = 2,
	.count = ui_outbox_count,
	.load = ui_outbox_load,
	.draw = ui_outbox_row,
};

static const struct ui_screen_ops ui_outbox_ops = {
	.name = "outbox",
	.keymap = &ui_outbox_keymap,
	.hints = "r:retry  R:retry all  d:delete  Enter:open  Tab:lists  "
	    "c:contacts  ?:help  q:quit",
	.title = ui_outbox_title,
	.draw = ui_outbox_draw,
	.key = ui_outbox_key,
	.update = ui_outbox_update,
	.free = ui_outbox_free,
};

/* The Outbox screen. */
struct ui_screen *
ui_outbox_new(struct ui *ui)
{
	struct ui_outbox	*o;

	(void)ui;
	o = xcalloc(1, sizeof *o);
	o->lw = ui_listw_new(&ui_outbox_lw, o);
	return ui_app_screen(&ui_outbox_ops, o);
}

/* Keep a message of the window. */
static int
ui_outbox_collect(const struct store_msg *m, void *arg)
{
	struct ui_outbox	*o = arg;
	struct ui_ob_msg	*r;

	if (o->nrows == o->cap) {
		o->cap = o->cap == 0 ? 16 : o->cap * 2;
		o->rows = xreallocarray(o->rows, o->cap, sizeof *o->rows);
	}
	r = &o->rows[o->nrows++];
	memset(r, 0, sizeof *r);
	r->m = *m;
	r->m.from = xstrdup(m->from);
	r->m.rcpts = xstrdup(m->rcpts);
	r->m.subject = xstrdup(m->subject);
	return 0;
}

/* Keep an id (retry all). */
static int
ui_outbox_collect_id(const struct store_msg *m, void *arg)
{
	struct ui_ob_ids	*ids = arg;

	ids->id = xreallocarray(ids->id, ids->n + 1, sizeof *ids->id);
	ids->subject = xreallocarray(ids->subject, ids->n + 1,
	    sizeof *ids->subject);
	ids->id[ids->n] = m->id;
	ids->subject[ids->n++] = xstrdup(m->subject);
	return 0;
}

/* Free the window. */
static void
ui_outbox_clear(struct ui_outbox *o)
{
	size_t	i;

	for (i = 0; i < o->nrows; i++) {
		store_msg_clear(&o->rows[i].m);
		store_rcpts_free(o->rows[i].rc, o->rows[i].nrc);
	}
	o->nrows = 0;
}

/* How many messages wait (the list widget's count). */
static int
ui_outbox_count(void *arg, struct ui *ui, const char *search, long long *n,
    struct err **errp)
{
	(void)arg;
	return store_message_find_count(ui->store, STORE_OUTBOX, search, n,
	    errp);
}

/* Read the messages on screen with their recipients (widget's load). */
static int
ui_outbox_load(void *arg, struct ui *ui, const char *search, size_t off,
    size_t n, struct err **errp)
{
	struct ui_outbox	*o = arg;
	size_t			 i;

	ui_outbox_clear(o);
	if (store_message_find(ui->store, STORE_OUTBOX, search, off, n,
	    ui_outbox_collect, o, errp) == -1)
		return -1;
	for (i = 0; i < o->nrows; i++)
		if (store_message_rcpts(ui->store, o->rows[i].m.id,
		    &o->rows[i].rc, &o->rows[i].nrc, errp) == -1)
			return -1;
	return (int)o->nrows;
}

/* The question before deleting: to whom it was delivered already. */
static void
ui_outbox_ask(const struct ui_ob_msg *r, char *q, size_t len)
{
	struct buf	 b = BUF_INIT;
	size_t		 j, n = 0;
	char		*to;

	for (j = 0; j < r->nrc; j++) {
		if (!r->rc[j].delivered)
			continue;
		buf_adds(&b, n++ > 0 ? ", " : "");
		buf_adds(&b, r->rc[j].address);
	}
	to = n > 0 ? buf_steal(&b) : NULL;
	if (to != NULL)
		snprintf(q, len, "Delete \"%s\"? Already delivered to %s; the "
		    "rest will not be sent.", r->m.subject != NULL ?
		    r->m.subject : "", to);
	else
		snprintf(q, len, "Delete \"%s\" from the outbox (it will not "
		    "be sent)?", r->m.subject != NULL ? r->m.subject : "");
	free(to);
}

/* Forget the copy kept for u. */
static void
ui_outbox_undo_clear(struct ui_ob_undo *u)
{
	size_t	i;

	for (i = 0; i < u->n; i++)
		free(u->rcpts[i]);
	free(u->rcpts);
	free(u->from);
	free(u->subject);
	free(u->text);
	free(u->account);
	free(u->msgid);
	memset(u, 0, sizeof *u);
}

/*
 * Delete a message from the outbox.  One delivered to nobody yet is kept
 * first (its text, sender, account, Message-ID and recipients) so that u
 * can queue it again; one partly delivered cannot come back whole (its
 * delivered recipients' records go with it), so it is not kept.
 */
static void
ui_outbox_delete(struct ui_outbox *o, struct ui *ui,
    const struct ui_ob_msg *r)
{
	struct ui_ob_undo	 u;
	struct err		*e = NULL;
	size_t			 j;
	int			 keep = 1;

	memset(&u, 0, sizeof u);
	for (j = 0; j < r->nrc; j++)
		if (r->rc[j].delivered)
			keep = 0;
	if (keep && (u.text = store_message_text(ui->store, r->m.id, &u.len,
	    &u.from, &e)) == NULL) {
		err_free(e);
		e = NULL;
		keep = 0;
	}
	if (keep) {
		u.subject = r->m.subject != NULL ? xstrdup(r->m.subject) : NULL;
		u.account = store_message_account(ui->store, r->m.id);
		u.msgid = msg_header(u.text, u.len, "Message-ID");
		u.rcpts = xcalloc(r->nrc + 1, sizeof *u.rcpts);
		for (j = 0; j < r->nrc; j++)
			if (!r->rc[j].failed)
				u.rcpts[u.n++] = xstrdup(r->rc[j].address);
	}
	if (store_message_delete(ui->store, r->m.id, &e) == -1) {
		ui_app_say(ui, 1, "%s", e->msg);
		err_free(e);
		ui_outbox_undo_clear(&u);
		return;
	}
	ui_outbox_undo_clear(&o->undo);
	if (keep && u.n > 0) {
		o->undo = u;
		ui_app_say(ui, 0, "Deleted from the outbox (u: undo).");
	} else {
		ui_outbox_undo_clear(&u);
		ui_app_say(ui, 0, "Deleted from the outbox.");
	}
}

/* Queue the last deleted message again, as it was. */
static void
ui_outbox_undo(struct ui_outbox *o, struct ui *ui)
{
	struct ui_ob_undo	*u = &o->undo;
	struct err		*e = NULL;
	long long		 id;

	if (u->text == NULL) {
		ui_app_say(ui, 0, "Nothing to undo.");
		return;
	}
	if (store_outbox_add(ui->store, u->from, u->subject, u->text, u->len,
	    (const char **)u->rcpts, u->n, u->account, u->msgid, 0, &id, NULL,
	    &e) == -1) {
		ui_app_say(ui, 1, "Not restored: %s", e->msg);
		err_free(e);
		return;
	}
	ui_app_say(ui, 0, "\"%s\" is back in the outbox.", u->subject != NULL ?
	    u->subject : "");
	ui_outbox_undo_clear(u);
}

/* Draw one message with its waiting recipients (the widget's draw). */
static int
ui_outbox_row(void *arg, struct ui *ui, size_t i, int top, int h, int sel)
{
	struct ui_outbox	*o = arg;
	struct ui_ob_msg	*r = &o->rows[i];
	struct store_rcpt	*rc;
	enum policy_source	 src;
	enum policy		 p;
	char			 date[32], *t;
	size_t			 j;
	int			 y = top, w = ui_term_cols(), attr;
	int			 dim = ui_term_attr(UI_A_DIM);

	attr = sel ? ui_term_attr(UI_A_SELECT) : ui_term_attr(UI_A_NORMAL);
	if (sel)
		ui_term_fill(y, 0, w, attr);
	if (r->m.has_outcome)
		ui_term_text(y, 1, 7, ui_term_glyph(r->m.worst), sel ?
		    ui_term_outcome_attr_selected(r->m.worst) :
		    ui_term_outcome_attr(r->m.worst));
	else
		ui_term_text(y, 1, 7, "[NEW]", attr);
	ui_list_date(r->m.updated, date, sizeof date);
	ui_term_text(y, 9, 12, date, attr);
	t = xasprintf("%s  (%d waiting%s%.0d%s)", r->m.subject != NULL &&
	    *r->m.subject != '\0' ? r->m.subject : "(no subject)",
	    r->m.queued, r->m.delivered > 0 ? ", " : "", r->m.delivered,
	    r->m.delivered > 0 ? " delivered" : "");
	ui_term_text(y++, 23, w - 24, t, attr);
	free(t);
	for (j = 0; j < r->nrc && y < top + h; j++) {
		rc = &r->rc[j];
		if (rc->delivered || rc->failed)
			continue;
		p = outbox_policy(&ui->ob, rc->address, &src);
		t = xasprintf("%s  [policy now %s, from %s]  %s%s%s",
		    rc->address, policy_name(p), policy_source_name(src),
		    rc->has_outcome ? outcome_name(rc->last) : "not tried yet",
		    rc->reason != NULL ? ": " : "", rc->reason != NULL ?
		    rc->reason : "");
		ui_term_text(y++, 5, w - 6, t, rc->has_outcome ?
		    ui_term_outcome_attr(rc->last) : dim);
		free(t);
		if (sel && rc->has_outcome && rc->last == OUTCOME_HELD &&
		    y < top + h) {
			t = ui_job_advice(ui, rc->address, rc->kind);
			ui_term_text(y++, 7, w - 8, t, ui_term_attr(UI_A_WARN));
			free(t);
		}
	}
	return y - top;
}

/* Draw the outbox. */
static void
ui_outbox_draw(struct ui_screen *sc, struct ui *ui, int top, int h)
{
	struct ui_outbox	*o = sc->data;

	ui_listw_draw(o->lw, ui, top, h);
	if (ui_listw_total(o->lw, ui) == 0)
		ui_term_text(top + 1, 2, ui_term_cols() - 4,
		    ui_listw_search(o->lw) != NULL ? "No message in the outbox "
		    "matches (/ and Enter: all)." : "The outbox is empty: "
		    "nothing is held or waiting.", ui_term_attr(UI_A_DIM));
}

/* Outbox keys. */
static int
ui_outbox_key(struct ui_screen *sc, struct ui *ui, int k)
{
	struct ui_outbox	*o = sc->data;
	struct ui_ob_msg	*r = NULL;
	struct ui_ob_ids	 ids;
	size_t			 i;
	char			 q[512];
	long			 sel = ui_listw_sel(o->lw);

	if (sel >= 0)
		r = &o->rows[sel];
	switch (ui_app_action(&ui_outbox_keymap, k)) {
	case UI_OB_OPEN:
		if (r != NULL)
			ui_app_push(ui, ui_view_new(ui, r->m.id, 1));
		return UI_REDRAW;
	case UI_OB_RETRY:
		if (r == NULL)
			return UI_NONE;
		if (ui_send_start(ui->send, r->m.id, r->m.subject) > 0)
			ui_app_say(ui, 0, "Retrying \"%s\" (s: the live panel)",
			    r->m.subject != NULL ? r->m.subject : "");
		return UI_REDRAW;
	case UI_OB_RETRY_ALL:
		/* The whole queue in one worker: tern flush's service. */
		memset(&ids, 0, sizeof ids);
		(void)store_message_each(ui->store, STORE_OUTBOX, 0, 0,
		    ui_outbox_collect_id, &ids, NULL);
		if (ids.n > 0 && ui_send_flush(ui->send, 0, "retry the "
		    "outbox") > 0)
			ui_app_say(ui, 0, "Retrying %zu message%s (s: the live "
			    "panel)", ids.n, ids.n == 1 ? "" : "s");
		for (i = 0; i < ids.n; i++)
			free(ids.subject[i]);
		free(ids.id);
		free(ids.subject);
		return UI_REDRAW;
	case UI_OB_DELETE:
		if (r == NULL)
			return UI_NONE;
		ui_outbox_ask(r, q, sizeof q);
		if (!ui_app_confirm(ui, q))
			return UI_REDRAW;
		ui_outbox_delete(o, ui, r);
		ui_app_changed(ui);
		return UI_REDRAW;
	case UI_OB_UNDO:
		ui_outbox_undo(o, ui);
		ui_app_changed(ui);
		return UI_REDRAW;
	}
	return ui_listw_key(o->lw, ui, k);
}

/* The store changed. */
static void
ui_outbox_update(struct ui_screen *sc, struct ui *ui)
{
	struct ui_outbox	*o = sc->data;

	(void)ui;
	ui_listw_stale(o->lw);
}

/* The tab label. */
static void
ui_outbox_title(struct ui_screen *sc, struct ui *ui, char *b, size_t len)
{
	struct ui_outbox	*o = sc->data;
	const char		*q = ui_listw_search(o->lw);

	snprintf(b, len, "Outbox %lld%s%s%s", ui_listw_total(o->lw, ui),
	    q != NULL ? " [/" : "", q != NULL ? q : "", q != NULL ? "]" : "");
}

/* Free the outbox screen. */
static void
ui_outbox_free(struct ui_screen *sc)
{
	struct ui_outbox	*o = sc->data;

	ui_outbox_clear(o);
	free(o->rows);
	ui_outbox_undo_clear(&o->undo);
	ui_listw_free(o->lw);
	free(o);
	free(sc);
}
