/* ui-help: every key of every screen, and a legend of the glyphs. */
#ifndef TERN_UI_HELP_H
#define TERN_UI_HELP_H

struct ui;
struct ui_screen;

struct ui_screen	*ui_help_new(struct ui *);

#endif
