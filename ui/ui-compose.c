/* The composer. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curses.h>

#include "addr.h"
#include "attach.h"
#include "buf.h"
#include "conf.h"
#include "err.h"
#include "mailto.h"
#include "msg.h"
#include "outbox.h"
#include "policy.h"
#include "record.h"
#include "store.h"
#include "ui-app.h"
#include "ui-complete.h"
#include "ui-compose.h"
#include "ui-editor.h"
#include "ui-hop.h"
#include "ui-panel.h"
#include "ui-send.h"
#include "ui-term.h"
#include "xmalloc.h"

enum ui_field {
	UI_F_TO,
	UI_F_CC,
	UI_F_BCC,
	UI_F_SUBJECT,
	UI_F_BODY,
	UI_F_LAST
};

static const char *ui_field_names[UI_F_LAST] = {
	"To:", "Cc:", "Bcc:", "Subject:", "Body"
};

enum ui_compose_action {
	UI_C_DOWN,
	UI_C_UP,
	UI_C_EDIT,
	UI_C_TO,
	UI_C_CC,
	UI_C_BCC,
	UI_C_SUBJECT,
	UI_C_BODY,
	UI_C_PROBE,
	UI_C_SEND,
	UI_C_BACK,
	UI_C_DISCARD,
	UI_C_COMPLETE,
	UI_C_COMP_NEXT,
	UI_C_COMP_PREV,
	UI_C_FROM,
	UI_C_ATTACH,
	UI_C_DETACH
};

static const struct ui_key ui_compose_keys[] = {
	{ .key = 'j', .action = UI_C_DOWN, .help = "next field" },
	{ .key = UI_KEY(KEY_DOWN), .action = UI_C_DOWN },
	{ .key = 'k', .action = UI_C_UP, .help = "previous field" },
	{ .key = UI_KEY(KEY_UP), .action = UI_C_UP },
	{ .key = '\r', .action = UI_C_EDIT,
	  .help = "edit the field under the cursor" },
	{ .key = '\n', .action = UI_C_EDIT },
	{ .key = UI_KEY(KEY_ENTER), .action = UI_C_EDIT },
	{ .key = 't', .action = UI_C_TO, .help = "edit To" },
	{ .key = 'c', .action = UI_C_CC, .help = "edit Cc" },
	{ .key = 'b', .action = UI_C_BCC, .help = "edit Bcc" },
	{ .key = 's', .action = UI_C_SUBJECT, .help = "edit the subject" },
	{ .key = 'e', .action = UI_C_BODY,
	  .help = "edit the body ($VISUAL/$EDITOR, else built in)" },
	{ .key = 'p', .action = UI_C_PROBE,
	  .help = "probe: ask the recipients' servers what TLS "
	  "they offer, without sending" },
	{ .key = 'y', .action = UI_C_SEND, .help = "send the message" },
	{ .key = 'q', .action = UI_C_BACK,
	  .help = "leave (the draft is kept in Drafts)" },
	{ .key = UI_ESC, .action = UI_C_BACK },
	{ .key = 'D', .action = UI_C_DISCARD, .help = "discard the draft" },
	{ .key = 'f', .action = UI_C_FROM,
	  .help = "From: the next account's identity" },
	{ .key = 'a', .action = UI_C_ATTACH,
	  .help = "attach a file (Tab completes the path)" },
	{ .key = 'x', .action = UI_C_DETACH,
	  .help = "remove an attachment" },
};

/* The keys while an address field is edited (the editor has the others). */
static const struct ui_key ui_compose_edit_keys[] = {
	{ .key = '\t', .action = UI_C_COMPLETE,
	  .help = "in an address field: take the completion "
	  "(else next field)" },
	{ .key = UI_KEY(KEY_DOWN), .action = UI_C_COMP_NEXT,
	  .help = "in an address field: next completion" },
	{ .key = UI_KEY(KEY_UP), .action = UI_C_COMP_PREV,
	  .help = "in an address field: previous completion" },
};

const struct ui_keymap ui_compose_keymap =
    UI_KEYMAP("Composer", ui_compose_keys);
const struct ui_keymap ui_compose_edit_keymap =
    UI_KEYMAP("Composer, editing a field", ui_compose_edit_keys);

struct ui_crcpt {
	char			*addr;
	enum policy		 p;
	enum policy_source	 src;
};

struct ui_compose {
	long long		 id;
	struct ui_editor	*f[UI_F_LAST];
	int			 sel;
	int			 editing;
	int			 flow;		/* new: To, Subject, body */
	int			 dirty;
	time_t			 changed, saved;
	const struct conf	*acct;		/* From: this account */
	struct ui_crcpt		*rc;
	size_t			 nrc;
	char			*bad;
	struct ui_complete	*comp;
	int			 probe;		/* job number, 0 none */
	/* From a mailto URL, a draft file or the editor's headers. */
	char			*reply_to, *in_reply_to, *extra;
	struct attach_list	 files;		/* attached, read already */
};

static void	 ui_compose_recipients(struct ui_compose *, struct ui *);
static void	 ui_compose_complete(struct ui_compose *, struct ui *);
static void	 ui_compose_take(struct ui_compose *, struct ui *);
static int	 ui_compose_save(struct ui_compose *, struct ui *);
static char	*ui_compose_paths(const struct ui_compose *);
static void	 ui_compose_load_files(struct ui_compose *, struct ui *,
		    const char *);
static void	 ui_compose_attach(struct ui_compose *, struct ui *);
static void	 ui_compose_detach(struct ui_compose *, struct ui *);
static char	*ui_compose_headers(const struct ui_compose *);
static void	 ui_compose_from(struct ui_compose *, struct ui *,
		    const char *);
static void	 ui_compose_next_account(struct ui_compose *, struct ui *);
static int	 ui_compose_send(struct ui_compose *, struct ui *);
static void	 ui_compose_body(struct ui_compose *, struct ui *);
static int	 ui_compose_body_headers(struct ui_compose *, struct ui *,
		    const char *);
static void	 ui_compose_probe(struct ui_compose *, struct ui *);
static char	*ui_compose_probe_words(const struct record *);
static void	 ui_compose_edit(struct ui_compose *, struct ui *, int);
static int	 ui_compose_edit_key(struct ui_compose *, struct ui *, int);
static void	 ui_compose_draw(struct ui_screen *, struct ui *, int, int);
static int	 ui_compose_wrap(int, int, int, const char *, int);
static int	 ui_compose_next_hops(struct ui_compose *, struct ui *, int,
		    int, int);
static int	 ui_compose_key(struct ui_screen *, struct ui *, int);
static void	 ui_compose_footer(struct ui_screen *, struct ui *, char *,
		    size_t);
static void	 ui_compose_update(struct ui_screen *, struct ui *);
static void	 ui_compose_title(struct ui_screen *, struct ui *, char *,
		    size_t);
static void	 ui_compose_idle(struct ui_screen *, struct ui *);
static void	 ui_compose_free(struct ui_screen *);

static const struct ui_screen_ops ui_compose_ops = {
	.name = "compose",
	.keymap = &ui_compose_keymap,
	.hints = "y:send  p:probe  t/c/b/s:fields  e:body  q:keep as draft  "
	    "D:discard  ?:help",
	.footer = ui_compose_footer,
	.title = ui_compose_title,
	.draw = ui_compose_draw,
	.key = ui_compose_key,
	.update = ui_compose_update,
	.idle = ui_compose_idle,
	.free = ui_compose_free,
};

/* A composer. */
struct ui_screen *
ui_compose_new(struct ui *ui, long long id)
{
	struct ui_compose	*c;
	struct store_draft	 d;
	struct mailto		 m;
	struct err		*e = NULL;

	c = xcalloc(1, sizeof *c);
	c->acct = ui->conf;
	memset(&d, 0, sizeof d);
	if (id != 0 && store_draft_load(ui->store, id, &d, &e) == -1) {
		ui_app_say(ui, 1, "%s", e->msg);
		err_free(e);
		id = 0;
	}
	c->id = id;
	c->f[UI_F_TO] = ui_editor_new(d.to, 0);
	c->f[UI_F_CC] = ui_editor_new(d.cc, 0);
	c->f[UI_F_BCC] = ui_editor_new(d.bcc, 0);
	c->f[UI_F_SUBJECT] = ui_editor_new(d.subject, 0);
	c->f[UI_F_BODY] = ui_editor_new(d.body, 1);
	if (d.headers != NULL && mailto_headers(d.headers, strlen(d.headers),
	    "draft", &m, NULL) == 0) {
		c->reply_to = m.reply_to;
		c->in_reply_to = m.in_reply_to;
		c->extra = m.extra;
		m.reply_to = m.in_reply_to = m.extra = NULL;
		mailto_clear(&m);
	}
	c->saved = d.updated;
	ui_compose_load_files(c, ui, d.attach);
	store_draft_clear(&d);
	c->comp = ui_complete_new();
	ui_compose_recipients(c, ui);
	if (id == 0) {
		c->flow = 1;
		c->editing = 1;
		c->sel = UI_F_TO;
	}
	return ui_app_screen(&ui_compose_ops, c);
}

/* A composer filled in from a mailto URL or a draft file. */
struct ui_screen *
ui_compose_new_from(struct ui *ui, const struct mailto *m)
{
	struct ui_screen	*sc = ui_compose_new(ui, 0);
	struct ui_compose	*c = sc->data;

	ui_editor_set(c->f[UI_F_TO], m->to != NULL ? m->to : "");
	ui_editor_set(c->f[UI_F_CC], m->cc != NULL ? m->cc : "");
	ui_editor_set(c->f[UI_F_BCC], m->bcc != NULL ? m->bcc : "");
	ui_editor_set(c->f[UI_F_SUBJECT], m->subject != NULL ? m->subject :
	    "");
	ui_editor_set(c->f[UI_F_BODY], m->body != NULL ? m->body : "");
	c->reply_to = m->reply_to != NULL ? xstrdup(m->reply_to) : NULL;
	c->in_reply_to = m->in_reply_to != NULL ? xstrdup(m->in_reply_to) :
	    NULL;
	c->extra = m->extra != NULL ? xstrdup(m->extra) : NULL;
	c->dirty = 1;
	c->changed = time(NULL);
	(void)ui_compose_save(c, ui);
	ui_compose_recipients(c, ui);
	/* Typing starts where something is missing, else the body waits. */
	c->flow = 1;
	c->editing = 1;
	if (*ui_editor_text(c->f[UI_F_TO]) != '\0') {
		c->sel = UI_F_SUBJECT;
		if (*ui_editor_text(c->f[UI_F_SUBJECT]) != '\0') {
			c->sel = UI_F_BODY;
			c->editing = c->flow = 0;
		}
	}
	if (m->from != NULL)
		ui_compose_from(c, ui, m->from);
	if (m->ignored != NULL)
		ui_app_say(ui, 1, "Ignored in the mailto URL: %s (tern takes "
		    "to, cc, bcc, subject, body, in-reply-to)", m->ignored);
	else if (m->from == NULL)
		ui_app_say(ui, 0, "y: send   e: edit the body   q: keep as a "
		    "draft");
	return sc;
}

/* From as written in a file: the account with that address, or said. */
static void
ui_compose_from(struct ui_compose *c, struct ui *ui, const char *from)
{
	const struct conf	*acct;
	struct addr		 a;

	if (from == NULL || addr_parse(from, &a, NULL) == -1)
		return;
	acct = conf_account_for(ui->conf, a.mailbox);
	if (acct->from_addr != NULL && strcasecmp(acct->from_addr,
	    a.mailbox) == 0)
		c->acct = acct;
	else if (c->acct->from_addr == NULL || strcasecmp(c->acct->from_addr,
	    a.mailbox) != 0)
		ui_app_say(ui, 1, "From %s is no account's address: From stays "
		    "%s (f: the next account)", a.mailbox, c->acct->from != NULL ?
		    c->acct->from : "(none)");
	addr_clear(&a);
}

/* Parse the address fields into recipients with their policies. */
static void
ui_compose_recipients(struct ui_compose *c, struct ui *ui)
{
	struct addr_list	 l = { NULL, 0 };
	struct err		*e = NULL;
	struct buf		 bad = BUF_INIT;
	const char		*s, *p;
	char			*piece;
	size_t			 i, j;
	int			 f;

	for (i = 0; i < c->nrc; i++)
		free(c->rc[i].addr);
	free(c->rc);
	c->rc = NULL;
	c->nrc = 0;
	free(c->bad);
	c->bad = NULL;
	for (f = UI_F_TO; f <= UI_F_BCC; f++) {
		s = ui_editor_text(c->f[f]);
		while (*s != '\0') {
			p = strchr(s, ',');
			piece = p != NULL ? xstrndup(s, (size_t)(p - s)) :
			    xstrdup(s);
			s = p != NULL ? p + 1 : s + strlen(s);
			if (strspn(piece, " \t") == strlen(piece)) {
				free(piece);
				continue;
			}
			if (addr_parse_list(piece, &l, &e) == -1) {
				if (bad.len == 0)
					buf_addf(&bad, "%s", e->msg);
				err_free(e);
				e = NULL;
			}
			free(piece);
		}
	}
	for (i = 0; i < l.n; i++) {
		if (addr_check(l.v[i].mailbox, &e) == -1) {
			if (bad.len == 0)
				buf_addf(&bad, "%s", e->msg);
			err_free(e);
			e = NULL;
			continue;
		}
		for (j = 0; j < c->nrc; j++)
			if (strcasecmp(c->rc[j].addr, l.v[i].mailbox) == 0)
				break;
		if (j < c->nrc)
			continue;
		c->rc = xreallocarray(c->rc, c->nrc + 1, sizeof *c->rc);
		c->rc[c->nrc].addr = xstrdup(l.v[i].mailbox);
		c->rc[c->nrc].p = outbox_policy(&ui->ob, l.v[i].mailbox,
		    &c->rc[c->nrc].src);
		c->nrc++;
	}
	if (bad.len > 0)
		c->bad = buf_steal(&bad);
	buf_free(&bad);
	addr_list_clear(&l);
}

/* From: the next account (the top, then each [account], round). */
static void
ui_compose_next_account(struct ui_compose *c, struct ui *ui)
{
	const struct conf	*top = ui->conf;
	size_t			 i;

	if (top->naccounts == 0) {
		ui_app_say(ui, 0, "One account only: add [account NAME] "
		    "sections to the config for more identities.");
		return;
	}
	if (c->acct == top)
		c->acct = top->accounts[0];
	else {
		for (i = 0; i < top->naccounts; i++)
			if (top->accounts[i] == c->acct)
				break;
		c->acct = i + 1 < top->naccounts ? top->accounts[i + 1] : top;
	}
	ui_app_say(ui, 0, "From: %s (account %s)", c->acct->from != NULL ?
	    c->acct->from : "(none)", c->acct->name);
}

/* Complete the word being typed in an address field. */
static void
ui_compose_complete(struct ui_compose *c, struct ui *ui)
{
	ui_complete_clear(c->comp);
	if (!c->editing || c->sel > UI_F_BCC)
		return;
	ui_complete_find(c->comp, ui->store, ui_editor_text(c->f[c->sel]));
}

/* Take the chosen completion into the field. */
static void
ui_compose_take(struct ui_compose *c, struct ui *ui)
{
	char	*t;

	if ((t = ui_complete_take(c->comp, ui_editor_text(c->f[c->sel]))) ==
	    NULL)
		return;
	ui_editor_set(c->f[c->sel], t);
	free(t);
	ui_complete_clear(c->comp);
	ui_compose_recipients(c, ui);
	c->dirty = 1;
	c->changed = time(NULL);
}

/* The draft's other fields as "Name: value" lines (new string), or NULL. */
static char *
ui_compose_headers(const struct ui_compose *c)
{
	struct buf	b = BUF_INIT;

	if (c->reply_to != NULL && *c->reply_to != '\0')
		buf_addf(&b, "Reply-To: %s\n", c->reply_to);
	if (c->in_reply_to != NULL && *c->in_reply_to != '\0')
		buf_addf(&b, "In-Reply-To: %s\n", c->in_reply_to);
	if (c->extra != NULL)
		buf_adds(&b, c->extra);
	if (b.len == 0)
		return NULL;
	buf_add(&b, "", 0);
	return buf_steal(&b);
}

/* The attached files' paths, one per line (new string), or NULL. */
static char *
ui_compose_paths(const struct ui_compose *c)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	for (i = 0; i < c->files.n; i++)
		buf_addf(&b, "%s\n", c->files.v[i].path);
	if (b.len == 0)
		return NULL;
	return buf_steal(&b);
}

/* Attach a draft's files again (read now); one that is gone is said. */
static void
ui_compose_load_files(struct ui_compose *c, struct ui *ui, const char *paths)
{
	struct err	*e = NULL;
	const char	*p, *nl;
	char		*one;

	for (p = paths; p != NULL && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		one = xstrndup(p, (size_t)(nl - p));
		if (*one != '\0' && attach_add(&c->files, one, &e) == -1) {
			ui_app_say(ui, 1, "%s (no longer attached)", e->msg);
			err_free(e);
			e = NULL;
			c->dirty = 1;
		}
		free(one);
		if (*nl == '\0')
			break;
	}
}

/* Ask for a file and attach it. */
static void
ui_compose_attach(struct ui_compose *c, struct ui *ui)
{
	struct err	*e = NULL;
	const char	*home;
	char		*ans, *path, *real;
	char		 size[24];

	if ((ans = ui_app_prompt_path(ui, "Attach file: ", NULL)) == NULL)
		return;
	if (*ans == '\0') {
		free(ans);
		return;
	}
	if (strncmp(ans, "~/", 2) == 0 && (home = getenv("HOME")) != NULL)
		path = xasprintf("%s/%s", home, ans + 2);
	else
		path = xstrdup(ans);
	free(ans);
	/* Kept by its full path: the draft opens from anywhere. */
	if ((real = realpath(path, NULL)) != NULL) {
		free(path);
		path = real;
	}
	if (attach_add(&c->files, path, &e) == -1) {
		ui_app_say(ui, 1, "%s", e->msg);
		err_free(e);
	} else {
		ui_app_say(ui, 0, "Attached %s (%s, %s).",
		    c->files.v[c->files.n - 1].name,
		    c->files.v[c->files.n - 1].type,
		    attach_size_words(c->files.v[c->files.n - 1].len, size,
		    sizeof size));
		c->dirty = 1;
		c->changed = time(NULL);
	}
	free(path);
}

/* Ask which attachment to remove (the only one: asked to confirm). */
static void
ui_compose_detach(struct ui_compose *c, struct ui *ui)
{
	char	*ans, *q, *end;
	long	 k = 1;

	if (c->files.n == 0) {
		ui_app_say(ui, 0, "Nothing is attached.");
		return;
	}
	if (c->files.n > 1) {
		q = xasprintf("Remove which attachment (1-%zu)? ", c->files.n);
		ans = ui_app_prompt(ui, q, NULL);
		free(q);
		if (ans == NULL)
			return;
		k = strtol(ans, &end, 10);
		if (end == ans || *end != '\0' || k < 1 ||
		    (size_t)k > c->files.n) {
			ui_app_say(ui, 1, "No attachment %s: give 1 to %zu.",
			    ans, c->files.n);
			free(ans);
			return;
		}
		free(ans);
	} else {
		q = xasprintf("Remove %s?", c->files.v[0].name);
		k = ui_app_confirm(ui, q);
		free(q);
		if (!k)
			return;
		k = 1;
	}
	ui_app_say(ui, 0, "Removed %s.", c->files.v[k - 1].name);
	attach_remove(&c->files, (size_t)k - 1);
	c->dirty = 1;
	c->changed = time(NULL);
}

/* Save the draft; 0 or -1 (said). */
static int
ui_compose_save(struct ui_compose *c, struct ui *ui)
{
	struct store_draft	 d;
	struct err		*e = NULL;
	long long		 was = c->id;
	int			 f, empty = 1;

	if (!c->dirty)
		return 0;
	for (f = 0; f < UI_F_LAST; f++)
		if (*ui_editor_text(c->f[f]) != '\0')
			empty = 0;
	if (empty && c->id == 0) {
		c->dirty = 0;
		return 0;
	}
	memset(&d, 0, sizeof d);
	d.id = c->id;
	d.to = (char *)ui_editor_text(c->f[UI_F_TO]);
	d.cc = (char *)ui_editor_text(c->f[UI_F_CC]);
	d.bcc = (char *)ui_editor_text(c->f[UI_F_BCC]);
	d.subject = (char *)ui_editor_text(c->f[UI_F_SUBJECT]);
	d.body = (char *)ui_editor_text(c->f[UI_F_BODY]);
	d.headers = ui_compose_headers(c);
	d.attach = ui_compose_paths(c);
	if (store_draft_save(ui->store, &d, &e) == -1) {
		ui_app_say(ui, 1, "The draft could not be saved: %s", e->msg);
		err_free(e);
		free(d.headers);
		free(d.attach);
		return -1;
	}
	free(d.headers);
	free(d.attach);
	c->id = d.id;
	c->saved = d.updated;
	c->dirty = 0;
	if (was == 0)
		ui_app_changed(ui);
	return 0;
}

/* Build, queue and start sending; 0 when it left, -1 (said) if not. */
static int
ui_compose_send(struct ui_compose *c, struct ui *ui)
{
	struct addr_list	 to = { NULL, 0 }, cc = { NULL, 0 };
	struct addr_list	 bcc = { NULL, 0 };
	struct addr		 from;
	struct outbox_ctx	 ob;
	struct msg_draft	 d;
	struct err		*e = NULL;
	const char		*subject, *body;
	long long		 id;
	int			 rv = -1, job;

	memset(&from, 0, sizeof from);
	ui_compose_recipients(c, ui);
	if (c->bad != NULL) {
		ui_app_say(ui, 1, "Check the addresses: %s", c->bad);
		return -1;
	}
	if (c->nrc == 0) {
		ui_app_say(ui, 1, "No recipient: press t to fill in To.");
		return -1;
	}
	if (c->acct->from == NULL || addr_parse(c->acct->from, &from,
	    &e) == -1) {
		ui_app_say(ui, 1, "The config has no usable 'from' address%s%s",
		    e != NULL ? ": " : "", e != NULL ? e->msg : "");
		goto out;
	}
	if (addr_parse_list(ui_editor_text(c->f[UI_F_TO]), &to, &e) == -1 ||
	    addr_parse_list(ui_editor_text(c->f[UI_F_CC]), &cc, &e) == -1 ||
	    addr_parse_list(ui_editor_text(c->f[UI_F_BCC]), &bcc, &e) == -1) {
		ui_app_say(ui, 1, "Check the addresses: %s", e->msg);
		goto out;
	}
	subject = ui_editor_text(c->f[UI_F_SUBJECT]);
	body = ui_editor_text(c->f[UI_F_BODY]);
	memset(&d, 0, sizeof d);
	d.from = c->acct->from;
	d.to = &to;
	d.cc = &cc;
	d.bcc = &bcc;
	d.subject = *subject != '\0' ? subject : NULL;
	d.body = body;
	d.bodylen = strlen(body);
	d.reply_to = c->reply_to;
	d.in_reply_to = c->in_reply_to;
	d.extra = c->extra;
	d.attach = &c->files;
	/* The one service: built, queued, the draft gone in one commit. */
	ob = ui->ob;
	ob.conf = c->acct;
	if (outbox_submit(&ob, &d, c->id, &id, &e) == -1) {
		ui_app_say(ui, 1, "Not sent: %s (the draft is kept)", e->msg);
		goto out;
	}
	c->id = 0;
	c->dirty = 0;
	job = ui_send_start(ui->send, id, subject);
	ui_app_changed(ui);
	if (job > 0)
		ui_app_push(ui, ui_panel_new(ui, job));
	rv = 0;
out:
	err_free(e);
	addr_list_clear(&to);
	addr_list_clear(&cc);
	addr_list_clear(&bcc);
	addr_clear(&from);
	return rv;
}

/* Edit the body: $VISUAL, $EDITOR, or the built-in editor. */
static void
ui_compose_body(struct ui_compose *c, struct ui *ui)
{
	const char	*ed = getenv("VISUAL");

	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	c->sel = UI_F_BODY;
	if (ed == NULL || *ed == '\0') {
		c->editing = 1;		/* the bottom line says how */
		return;
	}
	c->editing = 0;
	(void)ui_compose_save(c, ui);
	if (ui->conf->edit_headers) {
		if (ui_compose_body_headers(c, ui, ed) == 1) {
			c->dirty = 1;
			c->changed = time(NULL);
			ui_compose_recipients(c, ui);
		}
		(void)ui_compose_save(c, ui);
		return;
	}
	switch (ui_editor_external(c->f[UI_F_BODY], ed)) {
	case -1:
		ui_app_say(ui, 1, "The editor (%s) failed; the body is "
		    "unchanged.", ed);
		break;
	case 1:
		c->dirty = 1;
		c->changed = time(NULL);
		break;
	}
	(void)ui_compose_save(c, ui);
}

/*
 * edit_headers: the headers, a blank line and the body in the editor,
 * read back with mailto_headers; a bad header is said with its line and
 * the same text is offered again.  1 changed, 0 not, -1 failed (said).
 */
static int
ui_compose_body_headers(struct ui_compose *c, struct ui *ui, const char *ed)
{
	struct ui_editor	*file;
	struct mailto		 m;
	struct err		*e = NULL;
	char			*text, *q;
	int			 r, rv = 0, again = 0;

	memset(&m, 0, sizeof m);
	m.to = (char *)ui_editor_text(c->f[UI_F_TO]);
	m.cc = (char *)ui_editor_text(c->f[UI_F_CC]);
	m.bcc = (char *)ui_editor_text(c->f[UI_F_BCC]);
	m.subject = (char *)ui_editor_text(c->f[UI_F_SUBJECT]);
	m.body = (char *)ui_editor_text(c->f[UI_F_BODY]);
	m.reply_to = c->reply_to;
	m.in_reply_to = c->in_reply_to;
	m.extra = c->extra;
	text = mailto_format(&m, c->acct->from);
	file = ui_editor_new(text, 1);
	free(text);
	for (;;) {
		if ((r = ui_editor_external(file, ed)) == -1) {
			ui_app_say(ui, 1, "The editor (%s) failed; the message "
			    "is unchanged.", ed);
			rv = -1;
			break;
		}
		/* Unchanged: nothing to read, unless it failed before. */
		if (r == 0 && !again)
			break;
		text = (char *)ui_editor_text(file);
		if (mailto_headers(text, strlen(text), "header", &m, &e) == 0) {
			r = 1;
			break;
		}
		again = 1;
		q = xasprintf("Edit again? %s", e->msg);
		err_free(e);
		e = NULL;
		if (ui_app_confirm(ui, q)) {
			free(q);
			continue;
		}
		free(q);
		/* Nothing typed is lost: the whole text becomes the body. */
		ui_editor_set(c->f[UI_F_BODY], text);
		ui_app_say(ui, 1, "The headers did not parse: the whole text is "
		    "now the body (e to edit it again).");
		ui_editor_free(file);
		return 1;
	}
	ui_editor_free(file);
	if (r != 1)
		return rv;
	ui_editor_set(c->f[UI_F_TO], m.to != NULL ? m.to : "");
	ui_editor_set(c->f[UI_F_CC], m.cc != NULL ? m.cc : "");
	ui_editor_set(c->f[UI_F_BCC], m.bcc != NULL ? m.bcc : "");
	ui_editor_set(c->f[UI_F_SUBJECT], m.subject != NULL ? m.subject : "");
	ui_editor_set(c->f[UI_F_BODY], m.body != NULL ? m.body : "");
	free(c->reply_to);
	free(c->in_reply_to);
	free(c->extra);
	c->reply_to = m.reply_to;
	c->in_reply_to = m.in_reply_to;
	c->extra = m.extra;
	m.reply_to = m.in_reply_to = m.extra = NULL;
	ui_compose_from(c, ui, m.from);
	mailto_clear(&m);
	return 1;
}

/* Ask the recipients' servers what they offer. */
static void
ui_compose_probe(struct ui_compose *c, struct ui *ui)
{
	const char	**a;
	size_t		 i;

	ui_compose_recipients(c, ui);
	if (c->nrc == 0) {
		ui_app_say(ui, 1, "No recipient to probe.");
		return;
	}
	a = xcalloc(c->nrc, sizeof *a);
	for (i = 0; i < c->nrc; i++)
		a[i] = c->rc[i].addr;
	c->probe = ui_send_probe(ui->send, a, c->nrc);
	free(a);
	if (c->probe > 0)
		ui_app_say(ui, 0, "Asking the servers (nothing is sent); keep "
		    "writing.");
	else
		c->probe = 0;
}

/* What a probe found for a recipient, in a few words (new string). */
static char *
ui_compose_probe_words(const struct record *r)
{
	const char	*why = r->reason != NULL ? r->reason : "";
	char		*tls, *s;

	if (r->tls.used) {
		tls = tls_facts_summary(&r->tls, TLS_SUMMARY_SHORT);
		s = xasprintf("%s TLS %s%s%s", ui_term_glyph(r->outcome), tls,
		    r->outcome == OUTCOME_HELD ? ": would be held: " : "",
		    r->outcome == OUTCOME_HELD ? why : "");
		free(tls);
		return s;
	}
	if (strncmp(why, "probe, nothing sent", 19) == 0)
		why += 19;
	while (*why == ':' || *why == ' ')
		why++;
	return xasprintf("%s would be %s%s%s", ui_term_glyph(r->outcome),
	    outcome_name(r->outcome), *why != '\0' ? ": " : "", why);
}

/* Start editing a field. */
static void
ui_compose_edit(struct ui_compose *c, struct ui *ui, int f)
{
	c->sel = f;
	if (f == UI_F_BODY) {
		ui_compose_body(c, ui);
		return;
	}
	c->editing = 1;
	ui_compose_complete(c, ui);
}

/* A key while a field is edited. */
static int
ui_compose_edit_key(struct ui_compose *c, struct ui *ui, int k)
{
	int	a = ui_app_action(&ui_compose_edit_keymap, k), r;

	if (c->sel <= UI_F_BCC && ui_complete_count(c->comp) > 0) {
		if (a == UI_C_COMP_NEXT || a == UI_C_COMP_PREV) {
			ui_complete_move(c->comp, a == UI_C_COMP_NEXT ? 1 : -1);
			return UI_REDRAW;
		}
		if (a == UI_C_COMPLETE) {
			ui_compose_take(c, ui);
			return UI_REDRAW;
		}
	}
	if (c->sel != UI_F_BODY && (a == UI_C_COMPLETE ||
	    a == UI_C_COMP_NEXT || a == UI_C_COMP_PREV)) {
		/* Tab or an arrow: on to the next or previous field. */
		ui_complete_clear(c->comp);
		ui_compose_recipients(c, ui);
		c->sel = a == UI_C_COMP_PREV ? (c->sel > 0 ? c->sel - 1 : 0) :
		    c->sel + 1;
		c->flow = 0;
		if (c->sel == UI_F_BODY)
			c->editing = 0;
		else
			ui_compose_complete(c, ui);
		(void)ui_compose_save(c, ui);
		return UI_REDRAW;
	}
	r = ui_editor_key(c->f[c->sel], k);
	switch (r) {
	case UI_EDITOR_CHANGED:
		c->dirty = 1;
		c->changed = time(NULL);
		if (c->sel <= UI_F_BCC) {
			ui_compose_recipients(c, ui);
			ui_compose_complete(c, ui);
		}
		return UI_REDRAW;
	case UI_EDITOR_MOVED:
		return UI_REDRAW;
	case UI_EDITOR_DONE:
	case UI_EDITOR_CANCEL:
		/*
		 * Enter on the new message's empty To (as the help's "Enter:
		 * edit the field under the cursor" suggests) keeps editing To.
		 */
		if (r == UI_EDITOR_DONE && c->flow && c->sel == UI_F_TO &&
		    *ui_editor_text(c->f[UI_F_TO]) == '\0') {
			ui_app_say(ui, 0, "Editing To: type the address.");
			return UI_REDRAW;
		}
		ui_complete_clear(c->comp);
		ui_compose_recipients(c, ui);
		c->editing = 0;
		(void)ui_compose_save(c, ui);
		if (r == UI_EDITOR_DONE && c->flow && c->sel == UI_F_TO) {
			if (*ui_editor_text(c->f[UI_F_SUBJECT]) == '\0') {
				c->sel = UI_F_SUBJECT;
				c->editing = 1;
			}
		} else if (r == UI_EDITOR_DONE && c->flow &&
		    c->sel == UI_F_SUBJECT) {
			c->flow = 0;
			if (*ui_editor_text(c->f[UI_F_BODY]) == '\0')
				ui_compose_body(c, ui);
		} else
			c->flow = 0;
		if (!c->editing && c->sel == UI_F_BODY)
			ui_app_say(ui, 0, "y: send   p: probe the servers   "
			    "q: keep as a draft");
		return UI_REDRAW;
	}
	/* Other control keys fall through to nothing while typing. */
	return k == '?' ? UI_UNHANDLED : UI_NONE;
}

/* Draw the composer. */
static void
ui_compose_draw(struct ui_screen *sc, struct ui *ui, int top, int h)
{
	struct ui_compose	*c = sc->data;
	const struct record	*r;
	const struct store_contact *ct;
	const char		*state, *ed;
	char			*t;
	size_t			 i;
	int			 y = top, w = ui_term_cols(), f, lab, attr, sel;
	int			 first, last, rows;
	char			 pos[64];
	int			 dim = ui_term_attr(UI_A_DIM);
	int			 head = ui_term_attr(UI_A_HEAD);

	ui_term_cursor(-1, 0);
	ui_term_text(y, 1, 9, "From:", dim);
	t = c->acct->from != NULL ? xasprintf("%s%s%s%s", c->acct->from,
	    ui->conf->naccounts > 0 ? "  (account " : "",
	    ui->conf->naccounts > 0 ? c->acct->name : "",
	    ui->conf->naccounts > 0 ? "; f: next)" : "") :
	    xstrdup("(no from in the config)");
	ui_term_text(y++, 11, w - 12, t, dim);
	free(t);
	for (f = UI_F_TO; f <= UI_F_SUBJECT && y < top + h; f++, y++) {
		lab = c->sel == f ? ui_term_attr(UI_A_SELECT) : head;
		/* '>' marks the field that takes what is typed. */
		if (c->editing && c->sel == f)
			ui_term_text(y, 0, 1, ">", lab);
		ui_term_text(y, 1, 9, ui_field_names[f], lab);
		ui_editor_draw(c->f[f], y, 11, 1, w - 12, c->editing &&
		    c->sel == f);
		if (c->editing && c->sel == f && f <= UI_F_BCC) {
			for (i = 0; i < ui_complete_count(c->comp) &&
			    y + 1 < top + h; i++) {
				ct = ui_complete_get(c->comp, i);
				sel = i == ui_complete_sel(c->comp);
				y++;
				attr = sel ? ui_term_attr(UI_A_SELECT) :
				    ui_term_attr(UI_A_NORMAL);
				t = xasprintf("%s %s%s%s%s%s", sel ? ">" : " ",
				    ct->address, ct->name != NULL ? "  " : "",
				    ct->name != NULL ? ct->name : "",
				    ct->policy != POLICY_UNSET ? "  tls " : "",
				    ct->policy != POLICY_UNSET ?
				    policy_name(ct->policy) : "");
				ui_term_text(y, 13, w - 14, t, attr);
				free(t);
			}
			if (ui_complete_count(c->comp) > 0 && y + 1 < top + h)
				ui_term_text(++y, 13, w - 14, "Tab: take it   "
				    "Up/Down: choose", dim);
		}
	}
	y++;
	if (y < top + h)
		ui_term_text(y++, 1, w - 2, "Recipients: policy now (and from "
		    "where); p asks their servers", head);
	for (i = 0; i < c->nrc && y < top + h - 2; i++, y++) {
		ui_term_text(y, 3, w / 3, c->rc[i].addr,
		    ui_term_attr(UI_A_NORMAL));
		t = xasprintf("%s (%s)%s", policy_name(c->rc[i].p),
		    policy_source_name(c->rc[i].src),
		    policy_needs_tls(c->rc[i].p) ? " TLS required" : "");
		ui_term_text(y, 4 + w / 3, 32, t, policy_needs_tls(c->rc[i].p) ?
		    ui_term_attr(UI_A_GOOD) : ui_term_attr(UI_A_NORMAL));
		free(t);
		if (c->probe == 0)
			continue;
		if (ui_send_result(ui->send, c->probe, c->rc[i].addr, &r,
		    &state)) {
			t = ui_compose_probe_words(r);
			ui_term_text(y, 37 + w / 3, w - 38 - w / 3, t,
			    ui_term_outcome_attr(r->outcome));
			free(t);
		} else
			ui_term_text(y, 37 + w / 3, w - 38 - w / 3,
			    state != NULL ? state : "probing", dim);
	}
	y = ui_compose_next_hops(c, ui, y, top + h - 2, w);
	if (c->bad != NULL && !(c->editing && c->sel <= UI_F_BCC) &&
	    y < top + h - 2)
		ui_term_text(y++, 3, w - 4, c->bad, ui_term_attr(UI_A_BAD));
	if (c->nrc == 0 && y < top + h - 2)
		ui_term_text(y++, 3, w - 4, "(none yet)", dim);
	if (c->files.n > 0 && y + 1 < top + h - 2) {
		y++;
		t = xasprintf("Attachments (%zu; a: add, x: remove)",
		    c->files.n);
		ui_term_text(y++, 1, w - 2, t, head);
		free(t);
		for (i = 0; i < c->files.n && y < top + h - 2; i++, y++) {
			t = xasprintf("%zu  %s  (%s, %s)", i + 1,
			    c->files.v[i].name, c->files.v[i].type,
			    attach_size_words(c->files.v[i].len, pos,
			    sizeof pos));
			ui_term_text(y, 3, w - 4, t, ui_term_attr(UI_A_NORMAL));
			free(t);
		}
	}
	y++;
	if (y >= top + h - 1)
		return;
	ed = getenv("VISUAL");
	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	/* The body first: its heading says which of its lines show. */
	ui_editor_draw(c->f[UI_F_BODY], y + 1, 2, top + h - y - 1, w - 3,
	    c->editing && c->sel == UI_F_BODY);
	ui_editor_shown(c->f[UI_F_BODY], &first, &last, &rows);
	snprintf(pos, sizeof pos, "  lines %d-%d of %d", first, last, rows);
	t = xasprintf("Body %s%s", c->editing && c->sel == UI_F_BODY ?
	    "(editing: Esc or ^X when done)" : ed != NULL && *ed != '\0' ?
	    "(e: edit in $EDITOR)" : "(e: edit here)",
	    rows > last - first + 1 ? pos : "");
	if (c->editing && c->sel == UI_F_BODY)
		ui_term_text(y, 0, 1, ">", ui_term_attr(UI_A_SELECT));
	ui_term_text(y, 1, w - 2, t, c->sel == UI_F_BODY ?
	    ui_term_attr(UI_A_SELECT) : head);
	free(t);
}

/*
 * Draw text from row y at column 3 in w columns, wrapped at spaces over
 * the rows before end (the last one ends in an ellipsis if it must).
 * Returns the next free row.
 */
static int
ui_compose_wrap(int y, int end, int w, const char *t, int attr)
{
	size_t	 n, cut;
	char	*line;

	while (*t != '\0' && y < end) {
		n = ui_term_fit(t, w, NULL);
		if (t[n] == '\0' || y + 1 >= end) {
			ui_term_text(y++, 3, w, t, attr);
			break;
		}
		for (cut = n; cut > 0 && t[cut] != ' '; cut--)
			;
		if (cut == 0)
			cut = n;
		line = xstrndup(t, cut);
		ui_term_text(y++, 3, w, line, attr);
		free(line);
		t += cut;
		while (*t == ' ')
			t++;
	}
	return y;
}

/*
 * Relay mode: one line per recipient domain, what it promises after the
 * relay (ui-hop: the store's cache, else a lookup in the background).
 * Not for a [route] or direct mode.  Returns the next free row.
 */
static int
ui_compose_next_hops(struct ui_compose *c, struct ui *ui, int y, int end,
    int w)
{
	const char	*dom;
	char		*words, *t;
	size_t		 i, j;

	if (c->acct->relay_mode == RELAY_DIRECT || !c->acct->next_hop)
		return y;
	for (i = 0; i < c->nrc && y < end; i++) {
		dom = addr_domain(c->rc[i].addr);
		if (dom == NULL || *dom == '\0' ||
		    conf_find_route(c->acct, dom) != NULL)
			continue;
		for (j = 0; j < i; j++)
			if (strcasecmp(addr_domain(c->rc[j].addr), dom) == 0)
				break;
		if (j < i)
			continue;
		words = ui_hop_words(ui->hop, c->acct, dom);
		t = words != NULL ? xasprintf("after the relay: %s", words) :
		    xasprintf("after the relay: asking what %s publishes "
		    "(MTA-STS, DANE) ...", dom);
		y = ui_compose_wrap(y, end, w - 4, t, words != NULL ?
		    ui_term_attr(UI_A_NORMAL) : ui_term_attr(UI_A_DIM));
		free(t);
		free(words);
	}
	return y;
}

/* The bottom line: the mode, the field and what Enter does now. */
static void
ui_compose_footer(struct ui_screen *sc, struct ui *ui, char *b, size_t len)
{
	static const char *const names[UI_F_LAST] = {
		"To", "Cc", "Bcc", "Subject", "the body"
	};
	struct ui_compose	*c = sc->data;
	const char		*enter;

	(void)ui;
	if (!c->editing) {
		snprintf(b, len, "on %s - Enter: edit it  j/k: move  y:send  "
		    "p:probe  q:keep as draft  ?:help", names[c->sel]);
		return;
	}
	if (c->sel == UI_F_BODY) {
		snprintf(b, len, "editing the body - Enter: new line  "
		    "^X or Esc: done  ^Y: paste back the last cut");
		return;
	}
	enter = c->flow && c->sel == UI_F_TO ? "Enter: on to Subject" :
	    c->flow ? "Enter: on to the body" : "Enter: done";
	snprintf(b, len, "editing %s - %s  Tab: %s  Esc: done",
	    names[c->sel], enter, c->sel <= UI_F_BCC ? "complete or next field" :
	    "next field");
}

/* Composer keys. */
static int
ui_compose_key(struct ui_screen *sc, struct ui *ui, int k)
{
	struct ui_compose	*c = sc->data;
	int			 a;

	if (c->editing)
		return ui_compose_edit_key(c, ui, k);
	/* Tab and the arrows move between fields here too. */
	if ((a = ui_app_action(&ui_compose_keymap, k)) == -1)
		a = ui_app_action(&ui_compose_edit_keymap, k);
	switch (a) {
	case UI_C_DOWN:
	case UI_C_COMP_NEXT:
		if (c->sel < UI_F_BODY)
			c->sel++;
		return UI_REDRAW;
	case UI_C_UP:
	case UI_C_COMP_PREV:
		if (c->sel > 0)
			c->sel--;
		return UI_REDRAW;
	case UI_C_COMPLETE:
		c->sel = (c->sel + 1) % UI_F_LAST;
		return UI_REDRAW;
	case UI_C_EDIT:
		ui_compose_edit(c, ui, c->sel);
		return UI_REDRAW;
	case UI_C_TO:
	case UI_C_CC:
	case UI_C_BCC:
	case UI_C_SUBJECT:
		ui_compose_edit(c, ui, a == UI_C_TO ? UI_F_TO : a == UI_C_CC ?
		    UI_F_CC : a == UI_C_BCC ? UI_F_BCC : UI_F_SUBJECT);
		return UI_REDRAW;
	case UI_C_BODY:
		ui_compose_edit(c, ui, UI_F_BODY);
		return UI_REDRAW;
	case UI_C_PROBE:
		ui_compose_probe(c, ui);
		return UI_REDRAW;
	case UI_C_FROM:
		ui_compose_next_account(c, ui);
		return UI_REDRAW;
	case UI_C_ATTACH:
		ui_compose_attach(c, ui);
		return UI_REDRAW;
	case UI_C_DETACH:
		ui_compose_detach(c, ui);
		return UI_REDRAW;
	case UI_C_SEND:
		if (ui_compose_send(c, ui) == 0)
			return UI_CLOSE;
		return UI_REDRAW;
	case UI_C_BACK:
		if (ui_compose_save(c, ui) == 0 && c->id != 0)
			ui_app_say(ui, 0, "Draft kept in Drafts.");
		return UI_CLOSE;
	case UI_C_DISCARD:
		if (!ui_app_confirm(ui, "Discard this draft?"))
			return UI_REDRAW;
		if (c->id != 0)
			(void)store_message_delete(ui->store, c->id, NULL);
		c->id = 0;
		c->dirty = 0;
		ui_app_changed(ui);
		ui_app_say(ui, 0, "Draft discarded.");
		return UI_CLOSE;
	}
	return UI_UNHANDLED;
}

/* Contacts may have changed: policies again. */
static void
ui_compose_update(struct ui_screen *sc, struct ui *ui)
{
	ui_compose_recipients(sc->data, ui);
}

/* The title. */
static void
ui_compose_title(struct ui_screen *sc, struct ui *ui, char *b, size_t len)
{
	struct ui_compose	*c = sc->data;
	char			 date[32];
	struct tm		 tm;
	time_t			 t = (time_t)c->saved;

	(void)ui;
	if (c->id == 0)
		snprintf(b, len, "Compose (new)");
	else {
		localtime_r(&t, &tm);
		strftime(date, sizeof date, "%H:%M:%S", &tm);
		snprintf(b, len, "Compose (draft saved %s%s)", date,
		    c->dirty ? ", changed since" : "");
	}
}

/* Autosave when idle. */
static void
ui_compose_idle(struct ui_screen *sc, struct ui *ui)
{
	struct ui_compose	*c = sc->data;

	if (ui_hop_changed(ui->hop))
		ui->dirty = 1;
	if (c->dirty)
		(void)ui_compose_save(c, ui);
}

/* Free the composer. */
static void
ui_compose_free(struct ui_screen *sc)
{
	struct ui_compose	*c = sc->data;
	size_t			 i;
	int			 f;

	for (f = 0; f < UI_F_LAST; f++)
		ui_editor_free(c->f[f]);
	for (i = 0; i < c->nrc; i++)
		free(c->rc[i].addr);
	free(c->rc);
	free(c->bad);
	free(c->reply_to);
	free(c->in_reply_to);
	free(c->extra);
	attach_clear(&c->files);
	ui_complete_free(c->comp);
	free(c);
	free(sc);
}
