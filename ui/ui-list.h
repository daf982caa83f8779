/*
 * ui-list: the Sent and Drafts lists of the main screen.  One row per
 * message (outcome glyph, date, recipients, subject), paged through the
 * store: only the rows on screen are ever read, so a history of any size
 * opens at once; '/' narrows the list to a search in the store (the
 * list widget, ui-listw, does the moving and the search).
 */
#ifndef TERN_UI_LIST_H
#define TERN_UI_LIST_H

#include "store.h"

struct ui;
struct ui_keymap;
struct ui_screen;

/* A list of the messages in a state (STORE_SENT or STORE_DRAFT). */
struct ui_screen	*ui_list_new(struct ui *, enum store_state);
/* Its own keys (the moving keys are ui_listw_keymap). */
extern const struct ui_keymap ui_list_keymap;
/* Draw a date in a short form into b ("Mar 03 14:05", "2023-03-03"). */
void			 ui_list_date(long long, char *, size_t);

#endif
