/*
 * ui-compose: the composer.  To, Cc, Bcc and Subject are edited in place
 * with completion from the contacts as one types; beside each recipient
 * its effective policy and where it comes from (contact, domain,
 * default), and what its server offers once probed (the probe runs in a
 * worker: typing goes on).  The body is edited in $VISUAL or $EDITOR, or
 * in the built-in editor when neither is set.  The draft is saved to the
 * store as it changes (and on a hang-up), so it survives the terminal
 * closing.  Sending commits the message to the outbox, deletes the
 * draft, and opens the live send panel.
 */
#ifndef TERN_UI_COMPOSE_H
#define TERN_UI_COMPOSE_H

struct mailto;
struct ui;
struct ui_keymap;
struct ui_screen;

/* A composer for draft id (0: a new message, editing To first). */
struct ui_screen	*ui_compose_new(struct ui *, long long);
/*
 * A composer filled in from a mailto URL or a draft file (borrowed): a
 * new draft saved at once, the cursor on the first empty field of To and
 * Subject, else on the body; the hfields a URL gave that were ignored
 * are said on the status line.
 */
struct ui_screen	*ui_compose_new_from(struct ui *, const struct mailto *);
/* Its keys, and the keys while an address field is edited. */
extern const struct ui_keymap ui_compose_keymap;
extern const struct ui_keymap ui_compose_edit_keymap;

#endif
