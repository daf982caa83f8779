/*
 * ui-editor: the built-in text editor, for one line (prompts, the
 * composer's fields) or many (a message body when neither $VISUAL nor
 * $EDITOR is set).  It edits UTF-8 text by characters, wraps long lines
 * to the width it is drawn in, and knows the usual keys (arrows, Home,
 * End, ^A ^E ^K ^U ^W, Backspace, Delete), and ^Y puts back what the
 * last ^K, ^U or ^W deleted.
 */
#ifndef TERN_UI_EDITOR_H
#define TERN_UI_EDITOR_H

struct ui_keymap;
struct ui_editor;

/* What a key did. */
#define UI_EDITOR_UNHANDLED	-1
#define UI_EDITOR_MOVED		0	/* cursor moved, text unchanged */
#define UI_EDITOR_CHANGED	1
#define UI_EDITOR_DONE		2	/* Enter (one line), ^X or Esc (many) */
#define UI_EDITOR_CANCEL	3	/* Esc or ^G on one line */

/* A new editor holding a copy of text (NULL: empty); free with _free. */
struct ui_editor *ui_editor_new(const char *, int);
void		 ui_editor_free(struct ui_editor *);
/* The text (borrowed, valid until the next change). */
const char	*ui_editor_text(const struct ui_editor *);
/* Replace the text; the cursor goes to its end. */
void		 ui_editor_set(struct ui_editor *, const char *);
/*
 * Edit the text in an external editor (a shell command, run with the
 * file as "$1" while the terminal is suspended): 1 when the text changed,
 * 0 when not, -1 when the editor failed (the text is kept).
 */
int		 ui_editor_external(struct ui_editor *, const char *);
/* Handle a key (see ui-term.h for key codes). */
int		 ui_editor_key(struct ui_editor *, int);
/*
 * Draw in h rows and w columns at (y, x); with focus, scrolled so the
 * cursor shows and the terminal's cursor put there; without, where it
 * was (a text not edited yet from its first row).
 */
void		 ui_editor_draw(struct ui_editor *, int, int, int, int, int);
/*
 * Of a many-line editor, as last drawn: the first and last rows shown
 * (from 1) and the rows of the wrapped text in all.
 */
void		 ui_editor_shown(const struct ui_editor *, int *, int *, int *);
/* The keys, for the help screen. */
extern const struct ui_keymap ui_editor_keymap;

#endif
