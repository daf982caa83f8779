/*
 * outbox: sending through the store, the one path every send takes (CLI
 * and interface).  A message is committed to the outbox before the first
 * connection; its queued recipients are claimed, delivered with their
 * policies as they are at that moment (contact, domain, default), each
 * attempt is recorded, and the fcc copy is written once the message has
 * left the outbox.
 */
#ifndef TERN_OUTBOX_H
#define TERN_OUTBOX_H

#include <signal.h>
#include <stddef.h>

#include "event.h"
#include "record.h"
#include "smtp-session.h"

struct conf;
struct err;
struct msg_built;
struct store;
struct deliver_pool;

struct outbox_ctx {
	const struct conf	*conf;
	struct store		*store;
	event_cb		 ev;		/* progress, from worker threads */
	void			*ev_ctx;
	smtp_password_cb	 password;
	void			*password_ctx;
	int			 verbose;
	struct deliver_pool	*pool;		/* keep connections (flush) */
	/* Set by a signal handler when tern should stop; may be NULL. */
	const volatile sig_atomic_t *stop;
	int			 due;		/* only recipients due a retry */
};

/*
 * Commit a message (RFC 5322 text) with its envelope to the outbox.
 * *id gets its id.  0, or -1 with *errp (ERR_STORE: nothing was queued).
 */
int	outbox_add(const struct outbox_ctx *, const char *, const char *,
	    const char **, size_t, const char *, size_t, long long *,
	    struct err **);
/*
 * outbox_add of a message as msg_build_parts or msg_prepare_parts made
 * it: the text goes into the store in pieces (store_outbox_fill), never
 * whole in memory beside the body it was made from.
 */
int	outbox_add_built(const struct outbox_ctx *, const char *,
	    const char *, const char **, size_t, const struct msg_built *,
	    long long *, struct err **);
/*
 * The one way a composed message enters the outbox (the CLI's send and
 * the interface's composer): build it from the draft d (msg_build; its
 * from is o->conf's when d->from is NULL), queue its To, Cc and Bcc
 * recipients once each, under o->conf's account, and when draft is not
 * 0 remove that draft once the message is safe.  *id gets the message's
 * id.  0, or -1 with *errp: ERR_INPUT when the message cannot be built
 * (nothing was queued), ERR_STORE when the store failed (nothing was
 * queued; the draft is kept).
 */
struct msg_draft;
int	outbox_submit(const struct outbox_ctx *, const struct msg_draft *,
	    long long, long long *, struct err **);
/*
 * Send the queued recipients of message id.  *out gets a new array of
 * *n records (free with record_free_array), one per recipient tried; none
 * when nothing was queued.  Returns 0, or -1 with *errp when the attempt
 * could not start (the claims are then given back).  A recipient whose
 * record could not be saved makes it return -1 after the others.
 */
int	outbox_send(const struct outbox_ctx *, long long, struct record **,
	    size_t *, struct err **);
/*
 * Send every queued message, oldest first (with o->due, only recipients
 * whose retry is due), keeping one connection per server for the whole
 * queue (o->pool, or a pool of its own).  fn is called after each message
 * tried with its records (borrowed for the call) and its error (NULL, or
 * borrowed).  Stops between messages once *o->stop is set.  0, or -1
 * with *errp when the queue cannot be read.
 */
typedef void (*outbox_flush_cb)(long long, const struct record *, size_t,
	    const struct err *, void *);
int	outbox_flush(const struct outbox_ctx *, outbox_flush_cb, void *,
	    struct err **);
/*
 * Ask the servers of n recipients what TLS they offer, without sending:
 * each gets the outcome a send would have now (with its policy as it is
 * now).  *out gets a new array of n records (record_free_array).  0, or
 * -1 with *errp when nothing could be tried.  o->store may be NULL.
 */
int	outbox_probe(const struct outbox_ctx *, const char **, size_t,
	    struct record **, struct err **);
/*
 * The policy a recipient has now, and where it comes from (contact,
 * domain, default).
 */
enum policy outbox_policy(const struct outbox_ctx *, const char *,
	    enum policy_source *);
/*
 * The password callback both front ends pass as outbox_ctx.password, with
 * the account's conf (const struct conf *) as password_ctx: runs its
 * passcmd, bounded by its timeout, and returns the first line of its
 * output (free with secret_free).  No passcmd: NULL with *errp
 * (ERR_CONFIG) naming the config file to fix; a failing passcmd: NULL
 * with secret_from_command's error.  The user name is not used.
 * outbox_password passes the command's stderr on (the command line);
 * outbox_password_quiet does not (a screen owns the terminal).
 */
char	*outbox_password(const char *, void *, struct err **);
char	*outbox_password_quiet(const char *, void *, struct err **);

#endif
