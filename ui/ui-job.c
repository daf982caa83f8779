/* One send or probe on screen: rows and a log made from its events. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "conf.h"
#include "event.h"
#include "outbox.h"
#include "policy.h"
#include "record.h"
#include "ui-app.h"
#include "ui-job.h"
#include "ui-pager.h"
#include "ui-term.h"
#include "xmalloc.h"

struct ui_job {
	int			 no;
	int			 probe;
	int			 running;
	char			*title;
	struct ui_job_row	*rows;
	size_t			 nrows;
	struct ui_pager		*log;
	struct record		*recs;		/* the outcomes, at the end */
	size_t			 nrec;
	char			*error;
	char			*last;
};

static struct ui_job_row *ui_job_row(struct ui_job *, int, const char *);
static void	 ui_job_set(struct ui_job_row *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static char	*ui_job_server(const char *, int);
static void	 ui_job_log(struct ui_job *, const struct event *);
static void	 ui_job_step(struct ui_job *, struct ui_job_row *,
		    const struct event *);
static void	 ui_job_outcome(struct ui_job *, struct ui *,
		    const struct record *);

/* A new job. */
struct ui_job *
ui_job_new(int no, int probe, const char *title, const char *last)
{
	struct ui_job	*j;

	j = xcalloc(1, sizeof *j);
	j->no = no;
	j->probe = probe;
	j->running = 1;
	j->title = xstrdup(title != NULL && *title != '\0' ? title :
	    "(no subject)");
	j->log = ui_pager_new();
	ui_pager_follow(j->log, 1);
	j->last = xstrdup(last);
	return j;
}

/* Free a job. */
void
ui_job_free(struct ui_job *j)
{
	size_t	i;

	if (j == NULL)
		return;
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
static struct ui_job_row *
ui_job_row(struct ui_job *j, int rcpt, const char *key)
{
	struct ui_job_row	*r;
	size_t			 i;

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
ui_job_set(struct ui_job_row *r, int attr, const char *fmt, ...)
{
	va_list	ap;

	free(r->state);
	va_start(ap, fmt);
	r->state = xvasprintf(fmt, ap);
	va_end(ap);
	r->attr = attr;
}

/* "host:port", or the host when no port is known (new string). */
static char *
ui_job_server(const char *host, int port)
{
	return port > 0 ? xasprintf("%s:%d", host, port) : xstrdup(host);
}

/* A recipient before anything happened. */
void
ui_job_recipient(struct ui_job *j, struct ui *ui, const char *addr,
    const char *state)
{
	struct ui_job_row	*row;
	enum policy_source	 src;
	enum policy		 p;

	row = ui_job_row(j, 1, addr);
	p = outbox_policy(&ui->ob, addr, &src);
	free(row->policy);
	row->policy = xasprintf("%s (%s)", policy_name(p),
	    policy_source_name(src));
	if (state != NULL)
		ui_job_set(row, ui_term_attr(UI_A_DIM), "%s", state);
}

/* Words for a held recipient: chosen by the reason's kind (policy.c). */
char *
ui_job_advice(struct ui *ui, const char *addr, enum reason_kind kind)
{
	enum policy_source	 src;
	enum policy		 p;

	p = outbox_policy(&ui->ob, addr, &src);
	return policy_advice(kind, addr, p, src, ui->conf->path);
}

/* A recipient's outcome on its row. */
static void
ui_job_outcome(struct ui_job *j, struct ui *ui, const struct record *r)
{
	struct ui_job_row	*row;
	char			*key, *tls;

	if (r->recipient == NULL)
		return;
	if (r->server != NULL) {
		key = ui_job_server(r->server, r->port);
		row = ui_job_row(j, 0, key);
		free(key);
		ui_job_set(row, ui_term_attr(UI_A_NORMAL), "finished%s%s",
		    r->reply != NULL ? ", last reply: " : "", r->reply != NULL ?
		    r->reply : "");
	}
	row = ui_job_row(j, 1, r->recipient);
	row->has_outcome = 1;
	row->outcome = r->outcome;
	if (row->policy == NULL)
		row->policy = xasprintf("%s (%s)", policy_name(r->policy),
		    policy_source_name(r->policy_source));
	if (r->tls.used) {
		tls = tls_facts_summary(&r->tls, TLS_SUMMARY_FULL);
		ui_job_set(row, ui_term_outcome_attr(r->outcome), "%s%s: %s",
		    j->probe ? "would be " : "", outcome_name(r->outcome), tls);
		free(tls);
	} else
		ui_job_set(row, ui_term_outcome_attr(r->outcome), "%s%s%s%s",
		    j->probe ? "would be " : "", outcome_name(r->outcome),
		    r->reason != NULL ? ": " : "", r->reason != NULL ?
		    r->reason : "");
	if (r->outcome == OUTCOME_HELD && !j->probe) {
		free(row->advice);
		row->advice = ui_job_advice(ui, r->recipient, r->kind);
	}
}

/* The job ended: its outcomes on the rows, a summary, the bottom line. */
void
ui_job_end(struct ui_job *j, struct ui *ui, struct record *recs, size_t n,
    const char *error)
{
	size_t	i, v = 0, held = 0, other = 0;

	j->running = 0;
	record_free_array(j->recs, j->nrec);
	j->recs = recs;
	j->nrec = n;
	if (error != NULL) {
		free(j->error);
		j->error = xstrdup(error);
		ui_pager_addf(j->log, ui_term_attr(UI_A_BAD), "error: %s",
		    error);
	}
	for (i = 0; i < j->nrec; i++) {
		ui_job_outcome(j, ui, &j->recs[i]);
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
		j->last = xasprintf("%s: %zu %s, %zu held, %zu not delivered",
		    j->probe ? "probed" : "done", v, j->probe ? "fine" :
		    "delivered", held, other);
	ui_pager_addf(j->log, ui_term_attr(UI_A_HEAD), "-- %s", j->last);
	if (!j->probe && (held > 0 || other > 0))
		ui_app_say(ui, 1, "\"%s\": %zu delivered, %zu held, %zu not "
		    "delivered (s: details, Outbox: reasons)", j->title, v,
		    held, other);
	else if (!j->probe)
		ui_app_say(ui, 0, "\"%s\": delivered to %zu recipient%s",
		    j->title, v, v == 1 ? "" : "s");
}

/* An event as a line of the log; it is the job's latest step too. */
static void
ui_job_log(struct ui_job *j, const struct event *e)
{
	char	*line;
	int	 attr;

	if (e->type == EVENT_STARTTLS && e->code == 0) {
		struct event	c = *e;

		/* The command going out: its text is only its name. */
		c.text = "sent";
		line = event_format(&c);
	} else
		line = event_format(e);
	attr = e->type == EVENT_PLAINTEXT ? ui_term_attr(UI_A_BAD) :
	    e->type == EVENT_TLS ? ui_term_attr(UI_A_GOOD) :
	    ui_term_attr(UI_A_NORMAL);
	/* Progress: only its first and last step. */
	if (e->type != EVENT_PROGRESS || e->done == e->total || e->done == 0)
		ui_pager_add(j->log, attr, line);
	free(j->last);
	j->last = line;
}

/* A step of the dialogue on its server's row (row: NULL when none). */
static void
ui_job_step(struct ui_job *j, struct ui_job_row *row, const struct event *e)
{
	const struct tls_facts	*t = e->tls;
	const char		*what;
	char			*tls;
	int			 norm = ui_term_attr(UI_A_NORMAL);

	if (e->type == EVENT_RCPT && e->recipient != NULL) {
		ui_job_set(ui_job_row(j, 1, e->recipient), norm,
		    "RCPT TO: %d %s", e->code, e->text != NULL ? e->text : "");
		return;
	}
	if (row == NULL)
		return;
	switch (e->type) {
	case EVENT_CONNECTING:
		ui_job_set(row, norm, "connecting to %s", e->address != NULL ?
		    e->address : e->server);
		break;
	case EVENT_CONNECTED:
		ui_job_set(row, norm, "connected");
		break;
	case EVENT_GREETING:
	case EVENT_EHLO:
	case EVENT_STARTTLS:
	case EVENT_AUTH:
	case EVENT_MAIL:
	case EVENT_DATA:
		what = e->type == EVENT_GREETING ? "greeting" :
		    e->type == EVENT_EHLO ? "EHLO" :
		    e->type == EVENT_STARTTLS ? "STARTTLS" :
		    e->type == EVENT_AUTH ? "AUTH" :
		    e->type == EVENT_MAIL ? "MAIL FROM" : "DATA";
		if (e->type == EVENT_STARTTLS && e->code == 0) {
			/* The command going out (its text is its name). */
			ui_job_set(row, norm, "STARTTLS sent");
			break;
		}
		/* After TLS, the EHLO never lists STARTTLS: say nothing. */
		ui_job_set(row, norm, "%s%s%.0d%s%s", what, e->code != 0 ?
		    " " : "", e->code, e->type == EVENT_EHLO && row->tls !=
		    NULL ? "" : " ", e->type == EVENT_EHLO ? (row->tls !=
		    NULL ? "" : e->text != NULL && strstr(e->text,
		    "STARTTLS") != NULL ? "(offers STARTTLS)" :
		    "(no STARTTLS offered)") : e->text != NULL ? e->text : "");
		break;
	case EVENT_TLS:
		if (t == NULL)
			break;
		row->tls_attr = t->method != VERIFY_NONE ?
		    ui_term_attr(UI_A_GOOD) :
		    ui_term_attr(UI_A_WARN);
		ui_job_set(row, row->tls_attr, "TLS established");
		tls = tls_facts_summary(t, TLS_SUMMARY_FULL);
		free(row->tls);
		row->tls = xasprintf("TLS: %s", tls);
		free(tls);
		break;
	case EVENT_PLAINTEXT:
		ui_job_set(row, ui_term_attr(UI_A_BAD), "going on without TLS");
		free(row->tls);
		row->tls = xasprintf("no TLS: %s", e->text != NULL ? e->text :
		    "");
		row->tls_attr = ui_term_attr(UI_A_BAD);
		break;
	case EVENT_PROGRESS:
		ui_job_set(row, norm, "DATA %zu/%zu bytes (%zu%%)", e->done,
		    e->total, e->total > 0 ? e->done * 100 / e->total : 100);
		break;
	default:
		break;
	}
}

/* Apply one event. */
void
ui_job_event(struct ui_job *j, struct ui *ui, const struct event *e)
{
	struct ui_job_row	*row = NULL;
	char			*key;

	ui_job_log(j, e);
	if (e->type == EVENT_OUTCOME) {
		if (e->record != NULL)
			ui_job_outcome(j, ui, e->record);
		return;
	}
	if (e->server != NULL && e->type != EVENT_RCPT) {
		key = ui_job_server(e->server, e->port);
		row = ui_job_row(j, 0, key);
		free(key);
	}
	ui_job_step(j, row, e);
}

/* What is shown of a job. */
void
ui_job_view(const struct ui_job *j, struct ui_job_view *v)
{
	v->no = j->no;
	v->probe = j->probe;
	v->running = j->running;
	v->title = j->title;
	v->last = j->last;
	v->rows = j->rows;
	v->nrows = j->nrows;
	v->log = j->log;
}

/* A recipient's result. */
int
ui_job_result(const struct ui_job *j, const char *addr,
    const struct record **r, const char **state)
{
	size_t	i;

	if (state != NULL)
		*state = NULL;
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
