/* Sends and probes in worker threads: the job runner. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "event.h"
#include "outbox.h"
#include "record.h"
#include "store.h"
#include "ui-app.h"
#include "ui-job.h"
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
	int			 flush;		/* the whole queue (outbox_flush) */
	struct outbox_ctx	 ob;
	long long		 id;
	char			**addrs;
	size_t			 n;
};

/* A job and its thread. */
struct ui_send_slot {
	int			 no;
	int			 probe;
	int			 thread;	/* thr runs or awaits a join */
	pthread_t		 thr;
	struct ui_job		*job;
};

struct ui_send {
	struct ui		*ui;
	int			 pipe[2];
	pthread_mutex_t		 lock;
	struct ui_ev		*head, *tail;
	struct ui_send_slot	*slots;
	size_t			 nslots;
	int			 next_no;
};

static void	 ui_send_push(struct ui_send *, struct ui_ev *);
static void	 ui_send_event(const struct event *, void *);
static void	*ui_send_thread(void *);
static char	*ui_send_password(const char *, void *, struct err **);
static void	 ui_send_ev_free(struct ui_ev *);
static void	 ui_send_record_copy(struct record *, const struct record *);
static struct ui_send_slot *ui_send_slot(const struct ui_send *, int);
static struct ui_send_slot *ui_send_slot_new(struct ui_send *, int,
		    const char *, const char *);
static struct ui_work *ui_send_work(struct ui_send *, struct ui_send_slot *);
static int	 ui_send_spawn(struct ui_send *, struct ui_work *);
static void	 ui_send_flushed(long long, const struct record *, size_t,
		    const struct err *, void *);
static int	 ui_send_collect(const struct store_msg *, void *);
static int	 ui_send_begin(struct ui_send *, long long, const char *, int);
static void	 ui_send_apply(struct ui_send *, struct ui_ev *);

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
	for (i = 0; i < s->nslots; i++) {
		if (s->slots[i].thread)
			pthread_join(s->slots[i].thr, NULL);
		ui_job_free(s->slots[i].job);
	}
	free(s->slots);
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

	for (i = 0; i < s->nslots; i++)
		n += s->slots[i].thread;
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
	record_copy(d, r);
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
	} else if (w->flush)
		(void)outbox_flush(&w->ob, ui_send_flushed, ev, &e);
	else
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

/* A job by number (0: the latest). */
static struct ui_send_slot *
ui_send_slot(const struct ui_send *s, int no)
{
	size_t	i;

	for (i = 0; i < s->nslots; i++)
		if (s->slots[i].no == no || (no == 0 && i == s->nslots - 1))
			return &s->slots[i];
	return NULL;
}

/* A new job, dropping the oldest ended one when there are too many. */
static struct ui_send_slot *
ui_send_slot_new(struct ui_send *s, int probe, const char *title,
    const char *last)
{
	struct ui_send_slot	*sl;
	size_t			 i;

	if (s->nslots >= UI_SEND_MAXJOBS) {
		for (i = 0; i < s->nslots; i++)
			if (!s->slots[i].thread)
				break;
		if (i < s->nslots) {
			ui_job_free(s->slots[i].job);
			memmove(s->slots + i, s->slots + i + 1, (s->nslots - i -
			    1) * sizeof *s->slots);
			s->nslots--;
		}
	}
	s->slots = xreallocarray(s->slots, s->nslots + 1, sizeof *s->slots);
	sl = &s->slots[s->nslots++];
	memset(sl, 0, sizeof *sl);
	sl->no = s->next_no++;
	sl->probe = probe;
	sl->job = ui_job_new(sl->no, probe, title, last);
	return sl;
}

/* The work of a new job: the interface's outbox with our callbacks. */
static struct ui_work *
ui_send_work(struct ui_send *s, struct ui_send_slot *sl)
{
	struct ui_work	*w;

	w = xcalloc(1, sizeof *w);
	w->s = s;
	w->job = sl->no;
	w->probe = sl->probe;
	w->ob = s->ui->ob;
	w->ob.ev = ui_send_event;
	w->ob.ev_ctx = w;
	w->ob.password = ui_send_password;
	w->ob.password_ctx = w;
	return w;
}

/* Start a worker thread for w. */
static int
ui_send_spawn(struct ui_send *s, struct ui_work *w)
{
	struct ui_send_slot	*sl = ui_send_slot(s, w->job);

	if (pthread_create(&sl->thr, NULL, ui_send_thread, w) != 0) {
		ui_job_end(sl->job, s->ui, NULL, 0, "cannot start a thread");
		return -1;
	}
	sl->thread = 1;
	return 0;
}

/* Send a message in a worker. */
int
ui_send_start(struct ui_send *s, long long id, const char *title)
{
	return ui_send_begin(s, id, title, 0);
}

/* Start a send job for message id (due: only the due recipients). */
static int
ui_send_begin(struct ui_send *s, long long id, const char *title, int due)
{
	struct ui		*ui = s->ui;
	struct ui_send_slot	*sl;
	struct ui_work		*w;
	struct store_rcpt	*rc = NULL;
	struct err		*e = NULL;
	size_t			 n = 0, i;
	int			 no;

	sl = ui_send_slot_new(s, 0, title, "starting");
	if (store_message_rcpts(ui->store, id, &rc, &n, &e) == 0) {
		for (i = 0; i < n; i++) {
			if (rc[i].delivered || rc[i].failed || (due &&
			    rc[i].next_try > (long long)time(NULL)))
				continue;
			ui_job_recipient(sl->job, ui, rc[i].address, NULL);
		}
		store_rcpts_free(rc, n);
	}
	err_free(e);
	no = sl->no;
	w = ui_send_work(s, sl);
	w->ob.due = due;
	w->id = id;
	if (ui_send_spawn(s, w) == -1) {
		free(w);
		ui_app_say(ui, 1, "Cannot start sending; the message stays in "
		    "the Outbox.");
		return -1;
	}
	return no;
}

/* Keep a flushed message's outcomes for the job's end (worker thread). */
static void
ui_send_flushed(long long id, const struct record *r, size_t n,
    const struct err *e, void *arg)
{
	struct ui_ev	*ev = arg;
	size_t		 i;

	(void)id;
	(void)e;
	if (n == 0)
		return;
	ev->recs = xreallocarray(ev->recs, ev->nrec + n, sizeof *ev->recs);
	for (i = 0; i < n; i++)
		record_copy(&ev->recs[ev->nrec + i], &r[i]);
	ev->nrec += n;
}

/* Collect an outbox message's id (ui_send_flush). */
static int
ui_send_collect(const struct store_msg *m, void *arg)
{
	struct buf	*b = arg;

	buf_add(b, &m->id, sizeof m->id);
	return 0;
}

/*
 * Retry the whole outbox in one worker through the one flush service
 * (kept connections, oldest first); due: only what is due.
 */
int
ui_send_flush(struct ui_send *s, int due, const char *title)
{
	struct ui		*ui = s->ui;
	struct ui_send_slot	*sl;
	struct ui_work		*w;
	struct store_rcpt	*rc = NULL;
	struct buf		 ids = BUF_INIT;
	long long		 id, now = (long long)time(NULL);
	size_t			 n, i, k;
	int			 no, rows = 0;

	if (store_message_each(ui->store, STORE_OUTBOX, 0, 0, ui_send_collect,
	    &ids, NULL) == -1 || ids.len == 0) {
		buf_free(&ids);
		return 0;
	}
	sl = ui_send_slot_new(s, 0, title, "starting");
	for (k = 0; k < ids.len / sizeof id; k++) {
		memcpy(&id, ids.s + k * sizeof id, sizeof id);
		n = 0;
		if (store_message_rcpts(ui->store, id, &rc, &n, NULL) == -1)
			continue;
		for (i = 0; i < n; i++) {
			if (rc[i].delivered || rc[i].failed || (due &&
			    rc[i].next_try > now))
				continue;
			ui_job_recipient(sl->job, ui, rc[i].address, NULL);
			rows++;
		}
		store_rcpts_free(rc, n);
	}
	buf_free(&ids);
	no = sl->no;
	w = ui_send_work(s, sl);
	w->flush = 1;
	w->ob.due = due;
	if (ui_send_spawn(s, w) == -1) {
		free(w);
		ui_app_say(ui, 1, "Cannot start sending; the messages stay in "
		    "the Outbox.");
		return -1;
	}
	return rows > 0 ? no : 0;
}

/* Probe recipients in a worker. */
int
ui_send_probe(struct ui_send *s, const char **addrs, size_t n)
{
	struct ui_send_slot	*sl;
	struct ui_work		*w;
	size_t			 i;
	int			 no;

	sl = ui_send_slot_new(s, 1, "probe", "asking the servers");
	no = sl->no;
	w = ui_send_work(s, sl);
	w->n = n;
	w->addrs = xcalloc(n, sizeof *w->addrs);
	for (i = 0; i < n; i++) {
		w->addrs[i] = xstrdup(addrs[i]);
		ui_job_recipient(sl->job, s->ui, addrs[i], "asking the server");
	}
	if (ui_send_spawn(s, w) == -1) {
		for (i = 0; i < n; i++)
			free(w->addrs[i]);
		free(w->addrs);
		free(w);
		return -1;
	}
	return no;
}

/* Is a job running? */
int
ui_send_running(const struct ui_send *s, int no)
{
	struct ui_send_slot	*sl = ui_send_slot(s, no);
	struct ui_job_view	 v;

	if (sl == NULL)
		return -1;
	ui_job_view(sl->job, &v);
	return v.running;
}

/* A recipient's result in a job. */
int
ui_send_result(const struct ui_send *s, int no, const char *addr,
    const struct record **r, const char **state)
{
	struct ui_send_slot	*sl = ui_send_slot(s, no);

	if (sl == NULL) {
		if (state != NULL)
			*state = NULL;
		return 0;
	}
	return ui_job_result(sl->job, addr, r, state);
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

/* Hand one copied event to its job. */
static void
ui_send_apply(struct ui_send *s, struct ui_ev *ev)
{
	struct ui_send_slot	*sl = ui_send_slot(s, ev->job);
	struct event		 e;

	if (sl == NULL || sl->no != ev->job)
		return;
	if (ev->end) {
		pthread_join(sl->thr, NULL);
		sl->thread = 0;
		ui_job_end(sl->job, s->ui, ev->recs, ev->nrec, ev->error);
		ev->recs = NULL;
		ev->nrec = 0;
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
	ui_job_event(sl->job, s->ui, &e);
}

/* The status line: what is sending now. */
void
ui_send_status(const struct ui_send *s, char *b, size_t len, int *attr)
{
	struct ui_job_view	 v, j, last;
	size_t			 i;
	int			 n = 0, have = 0, seen = 0;

	memset(&j, 0, sizeof j);
	memset(&last, 0, sizeof last);
	*attr = ui_term_attr(UI_A_STATUS);
	for (i = 0; i < s->nslots; i++) {
		if (s->slots[i].probe)
			continue;
		ui_job_view(s->slots[i].job, &v);
		last = v;
		seen = 1;
		if (v.running) {
			n++;
			if (!have)
				j = v;
			have = 1;
		}
	}
	if (have)
		snprintf(b, len, "Sending \"%s\": %s%s%.0d%s", j.title,
		    j.last != NULL ? j.last : "", n > 1 ? " (+" : "",
		    n > 1 ? n - 1 : 0, n > 1 ? " more)" : "");
	else if (seen)
		snprintf(b, len, "Nothing sending. Last: \"%s\": %s  "
		    "(s: details)", last.title, last.last != NULL ?
		    last.last : "");
	else
		snprintf(b, len, "Nothing sending.");
}

/* What the panel shows of a job. */
int
ui_send_view(const struct ui_send *s, int no, struct ui_job_view *v)
{
	struct ui_send_slot	*sl = ui_send_slot(s, no);

	if (sl == NULL)
		return -1;
	ui_job_view(sl->job, v);
	return 0;
}

/* The job before or after another. */
int
ui_send_next(const struct ui_send *s, int no, int dir)
{
	struct ui_send_slot	*sl = ui_send_slot(s, no);
	size_t			 i;

	if (sl == NULL)
		return no;
	i = (size_t)(sl - s->slots);
	if (dir < 0 && i > 0)
		return s->slots[i - 1].no;
	if (dir > 0 && i + 1 < s->nslots)
		return s->slots[i + 1].no;
	return sl->no;
}
