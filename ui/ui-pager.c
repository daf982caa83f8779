/* Scrollable wrapped text. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "ui-app.h"
#include "ui-pager.h"
#include "ui-term.h"
#include "xmalloc.h"

enum ui_pager_action {
	UI_PG_DOWN,
	UI_PG_UP,
	UI_PG_PGDN,
	UI_PG_PGUP,
	UI_PG_TOP,
	UI_PG_BOTTOM
};

static const struct ui_key ui_pager_keys[] = {
	{ .key = 'j', .action = UI_PG_DOWN, .help = "scroll down" },
	{ .key = UI_KEY(KEY_DOWN), .action = UI_PG_DOWN },
	{ .key = 'k', .action = UI_PG_UP, .help = "scroll up" },
	{ .key = UI_KEY(KEY_UP), .action = UI_PG_UP },
	{ .key = ' ', .action = UI_PG_PGDN, .help = "page down" },
	{ .key = UI_KEY(KEY_NPAGE), .action = UI_PG_PGDN },
	{ .key = '-', .action = UI_PG_PGUP, .help = "page up" },
	{ .key = 'b', .action = UI_PG_PGUP },
	{ .key = UI_KEY(KEY_PPAGE), .action = UI_PG_PGUP },
	{ .key = 'g', .action = UI_PG_TOP, .help = "top" },
	{ .key = UI_KEY(KEY_HOME), .action = UI_PG_TOP },
	{ .key = 'G', .action = UI_PG_BOTTOM, .help = "bottom" },
	{ .key = UI_KEY(KEY_END), .action = UI_PG_BOTTOM },
};

const struct ui_keymap ui_pager_keymap =
    UI_KEYMAP("Reading (message, help, send log)", ui_pager_keys);

struct ui_pager_line {
	char	*s;
	int	 attr;
};

struct ui_pager {
	struct ui_pager_line	*v;
	size_t			 n, cap;
	int			 scroll;	/* first display row */
	int			 height;	/* as last drawn */
	int			 follow;
	int			 rows;		/* display rows, last draw */
	long			 seek;		/* line to show, or -1 */
};

static int	ui_pager_wrapped(const char *, int);
static size_t	ui_pager_piece(const char *, int);

/* A new pager. */
struct ui_pager *
ui_pager_new(void)
{
	struct ui_pager	*p;

	p = xcalloc(1, sizeof *p);
	p->height = 10;
	p->seek = -1;
	return p;
}

/* Free a pager. */
void
ui_pager_free(struct ui_pager *p)
{
	if (p == NULL)
		return;
	ui_pager_clear(p);
	free(p->v);
	free(p);
}

/* Remove every line. */
void
ui_pager_clear(struct ui_pager *p)
{
	size_t	i;

	for (i = 0; i < p->n; i++)
		free(p->v[i].s);
	p->n = 0;
}

/* Add text. */
void
ui_pager_add(struct ui_pager *p, int attr, const char *s)
{
	const char	*nl;

	do {
		nl = strchr(s, '\n');
		if (p->n == p->cap) {
			p->cap = p->cap == 0 ? 64 : p->cap * 2;
			p->v = xreallocarray(p->v, p->cap, sizeof *p->v);
		}
		p->v[p->n].s = nl != NULL ? xstrndup(s, (size_t)(nl - s)) :
		    xstrdup(s);
		p->v[p->n].attr = attr;
		p->n++;
		if (nl != NULL)
			s = nl + 1;
	} while (nl != NULL);
}

/* Add formatted text. */
void
ui_pager_addf(struct ui_pager *p, int attr, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	ui_pager_add(p, attr, s);
	free(s);
}

/* Lines added. */
size_t
ui_pager_count(const struct ui_pager *p)
{
	return p->n;
}

/*
 * The bytes of s that go on one row of width w: at a space when the rest
 * does not fit, never in the middle of a word that would fit on a row of
 * its own (a longer word is cut where the row ends).
 */
static size_t
ui_pager_piece(const char *s, int w)
{
	size_t	fit, k;

	fit = ui_term_fit(s, w, NULL);
	if (fit == 0 && *s != '\0')
		return 1;
	if (s[fit] == '\0' || s[fit] == ' ')
		return fit;
	for (k = fit; k > 0 && s[k - 1] != ' '; k--)
		;
	return k > fit / 3 ? k : fit;
}

/*
 * The column where a line's continuation rows start: under the value of a
 * "  label:   value" line (the transport section's layout), else under
 * the line's own indent; 0 for a line that is not indented.
 */
static int
ui_pager_hang(const char *s, int w)
{
	const char	*c;
	int		 lead = 0, v;

	while (s[lead] == ' ')
		lead++;
	if (lead < 2 || s[lead] == '\0')
		return 0;
	c = strstr(s + lead, ":  ");
	if (c != NULL && memchr(s + lead, ' ', (size_t)(c - s - lead)) ==
	    NULL) {
		for (v = (int)(c - s) + 1; s[v] == ' '; v++)
			;
		if (s[v] != '\0' && v < w / 2)
			return v;
	}
	return lead < w / 2 ? lead : 0;
}

/* Display rows a line takes at width w. */
static int
ui_pager_wrapped(const char *s, int w)
{
	size_t	fit;
	int	rows = 0, hang = ui_pager_hang(s, w);

	do {
		if (rows > 0)
			while (*s == ' ')
				s++;
		fit = ui_pager_piece(s, rows == 0 ? w : w - hang);
		s += fit;
		rows++;
	} while (*s != '\0');
	return rows;
}

/* Draw. */
void
ui_pager_draw(struct ui_pager *p, int y, int x, int h, int w)
{
	const char	*s;
	char		*t;
	size_t		 i, fit;
	int		 row = 0, total = 0, hang, first, in;

	if (h < 1 || w < 1)
		return;
	p->height = h;
	for (i = 0; i < p->n; i++) {
		if (p->seek >= 0 && (long)i == p->seek) {
			p->scroll = total;
			p->seek = -1;
		}
		total += ui_pager_wrapped(p->v[i].s, w);
	}
	p->rows = total;
	if (p->follow || p->scroll > total - h)
		p->scroll = total - h;
	if (p->scroll < 0)
		p->scroll = 0;
	for (i = 0; i < p->n && row - p->scroll < h; i++) {
		s = p->v[i].s;
		hang = ui_pager_hang(s, w);
		first = row;
		do {
			if (row > first)
				while (*s == ' ')
					s++;
			in = row > first ? hang : 0;
			fit = ui_pager_piece(s, w - in);
			if (row >= p->scroll && row - p->scroll < h) {
				t = xstrndup(s, fit);
				ui_term_text(y + row - p->scroll, x + in,
				    w - in, t, p->v[i].attr);
				free(t);
			}
			s += fit;
			row++;
		} while (*s != '\0');
	}
}

/* Scroll keys. */
int
ui_pager_key(struct ui_pager *p, int k)
{
	switch (ui_app_action(&ui_pager_keymap, k)) {
	case UI_PG_DOWN:
		p->scroll++;
		break;
	case UI_PG_UP:
		p->scroll--;
		p->follow = 0;
		break;
	case UI_PG_PGDN:
		p->scroll += p->height - 1;
		break;
	case UI_PG_PGUP:
		p->scroll -= p->height - 1;
		p->follow = 0;
		break;
	case UI_PG_TOP:
		p->scroll = 0;
		p->follow = 0;
		break;
	case UI_PG_BOTTOM:
		p->scroll = 1 << 30;
		break;
	default:
		return 0;
	}
	if (p->scroll < 0)
		p->scroll = 0;
	return 1;
}

/* Scroll to a line by its start. */
int
ui_pager_seek(struct ui_pager *p, const char *prefix)
{
	size_t	i;

	for (i = 0; i < p->n; i++) {
		if (strncmp(p->v[i].s, prefix, strlen(prefix)) == 0) {
			p->seek = (long)i;
			p->follow = 0;
			return 1;
		}
	}
	return 0;
}

/* Follow the end. */
void
ui_pager_follow(struct ui_pager *p, int on)
{
	p->follow = on;
}

