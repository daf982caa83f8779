/*
 * ui-panel: the live send panel.  One screen per look at a send or a
 * probe of ui-send's job table: a line per recipient (glyph, policy, the
 * latest step, what to do when held) and per server (the latest step and
 * its TLS), then the log of what happened on the wire.  Left and Right
 * go to the other sends of the session; the job goes on when it closes.
 */
#ifndef TERN_UI_PANEL_H
#define TERN_UI_PANEL_H

struct ui;
struct ui_keymap;
struct ui_screen;

/* The panel for job number no (0: the latest). */
struct ui_screen	*ui_panel_new(struct ui *, int);
/* Its keys (the reading keys scroll its log). */
extern const struct ui_keymap ui_panel_keymap;

#endif
