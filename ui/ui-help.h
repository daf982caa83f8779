/* ui-help: every key of every screen, and a legend of the glyphs. */
#ifndef TERN_UI_HELP_H
#define TERN_UI_HELP_H

struct ui;
struct ui_keymap;
struct ui_screen;

/* The help: the legend, then every keymap of ui_app_keymaps. */
struct ui_screen	*ui_help_new(struct ui *);
/* Its own keys. */
extern const struct ui_keymap ui_help_keymap;

#endif
