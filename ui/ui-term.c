/* The terminal: curses, colours, glyphs, standard error, signals. */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>

#include "record.h"
#include "ui-term.h"
#include "xmalloc.h"

/* Colour pairs. */
enum {
	UI_P_TITLE = 1,
	UI_P_TAB,
	UI_P_SELECT,
	UI_P_STATUS,
	UI_P_HEAD,
	UI_P_DIM,
	UI_P_GOOD,
	UI_P_WARN,
	UI_P_BAD
};

struct ui_term_state {
	SCREEN			*screen;
	int			 started;
	int			 colour;
	int			 utf8;
	int			 utf8_locale;	/* the locale's codeset is UTF-8 */
	int			 cur_y, cur_x;	/* the visible cursor, y < 0 none */
	int			 saved_stderr;	/* the real stderr while in curses */
	char			*logpath;	/* where stderr goes meanwhile */
	volatile sig_atomic_t	 hangup;
};

static struct ui_term_state ui_term = { NULL, 0, 0, 0, 0, -1, 0, -1, NULL,
    0 };

static void	 ui_term_signal(int);
static void	 ui_term_fatal(void);
static void	 ui_term_redirect(const char *);
static void	 ui_term_restore(void);
static int	 ui_term_pick_utf8(const char *);
static int	 ui_term_term_utf8(const char *);
static int	 ui_term_locale_utf8(void);
static size_t	 ui_term_utf8_seq(const char *, size_t, wchar_t *);
static size_t	 ui_term_char(const char *, size_t, mbstate_t *, wchar_t *,
		    int *);
static int	 ui_term_byte_key(int);

/* Note a hang-up or termination; the main loop saves and leaves. */
static void
ui_term_signal(int sig)
{
	(void)sig;
	ui_term.hangup = 1;
}

/* Restore the terminal before xmalloc's fatal exit. */
static void
ui_term_fatal(void)
{
	ui_term_end();
}

/* Send stderr to a log file while curses owns the screen. */
static void
ui_term_redirect(const char *logpath)
{
	int	fd = -1;

	fflush(stderr);
	if (logpath != NULL)
		fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		    0600);
	if (fd == -1)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return;
	ui_term.saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	dup2(fd, STDERR_FILENO);
	close(fd);
}

/* Put the real stderr back. */
static void
ui_term_restore(void)
{
	if (ui_term.saved_stderr == -1)
		return;
	fflush(stderr);
	dup2(ui_term.saved_stderr, STDERR_FILENO);
	close(ui_term.saved_stderr);
	ui_term.saved_stderr = -1;
}

/* Is the locale's codeset UTF-8? */
static int
ui_term_locale_utf8(void)
{
	const char	*cs = nl_langinfo(CODESET);

	return cs != NULL && (strcasecmp(cs, "UTF-8") == 0 ||
	    strcasecmp(cs, "utf8") == 0);
}

/*
 * Can the terminal named by TERM draw UTF-8 glyphs?  Not the hardware
 * terminals and consoles whose character sets stop at Latin-1 or a few
 * hundred glyphs (the Linux console has no locks), nor one without a
 * name.
 */
static int
ui_term_term_utf8(const char *term)
{
	static const char *const ascii[] = {
		"dumb", "vt52", "vt100", "vt102", "vt220", "vt320", "vt420",
		"vt520", "ansi", "linux", "cons25", "pcansi", "sun", "wsvt25",
		"con80x25", "pc3", "att", "hp", "wy", "tvi", "adm",
	};
	size_t	i, n;

	if (term == NULL || *term == '\0')
		return 0;
	for (i = 0; i < sizeof ascii / sizeof ascii[0]; i++) {
		n = strlen(ascii[i]);
		/* The name or a variant of it: vt100-am, linux-16color. */
		if (strncmp(term, ascii[i], n) == 0 && (term[n] == '\0' ||
		    term[n] == '-' || (n <= 3 && term[n] >= '0' &&
		    term[n] <= '9')))
			return 0;
	}
	return 1;
}

/*
 * UTF-8 glyphs or ASCII: $TERN_GLYPHS, else the config, else auto: UTF-8
 * only when the locale's codeset is UTF-8 and the terminal can draw it.
 */
static int
ui_term_pick_utf8(const char *setting)
{
	const char	*env = getenv("TERN_GLYPHS");

	if (env != NULL && *env != '\0')
		setting = env;
	if (setting != NULL && strcasecmp(setting, "ascii") == 0)
		return 0;
	if (setting != NULL && (strcasecmp(setting, "utf-8") == 0 ||
	    strcasecmp(setting, "utf8") == 0))
		return 1;
	/* Without a UTF-8 locale the terminal could not show them. */
	return ui_term_locale_utf8() && ui_term_term_utf8(getenv("TERM"));
}

/*
 * The length of one valid UTF-8 sequence at s (at most len bytes), its
 * code point in *wc; 0 when the bytes are not one.
 */
static size_t
ui_term_utf8_seq(const char *s, size_t len, wchar_t *wc)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned long		 c, min;
	size_t			 n, i;

	if (len == 0)
		return 0;
	if (u[0] < 0x80) {
		*wc = (wchar_t)u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		n = 2;
		c = u[0] & 0x1f;
		min = 0x80;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		n = 3;
		c = u[0] & 0x0f;
		min = 0x800;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		n = 4;
		c = u[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*wc = (wchar_t)c;
	return n;
}

/*
 * One character of s (len bytes left): its bytes (at least 1), *wc and
 * its columns in *cw, -1 in *cw when it cannot be shown as is (drawn as
 * one '?').  Outside a UTF-8 locale a valid UTF-8 sequence is still one
 * character, so the text typed keeps its shape.
 */
static size_t
ui_term_char(const char *s, size_t len, mbstate_t *mb, wchar_t *wc,
    int *cw)
{
	size_t	n;

	n = mbrtowc(wc, s, len, mb);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		memset(mb, 0, sizeof *mb);
		*cw = -1;
		if (!ui_term.utf8_locale && (n = ui_term_utf8_seq(s, len,
		    wc)) > 0)
			return n;
		return 1;
	}
	*cw = wcwidth(*wc);
	return n;
}

/* Take the terminal. */
int
ui_term_start(const char *glyphs, const char *logpath)
{
	struct sigaction	sa;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return -1;
	ui_term.screen = newterm(NULL, stdout, stdin);
	if (ui_term.screen == NULL)
		return -1;
	set_term(ui_term.screen);
	ui_term.started = 1;
	xmalloc_set_fatal_hook(ui_term_fatal);
	free(ui_term.logpath);
	ui_term.logpath = xstrdup(logpath);
	ui_term_redirect(logpath);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ui_term_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	meta(stdscr, TRUE);
	curs_set(0);
	ui_term.cur_y = -1;
	ui_term.utf8_locale = ui_term_locale_utf8();
	ui_term.utf8 = ui_term_pick_utf8(glyphs);
	if (has_colors() && start_color() == OK && getenv("NO_COLOR") ==
	    NULL) {
		ui_term.colour = 1;
		use_default_colors();
		init_pair(UI_P_TITLE, COLOR_WHITE, COLOR_BLUE);
		init_pair(UI_P_TAB, COLOR_BLACK, COLOR_CYAN);
		init_pair(UI_P_SELECT, COLOR_BLACK, COLOR_CYAN);
		init_pair(UI_P_STATUS, COLOR_WHITE, COLOR_BLUE);
		init_pair(UI_P_HEAD, COLOR_CYAN, -1);
		init_pair(UI_P_DIM, COLOR_BLUE, -1);
		init_pair(UI_P_GOOD, COLOR_GREEN, -1);
		init_pair(UI_P_WARN, COLOR_YELLOW, -1);
		init_pair(UI_P_BAD, COLOR_RED, -1);
	}
	return 0;
}

/* Give the terminal back. */
void
ui_term_end(void)
{
	if (!ui_term.started)
		return;
	ui_term.started = 0;
	curs_set(1);
	endwin();
	delscreen(ui_term.screen);
	ui_term.screen = NULL;
	ui_term_restore();
	free(ui_term.logpath);
	ui_term.logpath = NULL;
	xmalloc_set_fatal_hook(NULL);
}

/* Leave curses for a child program. */
void
ui_term_suspend(void)
{
	def_prog_mode();
	endwin();
	ui_term_restore();
}

/* Come back after a child program. */
void
ui_term_resume(void)
{
	ui_term_redirect(ui_term.logpath);
	reset_prog_mode();
	clearok(stdscr, TRUE);
	refresh();
}

/* Did the terminal go away? */
int
ui_term_hangup(void)
{
	return ui_term.hangup;
}

/*
 * A key from a byte when the locale is not UTF-8: the bytes of a valid
 * UTF-8 sequence make one character; else the locale's character; else
 * the byte as Latin-1, so nothing typed is ever lost.
 */
static int
ui_term_byte_key(int c)
{
	mbstate_t	mb;
	wchar_t		wc;
	char		b[4];
	size_t		n = 1, want, i;
	int		k;

	b[0] = (char)c;
	want = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 :
	    c >= 0xf0 && c <= 0xf4 ? 4 : 1;
	if (want > 1) {
		/* The rest of a sequence arrives with it. */
		wtimeout(stdscr, 100);
		while (n < want) {
			k = getch();
			if (k == ERR)
				break;
			if (k < 0x80 || k > 0xbf) {
				ungetch(k);
				break;
			}
			b[n++] = (char)k;
		}
		nodelay(stdscr, TRUE);
		if (ui_term_utf8_seq(b, n, &wc) == n)
			return (int)wc;
		for (i = n; i > 1; i--)
			ungetch((unsigned char)b[i - 1]);
	}
	memset(&mb, 0, sizeof mb);
	if (mbrtowc(&wc, b, 1, &mb) == 1 && wc != 0)
		return (int)wc;
	return c;
}

/* The next key, or -1. */
int
ui_term_key(void)
{
	wint_t	wc;
	int	r;

	if (!ui_term.utf8_locale) {
		r = getch();
		if (r == ERR)
			return -1;
		if (r >= KEY_MIN)
			return UI_KEY(r);
		if (r < 0x80)
			return r;
		return ui_term_byte_key(r & 0xff);
	}
	r = get_wch(&wc);
	if (r == ERR)
		return -1;
	if (r == KEY_CODE_YES)
		return UI_KEY((int)wc);
	return (int)wc;
}

/* A short name for a key. */
const char *
ui_term_key_name(int k, char *b, size_t len)
{
	static const struct {
		int		 key;
		const char	*name;
	} names[] = {
		{ UI_KEY(KEY_UP), "Up" }, { UI_KEY(KEY_DOWN), "Down" },
		{ UI_KEY(KEY_LEFT), "Left" }, { UI_KEY(KEY_RIGHT), "Right" },
		{ UI_KEY(KEY_PPAGE), "PgUp" }, { UI_KEY(KEY_NPAGE), "PgDn" },
		{ UI_KEY(KEY_HOME), "Home" }, { UI_KEY(KEY_END), "End" },
		{ UI_KEY(KEY_ENTER), "Enter" }, { '\r', "Enter" },
		{ '\n', "Enter" }, { '\t', "Tab" }, { UI_KEY(KEY_BTAB), "S-Tab" },
		{ UI_KEY(KEY_BACKSPACE), "BkSp" }, { 0x7f, "BkSp" },
		{ UI_KEY(KEY_DC), "Del" }, { UI_ESC, "Esc" }, { ' ', "Space" },
	};
	size_t	i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].key == k)
			return names[i].name;
	if (k > 0 && k < 0x20)
		snprintf(b, len, "^%c", k + '@');
	else if (k >= UI_KEY(KEY_F(1)) && k <= UI_KEY(KEY_F(12)))
		snprintf(b, len, "F%d", k - UI_KEY(KEY_F(0)));
	else if (k < 0x80)
		snprintf(b, len, "%c", k);
	else
		snprintf(b, len, "#%x", k);
	return b;
}

/* Screen rows. */
int
ui_term_rows(void)
{
	return LINES;
}

/* Screen columns. */
int
ui_term_cols(void)
{
	return COLS;
}

/* Start a frame. */
void
ui_term_erase(void)
{
	erase();
}

/* Show a frame, the cursor where text goes (drawing moved it). */
void
ui_term_show(void)
{
	if (ui_term.cur_y >= 0 && ui_term.cur_y < LINES &&
	    ui_term.cur_x < COLS) {
		move(ui_term.cur_y, ui_term.cur_x);
		curs_set(1);
	} else
		curs_set(0);
	refresh();
}

/* Place or hide the cursor (shown by ui_term_show). */
void
ui_term_cursor(int y, int x)
{
	ui_term.cur_y = y;
	ui_term.cur_x = x < 0 ? 0 : x;
}

/* The attribute of a kind of text. */
int
ui_term_attr(enum ui_attr a)
{
	static const int mono[UI_A_LAST] = {
		A_NORMAL, A_REVERSE, A_BOLD, A_REVERSE, A_REVERSE, A_BOLD,
		A_DIM, A_BOLD, A_NORMAL, A_BOLD | A_UNDERLINE
	};
	static const int pair[UI_A_LAST] = {
		0, UI_P_TITLE, UI_P_TAB, UI_P_SELECT, UI_P_STATUS, UI_P_HEAD,
		UI_P_DIM, UI_P_GOOD, UI_P_WARN, UI_P_BAD
	};

	if (a >= UI_A_LAST)
		return A_NORMAL;
	if (!ui_term.colour)
		return mono[a];
	if (a == UI_A_NORMAL)
		return A_NORMAL;
	if (a == UI_A_TAB || a == UI_A_HEAD || a == UI_A_GOOD ||
	    a == UI_A_BAD)
		return (int)(COLOR_PAIR(pair[a]) | A_BOLD);
	return (int)COLOR_PAIR(pair[a]);
}

/* An outcome's attribute on the selected row: its colour, reversed. */
int
ui_term_outcome_attr_selected(enum outcome o)
{
	return ui_term_outcome_attr(o) | A_REVERSE;
}

/* The attribute of an outcome. */
int
ui_term_outcome_attr(enum outcome o)
{
	switch (o) {
	case OUTCOME_VERIFIED:
		return ui_term_attr(UI_A_GOOD);
	case OUTCOME_ENCRYPTED:
	case OUTCOME_DEFERRED:
		return ui_term_attr(UI_A_WARN);
	default:
		return ui_term_attr(UI_A_BAD);
	}
}

/* The glyph of an outcome. */
const char *
ui_term_glyph(enum outcome o)
{
	if (!ui_term.utf8)
		return outcome_glyph_ascii(o);
	/*
	 * Shapes that differ without colour (a monochrome terminal, the
	 * selected row, a colour-emoji font): a lock with its key for
	 * verified, a bare lock for encrypted, an open lock for plaintext.
	 */
	switch (o) {
	case OUTCOME_VERIFIED:
		return "\xf0\x9f\x94\x90";	/* U+1F510 */
	case OUTCOME_ENCRYPTED:
		return "\xf0\x9f\x94\x92";	/* U+1F512 */
	case OUTCOME_PLAINTEXT:
		return "\xf0\x9f\x94\x93";	/* U+1F513 */
	default:
		return outcome_glyph_ascii(o);
	}
}

/* UTF-8 glyphs? */
int
ui_term_utf8(void)
{
	return ui_term.utf8;
}

/* Colours? */
int
ui_term_colour(void)
{
	return ui_term.colour;
}

/* How many bytes of s fit in w columns. */
size_t
ui_term_fit(const char *s, int w, int *cols)
{
	mbstate_t	 mb;
	wchar_t		 wc;
	size_t		 i = 0, n, len = strlen(s);
	int		 used = 0, cw;

	memset(&mb, 0, sizeof mb);
	while (i < len && s[i] != '\n') {
		n = ui_term_char(s + i, len - i, &mb, &wc, &cw);
		if (cw < 0)
			cw = 1;		/* drawn as '?' */
		if (used + cw > w)
			break;
		used += cw;
		i += n;
	}
	if (cols != NULL)
		*cols = used;
	return i;
}

/* Display width. */
int
ui_term_width(const char *s)
{
	int	cols;

	(void)ui_term_fit(s, 1 << 30, &cols);
	return cols;
}

/*
 * Draw clipped text; returns the columns used.  Text cut short ends in
 * an ellipsis ("..." in ASCII), so a cut never passes for the whole.
 */
int
ui_term_text(int y, int x, int w, const char *s, int attr)
{
	mbstate_t	 mb;
	wchar_t		 wc;
	const char	*ell;
	char		*out;
	size_t		 i = 0, o = 0, n, len, el;
	int		 used = 0, cw, ellw, room, total;

	if (s == NULL || w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	if (ui_term.utf8 && ui_term.utf8_locale) {
		ell = "\xe2\x80\xa6";
		ellw = 1;
	} else {
		ell = "...";
		ellw = 3;
	}
	room = w;
	(void)ui_term_fit(s, 1 << 30, &total);
	if (total > w && w > ellw)
		room = w - ellw;
	else
		ell = NULL;
	len = strlen(s);
	el = ell != NULL ? strlen(ell) : 0;
	out = xmalloc(len + el + 1);
	memset(&mb, 0, sizeof mb);
	while (i < len && s[i] != '\n') {
		n = ui_term_char(s + i, len - i, &mb, &wc, &cw);
		if (cw < 0) {
			if (used + 1 > room)
				break;
			out[o++] = '?';
			used++;
			i += n;
			continue;
		}
		if (used + cw > room)
			break;
		memcpy(out + o, s + i, n);
		o += n;
		used += cw;
		i += n;
	}
	if (ell != NULL) {
		memcpy(out + o, ell, el);
		o += el;
		used += ellw;
	}
	out[o] = '\0';
	attron(attr);
	mvaddnstr(y, x, out, (int)o);
	attroff(attr);
	free(out);
	return used;
}

/* Fill with spaces. */
void
ui_term_fill(int y, int x, int w, int attr)
{
	int	i;

	if (y < 0 || y >= LINES)
		return;
	attron(attr);
	for (i = 0; i < w && x + i < COLS; i++)
		mvaddch(y, x + i, ' ');
	attroff(attr);
}
