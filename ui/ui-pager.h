/*
 * ui-pager: a scrollable list of text lines, wrapped to the width they
 * are drawn in; the message view, the help screen and the send panel's
 * log are pagers.
 */
#ifndef TERN_UI_PAGER_H
#define TERN_UI_PAGER_H

#include <stddef.h>

struct ui_keymap;
struct ui_pager;

struct ui_pager	*ui_pager_new(void);
void		 ui_pager_free(struct ui_pager *);
/* Remove every line (the scroll position is kept). */
void		 ui_pager_clear(struct ui_pager *);
/* Add text in an attribute; newlines start new lines. */
void		 ui_pager_add(struct ui_pager *, int, const char *);
void		 ui_pager_addf(struct ui_pager *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
/* The number of lines added. */
size_t		 ui_pager_count(const struct ui_pager *);
/* Draw in h rows and w columns from row y, column x. */
void		 ui_pager_draw(struct ui_pager *, int, int, int, int);
/* Scroll keys (j k arrows PgUp PgDn Space g G); 1 when handled. */
int		 ui_pager_key(struct ui_pager *, int);
/* Scroll to the first line starting with a prefix; 1 if found. */
int		 ui_pager_seek(struct ui_pager *, const char *);
/* Keep showing the end as lines arrive (until scrolled up). */
void		 ui_pager_follow(struct ui_pager *, int);
/* The keys, for the help screen. */
extern const struct ui_keymap ui_pager_keymap;

#endif
