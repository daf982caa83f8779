/*
 * smtp-session: one SMTP connection to one server address, run as an
 * explicit state machine over libetpan's SMTP client, with tern's own TLS
 * upgrade (tls.h).  The session enforces policy inside its states: a
 * recipient whose policy needs TLS is never given to a server over
 * plaintext, AUTH is never sent without TLS unless allowed, and plaintext
 * after the STARTTLS reply fails the upgrade.
 *
 * The caller fills struct smtp_rcpt inputs; smtp_session_run() sets each
 * recipient's outcome for this server.  Outcomes that depend on which TLS
 * was reached (verified/encrypted/plaintext) use the session's TLS facts.
 */
#ifndef TERN_SMTP_SESSION_H
#define TERN_SMTP_SESSION_H

#include <signal.h>
#include <stddef.h>

#include "event.h"
#include "policy.h"
#include "record.h"

struct err;
struct tls_ctx;
struct dns_tlsalist;

/*
 * An open, authenticated-as-needed connection kept after a session so the
 * next message to the same server reuses it (RSET, then MAIL).  Created
 * by smtp_session_run when opts->conn is set; closed with smtp_conn_close
 * (QUIT), which is NULL-safe.  It borrows opts->tls: keep that alive.
 */
struct smtp_conn;
void	smtp_conn_close(struct smtp_conn *);

/*
 * The SASL mechanism to use (in the order of conf.h's enum conf_auth).
 * AUTO: PLAIN, else LOGIN; never OAuth2, since a password is not a token.
 * OAUTHBEARER (RFC 7628) and XOAUTH2: the password callback gives the
 * access token, each time one is needed.
 */
enum smtp_auth {
	SMTP_AUTH_AUTO,
	SMTP_AUTH_PLAIN,
	SMTP_AUTH_LOGIN,
	SMTP_AUTH_OAUTHBEARER,
	SMTP_AUTH_XOAUTH2
};

/* Ask for the password of user; returns a new secret (secret_free) or NULL. */
struct smtp_next;

typedef char *(*smtp_password_cb)(const char *, void *, struct err **);

struct smtp_opts {
	const char		*host;		/* name: connected to and verified */
	const char		*address;	/* numeric address to connect to */
	int			 port;
	int			 implicit_tls;	/* smtps */
	int			 try_starttls;	/* 0: plaintext retry, no STARTTLS */
	const char		*plain_reason;	/* why no TLS on a retry */
	enum reason_kind	 plain_kind;	/* its kind (NONE: handshake) */
	const char		*helo;		/* NULL: [local address] */
	int			 timeout;	/* seconds per step */
	struct tls_ctx		*tls;
	const char		*user;		/* AUTH when not NULL */
	enum smtp_auth		 auth;		/* the mechanism for user */
	int			 allow_plain_auth;
	smtp_password_cb	 password;
	void			*password_ctx;
	event_cb		 ev;
	void			*ev_ctx;
	int			 verbose;	/* EVENT_INFO for each command */
	int			 probe;		/* stop before MAIL: outcomes say
						   what a send would get */
	/* What this server gave before (the downgrade rule), or NULL. */
	const struct policy_seen *seen;
	/*
	 * A TLS session to resume on a new connection (tls.h), or NULL: the
	 * ticket tern kept for this server.  The record of a resumed session
	 * carries that ticket's facts (those of its full handshake).
	 */
	const struct tls_ticket	*resume;
	/* A downgrade found before this session (the handshake failed). */
	const char		*downgrade_in;
	int			 downgrade_hold; /* hold instead of warn */
	/*
	 * Direct mode: what the recipients' domain publishes and what DNS
	 * proved about this MX host (NULL for a relay or a [route]).
	 */
	const struct smtp_domain *domain;
	/*
	 * The crash rules of DESIGN.md.  before_dot: the recipients (indices
	 * into the rcpt array) of a transaction are about to get the final
	 * dot; return 0 to send it, -1 (nothing could be recorded) to end the
	 * connection without it, so that the server discards the message.
	 * after_dot: the server answered the final dot (or the connection was
	 * lost after it) and these recipients have their outcomes: record
	 * them now, before anything else goes out.  Either may be NULL.
	 */
	int			(*before_dot)(void *, const size_t *, size_t);
	void			(*after_dot)(void *, const size_t *, size_t);
	void			*txn_ctx;
	/*
	 * Pipelining across messages (RFC 2920 3.1): asked just before the
	 * last final dot of this session on a kept connection that offers
	 * PIPELINING; returns 1 with *next filled (valid until that
	 * message's own session has run on the kept connection), or 0.  The
	 * next message's MAIL, RCPTs and DATA then go in the same write as
	 * this dot; its own session reads their replies.  May be NULL.
	 */
	int			(*next_txn)(void *, struct smtp_next *);
	/* Set (from a signal handler) when tern should stop; may be NULL. */
	const volatile sig_atomic_t *stop;
	/*
	 * Connection reuse: in, a kept connection to this same server (or
	 * NULL); out, the connection to keep when the session ended cleanly
	 * (else NULL).  NULL here: connect, then QUIT.
	 */
	struct smtp_conn	**conn;
};

/*
 * Direct mode, for one MX host of one domain: the facts policy_judge needs
 * beyond the connection's own (struct policy_conn).  Borrowed strings.
 */
struct smtp_domain {
	const char		*name;		/* the recipients' domain */
	int			 mx_secure;	/* DNSSEC-validated MX answer */
	enum policy_sts		 sts;		/* its MTA-STS mode */
	int			 sts_mx_ok;	/* this MX matches the policy */
	const char		*sts_words;	/* the policy in words, or NULL */
	/*
	 * DANE: the TLSA records of this MX (NULL: none, or not looked
	 * up because the zone is not signed); tlsa_bogus: the TLSA answer
	 * failed DNSSEC validation.
	 */
	const struct dns_tlsalist *tlsa;
	int			 tlsa_bogus;
	const char		*tlsa_words;	/* why bogus, or NULL */
};

/* The next message of a flush, for next_txn: its envelope and text. */
struct smtp_next {
	const char		*from;
	const char		*msg;
	size_t			 msglen;
	const struct smtp_rcpt	*r;		/* addr and policy only */
	size_t			 n;
};

struct smtp_rcpt {
	/* In. */
	const char		*addr;
	enum policy		 policy;
	/* Out: the outcome at this server. */
	enum outcome		 outcome;
	int			 code;		/* last SMTP code for it */
	char			*reply;		/* last reply (sanitized) */
	char			*reason;
	enum reason_kind	 kind;		/* the reason's kind */
	int			 uncertain;	/* dot sent, no reply known */
	int			 requiretls;	/* sent in a REQUIRETLS transaction */
	int			 retry;		/* 1: try the next address/host */
	int			 downgrade;	/* sent despite a downgrade */
};

/* How the session ended, for the caller's next move. */
enum smtp_end {
	SMTP_END_DONE,		/* every recipient has its outcome here */
	SMTP_END_CONNECT,	/* no usable connection: try the next address */
	SMTP_END_TLS_FAILED	/* STARTTLS upgrade failed: may retry plain */
};

struct smtp_result {
	enum smtp_end		 end;
	struct tls_facts	 tls;		/* the session's TLS, if any */
	int			 starttls_offered;
	int			 reused;	/* ran on a kept connection */
	char			*error;		/* session-level words, or NULL */
	enum reason_kind	 error_kind;
	char			*downgrade;	/* downgrade words, or NULL */
	/*
	 * On a new TLS connection: has_ticket when the server sent a
	 * ticket, to keep for the next session (ticket, a secret).
	 */
	int			 has_ticket;
	struct tls_ticket	 ticket;
};

/*
 * Run one session: deliver msg (RFC 5322 text, any line ends, len bytes)
 * from the envelope sender to the recipients, as far as their policies
 * allow over this connection.  Fills every rcpt's outputs and *res (free
 * with smtp_result_clear; rcpt outputs with smtp_rcpt_clear).
 */
void	smtp_session_run(const struct smtp_opts *, const char *, const char *,
	    size_t, struct smtp_rcpt *, size_t, struct smtp_result *);
void	smtp_rcpt_clear(struct smtp_rcpt *);
void	smtp_result_clear(struct smtp_result *);

#endif
