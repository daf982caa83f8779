/*
 * ui-outbox: the Outbox tab: messages waiting to be sent (held by policy,
 * deferred), each with its waiting recipients, their policy now and the
 * reason of their last attempt; retry one, retry all, delete.
 */
#ifndef TERN_UI_OUTBOX_H
#define TERN_UI_OUTBOX_H

struct ui;
struct ui_keymap;
struct ui_screen;

struct ui_screen	*ui_outbox_new(struct ui *);
/* Its own keys (the moving keys are ui_listw_keymap). */
extern const struct ui_keymap ui_outbox_keymap;

#endif
