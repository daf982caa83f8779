/* The interface: context, screens, frame, main loop. */
#include "config.h"

#include <sys/stat.h>

#include <sys/resource.h>

#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "cli/cli.h"
#include "conf.h"
#include "err.h"
#include "mailto.h"
#include "outbox.h"
#include "store.h"
#include "ui-app.h"
#include "ui-compose.h"
#include "ui-contacts.h"
#include "ui-editor.h"
#include "ui-help.h"
#include "ui-hop.h"
#include "ui-list.h"
#include "ui-listw.h"
#include "ui-outbox.h"
#include "ui-pager.h"
#include "ui-panel.h"
#include "ui-send.h"
#include "ui-term.h"
#include "ui-view.h"
#include "xmalloc.h"

#define UI_APP_TICK_MS	500
#define UI_APP_RETRY_SECS 30	/* how often the outbox is looked at */
#define UI_KEY_HANGUP	-2

enum ui_app_action {
	UI_APP_HELP,
	UI_APP_NEXT_TAB,
	UI_APP_PREV_TAB,
	UI_APP_SENT,
	UI_APP_OUTBOX,
	UI_APP_DRAFTS,
	UI_APP_COMPOSE,
	UI_APP_CONTACTS,
	UI_APP_PANEL,
	UI_APP_REDRAW,
	UI_APP_QUIT
};

static const struct ui_key ui_app_keys[] = {
	{ .key = '?', .action = UI_APP_HELP, .help = "this help" },
	{ .key = UI_KEY(KEY_F(1)), .action = UI_APP_HELP },
	{ .key = '\t', .action = UI_APP_NEXT_TAB,
	  .help = "next list: Sent, Outbox, Drafts" },
	{ .key = UI_KEY(KEY_BTAB), .action = UI_APP_PREV_TAB,
	  .help = "previous list" },
	{ .key = '1', .action = UI_APP_SENT, .help = "Sent" },
	{ .key = '2', .action = UI_APP_OUTBOX,
	  .help = "Outbox (held and waiting messages)" },
	{ .key = 'o', .action = UI_APP_OUTBOX },
	{ .key = '3', .action = UI_APP_DRAFTS, .help = "Drafts" },
	{ .key = 'm', .action = UI_APP_COMPOSE, .help = "write a new message" },
	{ .key = 'c', .action = UI_APP_CONTACTS,
	  .help = "contacts (require TLS per contact)" },
	{ .key = 's', .action = UI_APP_PANEL, .help = "the live send panel" },
	{ .key = UI_CTRL('l'), .action = UI_APP_REDRAW,
	  .help = "redraw the screen" },
	{ .key = 'q', .action = UI_APP_QUIT, .help = "back; on a list: quit" },
};

static const struct ui_keymap ui_app_map = UI_KEYMAP("Everywhere", ui_app_keys);

/* The registry of key bindings, in the help screen's order. */
const struct ui_keymap *const ui_app_keymaps[] = {
	&ui_app_map,
	&ui_listw_keymap,
	&ui_list_keymap,
	&ui_outbox_keymap,
	&ui_view_keymap,
	&ui_compose_keymap,
	&ui_compose_edit_keymap,
	&ui_editor_keymap,
	&ui_contacts_keymap,
	&ui_panel_keymap,
	&ui_pager_keymap,
	&ui_help_keymap,
	NULL
};

static struct ui_screen *ui_app_top(struct ui *);
static void	 ui_app_close(struct ui *, struct ui_screen *);
static void	 ui_app_idle(struct ui *);
static void	 ui_app_retry(struct ui *);
static int	 ui_app_retry_one(long long, void *);
static int	 ui_app_next_key(struct ui *);
static void	 ui_app_key(struct ui *, int);
static void	 ui_app_draw_prompt(struct ui *, int, int);
static int	 ui_app_quit(struct ui *);
static void	 ui_app_bench(struct ui *, const char *, struct timespec *);
static int	 ui_app_open(struct ui *, const char *, int);
static void	 ui_app_free(struct ui *);

/* Make a screen. */
struct ui_screen *
ui_app_screen(const struct ui_screen_ops *ops, void *data)
{
	struct ui_screen	*sc;

	sc = xcalloc(1, sizeof *sc);
	sc->ops = ops;
	sc->data = data;
	return sc;
}

/* The action of a key in a keymap, or -1. */
int
ui_app_action(const struct ui_keymap *m, int k)
{
	size_t	i;

	for (i = 0; i < m->n; i++)
		if (m->keys[i].key == k)
			return m->keys[i].action;
	return -1;
}

/* The screen that gets the keys. */
static struct ui_screen *
ui_app_top(struct ui *ui)
{
	return ui->depth > 0 ? ui->stack[ui->depth - 1] : ui->tabs[ui->tab];
}

/* Push a screen. */
void
ui_app_push(struct ui *ui, struct ui_screen *sc)
{
	if (sc == NULL)
		return;
	if (ui->depth == UI_STACK_MAX) {
		/* Deep enough: the oldest stacked screen goes. */
		ui_app_close(ui, ui->stack[0]);
	}
	ui->stack[ui->depth++] = sc;
	ui->dirty = 1;
}

/* Remove a screen from the stack and free it. */
static void
ui_app_close(struct ui *ui, struct ui_screen *sc)
{
	int	i;

	for (i = 0; i < ui->depth; i++)
		if (ui->stack[i] == sc)
			break;
	if (i == ui->depth)
		return;
	if (sc->ops->idle != NULL)
		sc->ops->idle(sc, ui);
	memmove(ui->stack + i, ui->stack + i + 1, (size_t)(ui->depth - i - 1) *
	    sizeof *ui->stack);
	ui->depth--;
	sc->ops->free(sc);
	ui->dirty = 1;
}

/* Switch tabs. */
void
ui_app_tab(struct ui *ui, int t)
{
	while (ui->depth > 0)
		ui_app_close(ui, ui->stack[ui->depth - 1]);
	ui->tab = (t + UI_NTABS) % UI_NTABS;
	ui->dirty = 1;
}

/* The store changed. */
void
ui_app_changed(struct ui *ui)
{
	int	i;

	for (i = 0; i < UI_NTABS; i++)
		if (ui->tabs[i]->ops->update != NULL)
			ui->tabs[i]->ops->update(ui->tabs[i], ui);
	for (i = 0; i < ui->depth; i++)
		if (ui->stack[i]->ops->update != NULL)
			ui->stack[i]->ops->update(ui->stack[i], ui);
	ui->dirty = 1;
}

/* A message on the bottom line. */
void
ui_app_say(struct ui *ui, int bad, const char *fmt, ...)
{
	va_list	ap;

	free(ui->message);
	va_start(ap, fmt);
	ui->message = xvasprintf(fmt, ap);
	va_end(ap);
	ui->message_bad = bad;
	ui->dirty = 1;
}

/* Idle work (autosave) of every screen. */
static void
ui_app_idle(struct ui *ui)
{
	int	i;

	for (i = 0; i < ui->depth; i++)
		if (ui->stack[i]->ops->idle != NULL)
			ui->stack[i]->ops->idle(ui->stack[i], ui);
}

/* Count a message due a retry (store_due_each's callback). */
static int
ui_app_retry_one(long long id, void *arg)
{
	struct ui	*ui = arg;

	(void)id;
	ui->retried++;
	return 0;
}

/*
 * While the interface is open it retries the outbox by itself, as the
 * timer does: every UI_APP_RETRY_SECS, what is due and not being sent.
 */
static void
ui_app_retry(struct ui *ui)
{
	time_t	now = time(NULL);

	if (ui->store == NULL || now < ui->retry_at || ui_send_busy(ui->send))
		return;
	ui->retry_at = now + UI_APP_RETRY_SECS;
	ui->retried = 0;
	(void)store_due_each(ui->store, (long long)now, ui_app_retry_one, ui,
	    NULL);
	/* One worker for all of them, as tern flush --due does. */
	if (ui->retried > 0 && ui_send_flush(ui->send, 1, "retry (due)") > 0) {
		ui_app_say(ui, 0, "Retrying %d message%s that waited in the "
		    "Outbox (s: the live panel)", ui->retried,
		    ui->retried == 1 ? "" : "s");
		ui->dirty = 1;
	}
}

/*
 * The prompt on the bottom line, over the full width: a question keeps
 * its "(y/n)" (the question is cut before it, with an ellipsis), a
 * prompt for a line keeps room to type in.
 */
static void
ui_app_draw_prompt(struct ui *ui, int y, int cols)
{
	static const char	 yn[] = "(y/n) ";
	const char		*l = ui->prompt_label;
	char			*q;
	size_t			 len = strlen(l), ylen = sizeof yn - 1;
	int			 head = ui_term_attr(UI_A_HEAD), x, lw;

	if (len > ylen && strcmp(l + len - ylen, yn) == 0) {
		q = xstrndup(l, len - ylen);
		lw = cols - 1 - (int)ylen;
		x = ui_term_text(y, 0, lw, q, head);
		free(q);
		x += ui_term_text(y, x, cols - x, yn, head);
		ui_editor_draw(ui->prompt, y, x, 1, cols - x - 1, 1);
		return;
	}
	lw = cols - 1 - (cols / 3 < 20 ? cols / 3 : 20);
	x = ui_term_text(y, 0, lw, l, head);
	ui_editor_draw(ui->prompt, y, x, 1, cols - x - 1, 1);
}

/* Draw everything. */
void
ui_app_draw(struct ui *ui)
{
	struct ui_screen	*top = ui_app_top(ui);
	char			 b[512];
	int			 rows = ui_term_rows(), cols = ui_term_cols();
	int			 x, i, attr;

	ui_term_erase();
	ui_term_cursor(-1, 0);
	if (rows < 8 || cols < 40) {
		ui_term_text(0, 0, cols, "tern: terminal too small",
		    ui_term_attr(UI_A_BAD));
		ui_term_show();
		return;
	}
	/* Title bar: the tabs, then the stacked screen's title. */
	ui_term_fill(0, 0, cols, ui_term_attr(UI_A_TITLE));
	x = ui_term_text(0, 0, cols, " tern ", ui_term_attr(UI_A_TITLE));
	for (i = 0; i < UI_NTABS; i++) {
		ui->tabs[i]->ops->title(ui->tabs[i], ui, b, sizeof b);
		attr = i == ui->tab && ui->depth == 0 ?
		    ui_term_attr(UI_A_TAB) : ui_term_attr(UI_A_TITLE);
		x += ui_term_text(0, x, cols - x, " ", ui_term_attr(UI_A_TITLE));
		x += ui_term_text(0, x, 2, i == 0 ? "1" : i == 1 ? "2" : "3",
		    attr);
		x += ui_term_text(0, x, cols - x, " ", attr);
		x += ui_term_text(0, x, cols - x, b, attr);
		x += ui_term_text(0, x, cols - x, " ", attr);
	}
	if (ui->depth > 0) {
		top->ops->title(top, ui, b, sizeof b);
		x += ui_term_text(0, x, cols - x, "  > ", ui_term_attr(UI_A_TITLE));
		ui_term_text(0, x, cols - x, b, ui_term_attr(UI_A_TAB));
	}
	top->ops->draw(top, ui, 1, rows - 3);
	/* Status line: what is sending now. */
	ui_send_status(ui->send, b, sizeof b, &attr);
	ui_term_fill(rows - 2, 0, cols, attr);
	ui_term_text(rows - 2, 1, cols - 2, b, attr);
	/* Bottom line: a prompt, a message, or the keys. */
	if (ui->prompt != NULL)
		ui_app_draw_prompt(ui, rows - 1, cols);
	else if (ui->message != NULL)
		ui_term_text(rows - 1, 1, cols - 2, ui->message,
		    ui->message_bad ? ui_term_attr(UI_A_BAD) :
		    ui_term_attr(UI_A_NORMAL));
	else {
		b[0] = '\0';
		if (top->ops->footer != NULL)
			top->ops->footer(top, ui, b, sizeof b);
		ui_term_text(rows - 1, 1, cols - 2, b[0] != '\0' ? b :
		    top->ops->hints, ui_term_attr(UI_A_DIM));
	}
	ui_term_show();
}

/*
 * Wait for the next key while drawing and applying send events; returns
 * the key, or UI_KEY_HANGUP when the terminal went away.
 */
static int
ui_app_next_key(struct ui *ui)
{
	struct pollfd	fds[2];
	int		k, r;

	for (;;) {
		if (ui_term_hangup())
			return UI_KEY_HANGUP;
		if ((k = ui_term_key()) != -1)
			return k;
		if (ui->dirty) {
			ui->dirty = 0;
			ui_app_draw(ui);
			if (ui->bench)
				return UI_KEY_HANGUP;
		}
		fds[0].fd = STDIN_FILENO;
		fds[0].events = POLLIN;
		fds[1].fd = ui_send_fd(ui->send);
		fds[1].events = POLLIN;
		fds[0].revents = fds[1].revents = 0;
		r = poll(fds, 2, UI_APP_TICK_MS);
		if (r == -1 && errno != EINTR)
			return UI_KEY_HANGUP;
		if (r > 0 && (fds[0].revents & (POLLHUP | POLLERR)) &&
		    !(fds[0].revents & POLLIN))
			return UI_KEY_HANGUP;
		if (r > 0 && (fds[1].revents & POLLIN)) {
			switch (ui_send_drain(ui->send)) {
			case 2:
				ui_app_changed(ui);
				/* FALLTHROUGH */
			case 1:
				ui->dirty = 1;
				break;
			}
		}
		if (r == 0) {
			ui_app_retry(ui);
			ui_app_idle(ui);
		}
	}
}

/*
 * Complete a path as a shell does: the one match (a directory gets its
 * '/'), else the matches' common prefix, the count said.
 */
static void
ui_app_complete_path(struct ui *ui, struct ui_editor *ed)
{
	glob_t		 g;
	const char	*t = ui_editor_text(ed), *home;
	char		*pat, *done;
	size_t		 i, n;
	struct stat	 st;

	if (strncmp(t, "~/", 2) == 0 && (home = getenv("HOME")) != NULL)
		pat = xasprintf("%s/%s*", home, t + 2);
	else
		pat = xasprintf("%s*", t);
	memset(&g, 0, sizeof g);
	if (glob(pat, GLOB_NOESCAPE, NULL, &g) != 0 || g.gl_pathc == 0) {
		ui_app_say(ui, 1, "No file matches %s", t);
		goto out;
	}
	if (g.gl_pathc == 1) {
		if (stat(g.gl_pathv[0], &st) == 0 && S_ISDIR(st.st_mode))
			done = xasprintf("%s/", g.gl_pathv[0]);
		else
			done = xstrdup(g.gl_pathv[0]);
	} else {
		n = strlen(g.gl_pathv[0]);
		for (i = 1; i < g.gl_pathc; i++) {
			size_t k = 0;

			while (k < n && g.gl_pathv[i][k] == g.gl_pathv[0][k])
				k++;
			n = k;
		}
		done = xstrndup(g.gl_pathv[0], n);
		ui_app_say(ui, 0, "%zu files match", (size_t)g.gl_pathc);
	}
	ui_editor_set(ed, done);
	free(done);
out:
	globfree(&g);
	free(pat);
}

static void	 ui_app_complete_path(struct ui *, struct ui_editor *);

/* Ask for a line; Tab calls complete when it is set. */
static char *
ui_app_ask(struct ui *ui, const char *label, const char *init,
    void (*complete)(struct ui *, struct ui_editor *))
{
	char	*rv = NULL;
	int	 k, r;

	ui->prompt = ui_editor_new(init, 0);
	ui->prompt_label = xstrdup(label);
	ui->dirty = 1;
	for (;;) {
		k = ui_app_next_key(ui);
		if (k == UI_KEY_HANGUP)
			break;
		ui->dirty = 1;
		if (k == UI_KEY(KEY_RESIZE))
			continue;
		if (k == '\t' && complete != NULL) {
			complete(ui, ui->prompt);
			continue;
		}
		r = ui_editor_key(ui->prompt, k);
		if (r == UI_EDITOR_DONE) {
			rv = xstrdup(ui_editor_text(ui->prompt));
			break;
		}
		if (r == UI_EDITOR_CANCEL)
			break;
	}
	ui_editor_free(ui->prompt);
	ui->prompt = NULL;
	free(ui->prompt_label);
	ui->prompt_label = NULL;
	ui->dirty = 1;
	return rv;
}

/* Ask for a line. */
char *
ui_app_prompt(struct ui *ui, const char *label, const char *init)
{
	return ui_app_ask(ui, label, init, NULL);
}

/* Ask for a path; Tab completes it. */
char *
ui_app_prompt_path(struct ui *ui, const char *label, const char *init)
{
	return ui_app_ask(ui, label, init, ui_app_complete_path);
}

/* Ask yes or no. */
int
ui_app_confirm(struct ui *ui, const char *q)
{
	char	*label;
	int	 k, rv = 0;

	label = xasprintf("%s (y/n) ", q);
	ui->prompt = ui_editor_new(NULL, 0);
	ui->prompt_label = label;
	ui->dirty = 1;
	for (;;) {
		k = ui_app_next_key(ui);
		if (k == UI_KEY_HANGUP)
			break;
		ui->dirty = 1;
		if (k == 'y' || k == 'Y') {
			rv = 1;
			break;
		}
		if (k == 'n' || k == 'N' || k == UI_ESC || k == UI_CTRL('g') ||
		    k == 'q')
			break;
	}
	ui_editor_free(ui->prompt);
	ui->prompt = NULL;
	free(ui->prompt_label);
	ui->prompt_label = NULL;
	return rv;
}

/* Leave? Asks when sends are running; 1 to quit. */
static int
ui_app_quit(struct ui *ui)
{
	char	q[200];
	int	n = ui_send_busy(ui->send);

	if (n == 0)
		return 1;
	snprintf(q, sizeof q, "%d send%s still running; quit anyway? (what is "
	    "not sent stays in the Outbox)", n, n == 1 ? " is" : "s are");
	return ui_app_confirm(ui, q);
}

/* Handle one key. */
static void
ui_app_key(struct ui *ui, int k)
{
	struct ui_screen	*top = ui_app_top(ui);
	int			 r;

	free(ui->message);
	ui->message = NULL;
	ui->dirty = 1;
	if (k == UI_KEY(KEY_RESIZE))
		return;		/* curses knows the new size; just redraw */
	r = top->ops->key(top, ui, k);
	if (r == UI_CLOSE) {
		ui_app_close(ui, top);
		ui_app_changed(ui);
		return;
	}
	if (r != UI_UNHANDLED)
		return;
	switch (ui_app_action(&ui_app_map, k)) {
	case UI_APP_HELP:
		if (strcmp(top->ops->name, "help") != 0)
			ui_app_push(ui, ui_help_new(ui));
		break;
	case UI_APP_NEXT_TAB:
		ui_app_tab(ui, ui->depth > 0 ? ui->tab : ui->tab + 1);
		break;
	case UI_APP_PREV_TAB:
		ui_app_tab(ui, ui->depth > 0 ? ui->tab : ui->tab - 1);
		break;
	case UI_APP_SENT:
		ui_app_tab(ui, 0);
		break;
	case UI_APP_OUTBOX:
		ui_app_tab(ui, 1);
		break;
	case UI_APP_DRAFTS:
		ui_app_tab(ui, 2);
		break;
	case UI_APP_COMPOSE:
		ui_app_push(ui, ui_compose_new(ui, 0));
		break;
	case UI_APP_CONTACTS:
		if (strcmp(top->ops->name, "contacts") != 0)
			ui_app_push(ui, ui_contacts_new(ui));
		break;
	case UI_APP_PANEL:
		if (strcmp(top->ops->name, "send") != 0)
			ui_app_push(ui, ui_panel_new(ui, 0));
		break;
	case UI_APP_REDRAW:
		clearok(curscr, TRUE);
		break;
	case UI_APP_QUIT:
		if (ui->depth > 0)
			ui_app_close(ui, top);
		else if (ui_app_quit(ui))
			ui->quit = 1;
		break;
	}
}

/* Write the startup figures (--bench-startup). */
static void
ui_app_bench(struct ui *ui, const char *out, struct timespec *t0)
{
	struct timespec	 t1;
	struct rusage	 ru;
	FILE		*fp;
	double		 ms;

	(void)ui;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &ru);
	ms = (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
	fp = out != NULL && *out != '\0' ? fopen(out, "w") : stdout;
	if (fp == NULL)
		return;
	fprintf(fp, "first_screen_ms %.1f\npeak_rss_kib %ld\n", ms,
	    ru.ru_maxrss);
	if (fp != stdout)
		fclose(fp);
}

/* Load the config and open the store; an exit code. */
static int
ui_app_open(struct ui *ui, const char *conf_path, int quiet)
{
	struct err	*e = NULL;
	char		*path, *spath;

	path = conf_path != NULL ? xstrdup(conf_path) : conf_default_path();
	if (path != NULL && access(path, F_OK) == -1 && errno == ENOENT) {
		fprintf(stderr, "tern: no config at %s\n"
		    "Write one (see tern.conf(5)), for example:\n"
		    "  from  = Your Name <you@example.org>\n"
		    "  relay = smtp://mail.example.org:587\n"
		    "or look around first with: tern demo\n", path);
		free(path);
		return 78;
	}
	ui->conf = conf_load(path, &e);
	free(path);
	if (ui->conf == NULL) {
		fprintf(stderr, "tern: %s\n", e->msg);
		err_free(e);
		return 78;
	}
	if (ui->conf->from == NULL && !quiet)
		fprintf(stderr, "tern: warning: no 'from' in the config; "
		    "sending will fail until you add one\n");
	spath = store_default_path();
	if (spath == NULL || (ui->store = store_open(spath, &e)) == NULL) {
		fprintf(stderr, "tern: %s\n", e != NULL ? e->msg :
		    "no home directory for the store");
		err_free(e);
		free(spath);
		return 74;
	}
	free(spath);
	ui->ob.conf = ui->conf;
	ui->ob.store = ui->store;
	return 0;
}

/* Free everything. */
static void
ui_app_free(struct ui *ui)
{
	int	i;

	while (ui->depth > 0)
		ui_app_close(ui, ui->stack[ui->depth - 1]);
	for (i = 0; i < UI_NTABS; i++)
		if (ui->tabs[i] != NULL)
			ui->tabs[i]->ops->free(ui->tabs[i]);
	ui_send_free(ui->send);
	ui_hop_free(ui->hop);
	store_close(ui->store);
	conf_free(ui->conf);
	free(ui->message);
}

/* Run the interface. */
int
ui_app_main(const struct cli_args *a, const char *conf_path)
{
	struct ui	 ui;
	struct timespec	 t0;
	struct mailto	 m;
	struct err	*e = NULL;
	const char	*bench = NULL;
	char		*log = NULL, *dir;
	int		 k, rv, busy;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&ui, 0, sizeof ui);
	/* The command line was read once, by cli_parse. */
	if (conf_path == NULL)
		conf_path = a->conf_path;
	ui.bench = a->bench;
	bench = a->bench_file;
	/* A server that closes on us must not kill the process. */
	signal(SIGPIPE, SIG_IGN);
	if ((rv = ui_app_open(&ui, conf_path, ui.bench)) != 0) {
		ui_app_free(&ui);
		return rv;
	}
	if ((ui.send = ui_send_new(&ui)) == NULL) {
		fprintf(stderr, "tern: cannot make a pipe\n");
		ui_app_free(&ui);
		return 71;
	}
	ui.hop = ui_hop_new(ui.store);
	ui.tabs[0] = ui_list_new(&ui, STORE_SENT);
	ui.tabs[1] = ui_outbox_new(&ui);
	ui.tabs[2] = ui_list_new(&ui, STORE_DRAFT);
	/* tern 'mailto:...' or tern -H FILE: the composer, filled in. */
	if ((a->mailto != NULL && mailto_parse(a->mailto, &m, &e) == -1) ||
	    (a->draft_file != NULL && mailto_file(a->draft_file, &m,
	    &e) == -1)) {
		fprintf(stderr, "tern: %s\n", e->msg);
		err_free(e);
		ui_app_free(&ui);
		return 65;
	}
	if (a->mailto != NULL || a->draft_file != NULL) {
		ui_app_push(&ui, ui_compose_new_from(&ui, &m));
		mailto_clear(&m);
	}
	dir = xstrdup(store_path(ui.store));
	log = xasprintf("%s/ui.log", dirname(dir));
	free(dir);
	if (ui_term_start(ui.conf->ascii, log) == -1) {
		fprintf(stderr, "tern: the interface needs a terminal (the "
		    "commands do not: tern help)\n");
		free(log);
		ui_app_free(&ui);
		return 64;
	}
	free(log);
	ui.dirty = 1;
	while (!ui.quit) {
		k = ui_app_next_key(&ui);
		if (k == UI_KEY_HANGUP)
			break;
		ui_app_key(&ui, k);
	}
	/* Drafts are saved whatever ended the loop. */
	ui_app_idle(&ui);
	busy = ui_send_busy(ui.send);
	ui_term_end();
	if (ui.bench)
		ui_app_bench(&ui, bench, &t0);
	if (busy > 0) {
		/*
		 * A worker is inside a session: leave without waiting for
		 * it.  Its claims are taken back by the next run (the
		 * process is gone) and the message stays in the outbox.
		 */
		fflush(stdout);
		_exit(0);
	}
	ui_app_free(&ui);
	return 0;
}
