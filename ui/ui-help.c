/* The help screen. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "record.h"
#include "ui-app.h"
#include "ui-help.h"
#include "ui-pager.h"
#include "ui-term.h"
#include "xmalloc.h"

static const struct ui_key ui_help_keys[] = {
	{ .key = 'q', .action = 0, .help = "close the help" },
	{ .key = UI_ESC, .action = 0 },
	{ .key = '?', .action = 0 },
};

const struct ui_keymap ui_help_keymap = UI_KEYMAP("Help", ui_help_keys);

static void	 ui_help_map_add(struct ui_pager *, const struct ui_keymap *);
static void	 ui_help_draw(struct ui_screen *, struct ui *, int, int);
static int	 ui_help_key(struct ui_screen *, struct ui *, int);
static void	 ui_help_title(struct ui_screen *, struct ui *, char *,
		    size_t);
static void	 ui_help_free(struct ui_screen *);

static const struct ui_screen_ops ui_help_ops = {
	.name = "help",
	.keymap = &ui_help_keymap,
	.hints = "q:close  j/k/Space:scroll",
	.title = ui_help_title,
	.draw = ui_help_draw,
	.key = ui_help_key,
	.free = ui_help_free,
};

/*
 * One keymap: the keys of one action share a line, each name once
 * ('\r', '\n' and KEY_ENTER are all "Enter").
 */
static void
ui_help_map_add(struct ui_pager *p, const struct ui_keymap *m)
{
	char		 names[128], b[16];
	const char	*name, *at;
	size_t		 i, j, len, nl;

	ui_pager_add(p, ui_term_attr(UI_A_NORMAL), "");
	ui_pager_add(p, ui_term_attr(UI_A_HEAD), m->title);
	for (i = 0; i < m->n; i = j) {
		names[0] = '\0';
		len = 0;
		for (j = i; j < m->n && (j == i || m->keys[j].help == NULL);
		    j++) {
			name = ui_term_key_name(m->keys[j].key, b, sizeof b);
			nl = strlen(name);
			/* Already listed: a whole word of names. */
			for (at = strstr(names, name); at != NULL;
			    at = strstr(at + 1, name))
				if ((at == names || at[-1] == ' ') &&
				    (at[nl] == ' ' || at[nl] == '\0'))
					break;
			if (at != NULL || len >= sizeof names)
				continue;
			len += (size_t)snprintf(names + len, sizeof names - len,
			    "%s%s", len > 0 ? " " : "", name);
		}
		ui_pager_addf(p, ui_term_attr(UI_A_NORMAL), "  %-16s %s", names,
		    m->keys[i].help != NULL ? m->keys[i].help : "");
	}
}

/* The help screen. */
struct ui_screen *
ui_help_new(struct ui *ui)
{
	static const enum outcome outcomes[] = {
		OUTCOME_VERIFIED, OUTCOME_ENCRYPTED, OUTCOME_PLAINTEXT,
		OUTCOME_HELD, OUTCOME_DEFERRED, OUTCOME_FAILED
	};
	static const char *meaning[] = {
		"verified: delivered over TLS, certificate verified",
		"encrypted: delivered over TLS, certificate NOT verified",
		"plaintext: delivered without TLS (the reason is kept)",
		("held: not sent; the policy needs TLS the server could not "
		"give. It waits in the Outbox: relax the contact or retry later"),
		"deferred: temporary failure; waits in the Outbox for a retry",
		"failed: the server refused it for good",
	};
	struct ui_pager	*p;
	size_t		 i;

	(void)ui;
	p = ui_pager_new();
	ui_pager_add(p, ui_term_attr(UI_A_HEAD), "tern: every message shows "
	    "whether it crossed the network encrypted.");
	ui_pager_add(p, ui_term_attr(UI_A_NORMAL), "");
	ui_pager_add(p, ui_term_attr(UI_A_HEAD), "Glyphs (a message shows "
	    "the worst of its recipients)");
	for (i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
		ui_pager_addf(p, ui_term_outcome_attr(outcomes[i]), "  %-7s %s",
		    ui_term_glyph(outcomes[i]), meaning[i]);
	ui_pager_add(p, ui_term_attr(UI_A_NORMAL), "");
	ui_pager_add(p, ui_term_attr(UI_A_HEAD), "Policies (contact, else "
	    "domain rule, else your default)");
	ui_pager_add(p, ui_term_attr(UI_A_NORMAL), "  may      TLS when the "
	    "server offers it, else plaintext");
	ui_pager_add(p, ui_term_attr(UI_A_NORMAL), "  encrypt  TLS required; "
	    "the certificate need not verify");
	ui_pager_add(p, ui_term_attr(UI_A_NORMAL), "  verify   TLS required "
	    "with a verified certificate (\"require TLS\")");
	for (i = 0; ui_app_keymaps[i] != NULL; i++)
		ui_help_map_add(p, ui_app_keymaps[i]);
	return ui_app_screen(&ui_help_ops, p);
}

/* Draw the help. */
static void
ui_help_draw(struct ui_screen *sc, struct ui *ui, int top, int h)
{
	(void)ui;
	ui_pager_draw(sc->data, top, 1, h, ui_term_cols() - 2);
}

/* Help keys. */
static int
ui_help_key(struct ui_screen *sc, struct ui *ui, int k)
{
	(void)ui;
	if (ui_app_action(&ui_help_keymap, k) != -1)
		return UI_CLOSE;
	if (ui_pager_key(sc->data, k))
		return UI_REDRAW;
	return UI_UNHANDLED;
}

/* The title. */
static void
ui_help_title(struct ui_screen *sc, struct ui *ui, char *b, size_t len)
{
	(void)sc;
	(void)ui;
	snprintf(b, len, "Help");
}

/* Free the help. */
static void
ui_help_free(struct ui_screen *sc)
{
	ui_pager_free(sc->data);
	free(sc);
}
