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
#include "ui-list.h"
#include "ui-term.h"
#include "ui-view.h"
#include "xmalloc.h"

enum ui_list_action {
	UI_LIST_DOWN,
	UI_LIST_UP,
	UI_LIST_PGDN,
	UI_LIST_PGUP,
	UI_LIST_TOP,
	UI_LIST_BOTTOM,
	UI_LIST_OPEN,
	UI_LIST_TRANSPORT,
	UI_LIST_DELETE,
	UI_LIST_SEARCH
};

static const struct ui_key ui_list_keys[] = {
	{ 'j', UI_LIST_DOWN, "next message" },
	{ UI_KEY(KEY_DOWN), UI_LIST_DOWN, NULL },
	{ 'k', UI_LIST_UP, "previous message" },
	{ UI_KEY(KEY_UP), UI_LIST_UP, NULL },
	{ UI_KEY(KEY_NPAGE), UI_LIST_PGDN, "next page" },
	{ ' ', UI_LIST_PGDN, NULL },
	{ UI_KEY(KEY_PPAGE), UI_LIST_PGUP, "previous page" },
	{ '-', UI_LIST_PGUP, NULL },
	{ 'g', UI_LIST_TOP, "first message" },
	{ UI_KEY(KEY_HOME), UI_LIST_TOP, NULL },
	{ 'G', UI_LIST_BOTTOM, "last message" },
	{ UI_KEY(KEY_END), UI_LIST_BOTTOM, NULL },
	{ '\r', UI_LIST_OPEN, "open the message (a draft: edit it)" },
	{ '\n', UI_LIST_OPEN, NULL },
	{ UI_KEY(KEY_ENTER), UI_LIST_OPEN, NULL },
	{ 't', UI_LIST_TRANSPORT, "open the message at its transport "
	  "section" },
	{ 'd', UI_LIST_DELETE, "delete the message" },
	{ '/', UI_LIST_SEARCH, "search recipients and subjects (empty: all)" },
};

static const struct ui_keymap ui_list_map = {
	"Sent and Drafts lists", ui_list_keys,
	sizeof ui_list_keys / sizeof ui_list_keys[0]
};

struct ui_list {
	enum store_state	 state;
	char			*search;
	long long		 total;
	long long		 cur;		/* cursor, absolute */
	long long		 top;		/* first row shown, absolute */
	struct store_msg	*rows;		/* rows [top, top + nrows) */
	size_t			 nrows, cap;
	int			 height;
	int			 stale;
	long long		 loaded_top;
};

static int	 ui_list_collect(const struct store_msg *, void *);
static void	 ui_list_load(struct ui_list *, struct ui *, int);
static void	 ui_list_clear_rows(struct ui_list *);
static void	 ui_list_clamp(struct ui_list *);
static void	 ui_list_draw(struct ui_screen *, struct ui *, int, int);
static int	 ui_list_key(struct ui_screen *, struct ui *, int);
static void	 ui_list_update(struct ui_screen *, struct ui *);
static void	 ui_list_title(struct ui_screen *, struct ui *, char *, size_t);
static void	 ui_list_free(struct ui_screen *);

static const struct ui_screen_ops ui_list_ops = {
	"list", &ui_list_map, ui_list_draw, ui_list_key, ui_list_update,
	ui_list_title, NULL,
	"m:compose  Enter:open  t:transport  d:delete  /:search  Tab:lists  "
	"c:contacts  s:sending  ?:help  q:quit", ui_list_free
};

/* A new list. */
struct ui_screen *
ui_list_new(struct ui *ui, enum store_state state)
{
	struct ui_list	*l;

	l = xcalloc(1, sizeof *l);
	l->state = state;
	l->stale = 1;
	l->loaded_top = -1;
	l->height = 20;
	(void)ui;
	return ui_app_screen(&ui_list_ops, l);
}

/* The keys. */
const struct ui_keymap *
ui_list_keymap(void)
{
	return &ui_list_map;
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

/* Read the rows on screen (and the count, when counting). */
static void
ui_list_load(struct ui_list *l, struct ui *ui, int count)
{
	struct err	*e = NULL;

	if (count && store_message_find_count(ui->store, l->state, l->search,
	    &l->total, &e) == -1) {
		ui_app_say(ui, 1, "%s", e->msg);
		err_free(e);
		e = NULL;
		l->total = 0;
	}
	ui_list_clamp(l);
	ui_list_clear_rows(l);
	if (store_message_find(ui->store, l->state, l->search,
	    (size_t)l->top, (size_t)l->height, ui_list_collect, l, &e) == -1) {
		ui_app_say(ui, 1, "%s", e->msg);
		err_free(e);
	}
	l->stale = 0;
	l->loaded_top = l->top;
}

/* Keep the cursor in the list and the window around the cursor. */
static void
ui_list_clamp(struct ui_list *l)
{
	if (l->cur >= l->total)
		l->cur = l->total - 1;
	if (l->cur < 0)
		l->cur = 0;
	if (l->cur < l->top)
		l->top = l->cur;
	if (l->cur >= l->top + l->height)
		l->top = l->cur - l->height + 1;
	if (l->top > l->total - l->height)
		l->top = l->total - l->height;
	if (l->top < 0)
		l->top = 0;
}

/* Draw the list. */
static void
ui_list_draw(struct ui_screen *sc, struct ui *ui, int top, int h)
{
	struct ui_list		*l = sc->data;
	struct store_msg	*m;
	char			 date[32];
	int			 w = ui_term_cols(), y, attr, x, rw;
	size_t			 i;

	if (h < 2)
		return;
	if (l->height != h - 1) {
		l->height = h - 1;
		l->stale = 1;
	}
	ui_list_clamp(l);
	if (l->stale || l->top != l->loaded_top)
		ui_list_load(l, ui, l->stale);
	attr = ui_term_attr(UI_A_HEAD);
	ui_term_text(top, 1, 7, l->state == STORE_DRAFT ? "" : "TLS", attr);
	ui_term_text(top, 9, 12, l->state == STORE_DRAFT ? "Saved" : "Date",
	    attr);
	rw = (w - 24) * 2 / 5;
	ui_term_text(top, 23, rw, "To", attr);
	ui_term_text(top, 24 + rw, w - 25 - rw, "Subject", attr);
	if (l->total == 0) {
		ui_term_text(top + 2, 2, w - 4, l->search != NULL ?
		    "No message matches the search (/ and Enter: show all)." :
		    l->state == STORE_DRAFT ? "No drafts. Press m to write a "
		    "message; it is saved here as you write." :
		    "Nothing sent yet. Press m to write a message.",
		    ui_term_attr(UI_A_DIM));
		return;
	}
	for (i = 0; i < l->nrows; i++) {
		m = &l->rows[i];
		y = top + 1 + (int)i;
		attr = (long long)i + l->top == l->cur ?
		    ui_term_attr(UI_A_SELECT) : ui_term_attr(UI_A_NORMAL);
		if (attr != ui_term_attr(UI_A_NORMAL))
			ui_term_fill(y, 0, w, attr);
		if (m->has_outcome)
			ui_term_text(y, 1, 7, ui_term_glyph(m->worst),
			    attr == ui_term_attr(UI_A_NORMAL) ?
			    ui_term_outcome_attr(m->worst) : attr);
		else if (l->state == STORE_DRAFT)
			ui_term_text(y, 1, 7, "draft", attr);
		ui_list_date(m->updated, date, sizeof date);
		ui_term_text(y, 9, 12, date, attr);
		x = 23;
		ui_term_text(y, x, rw, m->rcpts != NULL && *m->rcpts != '\0' ?
		    m->rcpts : "(no recipient)", attr);
		ui_term_text(y, 24 + rw, w - 25 - rw, m->subject != NULL &&
		    *m->subject != '\0' ? m->subject : "(no subject)", attr);
	}
}

/* List keys. */
static int
ui_list_key(struct ui_screen *sc, struct ui *ui, int k)
{
	struct ui_list		*l = sc->data;
	struct store_msg	*m = NULL;
	struct err		*e = NULL;
	char			*s, q[256];
	int			 a = ui_app_action(&ui_list_map, k);

	if (l->cur >= l->top && l->cur < l->top + (long long)l->nrows)
		m = &l->rows[l->cur - l->top];
	switch (a) {
	case UI_LIST_DOWN:
		l->cur++;
		break;
	case UI_LIST_UP:
		l->cur--;
		break;
	case UI_LIST_PGDN:
		l->cur += l->height;
		l->top += l->height;
		break;
	case UI_LIST_PGUP:
		l->cur -= l->height;
		l->top -= l->height;
		break;
	case UI_LIST_TOP:
		l->cur = 0;
		break;
	case UI_LIST_BOTTOM:
		l->cur = l->total - 1;
		break;
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
		snprintf(q, sizeof q, "Delete \"%s\"?", m->subject != NULL &&
		    *m->subject != '\0' ? m->subject : "(no subject)");
		if (!ui_app_confirm(ui, q))
			return UI_REDRAW;
		if (store_message_delete(ui->store, m->id, &e) == -1) {
			ui_app_say(ui, 1, "%s", e->msg);
			err_free(e);
		} else
			ui_app_say(ui, 0, "Deleted.");
		ui_app_changed(ui);
		return UI_REDRAW;
	case UI_LIST_SEARCH:
		s = ui_app_prompt(ui, "Search: ", l->search);
		if (s == NULL)
			return UI_REDRAW;
		free(l->search);
		l->search = *s != '\0' ? s : NULL;
		if (l->search == NULL)
			free(s);
		l->cur = l->top = 0;
		l->stale = 1;
		return UI_REDRAW;
	default:
		return UI_UNHANDLED;
	}
	if (l->cur >= l->total)
		l->cur = l->total - 1;
	if (l->cur < 0)
		l->cur = 0;
	return UI_REDRAW;
}

/* The store changed. */
static void
ui_list_update(struct ui_screen *sc, struct ui *ui)
{
	struct ui_list	*l = sc->data;

	(void)ui;
	l->stale = 1;
}

/* The tab label. */
static void
ui_list_title(struct ui_screen *sc, struct ui *ui, char *b, size_t len)
{
	struct ui_list	*l = sc->data;

	if (l->stale)
		ui_list_load(l, ui, 1);
	snprintf(b, len, "%s %lld%s%s%s", l->state == STORE_DRAFT ? "Drafts" :
	    "Sent", l->total, l->search != NULL ? " [/" : "",
	    l->search != NULL ? l->search : "", l->search != NULL ? "]" : "");
}

/* Free the list. */
static void
ui_list_free(struct ui_screen *sc)
{
	struct ui_list	*l = sc->data;

	ui_list_clear_rows(l);
	free(l->rows);
	free(l->search);
	free(l);
	free(sc);
}
