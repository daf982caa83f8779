/*
 * ui-app: the interface as a whole.  It holds the context every screen
 * gets (config, store, the send jobs), the three lists on tabs (Sent,
 * Outbox, Drafts) with a stack of screens above them, the global keys,
 * the frame (title bar, status line, message line) and the main loop,
 * which waits on the keyboard and on the send jobs' event pipe at once
 * so that neither ever blocks the other.
 *
 * A screen is a table of handlers (htop's Panel, tmux's window_mode);
 * its key handler returns what the loop must do next.
 */
#ifndef TERN_UI_APP_H
#define TERN_UI_APP_H

#include <stddef.h>
#include <time.h>

#include "outbox.h"

struct conf;
struct store;
struct ui_editor;
struct ui_send;
struct ui;

/*
 * One key binding.  The tables are const, written with designated
 * initializers, and the help screen lists every table in ui_app_keymaps.
 */
struct ui_key {
	int		 key;
	int		 action;	/* the screen's own action number */
	const char	*help;		/* NULL: same action as the row above */
};

struct ui_keymap {
	const char		*title;
	const struct ui_key	*keys;
	size_t			 n;
};

/* A keymap over a const array of struct ui_key. */
#define UI_KEYMAP(t, k)	{ .title = (t), .keys = (k), \
			  .n = sizeof (k) / sizeof (k)[0] }

/* What a key handler returns. */
#define UI_UNHANDLED	-1	/* not this screen's key: try the global keys */
#define UI_NONE		0	/* nothing to redraw */
#define UI_REDRAW	1
#define UI_CLOSE	2	/* pop this screen */

struct ui_screen;

struct ui_screen_ops {
	const char		*name;
	const struct ui_keymap	*keymap;
	/* Key hints for the bottom line. */
	const char		*hints;
	/*
	 * The bottom line now, into the buffer (the mode a screen is in);
	 * NULL, or nothing written: the hints.
	 */
	void	(*footer)(struct ui_screen *, struct ui *, char *, size_t);
	/* The label on its tab or title bar (counts), into the buffer. */
	void	(*title)(struct ui_screen *, struct ui *, char *, size_t);
	/* Draw in rows [top, top + height) of the screen. */
	void	(*draw)(struct ui_screen *, struct ui *, int, int);
	int	(*key)(struct ui_screen *, struct ui *, int);
	/* The store changed (a send ended, a contact changed): reload. */
	void	(*update)(struct ui_screen *, struct ui *);
	/* Called about every half second (autosave); may be NULL. */
	void	(*idle)(struct ui_screen *, struct ui *);
	void	(*free)(struct ui_screen *);
};

struct ui_screen {
	const struct ui_screen_ops	*ops;
	void				*data;
};

#define UI_STACK_MAX	8
#define UI_NTABS	3

struct ui {
	struct conf		*conf;
	struct store		*store;
	struct outbox_ctx	 ob;		/* ev is set per send job */
	struct ui_send		*send;
	struct ui_hop		*hop;		/* next hop sentences */
	struct ui_screen	*tabs[UI_NTABS];
	int			 tab;
	struct ui_screen	*stack[UI_STACK_MAX];
	int			 depth;
	char			*message;	/* bottom line, until a key */
	int			 message_bad;
	int			 quit;
	int			 dirty;		/* redraw before waiting */
	char			*prompt_label;	/* a prompt is open */
	struct ui_editor	*prompt;
	int			 bench;		/* exit after the first frame */
	time_t			 retry_at;	/* next look at the outbox */
	int			 retried;	/* due messages started */
};

/*
 * Run the interface with what cli_parse read (-F CONFIG, -v,
 * --bench-startup); returns the process exit code.  conf_path, when not
 * NULL, overrides -F (the demo's throw-away config).
 */
struct cli_args;
int	 ui_app_main(const struct cli_args *, const char *);
/* Push a screen above the current one (the stack owns it). */
void	 ui_app_push(struct ui *, struct ui_screen *);
/* Tell every screen that the store changed. */
void	 ui_app_changed(struct ui *);
/* Show a message on the bottom line (printf-like); bad: as an error. */
void	 ui_app_say(struct ui *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * Ask for a line at the bottom while everything else keeps running
 * (events are drawn); returns a new string, or NULL when cancelled (Esc,
 * ^G) or when the terminal went away.
 */
char	*ui_app_prompt(struct ui *, const char *, const char *);
/* As ui_app_prompt, for a file's path: Tab completes it (~/ expanded). */
char	*ui_app_prompt_path(struct ui *, const char *, const char *);
/* Ask a yes/no question; 1 for yes. */
int	 ui_app_confirm(struct ui *, const char *);
/* Make a screen from ops and data. */
struct ui_screen *ui_app_screen(const struct ui_screen_ops *, void *);
/* Find a key in a keymap: its action, or -1. */
int	 ui_app_action(const struct ui_keymap *, int);
/*
 * Every keymap of the interface, in the order the help screen shows them,
 * ending with NULL: the one registry of key bindings.
 */
extern const struct ui_keymap *const ui_app_keymaps[];
/* Switch to a tab (0 Sent, 1 Outbox, 2 Drafts), closing stacked screens. */
void	 ui_app_tab(struct ui *, int);
/* Draw the frame and the screens now (before running a child program). */
void	 ui_app_draw(struct ui *);

#endif
