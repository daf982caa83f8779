/*
 * ui-job: what one send or probe looks like on screen, made from its
 * progress events (the event-to-row model).  A job has one row per
 * recipient and per server it talked to, each moving through connecting,
 * STARTTLS, TLS (the summary of record.h) or plaintext (why), AUTH, RCPT,
 * DATA progress and the outcome; a recipient held by policy gets words
 * saying what to do.  It also keeps the log of the wire (a pager) and the
 * outcomes.  ui-send runs the jobs in threads and feeds them, on the main
 * thread only; ui-panel draws them.
 */
#ifndef TERN_UI_JOB_H
#define TERN_UI_JOB_H

#include <stddef.h>

#include "record.h"

struct event;
struct ui;
struct ui_job;
struct ui_pager;

/* One line of a job: a recipient or a server it talked to. */
struct ui_job_row {
	int		 rcpt;		/* 1: a recipient, 0: a server */
	char		*key;		/* the address, or host:port */
	char		*policy;	/* recipients: "verify (contact)" */
	char		*state;		/* the latest step, in words */
	int		 attr;		/* its curses attribute */
	int		 has_outcome;
	enum outcome	 outcome;
	char		*advice;	/* held: what to do about it */
	char		*tls;		/* servers: TLS summary, or why none */
	int		 tls_attr;
};

/* What is shown of a job; borrowed until the job changes. */
struct ui_job_view {
	int				 no;
	int				 probe;
	int				 running;
	const char			*title;
	const char			*last;	/* the latest step or summary */
	const struct ui_job_row		*rows;
	size_t				 nrows;
	struct ui_pager			*log;	/* the wire: a line an event */
};

/*
 * A new running job number no (title: the subject, NULL or "" for none;
 * last: the words before the first event).
 */
struct ui_job	*ui_job_new(int, int, const char *, const char *);
void		 ui_job_free(struct ui_job *);
/*
 * A recipient's row before anything happened, with its policy now and a
 * state (NULL: "waiting").
 */
void		 ui_job_recipient(struct ui_job *, struct ui *, const char *,
		    const char *);
/* A progress event (borrowed) on the rows and in the log. */
void		 ui_job_event(struct ui_job *, struct ui *,
		    const struct event *);
/*
 * The job ended: it takes the n outcomes (freed with the job) and the
 * error (borrowed, may be NULL), puts them on the rows and says the
 * summary on the bottom line (sends only).
 */
void		 ui_job_end(struct ui_job *, struct ui *, struct record *,
		    size_t, const char *);
void		 ui_job_view(const struct ui_job *, struct ui_job_view *);
/*
 * The outcome of a recipient: 1 and *r set (borrowed) when the job has a
 * record for it; 0 otherwise, with *state (may be NULL) the recipient's
 * latest line or the job's error.
 */
int		 ui_job_result(const struct ui_job *, const char *,
		    const struct record **, const char **);
/*
 * Words telling the user what to do about a held recipient (new string),
 * from the kind of its reason and where its policy comes from now.
 */
char		*ui_job_advice(struct ui *, const char *, enum reason_kind);

#endif
