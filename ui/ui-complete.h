/*
 * ui-complete: address completion for the composer's To, Cc and Bcc.
 * The word being typed (after the last comma) is looked up in the store:
 * groups whose name begins with it first (one completion gives all the
 * members), then the contacts whose address, name or alias key holds it;
 * at most UI_COMPLETE_MAX, one of them chosen.
 */
#ifndef TERN_UI_COMPLETE_H
#define TERN_UI_COMPLETE_H

#include <stddef.h>

#define UI_COMPLETE_MAX	5

struct store;
struct store_contact;
struct ui_complete;

struct ui_complete	*ui_complete_new(void);
void			 ui_complete_free(struct ui_complete *);
/* Forget the completions. */
void			 ui_complete_clear(struct ui_complete *);
/*
 * Complete the last word of an address field's text (borrowed); nothing
 * is offered for an empty word or one that is already a whole contact.
 */
void			 ui_complete_find(struct ui_complete *, struct store *,
			    const char *);
size_t			 ui_complete_count(const struct ui_complete *);
/*
 * Completion i (borrowed): its address (a group's: the members, comma
 * separated), name and policy.
 */
const struct store_contact *ui_complete_get(const struct ui_complete *,
			    size_t);
/* The chosen one, and choose the next (dir > 0) or previous one. */
size_t			 ui_complete_sel(const struct ui_complete *);
void			 ui_complete_move(struct ui_complete *, int);
/*
 * The text with its last word replaced by the chosen completion and
 * ", " (a new string), or NULL when there is none.
 */
char			*ui_complete_take(const struct ui_complete *,
			    const char *);

#endif
