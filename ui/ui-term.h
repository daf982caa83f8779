/*
 * ui-term: the terminal.  The only module of tern with global state: it
 * owns curses (start, suspend for $EDITOR, end), the colours with their
 * monochrome fallback, the outcome glyphs (UTF-8 locks or ASCII, chosen
 * from the locale or the config's "glyphs" setting), standard error
 * (sent to a log file while curses owns the screen, so no library can
 * write over it), hang-up signals, and the text helpers every screen
 * draws with.
 */
#ifndef TERN_UI_TERM_H
#define TERN_UI_TERM_H

#include <stddef.h>

#include "record.h"

/* Keys: characters are their code points; curses key codes are shifted. */
#define UI_KEY(k)	((k) + 0x110000)
#define UI_CTRL(c)	((c) & 0x1f)
#define UI_ESC		0x1b

/* What a piece of text is, for its colour or monochrome attribute. */
enum ui_attr {
	UI_A_NORMAL,
	UI_A_TITLE,		/* top bar */
	UI_A_TAB,		/* the current tab */
	UI_A_SELECT,		/* the cursor row */
	UI_A_STATUS,		/* the status line */
	UI_A_HEAD,		/* section headings, field names */
	UI_A_DIM,		/* secondary text */
	UI_A_GOOD,		/* verified */
	UI_A_WARN,		/* encrypted, deferred */
	UI_A_BAD,		/* plaintext, held, failed, errors */
	UI_A_LAST
};

/*
 * Take the terminal: curses, colours, glyphs (ascii is the config's
 * "glyphs" value or NULL for auto), standard error redirected to logpath
 * (or /dev/null when NULL).  0, or -1 when there is no usable terminal
 * (standard error untouched then).
 */
int		 ui_term_start(const char *, const char *);
/* Give the terminal back (NULL-safe to call twice); restores stderr. */
void		 ui_term_end(void);
/* Leave curses for a child program (an editor) and come back. */
void		 ui_term_suspend(void);
void		 ui_term_resume(void);
/* 1 once SIGHUP or SIGTERM arrived (the terminal went away). */
int		 ui_term_hangup(void);
/*
 * The next key (see UI_KEY), or -1 when none is waiting.  Characters are
 * read as the locale says; outside a UTF-8 locale a valid UTF-8 sequence
 * is one character, and a byte neither reads is taken as Latin-1, so
 * nothing typed is dropped.
 */
int		 ui_term_key(void);
/* A short name of a key for the help screen ("j", "Down", "^X"). */
const char	*ui_term_key_name(int, char *, size_t);

/* Rows and columns of the screen. */
int		 ui_term_rows(void);
int		 ui_term_cols(void);
/* Clear the whole screen before drawing a frame; show it afterwards. */
void		 ui_term_erase(void);
void		 ui_term_show(void);
/*
 * Place the visible cursor, or hide it (y < 0); it shows there at the
 * next ui_term_show, whatever was drawn after.
 */
void		 ui_term_cursor(int, int);

/* The curses attribute of a kind of text. */
int		 ui_term_attr(enum ui_attr);
/* The attribute and glyph of an outcome (UTF-8 lock or "[TLS+]" ...). */
int		 ui_term_outcome_attr(enum outcome);
/* The same on the selected row: the colour kept, reversed. */
int		 ui_term_outcome_attr_selected(enum outcome);
const char	*ui_term_glyph(enum outcome);
/* 1 when glyphs are UTF-8, 0 when ASCII; 1 when colours are in use. */
int		 ui_term_utf8(void);
int		 ui_term_colour(void);

/*
 * Draw UTF-8 text at (y, x) in at most w columns (invalid bytes show as
 * '?', control characters are not drawn); text that does not fit ends
 * in an ellipsis ("..." with ASCII glyphs).  Returns the columns used.
 */
int		 ui_term_text(int, int, int, const char *, int);
/* Fill w columns at (y, x) with spaces in an attribute. */
void		 ui_term_fill(int, int, int, int);
/* Display width of UTF-8 text in columns. */
int		 ui_term_width(const char *);
/*
 * How many bytes of s fit in w columns (stopping at a newline), and the
 * columns they take in *cols (may be NULL).
 */
size_t		 ui_term_fit(const char *, int, int *);

#endif
