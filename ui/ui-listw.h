/*
 * ui-listw: the one list widget (htop's Panel, tmux's mode-tree).  It
 * keeps the cursor, the scroll position, the search text and the window
 * of rows read from the store, and handles the moving keys (next,
 * previous, pages, first, last) and '/' once for every list: Sent and
 * Drafts, the Outbox, the contacts.  Only the rows on screen are ever
 * read, so a list of any size opens at once.
 *
 * A screen gives three callbacks: how many rows match the search, read
 * the window [offset, offset + n) into the screen's own rows, and draw
 * one row of the window.  The screen keeps its own keys and looks at the
 * row under the cursor with ui_listw_sel().
 */
#ifndef TERN_UI_LISTW_H
#define TERN_UI_LISTW_H

#include <stddef.h>

struct err;
struct ui;
struct ui_keymap;
struct ui_listw;

struct ui_listw_ops {
	/* The label of the search prompt ("Search: "). */
	const char	*prompt;
	/* The fewest screen lines one row takes (the window's size). */
	int		 lines;
	/* How many rows match the search (NULL: all); 0, or -1 and *errp. */
	int	(*count)(void *, struct ui *, const char *, long long *,
		    struct err **);
	/*
	 * Forget the window and read rows [offset, offset + n) matching the
	 * search: the number read, or -1 and *errp.
	 */
	int	(*load)(void *, struct ui *, const char *, size_t, size_t,
		    struct err **);
	/*
	 * Draw row i of the window at line y in at most h lines, selected
	 * or not; the lines it took (at least 1).
	 */
	int	(*draw)(void *, struct ui *, size_t, int, int, int);
};

/* The moving keys of every list, for the help screen. */
extern const struct ui_keymap ui_listw_keymap;

/* A new list over ops (borrowed, static) and the screen's data ctx. */
struct ui_listw	*ui_listw_new(const struct ui_listw_ops *, void *);
/* Free it (NULL-safe); the screen frees its own rows. */
void		 ui_listw_free(struct ui_listw *);
/*
 * Draw the window in h lines from line y, reading the rows first when
 * the store changed, the size changed or the cursor left the window.
 */
void		 ui_listw_draw(struct ui_listw *, struct ui *, int, int);
/*
 * A moving key or '/': UI_REDRAW when handled, UI_UNHANDLED when it is
 * not a list key (the screen's own keys come first).
 */
int		 ui_listw_key(struct ui_listw *, struct ui *, int);
/* The store changed: count and read again before the next draw. */
void		 ui_listw_stale(struct ui_listw *);
/* Matching rows (counting first when stale). */
long long	 ui_listw_total(struct ui_listw *, struct ui *);
/* The window index of the row under the cursor, or -1 when none. */
long		 ui_listw_sel(const struct ui_listw *);
/* The search text (borrowed), NULL when the list shows everything. */
const char	*ui_listw_search(const struct ui_listw *);
/* Put the cursor on row n of the matching rows (read at the next draw). */
void		 ui_listw_set_cursor(struct ui_listw *, long long);
/* Search for s (NULL or "": all), back at the first row. */
void		 ui_listw_set_search(struct ui_listw *, const char *);

#endif
