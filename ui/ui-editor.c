/* The built-in UTF-8 editor, and the way out to an external one. */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>

#include "buf.h"
#include "err.h"
#include "safefile.h"
#include "ui-app.h"
#include "ui-editor.h"
#include "ui-term.h"
#include "xmalloc.h"

enum ui_editor_action {
	UI_ED_LEFT,
	UI_ED_RIGHT,
	UI_ED_UP,
	UI_ED_DOWN,
	UI_ED_HOME,
	UI_ED_END,
	UI_ED_PGUP,
	UI_ED_PGDN,
	UI_ED_BACKSPACE,
	UI_ED_DELETE,
	UI_ED_KILL_END,
	UI_ED_KILL_START,
	UI_ED_KILL_WORD,
	UI_ED_YANK,
	UI_ED_ENTER,
	UI_ED_DONE,
	UI_ED_CANCEL
};

static const struct ui_key ui_editor_keys[] = {
	{ .key = UI_KEY(KEY_LEFT), .action = UI_ED_LEFT,
	  .help = "character left" },
	{ .key = UI_CTRL('b'), .action = UI_ED_LEFT },
	{ .key = UI_KEY(KEY_RIGHT), .action = UI_ED_RIGHT,
	  .help = "character right" },
	{ .key = UI_CTRL('f'), .action = UI_ED_RIGHT },
	{ .key = UI_KEY(KEY_UP), .action = UI_ED_UP, .help = "row up (body)" },
	{ .key = UI_KEY(KEY_DOWN), .action = UI_ED_DOWN,
	  .help = "row down (body)" },
	{ .key = UI_KEY(KEY_HOME), .action = UI_ED_HOME,
	  .help = "start of line" },
	{ .key = UI_CTRL('a'), .action = UI_ED_HOME },
	{ .key = UI_KEY(KEY_END), .action = UI_ED_END, .help = "end of line" },
	{ .key = UI_CTRL('e'), .action = UI_ED_END },
	{ .key = UI_KEY(KEY_PPAGE), .action = UI_ED_PGUP,
	  .help = "page up (body)" },
	{ .key = UI_KEY(KEY_NPAGE), .action = UI_ED_PGDN,
	  .help = "page down (body)" },
	{ .key = UI_KEY(KEY_BACKSPACE), .action = UI_ED_BACKSPACE,
	  .help = "delete the character before" },
	{ .key = 0x7f, .action = UI_ED_BACKSPACE },
	{ .key = UI_CTRL('h'), .action = UI_ED_BACKSPACE },
	{ .key = UI_KEY(KEY_DC), .action = UI_ED_DELETE,
	  .help = "delete the character under the cursor" },
	{ .key = UI_CTRL('d'), .action = UI_ED_DELETE },
	{ .key = UI_CTRL('k'), .action = UI_ED_KILL_END,
	  .help = "delete to the end of the line" },
	{ .key = UI_CTRL('u'), .action = UI_ED_KILL_START,
	  .help = "delete to the start of the line" },
	{ .key = UI_CTRL('w'), .action = UI_ED_KILL_WORD,
	  .help = "delete the word before" },
	{ .key = UI_CTRL('y'), .action = UI_ED_YANK,
	  .help = "put back the text ^K, ^U or ^W deleted last (undo)" },
	{ .key = '\r', .action = UI_ED_ENTER,
	  .help = "new line (body); accept (field, prompt)" },
	{ .key = '\n', .action = UI_ED_ENTER },
	{ .key = UI_KEY(KEY_ENTER), .action = UI_ED_ENTER },
	{ .key = UI_CTRL('x'), .action = UI_ED_DONE,
	  .help = "finish editing the body" },
	{ .key = UI_ESC, .action = UI_ED_CANCEL,
	  .help = "finish the body; cancel a prompt" },
	{ .key = UI_CTRL('g'), .action = UI_ED_CANCEL },
};

const struct ui_keymap ui_editor_keymap = UI_KEYMAP("Editing text (fields, "
    "prompts, the built-in body editor)", ui_editor_keys);

struct ui_editor_row {
	size_t	start, end;		/* bytes [start, end) */
};

struct ui_editor {
	struct buf		 b;
	size_t			 cur;		/* byte offset */
	int			 multi;
	size_t			 hscroll;	/* one line: first byte shown */
	int			 top;		/* many: first row shown */
	int			 width, height;	/* as last drawn */
	int			 want_col;	/* for up/down */
	char			*cut;		/* what ^K ^U ^W took last */
	int			 first, last, rows;	/* shown, as last drawn */
};

static size_t	 ui_editor_prev(const struct ui_editor *, size_t);
static size_t	 ui_editor_next(const struct ui_editor *, size_t);
static void	 ui_editor_insert(struct ui_editor *, const char *, size_t);
static void	 ui_editor_delete(struct ui_editor *, size_t, size_t);
static void	 ui_editor_cut(struct ui_editor *, size_t, size_t);
static size_t	 ui_editor_line_start(const struct ui_editor *, size_t);
static size_t	 ui_editor_line_end(const struct ui_editor *, size_t);
static size_t	 ui_editor_layout(const struct ui_editor *, int,
		    struct ui_editor_row **, size_t *);
static size_t	 ui_editor_col_to(const struct ui_editor *,
		    const struct ui_editor_row *, int);
static int	 ui_editor_vertical(struct ui_editor *, int);
static size_t	 ui_editor_utf8(int, char *);

/* A new editor. */
struct ui_editor *
ui_editor_new(const char *text, int multi)
{
	struct ui_editor	*ed;

	ed = xcalloc(1, sizeof *ed);
	ed->multi = multi;
	ed->width = 80;
	ed->height = 10;
	ed->want_col = -1;
	ui_editor_set(ed, text);
	return ed;
}

/* Free an editor. */
void
ui_editor_free(struct ui_editor *ed)
{
	if (ed == NULL)
		return;
	buf_free(&ed->b);
	free(ed->cut);
	free(ed);
}

/* The text. */
const char *
ui_editor_text(const struct ui_editor *ed)
{
	return ed->b.s != NULL ? ed->b.s : "";
}

/* Replace the text. */
void
ui_editor_set(struct ui_editor *ed, const char *text)
{
	buf_reset(&ed->b);
	buf_add(&ed->b, "", 0);
	if (text != NULL)
		buf_adds(&ed->b, text);
	ed->cur = ed->b.len;
	ed->hscroll = 0;
	ed->top = 0;
}

/* The start of the character before pos. */
static size_t
ui_editor_prev(const struct ui_editor *ed, size_t pos)
{
	if (pos == 0)
		return 0;
	pos--;
	while (pos > 0 && ((unsigned char)ed->b.s[pos] & 0xc0) == 0x80)
		pos--;
	return pos;
}

/* The start of the character after pos. */
static size_t
ui_editor_next(const struct ui_editor *ed, size_t pos)
{
	if (pos >= ed->b.len)
		return ed->b.len;
	pos++;
	while (pos < ed->b.len && ((unsigned char)ed->b.s[pos] & 0xc0) ==
	    0x80)
		pos++;
	return pos;
}

/* Insert bytes at the cursor. */
static void
ui_editor_insert(struct ui_editor *ed, const char *s, size_t n)
{
	size_t	tail = ed->b.len - ed->cur;

	buf_add(&ed->b, s, n);		/* grow; bytes moved below */
	memmove(ed->b.s + ed->cur + n, ed->b.s + ed->cur, tail);
	memcpy(ed->b.s + ed->cur, s, n);
	ed->b.s[ed->b.len] = '\0';
	ed->cur += n;
}

/* Delete bytes [from, to) and put the cursor at from. */
static void
ui_editor_delete(struct ui_editor *ed, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(ed->b.s + from, ed->b.s + to, ed->b.len - to + 1);
	ed->b.len -= to - from;
	ed->cur = from;
}

/* Delete bytes [from, to), kept for ^Y (a cut of nothing keeps the last). */
static void
ui_editor_cut(struct ui_editor *ed, size_t from, size_t to)
{
	if (to <= from)
		return;
	free(ed->cut);
	ed->cut = xstrndup(ed->b.s + from, to - from);
	ui_editor_delete(ed, from, to);
}

/* The start of the logical line holding pos. */
static size_t
ui_editor_line_start(const struct ui_editor *ed, size_t pos)
{
	while (pos > 0 && ed->b.s[pos - 1] != '\n')
		pos--;
	return pos;
}

/* The end of the logical line holding pos. */
static size_t
ui_editor_line_end(const struct ui_editor *ed, size_t pos)
{
	while (pos < ed->b.len && ed->b.s[pos] != '\n')
		pos++;
	return pos;
}

/* Encode a code point as UTF-8. */
static size_t
ui_editor_utf8(int c, char *o)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/*
 * Wrap the text into rows of w columns; returns the row of the cursor.
 * *rows is a new array of *n rows.
 */
static size_t
ui_editor_layout(const struct ui_editor *ed, int w,
    struct ui_editor_row **rows, size_t *n)
{
	struct ui_editor_row	*v = NULL;
	size_t			 nv = 0, cap = 0, pos = 0, fit, cur = 0;
	const char		*s = ui_editor_text(ed);

	if (w < 1)
		w = 1;
	for (;;) {
		fit = ui_term_fit(s + pos, w, NULL);
		if (fit == 0 && s[pos] != '\n' && s[pos] != '\0')
			fit = ui_editor_next(ed, pos) - pos;
		if (nv == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[nv].start = pos;
		v[nv].end = pos + fit;
		/* The last row that can hold the cursor gets it. */
		if (ed->cur >= v[nv].start && ed->cur <= v[nv].end)
			cur = nv;
		nv++;
		pos += fit;
		if (s[pos] == '\0')
			break;
		if (s[pos] == '\n')
			pos++;
	}
	*rows = v;
	*n = nv;
	return cur;
}

/* The byte in a row at a display column. */
static size_t
ui_editor_col_to(const struct ui_editor *ed, const struct ui_editor_row *r,
    int col)
{
	char	*tmp;
	size_t	 fit;

	tmp = xstrndup(ed->b.s + r->start, r->end - r->start);
	fit = ui_term_fit(tmp, col, NULL);
	free(tmp);
	return r->start + fit;
}

/* Move the cursor by rows (up when negative). */
static int
ui_editor_vertical(struct ui_editor *ed, int by)
{
	struct ui_editor_row	*rows;
	size_t			 n, cur;
	long			 to;
	char			*tmp;
	int			 col;

	cur = ui_editor_layout(ed, ed->width, &rows, &n);
	if (ed->want_col < 0) {
		tmp = xstrndup(ed->b.s + rows[cur].start, ed->cur -
		    rows[cur].start);
		ed->want_col = ui_term_width(tmp);
		free(tmp);
	}
	col = ed->want_col;
	to = (long)cur + by;
	if (to < 0)
		to = 0;
	if (to >= (long)n)
		to = (long)n - 1;
	ed->cur = ui_editor_col_to(ed, &rows[to], col);
	free(rows);
	return UI_EDITOR_MOVED;
}

/* Handle a key. */
int
ui_editor_key(struct ui_editor *ed, int k)
{
	char	u[4];
	size_t	p;
	int	a, keep_col = 0, rv = UI_EDITOR_MOVED;

	a = ui_app_action(&ui_editor_keymap, k);
	if (a == -1) {
		if (k < 0x20 || k == 0x7f || k >= 0x110000 ||
		    (k >= 0x80 && k < 0xa0))
			return UI_EDITOR_UNHANDLED;
		ui_editor_insert(ed, u, ui_editor_utf8(k, u));
		ed->want_col = -1;
		return UI_EDITOR_CHANGED;
	}
	switch (a) {
	case UI_ED_LEFT:
		ed->cur = ui_editor_prev(ed, ed->cur);
		break;
	case UI_ED_RIGHT:
		ed->cur = ui_editor_next(ed, ed->cur);
		break;
	case UI_ED_UP:
	case UI_ED_DOWN:
	case UI_ED_PGUP:
	case UI_ED_PGDN:
		if (!ed->multi)
			return UI_EDITOR_UNHANDLED;
		keep_col = 1;
		ui_editor_vertical(ed, a == UI_ED_UP ? -1 : a == UI_ED_DOWN ?
		    1 : a == UI_ED_PGUP ? -ed->height : ed->height);
		break;
	case UI_ED_HOME:
		ed->cur = ui_editor_line_start(ed, ed->cur);
		break;
	case UI_ED_END:
		ed->cur = ui_editor_line_end(ed, ed->cur);
		break;
	case UI_ED_BACKSPACE:
		if (ed->cur == 0)
			break;
		ui_editor_delete(ed, ui_editor_prev(ed, ed->cur), ed->cur);
		rv = UI_EDITOR_CHANGED;
		break;
	case UI_ED_DELETE:
		if (ed->cur == ed->b.len)
			break;
		ui_editor_delete(ed, ed->cur, ui_editor_next(ed, ed->cur));
		rv = UI_EDITOR_CHANGED;
		break;
	case UI_ED_KILL_END:
		p = ui_editor_line_end(ed, ed->cur);
		if (p == ed->cur && p < ed->b.len)
			p++;		/* at the end: join the next line */
		ui_editor_cut(ed, ed->cur, p);
		rv = UI_EDITOR_CHANGED;
		break;
	case UI_ED_KILL_START:
		ui_editor_cut(ed, ui_editor_line_start(ed, ed->cur),
		    ed->cur);
		rv = UI_EDITOR_CHANGED;
		break;
	case UI_ED_KILL_WORD:
		p = ed->cur;
		while (p > 0 && (ed->b.s[p - 1] == ' ' ||
		    ed->b.s[p - 1] == ','))
			p--;
		while (p > 0 && ed->b.s[p - 1] != ' ' &&
		    ed->b.s[p - 1] != '\n' && ed->b.s[p - 1] != ',')
			p--;
		ui_editor_cut(ed, p, ed->cur);
		rv = UI_EDITOR_CHANGED;
		break;
	case UI_ED_YANK:
		if (ed->cut == NULL)
			break;
		if (!ed->multi && strchr(ed->cut, '\n') != NULL)
			break;
		ui_editor_insert(ed, ed->cut, strlen(ed->cut));
		rv = UI_EDITOR_CHANGED;
		break;
	case UI_ED_ENTER:
		if (!ed->multi)
			return UI_EDITOR_DONE;
		ui_editor_insert(ed, "\n", 1);
		rv = UI_EDITOR_CHANGED;
		break;
	case UI_ED_DONE:
		return ed->multi ? UI_EDITOR_DONE : UI_EDITOR_UNHANDLED;
	case UI_ED_CANCEL:
		return ed->multi ? UI_EDITOR_DONE : UI_EDITOR_CANCEL;
	}
	if (!keep_col)
		ed->want_col = -1;
	return rv;
}

/* Draw the editor. */
void
ui_editor_draw(struct ui_editor *ed, int y, int x, int h, int w, int focus)
{
	struct ui_editor_row	*rows;
	size_t			 n, cur, i;
	char			*tmp;
	int			 cx;

	if (h < 1 || w < 2)
		return;
	ed->width = w;
	ed->height = h;
	if (!ed->multi) {
		if (ed->hscroll > ed->cur)
			ed->hscroll = ed->cur;
		for (;;) {
			tmp = xstrndup(ed->b.s + ed->hscroll, ed->cur -
			    ed->hscroll);
			cx = ui_term_width(tmp);
			free(tmp);
			if (cx < w || ed->hscroll >= ed->cur)
				break;
			ed->hscroll = ui_editor_next(ed, ed->hscroll);
		}
		ui_term_text(y, x, w, ed->b.s + ed->hscroll,
		    ui_term_attr(UI_A_NORMAL));
		if (focus)
			ui_term_cursor(y, x + cx);
		return;
	}
	cur = ui_editor_layout(ed, w, &rows, &n);
	/*
	 * Edited, the rows around the cursor; else where they were (the
	 * first rows of a body not edited yet, not its end).
	 */
	if (focus && (int)cur < ed->top)
		ed->top = (int)cur;
	if (focus && (int)cur >= ed->top + h)
		ed->top = (int)cur - h + 1;
	if (ed->top > (int)n - h)
		ed->top = (int)n - h;
	if (ed->top < 0)
		ed->top = 0;
	/* The empty row after a final newline is not a line of the text. */
	ed->rows = (int)n;
	if (n > 1 && rows[n - 1].start == ed->b.len && ed->b.len > 0 &&
	    ed->b.s[ed->b.len - 1] == '\n')
		ed->rows--;
	ed->first = ed->top + 1;
	ed->last = ed->top + h < ed->rows ? ed->top + h : ed->rows;
	if (ed->first > ed->last)
		ed->first = ed->last;
	for (i = (size_t)ed->top; i < n && (int)(i - (size_t)ed->top) < h;
	    i++) {
		tmp = xstrndup(ed->b.s + rows[i].start, rows[i].end -
		    rows[i].start);
		ui_term_text(y + (int)(i - (size_t)ed->top), x, w, tmp,
		    ui_term_attr(UI_A_NORMAL));
		free(tmp);
	}
	if (focus) {
		tmp = xstrndup(ed->b.s + rows[cur].start, ed->cur -
		    rows[cur].start);
		cx = ui_term_width(tmp);
		free(tmp);
		if (cx >= w)
			cx = w - 1;
		ui_term_cursor(y + (int)cur - ed->top, x + cx);
	}
	free(rows);
}

/* The rows shown at the last draw (from 1) and how many there are. */
void
ui_editor_shown(const struct ui_editor *ed, int *first, int *last,
    int *rows)
{
	*first = ed->first;
	*last = ed->last;
	*rows = ed->rows;
}

/*
 * Edit the text in an external editor; 1 changed, 0 unchanged, -1.  The
 * text goes to a file in a new private directory (mkdtemp: 0700, ours),
 * so nobody else can put a link or a file of theirs in its place in a
 * shared TMPDIR; it is created and read back through safefile (no link
 * followed, only our own file), and the directory is removed after.
 */
int
ui_editor_external(struct ui_editor *ed, const char *editor)
{
	struct buf	 b = BUF_INIT;
	struct err	*e = NULL;
	struct dirent	*de;
	DIR		*dp;
	char		 chunk[4096], *cmd, *dir, *tpath = NULL, *p;
	const char	*tmpdir, *body = ui_editor_text(ed);
	pid_t		 pid;
	ssize_t		 n;
	size_t		 len = strlen(body);
	int		 fd, status = -1, rv = -1;

	tmpdir = getenv("TMPDIR");
	dir = xasprintf("%s/tern-XXXXXX", tmpdir != NULL &&
	    *tmpdir == '/' ? tmpdir : "/tmp");
	if (mkdtemp(dir) == NULL) {
		free(dir);
		return -1;
	}
	tpath = xasprintf("%s/body", dir);
	if ((fd = safefile_open(tpath, O_WRONLY | O_CREAT | O_EXCL, 0600,
	    "the body's file", &e)) == -1)
		goto out;
	if (write(fd, body, len) != (ssize_t)len) {
		close(fd);
		goto out;
	}
	close(fd);
	cmd = xasprintf("%s \"$1\"", editor);
	ui_term_suspend();
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, "sh", tpath, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	ui_term_resume();
	free(cmd);
	if (pid == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		goto out;
	if ((fd = safefile_open(tpath, O_RDONLY, 0, "the body's file",
	    &e)) == -1)
		goto out;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	if (n == -1)
		goto out;
	buf_add(&b, "", 0);
	rv = 0;
	if (strcmp(b.s, body) != 0) {
		ui_editor_set(ed, b.s);
		rv = 1;
	}
out:
	/* The directory and what the editor left in it (backups). */
	if ((dp = opendir(dir)) != NULL) {
		while ((de = readdir(dp)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			p = xasprintf("%s/%s", dir, de->d_name);
			(void)unlink(p);
			free(p);
		}
		closedir(dp);
	}
	(void)rmdir(dir);
	err_free(e);
	free(tpath);
	free(dir);
	buf_free(&b);
	return rv;
}
