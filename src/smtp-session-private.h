/*
 * The inside of one SMTP session, shared by the files of the session
 * module (and included by them only): smtp-session.c (the state machine,
 * EHLO, policy, events and outcomes), smtp-conn.c (the connection: TCP,
 * the TLS upgrade, keeping and reusing), smtp-auth.c (AUTH) and
 * smtp-txn.c (the transaction: MAIL, RCPT, DATA and the body).  The
 * public contract is smtp-session.h.
 */
#ifndef SMTP_SESSION_PRIVATE_H
#define SMTP_SESSION_PRIVATE_H

#include <stddef.h>

#include <libetpan/libetpan.h>

#include "policy.h"
#include "smtp-session.h"
#include "stream.h"

struct tls_conn;

/* What the server offers: one bitmask, copied in one assignment. */
enum {
	SS_EXT_ESMTP = 1 << 0,		/* EHLO was answered */
	SS_EXT_STARTTLS = 1 << 1,
	SS_EXT_8BITMIME = 1 << 2,
	SS_EXT_REQUIRETLS = 1 << 3,	/* RFC 8689 */
	SS_EXT_SIZE = 1 << 4,
	SS_EXT_AUTH = 1 << 5,
	SS_EXT_PIPELINING = 1 << 6,	/* RFC 2920 */
	SS_EXT_SMTPUTF8 = 1 << 7	/* RFC 6531 */
};

struct ss_caps {
	unsigned int	 ext;		/* SS_EXT_* */
	size_t		 size_max;	/* SIZE's figure, 0 if none */
};

enum ss_state {
	SS_CONNECT,
	SS_GREETING,
	SS_EHLO,
	SS_HELO,
	SS_STARTTLS,
	SS_HANDSHAKE,
	SS_EHLO_TLS,
	SS_POLICY,
	SS_AUTH,
	SS_MAIL,
	SS_RCPT,
	SS_DATA,
	SS_BODY,
	SS_QUIT,
	SS_DONE,
	SS_LAST
};

struct ss {
	const struct smtp_opts	*o;
	enum ss_state		 state;
	mailsmtp		*smtp;
	int			 fd;
	const char		*from;
	const char		*msg;
	size_t			 msglen;
	struct smtp_rcpt	*r;
	size_t			 n;
	int			*final;		/* outcome decided here */
	int			*in_txn;	/* in the current transaction */
	int			*accepted;	/* RCPT got 2xx */
	struct smtp_result	*res;
	char			*plain_reason;	/* why this is not TLS */
	enum reason_kind	 plain_kind;
	struct policy_verdict	*verdict;	/* per recipient, this txn */
	size_t			*idx;		/* scratch: a txn's recipients */
	size_t			 ntxn;		/* recipients in idx */
	size_t			 rcpt_sent;	/* pipelined RCPTs written */
	size_t			 rcpt_read;	/* and their replies read */
	int			 data_sent;	/* pipelined DATA written */
	size_t			 too_many;	/* 452: for the next txn */

	/* What the server offers (forgotten when TLS starts). */
	struct ss_caps		 caps;		/* forgotten when TLS starts */

	int			 tls_active;
	struct tls_conn		*tlsc;		/* under the stream (borrowed):
						   for its ticket */
	int			 txn_requiretls;
	int			 txn_strict;	/* transaction for strict policies */
	char			*wire;		/* the DATA text for this server */
	size_t			 wirelen;
	int			 wire_8bit;
	char			*downgrade;	/* why this looks like one */
	int			 pipelined;	/* RCPT/DATA already sent */
	int			 authed;
	int			 healthy;	/* ended cleanly: may be kept */
	int			 reused;
	enum stream_state	 sstate;	/* the last read, for reasons */
	int			 wire_borrowed;	/* wire is msg itself */
	/*
	 * Pipelining across messages: presend, the commands the previous
	 * session wrote for this message with its final dot (their replies
	 * not read yet; from the kept connection); ahead, those this
	 * session wrote for the next message (kept with the connection).
	 */
	char			*presend;
	char			*ahead;
};

/* smtp-session.c: states, events, outcomes, the connection's facts. */
void	 ss_move(struct ss *, enum ss_state);
void	 ss_event_init(struct ss *, struct event *, enum event_type);
void	 ss_event(struct ss *, enum event_type, const char *, int,
	    const char *);
char	*ss_reply(struct ss *);
void	 ss_set(struct ss *, size_t, enum outcome, enum reason_kind, int,
	    const char *, const char *, ...)
	    __attribute__((format(printf, 7, 8)));
void	 ss_all(struct ss *, int, enum outcome, enum reason_kind, int,
	    const char *, const char *, ...)
	    __attribute__((format(printf, 7, 8)));
enum reason_kind ss_reply_kind(int);
void	 ss_set_plain(struct ss *, enum reason_kind, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 ss_conn_facts(struct ss *, struct policy_conn *);
size_t	 ss_judge(struct ss *);
int	 ss_pending(struct ss *, size_t);
void	 ss_forget_caps(struct ss *);
void	 ss_tls_failed(struct ss *);

/* smtp-conn.c: the connection under the session. */
int	 ss_connect(struct ss *);
void	 ss_upgrade(struct ss *);
void	 ss_abort(struct ss *);
int	 ss_reuse(struct ss *);
void	 ss_keep(struct ss *);
void	 ss_fresh(struct ss *);
void	 ss_take_ticket(struct ss *);

/* smtp-auth.c */
void	 ss_auth(struct ss *);

/* smtp-txn.c: one transaction. */
void	 ss_mail(struct ss *);
void	 ss_rcpt(struct ss *);
void	 ss_data(struct ss *);
void	 ss_body(struct ss *);
void	 ss_progress(size_t, size_t, void *);
enum outcome ss_delivered_outcome(struct ss *);

#endif
