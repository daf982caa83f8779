/* The list widget: cursor, scrolling, search and the window of rows. */
#include "config.h"

#include <stdlib.h>

#include <curses.h>

#include "err.h"
#include "ui-app.h"
#include "ui-listw.h"
#include "ui-term.h"
#include "xmalloc.h"

enum ui_listw_action {
	UI_LW_DOWN,
	UI_LW_UP,
	UI_LW_PGDN,
	UI_LW_PGUP,
	UI_LW_TOP,
	UI_LW_BOTTOM,
	UI_LW_SEARCH
};

static const struct ui_key ui_listw_keys[] = {
	{ .key = 'j', .action = UI_LW_DOWN, .help = "next row" },
	{ .key = UI_KEY(KEY_DOWN), .action = UI_LW_DOWN },
	{ .key = 'k', .action = UI_LW_UP, .help = "previous row" },
	{ .key = UI_KEY(KEY_UP), .action = UI_LW_UP },
	{ .key = UI_KEY(KEY_NPAGE), .action = UI_LW_PGDN, .help = "next page" },
	{ .key = ' ', .action = UI_LW_PGDN },
	{ .key = UI_KEY(KEY_PPAGE), .action = UI_LW_PGUP,
	  .help = "previous page" },
	{ .key = '-', .action = UI_LW_PGUP },
	{ .key = 'g', .action = UI_LW_TOP, .help = "first row" },
	{ .key = UI_KEY(KEY_HOME), .action = UI_LW_TOP },
	{ .key = 'G', .action = UI_LW_BOTTOM, .help = "last row" },
	{ .key = UI_KEY(KEY_END), .action = UI_LW_BOTTOM },
	{ .key = '/', .action = UI_LW_SEARCH, .help = "search: recipients and "
	  "subjects, or contacts (empty: all)" },
};

const struct ui_keymap ui_listw_keymap =
    UI_KEYMAP("Every list (Sent, Outbox, Drafts, Contacts)", ui_listw_keys);

struct ui_listw {
	const struct ui_listw_ops *ops;
	void			*ctx;
	char			*search;
	long long		 total;		/* rows matching the search */
	long long		 cur;		/* cursor, absolute */
	long long		 top;		/* first row of the window */
	long long		 loaded_top;	/* -1: nothing read */
	size_t			 nrows;		/* rows in the window */
	int			 height;	/* rows the window holds */
	int			 stale;		/* count and read again */
};

static void	 ui_listw_count(struct ui_listw *, struct ui *);
static void	 ui_listw_clamp(struct ui_listw *);
static void	 ui_listw_load(struct ui_listw *, struct ui *);

/* A new list. */
struct ui_listw *
ui_listw_new(const struct ui_listw_ops *ops, void *ctx)
{
	struct ui_listw	*l;

	l = xcalloc(1, sizeof *l);
	l->ops = ops;
	l->ctx = ctx;
	l->stale = 1;
	l->loaded_top = -1;
	l->height = 10;
	return l;
}

/* Free a list. */
void
ui_listw_free(struct ui_listw *l)
{
	if (l == NULL)
		return;
	free(l->search);
	free(l);
}

/* Count the matching rows (0 when the store fails: said). */
static void
ui_listw_count(struct ui_listw *l, struct ui *ui)
{
	struct err	*e = NULL;

	if (l->ops->count(l->ctx, ui, l->search, &l->total, &e) == -1) {
		ui_app_say(ui, 1, "%s", e != NULL ? e->msg : "cannot count");
		err_free(e);
		l->total = 0;
	}
}

/* Keep the cursor in the list and the window around the cursor. */
static void
ui_listw_clamp(struct ui_listw *l)
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

/* Count when stale, then read the window around the cursor. */
static void
ui_listw_load(struct ui_listw *l, struct ui *ui)
{
	struct err	*e = NULL;
	int		 n;

	if (l->stale)
		ui_listw_count(l, ui);
	ui_listw_clamp(l);
	n = l->ops->load(l->ctx, ui, l->search, (size_t)l->top,
	    (size_t)l->height, &e);
	if (n == -1) {
		ui_app_say(ui, 1, "%s", e != NULL ? e->msg : "cannot read");
		err_free(e);
		n = 0;
	}
	l->nrows = (size_t)n;
	l->stale = 0;
	l->loaded_top = l->top;
}

/* Draw the window. */
void
ui_listw_draw(struct ui_listw *l, struct ui *ui, int y, int h)
{
	size_t	i;
	int	end = y + h, height;

	if (h < 1)
		return;
	height = h / (l->ops->lines > 0 ? l->ops->lines : 1);
	if (height < 1)
		height = 1;
	if (height != l->height) {
		l->height = height;
		l->stale = 1;
	}
	ui_listw_clamp(l);
	if (l->stale || l->top != l->loaded_top)
		ui_listw_load(l, ui);
	for (i = 0; i < l->nrows && y < end; i++)
		y += l->ops->draw(l->ctx, ui, i, y, end - y,
		    (long long)i + l->top == l->cur);
}

/* The moving keys and the search. */
int
ui_listw_key(struct ui_listw *l, struct ui *ui, int k)
{
	char	*s;

	switch (ui_app_action(&ui_listw_keymap, k)) {
	case UI_LW_DOWN:
		l->cur++;
		break;
	case UI_LW_UP:
		l->cur--;
		break;
	case UI_LW_PGDN:
		l->cur += l->height;
		l->top += l->height;
		break;
	case UI_LW_PGUP:
		l->cur -= l->height;
		l->top -= l->height;
		break;
	case UI_LW_TOP:
		l->cur = 0;
		break;
	case UI_LW_BOTTOM:
		l->cur = l->total - 1;
		break;
	case UI_LW_SEARCH:
		s = ui_app_prompt(ui, l->ops->prompt != NULL ? l->ops->prompt :
		    "Search: ", l->search);
		if (s == NULL)
			return UI_REDRAW;
		ui_listw_set_search(l, s);
		free(s);
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
void
ui_listw_stale(struct ui_listw *l)
{
	l->stale = 1;
}

/* Matching rows. */
long long
ui_listw_total(struct ui_listw *l, struct ui *ui)
{
	if (l->stale)
		ui_listw_load(l, ui);
	return l->total;
}

/* The cursor's row in the window. */
long
ui_listw_sel(const struct ui_listw *l)
{
	if (l->cur < l->top || l->cur >= l->top + (long long)l->nrows)
		return -1;
	return (long)(l->cur - l->top);
}

/* The search text. */
const char *
ui_listw_search(const struct ui_listw *l)
{
	return l->search;
}

/* Put the cursor on a row (clamped at the next draw). */
void
ui_listw_set_cursor(struct ui_listw *l, long long row)
{
	l->cur = row < 0 ? 0 : row;
	l->stale = 1;
}

/* Search again from the first row. */
void
ui_listw_set_search(struct ui_listw *l, const char *s)
{
	free(l->search);
	l->search = s != NULL && *s != '\0' ? xstrdup(s) : NULL;
	l->cur = l->top = 0;
	l->stale = 1;
}
