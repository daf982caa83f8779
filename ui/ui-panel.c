/* The live send panel. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <curses.h>

#include "ui-app.h"
#include "ui-job.h"
#include "ui-pager.h"
#include "ui-panel.h"
#include "ui-send.h"
#include "ui-term.h"
#include "xmalloc.h"

enum ui_panel_action {
	UI_PANEL_BACK,
	UI_PANEL_PREV,
	UI_PANEL_NEXT
};

static const struct ui_key ui_panel_keys[] = {
	{ .key = 'q', .action = UI_PANEL_BACK,
	  .help = "leave the panel (the send goes on)" },
	{ .key = UI_ESC, .action = UI_PANEL_BACK },
	{ .key = UI_KEY(KEY_LEFT), .action = UI_PANEL_PREV,
	  .help = "the previous send" },
	{ .key = 'p', .action = UI_PANEL_PREV },
	{ .key = UI_KEY(KEY_RIGHT), .action = UI_PANEL_NEXT,
	  .help = "the next send" },
	{ .key = 'n', .action = UI_PANEL_NEXT },
};

const struct ui_keymap ui_panel_keymap = UI_KEYMAP("Send panel (also: the "
    "reading keys scroll its log)", ui_panel_keys);

struct ui_panel {
	int		 job;		/* its number; 0: the latest */
};

static int	 ui_panel_wrap(int, int, int, int, const char *, int);
static int	 ui_panel_row(const struct ui_job_row *, int, int);
static void	 ui_panel_draw(struct ui_screen *, struct ui *, int, int);
static int	 ui_panel_key(struct ui_screen *, struct ui *, int);
static void	 ui_panel_title(struct ui_screen *, struct ui *, char *,
		    size_t);
static void	 ui_panel_free(struct ui_screen *);

static const struct ui_screen_ops ui_panel_ops = {
	.name = "send",
	.keymap = &ui_panel_keymap,
	.hints = "q:back  Left/Right:other sends  j/k:scroll  ?:help",
	.title = ui_panel_title,
	.draw = ui_panel_draw,
	.key = ui_panel_key,
	.free = ui_panel_free,
};

/* The live panel for a job. */
struct ui_screen *
ui_panel_new(struct ui *ui, int no)
{
	struct ui_panel		*p;
	struct ui_job_view	 v;

	p = xcalloc(1, sizeof *p);
	p->job = ui_send_view(ui->send, no, &v) == 0 ? v.no : 0;
	return ui_app_screen(&ui_panel_ops, p);
}

/* Draw text wrapped at spaces from row y (before row end); the next row. */
static int
ui_panel_wrap(int y, int end, int x, int w, const char *s, int attr)
{
	size_t	 off = 0, fit, sp;
	char	*t;

	while (s[off] != '\0' && y < end) {
		fit = ui_term_fit(s + off, w, NULL);
		if (fit == 0)
			break;
		if (s[off + fit] != '\0') {
			for (sp = fit; sp > 0 && s[off + sp] != ' '; sp--)
				;
			if (sp > 0)
				fit = sp;
		}
		t = xstrndup(s + off, fit);
		ui_term_text(y++, x, w, t, attr);
		free(t);
		off += fit;
		while (s[off] == ' ')
			off++;
	}
	return y;
}

/* Draw a recipient's or a server's line at y (before end); the next row. */
static int
ui_panel_row(const struct ui_job_row *r, int y, int end)
{
	int	w = ui_term_cols(), x = 2, dim = ui_term_attr(UI_A_DIM);

	if (r->rcpt) {
		if (r->has_outcome)
			ui_term_text(y, x, 7, ui_term_glyph(r->outcome),
			    ui_term_outcome_attr(r->outcome));
		x += 8;
		x += ui_term_text(y, x, w / 3, r->key,
		    ui_term_attr(UI_A_NORMAL)) + 1;
		if (r->policy != NULL)
			x += ui_term_text(y, x, 20, r->policy, dim) + 1;
	} else {
		x += ui_term_text(y, x, 7, "server", dim) + 1;
		x += ui_term_text(y, x, w / 3, r->key,
		    ui_term_attr(UI_A_NORMAL)) + 1;
	}
	ui_term_text(y++, x, w - x - 1, r->state, r->attr);
	if (r->tls != NULL && y < end)
		ui_term_text(y++, 10, w - 11, r->tls, r->tls_attr);
	if (r->advice != NULL)
		y = ui_panel_wrap(y, end, 9, w - 10, r->advice,
		    ui_term_attr(UI_A_WARN));
	return y;
}

/* Draw the panel. */
static void
ui_panel_draw(struct ui_screen *sc, struct ui *ui, int top, int h)
{
	struct ui_panel		*p = sc->data;
	struct ui_job_view	 v;
	size_t			 i;
	int			 y = top, w = ui_term_cols();
	int			 head = ui_term_attr(UI_A_HEAD);
	char			*t;

	if (ui_send_view(ui->send, p->job, &v) == -1) {
		ui_term_text(y, 1, w - 2, "Nothing has been sent in this "
		    "session. Press m to write a message.",
		    ui_term_attr(UI_A_DIM));
		return;
	}
	t = xasprintf("%s \"%s\" (%s)", v.probe ? "Probe" : "Send", v.title,
	    v.running ? "running" : "finished");
	ui_term_text(y++, 1, w - 2, t, head);
	free(t);
	for (i = 0; i < v.nrows && y < top + h - 3; i++)
		y = ui_panel_row(&v.rows[i], y, top + h - 3);
	y++;
	if (y >= top + h - 1)
		return;
	ui_term_text(y++, 1, w - 2, "What happened on the wire:", head);
	ui_pager_draw(v.log, y, 2, top + h - y, w - 3);
}

/* Panel keys. */
static int
ui_panel_key(struct ui_screen *sc, struct ui *ui, int k)
{
	struct ui_panel		*p = sc->data;
	struct ui_job_view	 v;

	switch (ui_app_action(&ui_panel_keymap, k)) {
	case UI_PANEL_BACK:
		return UI_CLOSE;
	case UI_PANEL_PREV:
		p->job = ui_send_next(ui->send, p->job, -1);
		return UI_REDRAW;
	case UI_PANEL_NEXT:
		p->job = ui_send_next(ui->send, p->job, 1);
		return UI_REDRAW;
	}
	if (ui_send_view(ui->send, p->job, &v) == 0 && ui_pager_key(v.log, k))
		return UI_REDRAW;
	return UI_UNHANDLED;
}

/* The panel's title. */
static void
ui_panel_title(struct ui_screen *sc, struct ui *ui, char *b, size_t len)
{
	(void)sc;
	(void)ui;
	snprintf(b, len, "Sending");
}

/* Free the panel. */
static void
ui_panel_free(struct ui_screen *sc)
{
	free(sc->data);
	free(sc);
}
