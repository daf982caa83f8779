/* One message with its transport section. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "addr.h"
#include "attach.h"
#include "err.h"
#include "msg.h"
#include "nexthop.h"
#include "policy.h"
#include "record.h"
#include "store.h"
#include "text.h"
#include "ui-app.h"
#include "ui-list.h"
#include "ui-pager.h"
#include "ui-term.h"
#include "ui-view.h"
#include "xmalloc.h"

#define UI_VIEW_SECTION	"Transport"

enum ui_view_action {
	UI_VIEW_BACK,
	UI_VIEW_TRANSPORT,
	UI_VIEW_HEADERS,
	UI_VIEW_SAVE
};

static const struct ui_key ui_view_keys[] = {
	{ .key = 'q', .action = UI_VIEW_BACK, .help = "back to the list" },
	{ .key = UI_ESC, .action = UI_VIEW_BACK },
	{ .key = UI_KEY(KEY_LEFT), .action = UI_VIEW_BACK },
	{ .key = 't', .action = UI_VIEW_TRANSPORT,
	  .help = "jump to the transport section" },
	{ .key = 'h', .action = UI_VIEW_HEADERS,
	  .help = "jump to the headers" },
	{ .key = 's', .action = UI_VIEW_SAVE,
	  .help = "save an attachment to a file" },
};

const struct ui_keymap ui_view_keymap =
    UI_KEYMAP("Message view (also: the reading keys)", ui_view_keys);

struct ui_view {
	long long	 id;
	struct ui_pager	*p;
	int		 transport;
	char		*subject;
};

static void	 ui_view_load(struct ui_view *, struct ui *);
static void	 ui_view_record(struct ui_pager *, const struct record *, int);
static void	 ui_view_next_hop(struct ui_pager *, const struct record *);
static void	 ui_view_draw(struct ui_screen *, struct ui *, int, int);
static int	 ui_view_key(struct ui_screen *, struct ui *, int);
static void	 ui_view_update(struct ui_screen *, struct ui *);
static void	 ui_view_title(struct ui_screen *, struct ui *, char *, size_t);
static void	 ui_view_free(struct ui_screen *);
static void	 ui_view_save(struct ui_view *, struct ui *);

static const struct ui_screen_ops ui_view_ops = {
	.name = "view",
	.keymap = &ui_view_keymap,
	.hints = "q:back  t:transport  h:headers  j/k/Space:scroll  ?:help",
	.title = ui_view_title,
	.draw = ui_view_draw,
	.key = ui_view_key,
	.update = ui_view_update,
	.free = ui_view_free,
};

/* A view of a message. */
struct ui_screen *
ui_view_new(struct ui *ui, long long id, int transport)
{
	struct ui_view	*v;

	v = xcalloc(1, sizeof *v);
	v->id = id;
	v->p = ui_pager_new();
	v->transport = transport;
	ui_view_load(v, ui);
	if (transport)
		ui_pager_seek(v->p, UI_VIEW_SECTION);
	return ui_app_screen(&ui_view_ops, v);
}

/* The facts of one attempt. */
static void
ui_view_record(struct ui_pager *p, const struct record *r, int full)
{
	const struct tls_facts	*t = &r->tls;
	int			 n = ui_term_attr(UI_A_NORMAL);
	char			 date[32], *s;

	ui_list_date(r->when, date, sizeof date);
	if (!full) {
		ui_pager_addf(p, ui_term_outcome_attr(r->outcome),
		    "      %s  %-9s %s%s%s", date, outcome_name(r->outcome),
		    r->reason != NULL ? r->reason : "", r->server != NULL ?
		    "  at " : "", r->server != NULL ? r->server : "");
		return;
	}
	ui_pager_addf(p, n, "    when:          %s", date);
	if (r->reason != NULL)
		ui_pager_addf(p, n, "    reason:        %s", r->reason);
	if (r->server != NULL)
		ui_pager_addf(p, n, "    server:        %s [%s]:%d", r->server,
		    r->address != NULL ? r->address : "?", r->port);
	if (t->used) {
		s = tls_facts_summary(t, TLS_SUMMARY_FULL);
		ui_pager_addf(p, n, "    TLS:           %s", s);
		free(s);
		ui_pager_addf(p, n, "    certificate:   %s", t->cert_subject !=
		    NULL ? t->cert_subject : "?");
		ui_pager_addf(p, n, "    issuer:        %s", t->cert_issuer !=
		    NULL ? t->cert_issuer : "?");
		ui_pager_addf(p, n, "    SHA-256:       %s", t->cert_sha256 !=
		    NULL ? t->cert_sha256 : "?");
		ui_pager_addf(p, n, "    expires:       %s", t->cert_expires !=
		    NULL ? t->cert_expires : "?");
		ui_pager_addf(p, t->method != VERIFY_NONE ?
		    ui_term_attr(UI_A_GOOD) : ui_term_attr(UI_A_WARN),
		    "    verification:  %s", t->verify != NULL ? t->verify :
		    t->verified ? "verified" : "not verified");
		if (t->method != VERIFY_NONE)
			ui_pager_addf(p, ui_term_attr(UI_A_GOOD),
			    "    verified by:   %s", t->method == VERIFY_DANE ?
			    "dane (the MX host's DNSSEC-signed TLSA records)" :
			    t->method == VERIFY_MTA_STS ? "mta-sts (the "
			    "domain's policy lists this MX host)" : "pkix (a "
			    "trusted CA, for a name tern did not take from "
			    "unsigned DNS)");
		if (t->dane != POLICY_DANE_NONE && t->dane_words != NULL)
			ui_pager_addf(p, n, "    DANE:          %s",
			    t->dane_words);
		if (t->resumed)
			ui_pager_add(p, n, "    resumed:       yes: the server "
			    "showed no certificate; these are the facts of the "
			    "full handshake it resumed");
	} else if (r->server != NULL)
		ui_pager_addf(p, ui_term_attr(UI_A_BAD),
		    "    TLS:           none: the message %s in plaintext",
		    outcome_delivered(r->outcome) ? "went" : "would have gone");
	if (r->requiretls)
		ui_pager_add(p, n, "    REQUIRETLS:    yes: later hops must "
		    "keep TLS too");
	if (r->downgrade)
		ui_pager_add(p, ui_term_attr(UI_A_BAD), "    downgrade:     "
		    "this server gave better TLS before (possible attack)");
	if (r->code != 0 || r->reply != NULL)
		ui_pager_addf(p, n, "    server reply:  %s", r->reply != NULL ?
		    r->reply : "");
	if (r->next_hop.known)
		ui_view_next_hop(p, r);
}

/*
 * Relay mode: what the recipient's domain promises after the relay, in a
 * block of its own, apart from what tern saw above.
 */
static void
ui_view_next_hop(struct ui_pager *p, const struct record *r)
{
	const char	*dom = addr_domain(r->recipient);
	char		*w, *mx;
	int		 n = ui_term_attr(UI_A_NORMAL);

	if (dom == NULL)
		dom = "the recipient's domain";
	w = nexthop_words(dom, &r->next_hop);
	mx = nexthop_mx_words(&r->next_hop);
	ui_pager_addf(p, ui_term_attr(UI_A_HEAD), "    After the relay (what "
	    "%s promises, not what tern saw):", dom);
	ui_pager_addf(p, n, "      %s", w);
	if (mx != NULL)
		ui_pager_addf(p, n, "      %s", mx);
	if (r->requiretls)
		ui_pager_add(p, n, "      REQUIRETLS: the relay was asked to "
		    "keep TLS on every hop to the recipient");
	free(w);
	free(mx);
}

/* Read the message and its transport into the pager. */
static void
ui_view_load(struct ui_view *v, struct ui *ui)
{
	static const char *heads[] = {
		"From", "To", "Cc", "Date", "Subject", "Message-ID"
	};
	struct store_rcpt	*rc = NULL;
	struct record		*att = NULL;
	struct attach_list	 files = { NULL, 0 };
	struct err		*e = NULL;
	const struct record	*last;
	char			*text, *from = NULL, *h, *body, size[24];
	const char		*b;
	size_t			 len = 0, nr = 0, na = 0, i, j, earlier;
	int			 head = ui_term_attr(UI_A_HEAD);
	int			 n = ui_term_attr(UI_A_NORMAL);

	ui_pager_clear(v->p);
	if ((text = store_message_text(ui->store, v->id, &len, &from, &e)) ==
	    NULL) {
		ui_pager_addf(v->p, ui_term_attr(UI_A_BAD), "%s", e != NULL ?
		    e->msg : "no such message");
		err_free(e);
		return;
	}
	for (i = 0; i < sizeof heads / sizeof heads[0]; i++) {
		if ((h = msg_header(text, len, heads[i])) == NULL)
			continue;
		ui_pager_addf(v->p, i == 4 ? head : n, "%-9s %s", heads[i], h);
		if (i == 4 && v->subject == NULL)
			v->subject = xstrdup(h);
		free(h);
	}
	ui_pager_add(v->p, n, "");
	/* Decoded and in UTF-8; the raw body when it does not parse. */
	if ((body = msg_body_text(text, len, NULL)) == NULL) {
		b = text;
		for (i = 0; i + 1 < len; i++) {
			if (text[i] == '\n' && (text[i + 1] == '\n' ||
			    (text[i + 1] == '\r' && i + 2 < len &&
			    text[i + 2] == '\n'))) {
				b = text + i + (text[i + 1] == '\n' ? 2 : 3);
				break;
			}
		}
		body = text_sanitize_n(b, len - (size_t)(b - text));
	}
	ui_pager_add(v->p, n, body);
	free(body);
	ui_pager_add(v->p, n, "");
	if (msg_attachments(text, len, &files) > 0) {
		ui_pager_addf(v->p, head, "Attachments (%zu)", files.n);
		for (i = 0; i < files.n; i++)
			ui_pager_addf(v->p, n, "  %zu  %s  (%s, %s)", i + 1,
			    files.v[i].name, files.v[i].type,
			    attach_size_words(files.v[i].len, size,
			    sizeof size));
		ui_pager_add(v->p, n, "");
	}
	attach_clear(&files);
	ui_pager_add(v->p, head, UI_VIEW_SECTION " (one block per "
	    "recipient: what tern saw on the wire)");
	if (store_message_rcpts(ui->store, v->id, &rc, &nr, &e) == -1 ||
	    store_attempts(ui->store, v->id, &att, &na, &e) == -1) {
		ui_pager_addf(v->p, ui_term_attr(UI_A_BAD), "%s", e->msg);
		err_free(e);
		goto out;
	}
	for (i = 0; i < nr; i++) {
		last = record_latest(att, na, rc[i].address, &earlier);
		ui_pager_add(v->p, n, "");
		if (last == NULL) {
			ui_pager_addf(v->p, ui_term_attr(UI_A_DIM), "  %s: "
			    "waiting in the outbox, not tried yet",
			    rc[i].address);
			continue;
		}
		ui_pager_addf(v->p, ui_term_outcome_attr(last->outcome),
		    "  %s %s: %s (policy %s, from %s)%s",
		    ui_term_glyph(last->outcome), rc[i].address,
		    outcome_name(last->outcome), policy_name(last->policy),
		    policy_source_name(last->policy_source),
		    !rc[i].delivered && !rc[i].failed ? " - still in the "
		    "outbox" : "");
		ui_view_record(v->p, last, 1);
		if (earlier == 0)
			continue;
		ui_pager_addf(v->p, n, "    earlier attempts (%zu):", earlier);
		for (j = 0; j < na; j++)
			if (&att[j] != last && att[j].recipient != NULL &&
			    strcmp(att[j].recipient, rc[i].address) == 0)
				ui_view_record(v->p, &att[j], 0);
	}
out:
	store_rcpts_free(rc, nr);
	record_free_array(att, na);
	free(text);
	free(from);
}

/* Draw the view. */
static void
ui_view_draw(struct ui_screen *sc, struct ui *ui, int top, int h)
{
	struct ui_view	*v = sc->data;

	(void)ui;
	ui_pager_draw(v->p, top, 1, h, ui_term_cols() - 2);
}

/* View keys. */
static int
ui_view_key(struct ui_screen *sc, struct ui *ui, int k)
{
	struct ui_view	*v = sc->data;

	(void)ui;
	switch (ui_app_action(&ui_view_keymap, k)) {
	case UI_VIEW_BACK:
		return UI_CLOSE;
	case UI_VIEW_TRANSPORT:
		ui_pager_seek(v->p, UI_VIEW_SECTION);
		return UI_REDRAW;
	case UI_VIEW_HEADERS:
		ui_pager_key(v->p, 'g');
		return UI_REDRAW;
	case UI_VIEW_SAVE:
		ui_view_save(v, ui);
		return UI_REDRAW;
	}
	if (ui_pager_key(v->p, k))
		return UI_REDRAW;
	return UI_UNHANDLED;
}

/* The store changed: read again. */
static void
ui_view_update(struct ui_screen *sc, struct ui *ui)
{
	ui_view_load(sc->data, ui);
}

/* The title. */
static void
ui_view_title(struct ui_screen *sc, struct ui *ui, char *b, size_t len)
{
	struct ui_view	*v = sc->data;

	(void)ui;
	snprintf(b, len, "Message: %s", v->subject != NULL ? v->subject :
	    "(no subject)");
}

/* Free the view. */
static void
ui_view_free(struct ui_screen *sc)
{
	struct ui_view	*v = sc->data;

	ui_pager_free(v->p);
	free(v->subject);
	free(v);
	free(sc);
}

/* Ask which attachment and where, and save it. */
static void
ui_view_save(struct ui_view *v, struct ui *ui)
{
	struct attach_list	 files = { NULL, 0 };
	struct err		*e = NULL;
	const struct attach	*a;
	const char		*home;
	char			*text, *from = NULL, *ans, *path, *q, *end;
	size_t			 len = 0;
	long			 k = 1;
	int			 ok;

	if ((text = store_message_text(ui->store, v->id, &len, &from,
	    &e)) == NULL) {
		ui_app_say(ui, 1, "%s", e != NULL ? e->msg : "no such message");
		err_free(e);
		return;
	}
	free(from);
	msg_attachments(text, len, &files);
	free(text);
	if (files.n == 0) {
		ui_app_say(ui, 0, "This message has no attachments.");
		goto out;
	}
	if (files.n > 1) {
		q = xasprintf("Save which attachment (1-%zu)? ", files.n);
		ans = ui_app_prompt(ui, q, "1");
		free(q);
		if (ans == NULL)
			goto out;
		k = strtol(ans, &end, 10);
		if (end == ans || *end != '\0' || k < 1 ||
		    (size_t)k > files.n) {
			ui_app_say(ui, 1, "No attachment %s: give 1 to %zu.",
			    ans, files.n);
			free(ans);
			goto out;
		}
		free(ans);
	}
	a = &files.v[k - 1];
	q = xasprintf("Save %s to: ", a->name);
	ans = ui_app_prompt(ui, q, a->name);
	free(q);
	if (ans == NULL || *ans == '\0') {
		free(ans);
		goto out;
	}
	if (strncmp(ans, "~/", 2) == 0 && (home = getenv("HOME")) != NULL)
		path = xasprintf("%s/%s", home, ans + 2);
	else
		path = xstrdup(ans);
	free(ans);
	ok = attach_save(a, path, 0, &e) == 0;
	if (!ok && errno == EEXIST) {
		err_free(e);
		e = NULL;
		q = xasprintf("%s exists: overwrite it?", path);
		if (ui_app_confirm(ui, q))
			ok = attach_save(a, path, 1, &e) == 0;
		else
			ui_app_say(ui, 0, "Not saved.");
		free(q);
	}
	if (e != NULL)
		ui_app_say(ui, 1, "%s", e->msg);
	else if (ok)
		ui_app_say(ui, 0, "Saved %s (%zu bytes) to %s.", a->name, a->len,
		    path);
	err_free(e);
	free(path);
out:
	attach_clear(&files);
}
