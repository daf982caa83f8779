/*
 * ui-send: the job runner.  A send runs outbox_send() for one message in
 * a worker thread of its own; a probe runs outbox_probe().  Their
 * progress events are copied into a mutex-protected queue and a byte is
 * written to a pipe; the main loop polls that pipe with the keyboard and
 * calls ui_send_drain(), which hands the events, on the main thread only,
 * to their jobs (ui-job: the rows and the log the panel shows).
 */
#ifndef TERN_UI_SEND_H
#define TERN_UI_SEND_H

#include <stddef.h>

#include "record.h"

struct ui;
struct ui_job_view;
struct ui_send;

/* A new job table with its pipe; NULL when no pipe can be made. */
struct ui_send	*ui_send_new(struct ui *);
/* Free it; running threads must have ended (see ui_send_busy). */
void		 ui_send_free(struct ui_send *);
/* The read end of the event pipe, for poll(). */
int		 ui_send_fd(const struct ui_send *);
/*
 * Apply the queued events.  Returns 0 when nothing happened, 1 when
 * something changed on screen, 2 when a job ended (the store changed).
 */
int		 ui_send_drain(struct ui_send *);
/* How many jobs are running. */
int		 ui_send_busy(const struct ui_send *);

/*
 * Start sending the queued recipients of message id (title: its subject)
 * in a worker thread.  Returns the job number (> 0), or -1 with a
 * message shown (the message stays in the outbox).
 */
int		 ui_send_start(struct ui_send *, long long, const char *);
/*
 * Retry the whole outbox (due: only what is due) in one worker, through
 * outbox_flush: one connection per server, oldest first.  Returns the
 * job number, 0 when nothing waits, -1 with a message shown.
 */
int		 ui_send_flush(struct ui_send *, int, const char *);
/*
 * Ask the servers of n recipient addresses what they offer, without
 * sending.  Returns the job number, or -1.
 */
int		 ui_send_probe(struct ui_send *, const char **, size_t);
/* 1 while job number no runs, 0 when it ended, -1 when unknown. */
int		 ui_send_running(const struct ui_send *, int);
/*
 * The outcome of a recipient in job no: 1 and *r set (borrowed) when the
 * job has a record for it; 0 otherwise.  *state (may be NULL) gets the
 * recipient's or its server's latest line while it runs.
 */
int		 ui_send_result(const struct ui_send *, int, const char *,
		    const struct record **, const char **);
/* What is sending now, for the status line, in the buffer. */
void		 ui_send_status(const struct ui_send *, char *, size_t, int *);
/* Job no (0: the latest) into *v: 0, or -1 when there is no such job. */
int		 ui_send_view(const struct ui_send *, int,
		    struct ui_job_view *);
/*
 * The number of the job before (dir < 0) or after (dir > 0) job no (0:
 * the latest), or its own at either end.
 */
int		 ui_send_next(const struct ui_send *, int, int);

#endif
