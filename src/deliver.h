/*
 * deliver: the delivery engine.  Takes one message and its recipients
 * (each with a resolved policy), decides where each goes (relay, [route],
 * or the MX hosts of its domain), runs SMTP sessions (domains in parallel
 * in direct mode), falls back to plaintext only where policy allows, and
 * returns one record per recipient.  Progress is reported through the
 * event callback, from worker threads.
 */
#ifndef TERN_DELIVER_H
#define TERN_DELIVER_H

#include <signal.h>
#include <stddef.h>

#include "event.h"
#include "policy.h"
#include "record.h"
#include "smtp-session.h"

struct conf;
struct err;

struct deliver_rcpt {
	const char		*addr;		/* bare, checked address */
	enum policy		 policy;
	enum policy_source	 source;
};

/* What tern remembers of a server (for the downgrade rule). */
struct deliver_seen {
	int	 starttls;		/* offered STARTTLS */
	int	 tls;			/* TLS was established */
	char	*issuer;		/* certificate issuer DN, or NULL */
	char	*fingerprint;
};

/* Optional server memory; every function is called from worker threads. */
struct deliver_memory {
	/* Fill *seen (strings owned by the callee's copy) and return 1 if known. */
	int	(*lookup)(void *, const char *, int, struct deliver_seen *);
	/* Remember what this session showed. */
	void	(*update)(void *, const char *, int,
		    const struct deliver_seen *);
	/*
	 * TLS session tickets (record.h), both NULL or neither: ticket_get
	 * fills *tk with the unexpired ticket kept for host, port and key
	 * (tls_ticket_key: address and trust anchors) and returns 1, else 0;
	 * ticket_put keeps tk there (NULL: forgets it) and, with shown (the
	 * certificate's SHA-256 a full handshake showed now), forgets the
	 * server's tickets of any other certificate.
	 */
	int	(*ticket_get)(void *, const char *, int, const char *,
		    struct tls_ticket *);
	void	(*ticket_put)(void *, const char *, int, const char *,
		    const struct tls_ticket *, const char *);
	void	*ctx;
};

/*
 * Open connections kept between deliveries (tern flush: one connection per
 * server for the whole queue, RSET between messages).  Not shared between
 * threads of different runs at once; deliver_run locks it itself.
 */
struct deliver_pool;

/* A new, empty pool; free with deliver_pool_free (QUIT to every server). */
struct deliver_pool *deliver_pool_new(void);
void	deliver_pool_free(struct deliver_pool *);

/* The next message of a flush (deliver_req's next hook). */
struct deliver_next {
	const struct conf		*conf;	/* its account */
	const char			*from;
	const struct deliver_rcpt	*rcpts;
	size_t				 n;
	const char			*msg;
	size_t				 len;
};

/* Where direct mode gets MTA-STS policies (struct mtasts_policy). */
struct mtasts_policy;
struct deliver_sts {
	/* Fill *out (the callee's to clear: mtasts_policy_clear); 0 or -1. */
	int	(*lookup)(void *, const struct conf *, const char *,
		    struct mtasts_policy *);
	void	*ctx;
};

/*
 * Relay mode: what each recipient's domain promises after the relay
 * (struct next_hop, nexthop.h).  cached: 1 and *out filled from a cache
 * (a cheap read, done before the session), else 0.  lookup: learn it now
 * (DNS and HTTPS, bounded by the conf's timeout) and always fill *out;
 * run in a thread of its own while the session goes on.  *out is the
 * callee's to fill and the caller's to clear (next_hop_clear).
 */
struct deliver_hop {
	int	(*cached)(void *, const struct conf *, const char *,
		    struct next_hop *);
	void	(*lookup)(void *, const struct conf *, const char *,
		    struct next_hop *);
	void	*ctx;
};

struct deliver_req {
	const struct conf		*conf;
	const char			*from;	/* envelope sender */
	const struct deliver_rcpt	*rcpts;
	size_t				 n;
	const char			*msg;	/* RFC 5322 text */
	size_t				 len;
	event_cb			 ev;
	void				*ev_ctx;
	smtp_password_cb		 password;
	void				*password_ctx;
	const struct deliver_memory	*memory; /* may be NULL */
	int				 verbose;
	int				 probe;	/* stop before MAIL FROM */
	struct deliver_pool		*pool;	/* may be NULL */
	/*
	 * The crash rules (DESIGN.md), called from worker threads.  Indices
	 * are into rcpts.  before_dot: these recipients are about to get the
	 * final dot; 0 to send it, -1 to end without it (nothing recorded, so
	 * nothing may be delivered).  settle: the server answered the final
	 * dot for recipients idx and out[idx[k]] are their records: store them now, before
	 * anything else goes out; return 0, or -1 when it could not be
	 * stored (the record then says so).  Either may be NULL.
	 * settle gets all the recipients of one transaction at once: out
	 * is the records array, idx the n recipients' indices into it.
	 */
	int				(*before_dot)(void *, const size_t *,
					    size_t);
	int				(*settle)(void *, const size_t *,
					    size_t, struct record *);
	void				*hook_ctx;
	/*
	 * Pipelining across messages (tern flush): the next message, asked
	 * for just before this one's last final dot on a kept connection
	 * that offers PIPELINING.  Return 1 with *next filled (it must stay
	 * valid until that message's own deliver_run has returned, and that
	 * run must come next on the same pool), or 0.  Used only when both
	 * messages leave by the same relay or route of the same account.
	 * May be NULL.
	 */
	int				(*next)(void *, struct deliver_next *);
	/*
	 * Direct mode: the MTA-STS policy of a domain (RFC 8461), from the
	 * store's cache or fetched (mtasts_policy_for); may be NULL (no
	 * MTA-STS).  Called from worker threads.
	 */
	const struct deliver_sts	*sts;
	/*
	 * Relay mode: the next hop facts of each recipient's domain, looked
	 * up once per domain per run, filled into the records before they
	 * are stored; NULL: none (next_hop = no).  Not for a [route] or
	 * direct mode, where tern sees the server itself.
	 */
	const struct deliver_hop	*next_hop;
	/* Set by a signal handler when tern should stop; may be NULL. */
	const volatile sig_atomic_t	*stop;
};

/*
 * Deliver the message.  out must have room for req->n records; each is
 * filled (the caller clears them with record_clear).  Returns 0, or -1
 * with *errp when nothing could be tried at all (an unreadable ca_file):
 * then out is untouched.
 */
int	deliver_run(const struct deliver_req *, struct record *,
	    struct err **);
void	deliver_seen_clear(struct deliver_seen *);

#endif
