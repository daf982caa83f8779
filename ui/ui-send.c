/* Sends and probes in worker threads; the live send panel. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "addr.h"
#include "conf.h"
#include "deliver.h"
#include "err.h"
#include "event.h"
#include "outbox.h"
#include "policy.h"
#include "record.h"
#include "secret.h"
#include "store.h"
#include "ui-app.h"
#include "ui-pager.h"
#include "ui-send.h"
#include "ui-term.h"
#include "xmalloc.h"

#define UI_SEND_MAXJOBS	100

/* An event copied out of a worker thread. */
struct ui_ev {
	struct ui_ev		*next;
	int			 job;
	int			 end;		/* the job ended */
	enum event_type		 type;
	char			*server, *address, *recipient, *text;
	int			 port, code;
	size_t			 done, total;
	int			 has_tls;
	struct tls_facts	 tls;
	int			 has_rec;
	struct record		 rec;
	struct record		*recs;		/* end: the outcomes */
	size_t			 nrec;
	char			*error;		/* end: why it failed */
};

/* What a worker thread owns. */
struct ui_work {
	struct ui_send		*s;
	int			 job;
	int			 probe;
	struct outbox_ctx	 ob;
	long long		 id;
	char			**addrs;
	size_t			 n;
};

/* One line of the panel: a recipient or a server. */
struct ui_row {
	int			 rcpt;
	char			*key;
	char			*policy;
	char			*state;
	int			 attr;
	int			 has_outcome;
	enum outcome		 outcome;
	char			*advice;
	char			*tls;		/* servers: TLS or why not */
	int			 tls_attr;
};

struct ui_job {
	int			 no;
	int			 probe;
	int			 running;
	long long		 msg;
	char			*title;
	pthread_t		 thr;
	struct ui_row		*rows;
	size_t			 nrows;
	struct ui_pager		*log;
	struct record		*recs;
	size_t			 nrec;
	char			*error;
	time_t			 started, ended;
	char			*last;
};

struct ui_send {
	struct ui		*ui;
	int			 pipe[2];
	pthread_mutex_t		 lock;
	struct ui_ev		*head, *tail;
	struct ui_job		**jobs;
	size_t			 njobs;
	int			 next_no;
};

/* The live panel. */
struct ui_panel {
	int			 job;
	struct ui_send		*s;
};

enum ui_panel_action {
	UI_PANEL_BACK,
	UI_PANEL_PREV,
	UI_PANEL_NEXT
};

static const struct ui_key ui_panel_keys[] = {
	{ 'q', UI_PANEL_BACK, "leave the panel (the send goes on)" },
	{ UI_ESC, UI_PANEL_BACK, NULL },
	{ UI_KEY(KEY_LEFT), UI_PANEL_PREV, "the previous send" },
	{ 'p', UI_PANEL_PREV, NULL },
	{ UI_KEY(KEY_RIGHT), UI_PANEL_NEXT, "the next send" },
	{ 'n', UI_PANEL_NEXT, NULL },
};

static const struct ui_keymap ui_panel_map = {
	"Send panel (also: the reading keys scroll its log)", ui_panel_keys,
	sizeof ui_panel_keys / sizeof ui_panel_keys[0]
};

static void	 ui_send_push(struct ui_send *, struct ui_ev *);
static void	 ui_send_event(const struct event *, void *);
static void	*ui_send_thread(void *);
static char	*ui_send_password(const char *, void *, struct err **);
static void	 ui_send_ev_free(struct ui_ev *);
static void	 ui_send_record_copy(struct record *, const struct record *);
static struct ui_job *ui_send_job(const struct ui_send *, int);
static struct ui_job *ui_send_job_new(struct ui_send *, int, const char *);
static void	 ui_send_job_free(struct ui_job *);
static struct ui_row *ui_send_row(struct ui_job *, int, const char *);
static void	 ui_send_set(struct ui_row *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 ui_send_apply(struct ui_send *, struct ui_ev *);
static void	 ui_send_outcome(struct ui_send *, struct ui_job *,
		    const struct record *);
static int	 ui_send_spawn(struct ui_send *, struct ui_work *);
static int	 ui_send_begin(struct ui_send *, long long, const char *, int);
static int	 ui_panel_wrap(int, int, int, int, const char *, int);
static void	 ui_panel_draw(struct ui_screen *, struct ui *, int, int);
static int	 ui_panel_key(struct ui_screen *, struct ui *, int);
static void	 ui_panel_title(struct ui_screen *, struct ui *, char *,
		    size_t);
static void	 ui_panel_free(struct ui_screen *);

static const struct ui_screen_ops ui_panel_ops = {
	"send", &ui_panel_map, ui_panel_draw, ui_panel_key, NULL,
	ui_panel_title, NULL,
	"q:back  Left/Right:other sends  j/k:scroll  ?:help", ui_panel_free
};

/* A new job table. */
struct ui_send *
ui_send_new(struct ui *ui)
{
	struct ui_send	*s;

	s = xcalloc(1, sizeof *s);
	s->ui = ui;
	if (pipe2(s->pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->next_no = 1;
	return s;
}

/* Free the job table. */
void
ui_send_free(struct ui_send *s)
{
	struct ui_ev	*ev, *next;
	size_t		 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->njobs; i++) {
		if (s->jobs[i]->running)
			pthread_join(s->jobs[i]->thr, NULL);
		ui_send_job_free(s->jobs[i]);
	}
	free(s->jobs);
	for (ev = s->head; ev != NULL; ev = next) {
		next = ev->next;
		ui_send_ev_free(ev);
	}
	close(s->pipe[0]);
	close(s->pipe[1]);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* The pipe to poll. */
int
ui_send_fd(const struct ui_send *s)
{
	return s->pipe[0];
}

/* Jobs running. */
int
ui_send_busy(const struct ui_send *s)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < s->njobs; i++)
		n += s->jobs[i]->running;
	return n;
}

/* Queue an event for the main thread and wake it (any thread). */
static void
ui_send_push(struct ui_send *s, struct ui_ev *ev)
{
	ssize_t	r;

	pthread_mutex_lock(&s->lock);
	if (s->tail != NULL)
		s->tail->next = ev;
	else
		s->head = ev;
	s->tail = ev;
	pthread_mutex_unlock(&s->lock);
	do
		r = write(s->pipe[1], "e", 1);
	while (r == -1 && errno == EINTR);
	/* EAGAIN: the pipe is full of wake-ups already. */
}

/* Deep copy of a record into an empty one. */
static void
ui_send_record_copy(struct record *d, const struct record *r)
{
	*d = *r;
	d->recipient = xstrdup(r->recipient);
	d->reason = xstrdup(r->reason);
	d->server = xstrdup(r->server);
	d->address = xstrdup(r->address);
	d->reply = xstrdup(r->reply);
	memset(&d->tls, 0, sizeof d->tls);
	tls_facts_copy(&d->tls, &r->tls);
}

/* The event callback: runs in worker threads. */
static void
ui_send_event(const struct event *e, void *arg)
{
	struct ui_work	*w = arg;
	struct ui_ev	*ev;

	ev = xcalloc(1, sizeof *ev);
	ev->job = w->job;
	ev->type = e->type;
	ev->server = xstrdup(e->server);
	ev->address = xstrdup(e->address);
	ev->recipient = xstrdup(e->recipient);
	ev->text = xstrdup(e->text);
	ev->port = e->port;
	ev->code = e->code;
	ev->done = e->done;
	ev->total = e->total;
	if (e->tls != NULL) {
		ev->has_tls = 1;
		tls_facts_copy(&ev->tls, e->tls);
	}
	if (e->record != NULL) {
		ev->has_rec = 1;
		ui_send_record_copy(&ev->rec, e->record);
	}
	ui_send_push(w->s, ev);
}

/* A password from passcmd (the core's); runs in worker threads. */
static char *
ui_send_password(const char *user, void *arg, struct err **errp)
{
	struct ui_work	*w = arg;

	/* Quiet: the passcmd's stderr would land on the screen. */
	return outbox_password_quiet(user, (void *)w->ob.conf, errp);
}

/* A worker: send or probe, then report the end. */
static void *
ui_send_thread(void *arg)
{
	struct ui_work		*w = arg;
	struct ui_ev		*ev;
	struct err		*e = NULL;
	size_t			 i;

	ev = xcalloc(1, sizeof *ev);
	ev->job = w->job;
	ev->end = 1;
	if (w->probe) {
		if (outbox_probe(&w->ob, (const char **)w->addrs, w->n,
		    &ev->recs, &e) == 0)
			ev->nrec = w->n;
	} else
		(void)outbox_send(&w->ob, w->id, &ev->recs, &ev->nrec, &e);
	if (e != NULL)
		ev->error = xstrdup(e->msg);
	err_free(e);
	for (i = 0; i < w->n; i++)
		free(w->addrs[i]);
	free(w->addrs);
	/* The last use of w: after the push the main thread may join. */
	ui_send_push(w->s, ev);
	free(w);
	return NULL;
}

/* Free a queued event. */
static void
ui_send_ev_free(struct ui_ev *ev)
{
	free(ev->server);
	free(ev->address);
	free(ev->recipient);
	free(ev->text);
	tls_facts_clear(&ev->tls);
	if (ev->has_rec)
		record_clear(&ev->rec);
	record_free_array(ev->recs, ev->nrec);
	if (ev->nrec == 0)
		free(ev->recs);
	free(ev->error);
	free(ev);
}

/* A job by number. */
static struct ui_job *
ui_send_job(const struct ui_send *s, int no)
{
	size_t	i;

	for (i = 0; i < s->njobs; i++)
		if (s->jobs[i]->no == no || (no == 0 && i == s->njobs - 1))
			return s->jobs[i];
	return NULL;
}

/* A new job, dropping the oldest ended one when there are too many. */
static struct ui_job *
ui_send_job_new(struct ui_send *s, int probe, const char *title)
{
	struct ui_job	*j;
	size_t		 i;

	if (s->njobs >= UI_SEND_MAXJOBS) {
		for (i = 0; i < s->njobs; i++)
			if (!s->jobs[i]->running)
				break;
		if (i < s->njobs) {
			ui_send_job_free(s->jobs[i]);
			memmove(s->jobs + i, s->jobs + i + 1, (s->njobs - i -
			    1) * sizeof *s->jobs);
			s->njobs--;
		}
	}
	j = xcalloc(1, sizeof *j);
	j->no = s->next_no++;
	j->probe = probe;
	j->title = xstrdup(title != NULL && *title != '\0' ? title :
	    "(no subject)");
	j->log = ui_pager_new();
	ui_pager_follow(j->log, 1);
	j->started = time(NULL);
	s->jobs = xreallocarray(s->jobs, s->njobs + 1, sizeof *s->jobs);
	s->jobs[s->njobs++] = j;
	return j;
}

/* Free a job. */
static void
ui_send_job_free(struct ui_job *j)
{
	size_t	i;

	for (i = 0; i < j->nrows; i++) {
		free(j->rows[i].key);
		free(j->rows[i].policy);
		free(j->rows[i].state);
		free(j->rows[i].advice);
		free(j->rows[i].tls);
	}
	free(j->rows);
	ui_pager_free(j->log);
	record_free_array(j->recs, j->nrec);
	free(j->title);
	free(j->error);
	free(j->last);
	free(j);
}

/* The row of a recipient or server, made when new. */
static struct ui_row *
ui_send_row(struct ui_job *j, int rcpt, const char *key)
{
	struct ui_row	*r;
	size_t		 i;

	for (i = 0; i < j->nrows; i++)
		if (j->rows[i].rcpt == rcpt && strcmp(j->rows[i].key, key) == 0)
			return &j->rows[i];
	j->rows = xreallocarray(j->rows, j->nrows + 1, sizeof *j->rows);
	r = &j->rows[j->nrows++];
	memset(r, 0, sizeof *r);
	r->rcpt = rcpt;
	r->key = xstrdup(key);
	r->state = xstrdup("waiting");
	r->attr = ui_term_attr(UI_A_DIM);
	return r;
}

/* Set a row's state. */
static void
ui_send_set(struct ui_row *r, int attr, const char *fmt, ...)
{
	va_list	ap;

	free(r->state);
	va_start(ap, fmt);
	r->state = xvasprintf(fmt, ap);
	va_end(ap);
	r->attr = attr;
}

/* Start a worker thread for w. */
static int
ui_send_spawn(struct ui_send *s, struct ui_work *w)
{
	struct ui_job	*j = ui_send_job(s, w->job);

	if (pthread_create(&j->thr, NULL, ui_send_thread, w) != 0)
		return -1;
	j->running = 1;
	return 0;
}

/* Send a message in a worker. */
int
ui_send_start(struct ui_send *s, long long id, const char *title)
{
	return ui_send_begin(s, id, title, 0);
}

/* Retry the due recipients of a message. */
int
ui_send_start_due(struct ui_send *s, long long id, const char *title)
{
	return ui_send_begin(s, id, title, 1);
}

/* Start a send job for message id (due: only the due recipients). */
static int
ui_send_begin(struct ui_send *s, long long id, const char *title, int due)
{
	struct ui		*ui = s->ui;
	struct ui_work		*w;
	struct ui_job		*j;
	struct store_rcpt	*rc = NULL;
	struct ui_row		*row;
	struct err		*e = NULL;
	enum policy_source	 src;
	enum policy		 p;
	size_t			 n = 0, i;

	j = ui_send_job_new(s, 0, title);
	j->msg = id;
	if (store_message_rcpts(ui->store, id, &rc, &n, &e) == 0) {
		for (i = 0; i < n; i++) {
			if (rc[i].delivered || rc[i].failed || (due &&
			    rc[i].next_try > (long long)time(NULL)))
				continue;
			row = ui_send_row(j, 1, rc[i].address);
			p = outbox_policy(&ui->ob, rc[i].address, &src);
			row->policy = xasprintf("%s (%s)", policy_name(p),
			    policy_source_name(src));
		}
		store_rcpts_free(rc, n);
	}
	err_free(e);
	w = xcalloc(1, sizeof *w);
	w->s = s;
	w->job = j->no;
	w->ob = ui->ob;
	w->ob.ev = ui_send_event;
	w->ob.ev_ctx = w;
	w->ob.password = ui_send_password;
	w->ob.password_ctx = w;
	w->ob.due = due;
	w->id = id;
	j->last = xstrdup("starting");
	if (ui_send_spawn(s, w) == -1) {
		free(w);
		j->error = xstrdup("cannot start a thread");
		ui_app_say(ui, 1, "Cannot start sending; the message stays in "
		    "the Outbox.");
		return -1;
	}
	return j->no;
}

/* Probe recipients in a worker. */
int
ui_send_probe(struct ui_send *s, const char **addrs, size_t n)
{
	struct ui		*ui = s->ui;
	struct ui_work		*w;
	struct ui_job		*j;
	struct ui_row		*row;
	enum policy		 p;
	enum policy_source	 src;
	size_t			 i;

	j = ui_send_job_new(s, 1, "probe");
	w = xcalloc(1, sizeof *w);
	w->s = s;
	w->job = j->no;
	w->probe = 1;
	w->ob = ui->ob;
	w->ob.ev = ui_send_event;
	w->ob.ev_ctx = w;
	w->ob.password = ui_send_password;
	w->ob.password_ctx = w;
	w->n = n;
	w->addrs = xcalloc(n, sizeof *w->addrs);
	for (i = 0; i < n; i++) {
		w->addrs[i] = xstrdup(addrs[i]);
		p = outbox_policy(&ui->ob, addrs[i], &src);
		row = ui_send_row(j, 1, addrs[i]);
		row->policy = xasprintf("%s (%s)", policy_name(p),
		    policy_source_name(src));
		ui_send_set(row, ui_term_attr(UI_A_DIM), "asking the server");
	}
	j->last = xstrdup("asking the servers");
	if (ui_send_spawn(s, w) == -1) {
		for (i = 0; i < n; i++)
			free(w->addrs[i]);
		free(w->addrs);
		free(w);
		j->error = xstrdup("cannot start a thread");
		return -1;
	}
	return j->no;
}

/* Is a job running? */
int
ui_send_running(const struct ui_send *s, int no)
{
	struct ui_job	*j = ui_send_job(s, no);

	return j == NULL ? -1 : j->running;
}

/* A recipient's result in a job. */
int
ui_send_result(const struct ui_send *s, int no, const char *addr,
    const struct record **r, const char **state)
{
	struct ui_job	*j = ui_send_job(s, no);
	size_t		 i;

	if (state != NULL)
		*state = NULL;
	if (j == NULL)
		return 0;
	for (i = 0; i < j->nrec; i++) {
		if (j->recs[i].recipient != NULL &&
		    strcasecmp(j->recs[i].recipient, addr) == 0) {
			*r = &j->recs[i];
			return 1;
		}
	}
	if (state != NULL) {
		for (i = 0; i < j->nrows; i++)
			if (j->rows[i].rcpt && strcasecmp(j->rows[i].key,
			    addr) == 0)
				*state = j->rows[i].state;
		if (j->error != NULL)
			*state = j->error;
	}
	return 0;
}

/* Words for a held recipient: chosen by the reason's kind (policy.c). */
char *
ui_send_advice(struct ui *ui, const char *addr, enum reason_kind kind)
{
	enum policy_source	 src;
	enum policy		 p;

	p = outbox_policy(&ui->ob, addr, &src);
	return policy_advice(kind, addr, p, src, ui->conf->path);
}

/* Apply the queued events on the main thread. */
int
ui_send_drain(struct ui_send *s)
{
	struct ui_ev	*ev, *next;
	char		 b[256];
	int		 rv = 0;

	while (read(s->pipe[0], b, sizeof b) > 0)
		;
	pthread_mutex_lock(&s->lock);
	ev = s->head;
	s->head = s->tail = NULL;
	pthread_mutex_unlock(&s->lock);
	for (; ev != NULL; ev = next) {
		next = ev->next;
		if (rv < 1)
			rv = 1;
		if (ev->end)
			rv = 2;
		ui_send_apply(s, ev);
		ui_send_ev_free(ev);
	}
	return rv;
}

/* A recipient's outcome on its row. */
static void
ui_send_outcome(struct ui_send *s, struct ui_job *j, const struct record *r)
{
	struct ui_row	*row;
	char		*key;

	if (r->recipient == NULL)
		return;
	if (r->server != NULL) {
		key = r->port > 0 ? xasprintf("%s:%d", r->server, r->port) :
		    xstrdup(r->server);
		row = ui_send_row(j, 0, key);
		free(key);
		ui_send_set(row, ui_term_attr(UI_A_NORMAL), "finished%s%s",
		    r->reply != NULL ? ", last reply: " : "", r->reply != NULL ?
		    r->reply : "");
	}
	row = ui_send_row(j, 1, r->recipient);
	row->has_outcome = 1;
	row->outcome = r->outcome;
	if (row->policy == NULL)
		row->policy = xasprintf("%s (%s)", policy_name(r->policy),
		    policy_source_name(r->policy_source));
	if (r->tls.used)
		ui_send_set(row, ui_term_outcome_attr(r->outcome),
		    "%s%s: %s, %s, certificate %s%s%s%s", j->probe ?
		    "would be " : "", outcome_name(r->outcome),
		    r->tls.version != NULL ? r->tls.version : "TLS",
		    r->tls.cipher != NULL ? r->tls.cipher : "?",
		    r->tls.verified ? "verified" : "not verified",
		    r->tls.verified || r->tls.verify == NULL ? "" : " (",
		    r->tls.verified || r->tls.verify == NULL ? "" :
		    r->tls.verify, r->tls.verified || r->tls.verify == NULL ?
		    "" : ")");
	else
		ui_send_set(row, ui_term_outcome_attr(r->outcome), "%s%s%s%s",
		    j->probe ? "would be " : "", outcome_name(r->outcome),
		    r->reason != NULL ? ": " : "", r->reason != NULL ?
		    r->reason : "");
	if (r->outcome == OUTCOME_HELD && !j->probe) {
		free(row->advice);
		row->advice = ui_send_advice(s->ui, r->recipient, r->kind);
	}
}

/* Apply one event to its job. */
static void
ui_send_apply(struct ui_send *s, struct ui_ev *ev)
{
	struct ui_job		*j = ui_send_job(s, ev->job);
	struct ui_row		*row = NULL;
	struct event		 e;
	const struct tls_facts	*t = &ev->tls;
	char			*line, *key = NULL;
	size_t			 i, v = 0, held = 0, other = 0;
	int			 good = ui_term_attr(UI_A_GOOD);
	int			 norm = ui_term_attr(UI_A_NORMAL);

	if (j == NULL)
		return;
	if (ev->end) {
		pthread_join(j->thr, NULL);
		j->running = 0;
		j->ended = time(NULL);
		j->recs = ev->recs;
		j->nrec = ev->nrec;
		ev->recs = NULL;
		ev->nrec = 0;
		if (ev->error != NULL) {
			j->error = xstrdup(ev->error);
			ui_pager_addf(j->log, ui_term_attr(UI_A_BAD), "error: %s",
			    ev->error);
		}
		for (i = 0; i < j->nrec; i++) {
			ui_send_outcome(s, j, &j->recs[i]);
			if (outcome_delivered(j->recs[i].outcome))
				v++;
			else if (j->recs[i].outcome == OUTCOME_HELD)
				held++;
			else
				other++;
		}
		free(j->last);
		if (j->error != NULL && j->nrec == 0)
			j->last = xstrdup(j->error);
		else
			j->last = xasprintf("%s: %zu %s, %zu held, %zu not "
			    "delivered", j->probe ? "probed" : "done", v,
			    j->probe ? "fine" : "delivered", held, other);
		ui_pager_addf(j->log, ui_term_attr(UI_A_HEAD), "-- %s",
		    j->last);
		if (!j->probe && (held > 0 || other > 0))
			ui_app_say(s->ui, 1, "\"%s\": %zu delivered, %zu held, "
			    "%zu not delivered (s: details, Outbox: reasons)",
			    j->title, v, held, other);
		else if (!j->probe)
			ui_app_say(s->ui, 0, "\"%s\": delivered to %zu "
			    "recipient%s", j->title, v, v == 1 ? "" : "s");
		return;
	}
	memset(&e, 0, sizeof e);
	e.type = ev->type;
	e.server = ev->server;
	e.address = ev->address;
	e.port = ev->port;
	e.recipient = ev->recipient;
	e.code = ev->code;
	e.text = ev->text;
	e.done = ev->done;
	e.total = ev->total;
	e.tls = ev->has_tls ? &ev->tls : NULL;
	e.record = ev->has_rec ? &ev->rec : NULL;
	line = event_format(&e);
	if (ev->type != EVENT_PROGRESS || ev->done == ev->total ||
	    ev->done == 0)
		ui_pager_add(j->log, ev->type == EVENT_PLAINTEXT ?
		    ui_term_attr(UI_A_BAD) : ev->type == EVENT_TLS ? good :
		    norm, line);
	free(j->last);
	j->last = line;
	if (ev->server != NULL) {
		key = ev->port > 0 ? xasprintf("%s:%d", ev->server, ev->port) :
		    xstrdup(ev->server);
		if (ev->type != EVENT_RCPT && ev->type != EVENT_OUTCOME)
			row = ui_send_row(j, 0, key);
	}
	switch (ev->type) {
	case EVENT_RESOLVE:
		break;
	case EVENT_CONNECTING:
		if (row != NULL)
			ui_send_set(row, norm, "connecting to %s",
			    ev->address != NULL ? ev->address : ev->server);
		break;
	case EVENT_CONNECTED:
		if (row != NULL)
			ui_send_set(row, norm, "connected");
		break;
	case EVENT_GREETING:
	case EVENT_EHLO:
	case EVENT_STARTTLS:
	case EVENT_AUTH:
	case EVENT_MAIL:
	case EVENT_DATA:
		if (row != NULL)
			ui_send_set(row, norm, "%s%s%.0d %s",
			    ev->type == EVENT_GREETING ? "greeting" :
			    ev->type == EVENT_EHLO ? "EHLO" :
			    ev->type == EVENT_STARTTLS ? "STARTTLS" :
			    ev->type == EVENT_AUTH ? "AUTH" :
			    ev->type == EVENT_MAIL ? "MAIL FROM" : "DATA",
			    ev->code != 0 ? " " : "", ev->code,
			    ev->type == EVENT_EHLO ? (ev->text != NULL &&
			    strstr(ev->text, "STARTTLS") != NULL ?
			    "(offers STARTTLS)" : "(no STARTTLS offered)") :
			    ev->text != NULL ? ev->text : "");
		break;
	case EVENT_TLS:
		if (row != NULL && ev->has_tls) {
			ui_send_set(row, t->verified ? good :
			    ui_term_attr(UI_A_WARN), "TLS established");
			free(row->tls);
			row->tls = xasprintf("TLS: %s, %s, certificate %s%s%s%s",
			    t->version != NULL ? t->version : "?",
			    t->cipher != NULL ? t->cipher : "?", t->verified ?
			    "verified" : "NOT verified", t->verified ||
			    t->verify == NULL ? "" : " (", t->verified ||
			    t->verify == NULL ? "" : t->verify, t->verified ||
			    t->verify == NULL ? "" : ")");
			row->tls_attr = t->verified ? good :
			    ui_term_attr(UI_A_WARN);
		}
		break;
	case EVENT_PLAINTEXT:
		if (row != NULL) {
			ui_send_set(row, ui_term_attr(UI_A_BAD), "going on "
			    "without TLS");
			free(row->tls);
			row->tls = xasprintf("no TLS: %s", ev->text != NULL ?
			    ev->text : "");
			row->tls_attr = ui_term_attr(UI_A_BAD);
		}
		break;
	case EVENT_RCPT:
		if (ev->recipient != NULL)
			ui_send_set(ui_send_row(j, 1, ev->recipient), norm,
			    "RCPT TO: %d %s", ev->code, ev->text != NULL ?
			    ev->text : "");
		break;
	case EVENT_PROGRESS:
		if (row != NULL)
			ui_send_set(row, norm, "DATA %zu/%zu bytes (%zu%%)",
			    ev->done, ev->total, ev->total > 0 ? ev->done *
			    100 / ev->total : 100);
		break;
	case EVENT_OUTCOME:
		if (ev->has_rec)
			ui_send_outcome(s, j, &ev->rec);
		break;
	default:
		break;
	}
	free(key);
}

/* The status line: what is sending now. */
void
ui_send_status(const struct ui_send *s, char *b, size_t len, int *attr)
{
	const struct ui_job	*j = NULL, *last = NULL;
	size_t			 i;
	int			 n = 0;

	*attr = ui_term_attr(UI_A_STATUS);
	for (i = 0; i < s->njobs; i++) {
		if (s->jobs[i]->probe)
			continue;
		last = s->jobs[i];
		if (s->jobs[i]->running) {
			n++;
			if (j == NULL)
				j = s->jobs[i];
		}
	}
	if (j != NULL)
		snprintf(b, len, "Sending \"%s\": %s%s%.0d%s", j->title,
		    j->last != NULL ? j->last : "", n > 1 ? " (+" : "",
		    n > 1 ? n - 1 : 0, n > 1 ? " more)" : "");
	else if (last != NULL)
		snprintf(b, len, "Nothing sending. Last: \"%s\": %s  "
		    "(s: details)", last->title, last->last != NULL ?
		    last->last : "");
	else
		snprintf(b, len, "Nothing sending.");
}

/* The live panel for a job. */
struct ui_screen *
ui_send_panel(struct ui *ui, int no)
{
	struct ui_panel	*p;
	struct ui_job	*j;

	p = xcalloc(1, sizeof *p);
	p->s = ui->send;
	j = ui_send_job(ui->send, no);
	p->job = j != NULL ? j->no : 0;
	return ui_app_screen(&ui_panel_ops, p);
}

/* The panel's keys. */
const struct ui_keymap *
ui_send_keymap(void)
{
	return &ui_panel_map;
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

/* Draw the panel. */
static void
ui_panel_draw(struct ui_screen *sc, struct ui *ui, int top, int h)
{
	struct ui_panel	*p = sc->data;
	struct ui_job	*j = ui_send_job(p->s, p->job);
	struct ui_row	*r;
	size_t		 i;
	int		 y = top, w = ui_term_cols(), x, head, dim;
	char		*t;

	(void)ui;
	head = ui_term_attr(UI_A_HEAD);
	dim = ui_term_attr(UI_A_DIM);
	if (j == NULL) {
		ui_term_text(y, 1, w - 2, "Nothing has been sent in this "
		    "session. Press m to write a message.", dim);
		return;
	}
	t = xasprintf("%s \"%s\" (%s%s)", j->probe ? "Probe" : "Send",
	    j->title, j->running ? "running" : "finished",
	    j->msg != 0 ? "" : "");
	ui_term_text(y++, 1, w - 2, t, head);
	free(t);
	for (i = 0; i < j->nrows && y < top + h - 3; i++) {
		r = &j->rows[i];
		x = 2;
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
		if (r->tls != NULL && y < top + h - 3)
			ui_term_text(y++, 10, w - 11, r->tls, r->tls_attr);
		if (r->advice != NULL)
			y = ui_panel_wrap(y, top + h - 3, 9, w - 10, r->advice,
			    ui_term_attr(UI_A_WARN));
	}
	y++;
	if (y >= top + h - 1)
		return;
	ui_term_text(y++, 1, w - 2, "What happened on the wire:", head);
	ui_pager_draw(j->log, y, 2, top + h - y, w - 3);
}

/* Panel keys. */
static int
ui_panel_key(struct ui_screen *sc, struct ui *ui, int k)
{
	struct ui_panel	*p = sc->data;
	struct ui_job	*j = ui_send_job(p->s, p->job);
	size_t		 i;

	(void)ui;
	switch (ui_app_action(&ui_panel_map, k)) {
	case UI_PANEL_BACK:
		return UI_CLOSE;
	case UI_PANEL_PREV:
	case UI_PANEL_NEXT:
		for (i = 0; i < p->s->njobs; i++)
			if (p->s->jobs[i] == j)
				break;
		if (i == p->s->njobs)
			return UI_NONE;
		if (ui_app_action(&ui_panel_map, k) == UI_PANEL_PREV && i > 0)
			p->job = p->s->jobs[i - 1]->no;
		else if (ui_app_action(&ui_panel_map, k) == UI_PANEL_NEXT &&
		    i + 1 < p->s->njobs)
			p->job = p->s->jobs[i + 1]->no;
		return UI_REDRAW;
	}
	if (j != NULL && ui_pager_key(j->log, k))
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
