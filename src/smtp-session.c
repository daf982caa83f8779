/* One SMTP session as an explicit state machine over libetpan. */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "err.h"
#include "etpan.h"
#include "msg.h"
#include "secret.h"
#include "smtp-session.h"
#include "stream.h"
#include "text.h"
#include "tls.h"
#include "xmalloc.h"


#define SS_BUFSIZE	8192

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
#define SS_WINDOW	64		/* pipelined commands unanswered */
#define SS_PROGRESS_STEP (64 * 1024)	/* bytes between progress events */

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

static const char *ss_state_names[SS_LAST] = {
	"connect", "greeting", "ehlo", "helo", "starttls", "handshake",
	"ehlo-tls", "policy", "auth", "mail", "rcpt", "data", "body", "quit",
	"done"
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
};

/* What outlives a session when the connection is kept. */
struct smtp_conn {
	mailsmtp		*smtp;
	int			 fd;
	int			 tls_active;
	int			 authed;
	struct tls_facts	 tls;
	int			 starttls_offered;
	struct ss_caps		 caps;
	char			*plain_reason;
	enum reason_kind	 plain_kind;
	char			*downgrade;
	enum stream_state	 sstate;
};

static void	 ss_move(struct ss *, enum ss_state);
static void	 ss_step(struct ss *);
static void	 ss_event_init(struct ss *, struct event *, enum event_type);
static void	 ss_event(struct ss *, enum event_type, const char *, int,
		    const char *);
static char	*ss_reply(struct ss *);
static void	 ss_set(struct ss *, size_t, enum outcome, enum reason_kind,
		    int, const char *, const char *, ...)
		    __attribute__((format(printf, 7, 8)));
static void	 ss_all(struct ss *, int, enum outcome, enum reason_kind, int,
		    const char *, const char *, ...)
		    __attribute__((format(printf, 7, 8)));
static enum reason_kind ss_reply_kind(int);
static void	 ss_conn_facts(struct ss *, struct policy_conn *);
static size_t	 ss_judge(struct ss *);
static void	 ss_set_plain(struct ss *, enum reason_kind, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	 ss_send_body(struct ss *);
static void	 ss_rcpt_fill(struct ss *, struct buf *);
static int	 ss_needs_utf8(struct ss *);
static void	 ss_all_txn(struct ss *, enum outcome, enum reason_kind,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
static int	 ss_stop_requested(struct ss *);
static void	 ss_tls_failed(struct ss *);
static void	 ss_abort(struct ss *);
static int	 ss_connect(struct ss *);
static int	 ss_ehlo(struct ss *, int);
static void	 ss_parse_caps(struct ss *);
static void	 ss_forget_caps(struct ss *);
static void	 ss_upgrade(struct ss *);
static void	 ss_policy(struct ss *);
static void	 ss_auth(struct ss *);
static void	 ss_mail(struct ss *);
static void	 ss_rcpt(struct ss *);
static void	 ss_data(struct ss *);
static void	 ss_body(struct ss *);
static int	 ss_prepare_wire(struct ss *);
static void	 ss_progress(size_t, size_t, void *);
static enum outcome ss_delivered_outcome(struct ss *);
static int	 ss_pending(struct ss *, size_t);
static int	 ss_reuse(struct ss *);
static int	 ss_drain(struct ss *);
static void	 ss_keep(struct ss *);

/* Run one session to its end. */
void
smtp_session_run(const struct smtp_opts *o, const char *from, const char *msg,
    size_t msglen, struct smtp_rcpt *r, size_t n, struct smtp_result *res)
{
	struct ss	s;
	size_t		i;

	memset(&s, 0, sizeof s);
	memset(res, 0, sizeof *res);
	s.o = o;
	s.fd = -1;
	s.from = from;
	s.msg = msg;
	s.msglen = msglen;
	s.r = r;
	s.n = n;
	s.res = res;
	s.final = xcalloc(n, sizeof *s.final);
	s.in_txn = xcalloc(n, sizeof *s.in_txn);
	s.accepted = xcalloc(n, sizeof *s.accepted);
	s.verdict = xcalloc(n, sizeof *s.verdict);
	s.idx = xcalloc(n > 0 ? n : 1, sizeof *s.idx);
	for (i = 0; i < n; i++) {
		r[i].outcome = OUTCOME_DEFERRED;
		r[i].code = 0;
		r[i].reply = NULL;
		r[i].reason = NULL;
		r[i].kind = REASON_NONE;
		r[i].uncertain = 0;
		r[i].requiretls = 0;
		r[i].retry = 0;
		r[i].downgrade = 0;
	}
	res->end = SMTP_END_DONE;
	if (!o->try_starttls && o->plain_reason != NULL) {
		s.plain_reason = xstrdup(o->plain_reason);
		s.plain_kind = o->plain_kind != REASON_NONE ? o->plain_kind :
		    REASON_HANDSHAKE_FAILED;
	}
	if (o->downgrade_in != NULL)
		s.downgrade = xstrdup(o->downgrade_in);
	s.state = SS_CONNECT;
	while (s.state != SS_DONE)
		ss_step(&s);
	ss_abort(&s);
	free(s.final);
	free(s.in_txn);
	free(s.accepted);
	free(s.verdict);
	free(s.idx);
	free(s.plain_reason);
	free(s.downgrade);
	if (!s.wire_borrowed)
		free(s.wire);
}

/* Take over a kept connection: RSET, and on 250 go on with it. */
static int
ss_reuse(struct ss *s)
{
	struct smtp_conn	*k;

	if (s->o->conn == NULL || (k = *s->o->conn) == NULL)
		return -1;
	*s->o->conn = NULL;
	s->smtp = k->smtp;
	s->fd = k->fd;
	s->tls_active = k->tls_active;
	s->authed = k->authed;
	s->res->tls = k->tls;
	s->res->starttls_offered = k->starttls_offered;
	s->caps = k->caps;
	free(s->plain_reason);
	free(s->downgrade);
	s->plain_reason = k->plain_reason;
	s->plain_kind = k->plain_kind;
	s->downgrade = k->downgrade;
	free(k);
	stream_guard_set_state(mailstream_get_low(etpan_smtp_stream(s->smtp)),
	    &s->sstate);
	/*
	 * A kept connection ended its last transaction cleanly, so the next
	 * MAIL needs no RSET: only check that the server has not closed it
	 * (or said 421) meanwhile, which would make it readable.
	 */
	{
		struct pollfd	pfd = { s->fd, POLLIN, 0 };

		if (etpan_stream_pending(etpan_smtp_stream(s->smtp)) == 0 &&
		    poll(&pfd, 1, 0) == 0) {
			s->reused = 1;
			s->res->reused = 1;
			ss_event(s, EVENT_INFO, NULL, 0, "reusing the "
			    "connection");
			return 0;
		}
	}
	/* The server closed it meanwhile: start afresh. */
	ss_abort(s);
	tls_facts_clear(&s->res->tls);
	s->res->starttls_offered = 0;
	s->tls_active = s->authed = 0;
	free(s->plain_reason);
	free(s->downgrade);
	s->plain_reason = s->downgrade = NULL;
	s->plain_kind = REASON_NONE;
	ss_forget_caps(s);
	if (!s->o->try_starttls && s->o->plain_reason != NULL) {
		s->plain_reason = xstrdup(s->o->plain_reason);
		s->plain_kind = s->o->plain_kind != REASON_NONE ?
		    s->o->plain_kind : REASON_HANDSHAKE_FAILED;
	}
	if (s->o->downgrade_in != NULL)
		s->downgrade = xstrdup(s->o->downgrade_in);
	return -1;
}

/* Hand the open connection to the caller instead of QUIT. */
static void
ss_keep(struct ss *s)
{
	struct smtp_conn	*k;

	k = xcalloc(1, sizeof *k);
	k->smtp = s->smtp;
	k->fd = s->fd;
	k->tls_active = s->tls_active;
	k->authed = s->authed;
	tls_facts_copy(&k->tls, &s->res->tls);
	k->starttls_offered = s->res->starttls_offered;
	k->caps = s->caps;
	k->plain_reason = xstrdup(s->plain_reason);
	k->plain_kind = s->plain_kind;
	k->downgrade = xstrdup(s->downgrade);
	stream_guard_set_state(mailstream_get_low(etpan_smtp_stream(k->smtp)),
	    &k->sstate);
	s->smtp = NULL;
	s->fd = -1;
	*s->o->conn = k;
}

/* QUIT and free a kept connection. */
void
smtp_conn_close(struct smtp_conn *k)
{
	if (k == NULL)
		return;
	if (k->smtp != NULL) {
		if (etpan_smtp_stream(k->smtp) != NULL)
			mailsmtp_quit(k->smtp);
		mailsmtp_free(k->smtp);
	}
	tls_facts_clear(&k->tls);
	free(k->plain_reason);
	free(k->downgrade);
	free(k);
}

/* Free the outputs of a recipient. */
void
smtp_rcpt_clear(struct smtp_rcpt *r)
{
	free(r->reply);
	free(r->reason);
	r->reply = r->reason = NULL;
}

/* Free a session result. */
void
smtp_result_clear(struct smtp_result *res)
{
	tls_facts_clear(&res->tls);
	free(res->error);
	free(res->downgrade);
	res->error = res->downgrade = NULL;
}

/* The only way to change state. */
static void
ss_move(struct ss *s, enum ss_state to)
{
	if (s->o->verbose) {
		char	*t;

		t = xasprintf("state %s -> %s", ss_state_names[s->state],
		    ss_state_names[to]);
		ss_event(s, EVENT_INFO, NULL, 0, t);
		free(t);
	}
	s->state = to;
}

/* Handle the current state. */
static void
ss_step(struct ss *s)
{
	size_t	i;
	int	r;

	switch (s->state) {
	case SS_CONNECT:
		if (ss_reuse(s) == 0)
			ss_move(s, SS_POLICY);
		else if (ss_connect(s) == 0)
			ss_move(s, SS_GREETING);
		else
			ss_move(s, SS_DONE);
		break;
	case SS_GREETING:
		r = mailsmtp_connect(s->smtp, etpan_smtp_stream(s->smtp));
		if (r != MAILSMTP_NO_ERROR) {
			char	*rep = ss_reply(s);

			/* libetpan has closed the stream. */
			s->fd = -1;
			s->res->end = SMTP_END_CONNECT;
			ss_all(s, 1, OUTCOME_DEFERRED,
			    etpan_smtp_code(s->smtp) != 0 ? REASON_TEMP_REPLY :
			    REASON_CONNECTION, etpan_smtp_code(s->smtp),
			    rep, "%s did not greet: %s", s->o->host,
			    etpan_smtp_code(s->smtp) != 0 ? "refused service" :
			    "no banner before the timeout or the connection "
			    "closed");
			free(rep);
			ss_move(s, SS_DONE);
			break;
		}
		ss_event(s, EVENT_GREETING, NULL, etpan_smtp_code(s->smtp),
		    etpan_smtp_text(s->smtp));
		ss_move(s, SS_EHLO);
		break;
	case SS_EHLO:
	case SS_EHLO_TLS:
		r = ss_ehlo(s, 1);
		if (r == 1 && s->state == SS_EHLO) {
			ss_move(s, SS_HELO);
			break;
		}
		if (r != 0) {
			char	*rep = ss_reply(s);

			s->res->end = SMTP_END_CONNECT;
			ss_all(s, 1, OUTCOME_DEFERRED,
			    ss_reply_kind(etpan_smtp_code(s->smtp)),
			    etpan_smtp_code(s->smtp), rep, "EHLO failed at %s",
			    s->o->host);
			free(rep);
			ss_move(s, SS_QUIT);
			break;
		}
		if (s->state == SS_EHLO_TLS || s->tls_active)
			ss_move(s, SS_POLICY);
		else if ((s->caps.ext & SS_EXT_STARTTLS) &&
		    s->o->try_starttls)
			ss_move(s, SS_STARTTLS);
		else {
			char	*dg = NULL;

			if (s->plain_reason == NULL)
				ss_set_plain(s, REASON_NO_STARTTLS, "%s did "
				    "not offer STARTTLS", s->o->host);
			if (s->downgrade == NULL && s->o->try_starttls &&
			    policy_downgrade(s->o->seen, s->o->host, 0, 0,
			    NULL, &dg))
				s->downgrade = dg;
			ss_move(s, SS_POLICY);
		}
		break;
	case SS_HELO:
		if (ss_ehlo(s, 0) != 0) {
			char	*rep = ss_reply(s);

			s->res->end = SMTP_END_CONNECT;
			ss_all(s, 1, OUTCOME_DEFERRED,
			    ss_reply_kind(etpan_smtp_code(s->smtp)),
			    etpan_smtp_code(s->smtp), rep, "HELO failed at %s",
			    s->o->host);
			free(rep);
			ss_move(s, SS_QUIT);
			break;
		}
		if (s->plain_reason == NULL)
			ss_set_plain(s, REASON_NO_STARTTLS, "%s speaks no "
			    "ESMTP, so no STARTTLS", s->o->host);
		if (s->downgrade == NULL && s->o->try_starttls) {
			char	*dg = NULL;

			if (policy_downgrade(s->o->seen, s->o->host, 0, 0,
			    NULL, &dg))
				s->downgrade = dg;
		}
		ss_move(s, SS_POLICY);
		break;
	case SS_STARTTLS:
		s->res->starttls_offered = 1;
		ss_event(s, EVENT_STARTTLS, NULL, 0, "STARTTLS");
		r = mailesmtp_starttls(s->smtp);
		if (r == MAILSMTP_NO_ERROR) {
			struct pollfd	pfd = { s->fd, POLLIN, 0 };
			char		c;
			ssize_t		got;

			ss_event(s, EVENT_STARTTLS, NULL,
			    etpan_smtp_code(s->smtp), etpan_smtp_text(s->smtp));
			/*
			 * Bytes before our ClientHello are an injection; a
			 * readable socket with nothing to read is a close.
			 */
			if (poll(&pfd, 1, 0) != 1) {
				ss_move(s, SS_HANDSHAKE);
				break;
			}
			do {
				got = recv(s->fd, &c, 1, MSG_PEEK |
				    MSG_DONTWAIT);
			} while (got == -1 && errno == EINTR);
			r = got > 0 ? MAILSMTP_ERROR_SSL :
			    MAILSMTP_ERROR_STREAM;
		}
		if (r == MAILSMTP_ERROR_SSL) {
			ss_set_plain(s, REASON_INJECTION, "STARTTLS failed at "
			    "%s: the server sent plaintext after its 220 "
			    "reply (response injection)", s->o->host);
			ss_tls_failed(s);
			break;
		}
		if (r == MAILSMTP_ERROR_STREAM) {
			if (etpan_smtp_code(s->smtp) == 220)
				ss_set_plain(s, REASON_HANDSHAKE_FAILED,
				    "STARTTLS failed at %s: the server answered "
				    "220 to STARTTLS, then closed the "
				    "connection", s->o->host);
			else
				ss_set_plain(s, REASON_HANDSHAKE_FAILED,
				    "STARTTLS failed at %s: the connection "
				    "closed", s->o->host);
			ss_tls_failed(s);
			break;
		}
		/* 454 or another refusal: the connection goes on in clear. */
		ss_set_plain(s, REASON_STARTTLS_REFUSED, "STARTTLS refused by "
		    "%s: %d %s", s->o->host, etpan_smtp_code(s->smtp),
		    etpan_smtp_text(s->smtp) != NULL ? etpan_smtp_text(s->smtp) : "");
		for (i = 0; s->plain_reason[i] != '\0'; i++)
			if (s->plain_reason[i] == '\n')
				s->plain_reason[i] = ' ';
		ss_move(s, SS_POLICY);
		break;
	case SS_HANDSHAKE:
		ss_upgrade(s);
		break;
	case SS_POLICY:
		ss_policy(s);
		break;
	case SS_AUTH:
		ss_auth(s);
		break;
	case SS_MAIL:
		ss_mail(s);
		break;
	case SS_RCPT:
		ss_rcpt(s);
		break;
	case SS_DATA:
		ss_data(s);
		break;
	case SS_BODY:
		ss_body(s);
		break;
	case SS_QUIT:
		if (s->healthy && s->o->conn != NULL && !s->o->probe &&
		    s->smtp != NULL && etpan_smtp_stream(s->smtp) != NULL)
			ss_keep(s);
		else if (s->smtp != NULL && etpan_smtp_stream(s->smtp) != NULL) {
			mailsmtp_quit(s->smtp);
			s->fd = -1;
		}
		ss_move(s, SS_DONE);
		break;
	case SS_DONE:
	case SS_LAST:
		break;
	}
}

/* An event of this session's server, nothing else set. */
static void
ss_event_init(struct ss *s, struct event *e, enum event_type type)
{
	memset(e, 0, sizeof *e);
	e->type = type;
	e->server = s->o->host;
	e->address = s->o->address;
	e->port = s->o->port;
}

/* Report an event. */
static void
ss_event(struct ss *s, enum event_type type, const char *rcpt, int code,
    const char *text)
{
	struct event	 e;
	char		*clean = NULL;

	if (s->o->ev == NULL)
		return;
	ss_event_init(s, &e, type);
	e.recipient = rcpt;
	e.code = code;
	if (text != NULL) {
		size_t	 i;

		clean = text_sanitize(text);
		for (i = 0; clean[i] != '\0'; i++)
			if (clean[i] == '\n')
				clean[i] = ' ';
		while (i > 0 && clean[i - 1] == ' ')
			clean[--i] = '\0';
	}
	e.text = clean;
	if (type == EVENT_TLS)
		e.tls = &s->res->tls;
	s->o->ev(&e, s->o->ev_ctx);
	free(clean);
}

/* The last reply as "CODE text", sanitized, one line; caller frees. */
static char *
ss_reply(struct ss *s)
{
	char	*t, *r;
	size_t	 i, len;

	if (s->smtp == NULL || etpan_smtp_code(s->smtp) == 0)
		return NULL;
	t = text_sanitize(etpan_smtp_text(s->smtp) != NULL ? etpan_smtp_text(s->smtp) : "");
	len = strlen(t);
	while (len > 0 && t[len - 1] == '\n')
		t[--len] = '\0';
	for (i = 0; i < len; i++)
		if (t[i] == '\n')
			t[i] = ' ';
	r = xasprintf("%d %s", etpan_smtp_code(s->smtp), t);
	free(t);
	return r;
}

/* Set the outcome of recipient i at this server. */
static void
ss_set(struct ss *s, size_t i, enum outcome o, enum reason_kind kind, int code,
    const char *reply, const char *fmt, ...)
{
	struct smtp_rcpt	*r = &s->r[i];
	va_list			 ap;

	r->outcome = o;
	r->code = code;
	if (kind == REASON_CONNECTION && s->sstate == STREAM_FAILED)
		kind = REASON_TIMEOUT;
	r->kind = kind;
	free(r->reply);
	r->reply = reply != NULL ? text_sanitize(reply) : NULL;
	free(r->reason);
	r->reason = NULL;
	if (fmt != NULL) {
		va_start(ap, fmt);
		r->reason = xvasprintf(fmt, ap);
		va_end(ap);
		if (s->sstate != STREAM_OK) {
			char	*t = xasprintf("%s (%s)", r->reason,
			    s->sstate == STREAM_TOO_LONG ? "its reply passed "
			    "64 KiB, so tern stopped reading" : s->sstate ==
			    STREAM_CLOSED ? "the server closed the connection" :
			    "no answer in time, or a network error");

			free(r->reason);
			r->reason = text_sanitize(t);
			free(t);
		} else {
			char	*t = text_sanitize(r->reason);

			free(r->reason);
			r->reason = t;
		}
	}
	s->final[i] = 1;
}

/* Set the outcome of every recipient still pending. */
static void
ss_all(struct ss *s, int retry, enum outcome o, enum reason_kind kind,
    int code, const char *reply, const char *fmt, ...)
{
	va_list	 ap;
	char	*reason;
	size_t	 i;

	va_start(ap, fmt);
	reason = xvasprintf(fmt, ap);
	va_end(ap);
	for (i = 0; i < s->n; i++) {
		if (!ss_pending(s, i))
			continue;
		ss_set(s, i, o, kind, code, reply, "%s", reason);
		s->r[i].retry = retry;
	}
	free(reason);
}

/* The kind of a refusal by its code. */
static enum reason_kind
ss_reply_kind(int code)
{
	if (code == 0)
		return REASON_CONNECTION;
	return code / 100 == 5 ? REASON_PERM_REPLY : REASON_TEMP_REPLY;
}

/* Say why this connection is without TLS. */
static void
ss_set_plain(struct ss *s, enum reason_kind kind, const char *fmt, ...)
{
	va_list	ap;

	free(s->plain_reason);
	va_start(ap, fmt);
	s->plain_reason = xvasprintf(fmt, ap);
	va_end(ap);
	s->plain_kind = kind;
}

/* The connection as policy sees it now (borrowed words). */
static void
ss_conn_facts(struct ss *s, struct policy_conn *c)
{
	const struct tls_facts	*t = &s->res->tls;

	memset(c, 0, sizeof *c);
	c->tls = s->tls_active;
	c->old_version = s->tls_active && t->old_version;
	c->verified = s->tls_active && t->verified;
	c->cert = t->cert;
	c->plain = s->plain_kind != REASON_NONE ? s->plain_kind :
	    REASON_NO_STARTTLS;
	c->downgrade = s->downgrade != NULL;
	c->downgrade_hold = s->o->downgrade_hold;
	c->host = s->o->host;
	c->version = t->version;
	c->verify = t->verify;
	c->plain_words = s->plain_reason;
	c->downgrade_words = s->downgrade;
}

/*
 * Judge every pending recipient over the connection as it is now (fresh
 * or kept alike): hold those policy does not let through, keep the verdict
 * of the others for their record.  Returns how many may go.
 */
static size_t
ss_judge(struct ss *s)
{
	struct policy_conn	c;
	char			*words;
	size_t			i, left = 0;

	ss_conn_facts(s, &c);
	for (i = 0; i < s->n; i++) {
		if (!ss_pending(s, i))
			continue;
		s->verdict[i] = policy_judge(s->r[i].policy, &c);
		if (c.downgrade)
			s->r[i].downgrade = 1;
		if (s->verdict[i].action == POLICY_SEND) {
			left++;
			continue;
		}
		words = policy_words(s->r[i].policy, &c, &s->verdict[i]);
		ss_set(s, i, OUTCOME_HELD, s->verdict[i].kind, 0, NULL, "%s",
		    words);
		free(words);
		/* Another address of this host may do better. */
		s->r[i].retry = s->verdict[i].kind != REASON_DOWNGRADE;
	}
	return left;
}

/* Is recipient i still without an outcome here? */
static int
ss_pending(struct ss *s, size_t i)
{
	return !s->final[i];
}

/* Close the connection without ceremony. */
static void
ss_abort(struct ss *s)
{
	if (s->smtp != NULL) {
		if (etpan_smtp_stream(s->smtp) != NULL) {
			mailstream_close(etpan_smtp_stream(s->smtp));
			etpan_smtp_set_stream(s->smtp, NULL);
			s->fd = -1;
		}
		mailsmtp_free(s->smtp);
		s->smtp = NULL;
	}
	if (s->fd != -1) {
		close(s->fd);
		s->fd = -1;
	}
}

/* TCP connect with a timeout, then set up libetpan (and implicit TLS). */
static int
ss_connect(struct ss *s)
{
	struct addrinfo	 hints, *ai = NULL;
	struct pollfd	 pfd;
	mailstream	*stream = NULL;
	mailstream_low	*low, *guard = NULL;
	struct tls_conn	*conn;
	struct err	*e = NULL;
	char		 port[16];
	socklen_t	 sl;
	int		 fd = -1, r, soerr = 0, one = 1, flags;

	ss_event(s, EVENT_CONNECTING, NULL, 0, NULL);
	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof port, "%d", s->o->port);
	if ((r = getaddrinfo(s->o->address, port, &hints, &ai)) != 0) {
		s->res->end = SMTP_END_CONNECT;
		ss_all(s, 1, OUTCOME_DEFERRED, REASON_CONNECTION, 0, NULL,
		    "bad address %s: %s",
		    s->o->address, gai_strerror(r));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto fail_errno;
	flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EINPROGRESS)
			goto fail_errno;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		do {
			r = poll(&pfd, 1, s->o->timeout * 1000);
		} while (r == -1 && errno == EINTR);
		if (r == 0) {
			errno = ETIMEDOUT;
			goto fail_errno;
		}
		sl = sizeof soerr;
		if (r == -1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
		    &sl) == -1)
			goto fail_errno;
		if (soerr != 0) {
			errno = soerr;
			goto fail_errno;
		}
	}
	fcntl(fd, F_SETFL, flags);
	/* Commands are small writes: do not let Nagle hold them back. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	freeaddrinfo(ai);
	ai = NULL;
	s->fd = fd;
	ss_event(s, EVENT_CONNECTED, NULL, 0, NULL);

	if (s->o->implicit_tls) {
		conn = tls_handshake(s->o->tls, fd, s->o->host,
		    0, s->o->timeout, &s->res->tls, NULL, &e);
		if (conn == NULL) {
			s->res->end = SMTP_END_CONNECT;
			ss_all(s, 1, OUTCOME_DEFERRED, e->cls ==
			    ERR_CONNECTION ? REASON_TIMEOUT :
			    REASON_HANDSHAKE_FAILED, 0, NULL, "%s (implicit "
			    "TLS at %s)", e->msg, s->o->host);
			err_free(e);
			return -1;
		}
		s->tls_active = 1;
		ss_event(s, EVENT_TLS, NULL, 0, NULL);
		if ((low = tls_low_new(conn)) == NULL)
			goto fail_mem;
		if ((guard = stream_guard_new(low, STREAM_REPLY_MAX,
		    &s->sstate)) == NULL || (stream = mailstream_new(guard, SS_BUFSIZE)) ==
		    NULL) {
			mailstream_low_free(guard != NULL ? guard : low);
			goto fail_mem;
		}
	} else {
		stream = mailstream_socket_open_timeout(fd, s->o->timeout);
		if (stream == NULL)
			goto fail_mem;
		low = mailstream_get_low(stream);
		if ((guard = stream_guard_new(low, STREAM_REPLY_MAX,
		    &s->sstate)) == NULL) {
			mailstream_close(stream);
			s->fd = -1;
			goto fail_mem;
		}
		mailstream_set_low(stream, guard);
	}
	if ((s->smtp = mailsmtp_new(0, NULL)) == NULL) {
		mailstream_close(stream);
		s->fd = -1;
		goto fail_mem;
	}
	mailsmtp_set_timeout(s->smtp, s->o->timeout);
	mailsmtp_set_progress_callback(s->smtp, ss_progress, s);
	etpan_smtp_set_stream(s->smtp, stream);
	return 0;

fail_errno:
	{
		int	saved = errno;

		if (ai != NULL)
			freeaddrinfo(ai);
		if (fd != -1)
			close(fd);
		s->res->end = SMTP_END_CONNECT;
		ss_all(s, 1, OUTCOME_DEFERRED, saved == ETIMEDOUT ?
		    REASON_TIMEOUT : REASON_CONNECTION, 0, NULL, "cannot "
		    "connect to "
		    "%s [%s]:%d: %s", s->o->host, s->o->address, s->o->port,
		    strerror(saved));
		return -1;
	}
fail_mem:
	s->res->end = SMTP_END_CONNECT;
	ss_all(s, 1, OUTCOME_DEFERRED, REASON_CONNECTION, 0, NULL, "cannot "
	    "set up the SMTP "
	    "stream");
	if (s->fd != -1 && !s->tls_active)
		close(s->fd);
	s->fd = -1;
	return -1;
}

/*
 * EHLO (ehlo 1) or HELO (ehlo 0) with our name: 0 on 250, 1 when EHLO
 * is not understood (5xx), -1 otherwise.
 */
static int
ss_ehlo(struct ss *s, int ehlo)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof ss;
	char			 host[NI_MAXHOST], cmd[NI_MAXHOST + 600];
	const char		*name = s->o->helo;
	int			 code;

	if (name == NULL) {
		/* The address literal of our end, not the host name. */
		if (getsockname(s->fd, (struct sockaddr *)&ss, &sl) == -1 ||
		    getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host,
		    NULL, 0, NI_NUMERICHOST) != 0)
			snprintf(cmd, sizeof cmd, "%s localhost\r\n",
			    ehlo ? "EHLO" : "HELO");
		else if (ss.ss_family == AF_INET6) {
			char	*pct = strchr(host, '%');

			if (pct != NULL)
				*pct = '\0';
			snprintf(cmd, sizeof cmd, "%s [IPv6:%s]\r\n",
			    ehlo ? "EHLO" : "HELO", host);
		} else
			snprintf(cmd, sizeof cmd, "%s [%s]\r\n",
			    ehlo ? "EHLO" : "HELO", host);
	} else
		snprintf(cmd, sizeof cmd, "%s %s\r\n", ehlo ? "EHLO" : "HELO",
		    name);
	if (etpan_smtp_send(s->smtp, cmd) == -1)
		return -1;
	code = etpan_smtp_read(s->smtp);
	if (code == 250) {
		if (ehlo) {
			etpan_smtp_parse_ehlo(s->smtp);
			ss_parse_caps(s);
		} else {
			ss_forget_caps(s);
			etpan_smtp_forget_ehlo(s->smtp);
		}
		ss_event(s, EVENT_EHLO, NULL, code, etpan_smtp_text(s->smtp));
		return 0;
	}
	if (ehlo && code >= 500 && code < 600)
		return 1;
	return -1;
}

/* Read the extensions we care about from the EHLO reply. */
static void
ss_parse_caps(struct ss *s)
{
	const char	*p, *line;
	size_t		 len;

	ss_forget_caps(s);
	s->caps.ext |= SS_EXT_ESMTP;
	for (line = etpan_smtp_text(s->smtp); line != NULL && *line != '\0';
	    line = p != NULL ? p + 1 : NULL) {
		p = strchr(line, '\n');
		len = p != NULL ? (size_t)(p - line) : strlen(line);
#define CAP(word) (len >= sizeof(word) - 1 &&				\
	    strncasecmp(line, word, sizeof(word) - 1) == 0 &&		\
	    (len == sizeof(word) - 1 || line[sizeof(word) - 1] == ' '))
		if (CAP("STARTTLS"))
			s->caps.ext |= SS_EXT_STARTTLS;
		else if (CAP("8BITMIME"))
			s->caps.ext |= SS_EXT_8BITMIME;
		else if (CAP("REQUIRETLS"))
			s->caps.ext |= SS_EXT_REQUIRETLS;
		else if (CAP("SIZE")) {
			s->caps.ext |= SS_EXT_SIZE;
			if (len > 5)
				s->caps.size_max = strtoul(line + 5, NULL,
				    10);
		} else if (CAP("AUTH"))
			s->caps.ext |= SS_EXT_AUTH;
		else if (CAP("PIPELINING"))
			s->caps.ext |= SS_EXT_PIPELINING;
		else if (CAP("SMTPUTF8"))
			s->caps.ext |= SS_EXT_SMTPUTF8;
#undef CAP
	}
}

/* Forget every capability (RFC 3207 4.2: nothing from before TLS). */
static void
ss_forget_caps(struct ss *s)
{
	memset(&s->caps, 0, sizeof s->caps);
}

/* The GnuTLS handshake on the socket, then the stream swap. */
static void
ss_upgrade(struct ss *s)
{
	mailstream_low	*old, *low, *guard = NULL;
	struct tls_conn	*conn;
	struct err	*e = NULL;
	char		*dg = NULL;
	int		 injected = 0;

	/*
	 * Every version "may" accepts is offered; each recipient's policy is
	 * then judged on what the handshake gave (a TLS 1.0 server gets the
	 * "may" recipients over TLS 1.0, and holds the strict ones).
	 */
	conn = tls_handshake(s->o->tls, s->fd, s->o->host, 0,
	    s->o->timeout, &s->res->tls, &injected, &e);
	if (conn == NULL) {
		if (injected)
			ss_set_plain(s, REASON_INJECTION, "STARTTLS failed at "
			    "%s: the server sent plaintext after its 220 reply "
			    "(response injection)", s->o->host);
		else
			ss_set_plain(s, REASON_HANDSHAKE_FAILED, "STARTTLS "
			    "failed at %s: %s", s->o->host, e->msg);
		err_free(e);
		ss_tls_failed(s);
		return;
	}
	old = mailstream_get_low(etpan_smtp_stream(s->smtp));
	if ((low = tls_low_new(conn)) == NULL ||
	    (guard = stream_guard_new(low, STREAM_REPLY_MAX,
	    &s->sstate)) == NULL) {
		if (low != NULL)
			mailstream_low_free(low);
		s->res->end = SMTP_END_CONNECT;
		ss_all(s, 1, OUTCOME_DEFERRED, REASON_CONNECTION, 0, NULL,
		    "cannot set up TLS");
		ss_move(s, SS_DONE);
		return;
	}
	low = guard;
	/* The socket driver's free does not close the socket. */
	mailstream_low_free(old);
	mailstream_set_low(etpan_smtp_stream(s->smtp), low);
	s->tls_active = 1;
	ss_event(s, EVENT_TLS, NULL, 0, NULL);
	if (s->downgrade == NULL && policy_downgrade(s->o->seen, s->o->host, 1,
	    0, s->res->tls.cert_issuer, &dg))
		s->downgrade = dg;
	ss_forget_caps(s);
	etpan_smtp_forget_ehlo(s->smtp);
	free(s->plain_reason);
	s->plain_reason = NULL;
	s->plain_kind = REASON_NONE;
	ss_move(s, SS_EHLO_TLS);
}

/*
 * The TLS upgrade failed: this connection is done.  Recipients policy
 * does not let through without TLS are held here; the others wait for
 * the caller's plaintext retry (which carries the downgrade, if any).
 */
static void
ss_tls_failed(struct ss *s)
{
	struct policy_conn	c;
	struct policy_verdict	v;
	char			*dg = NULL, *words;
	size_t			 i;

	s->res->end = SMTP_END_TLS_FAILED;
	s->tls_active = 0;
	free(s->res->error);
	s->res->error = xstrdup(s->plain_reason);
	s->res->error_kind = s->plain_kind;
	if (s->downgrade == NULL && policy_downgrade(s->o->seen, s->o->host, 1,
	    1, NULL, &dg))
		s->downgrade = dg;
	free(s->res->downgrade);
	s->res->downgrade = xstrdup(s->downgrade);
	ss_event(s, EVENT_PLAINTEXT, NULL, 0, s->plain_reason);
	ss_conn_facts(s, &c);
	for (i = 0; i < s->n; i++) {
		if (!ss_pending(s, i))
			continue;
		if (c.downgrade)
			s->r[i].downgrade = 1;
		v = policy_judge(s->r[i].policy, &c);
		if (v.action == POLICY_HOLD) {
			words = policy_words(s->r[i].policy, &c, &v);
			ss_set(s, i, OUTCOME_HELD, v.kind, 0, NULL, "%s",
			    words);
			free(words);
			s->r[i].retry = v.kind != REASON_DOWNGRADE;
		} else {
			ss_set(s, i, OUTCOME_DEFERRED, s->plain_kind, 0, NULL,
			    "%s", s->plain_reason);
			s->r[i].retry = 1;
		}
	}
	ss_move(s, SS_DONE);
}

/* Judge the recipients on this connection; then AUTH or MAIL. */
static void
ss_policy(struct ss *s)
{
	struct policy_conn	 c;
	size_t			 i, left;
	char			*words;

	if (!s->tls_active)
		ss_event(s, EVENT_PLAINTEXT, NULL, 0, s->plain_reason);
	if (s->downgrade != NULL)
		ss_event(s, EVENT_INFO, NULL, 0, s->downgrade);
	left = ss_judge(s);
	if (s->o->probe) {
		ss_conn_facts(s, &c);
		for (i = 0; i < s->n; i++) {
			if (!ss_pending(s, i))
				continue;
			words = policy_words(s->r[i].policy, &c,
			    &s->verdict[i]);
			ss_set(s, i, ss_delivered_outcome(s),
			    s->verdict[i].kind, 0, NULL, "probe, nothing "
			    "sent%s%s", words != NULL ? ": " : "",
			    words != NULL ? words : "");
			free(words);
		}
		ss_move(s, SS_QUIT);
	} else if (left == 0) {
		s->healthy = 1;
		ss_move(s, SS_QUIT);
	} else if (s->o->user != NULL && !s->authed)
		ss_move(s, SS_AUTH);
	else
		ss_move(s, SS_MAIL);
}

/*
 * Exported by libetpan 1.9.4 but missing from its headers: a command that
 * carries a credential (marked private for libetpan's logger).
 */

/* What an EHLO's AUTH line offers. */
#define SS_MECH_PLAIN		0x01
#define SS_MECH_LOGIN		0x02
#define SS_MECH_OAUTHBEARER	0x04
#define SS_MECH_XOAUTH2		0x08
#define SS_MECH_OAUTH		(SS_MECH_OAUTHBEARER | SS_MECH_XOAUTH2)
#define SS_MECH_UNKNOWN		0x10	/* the EHLO reply is not at hand */
#define SS_MECH_WORDS_MAX	200	/* of a server's list, in reasons */
#define SS_AUTH_LINE_MAX	512	/* RFC 4954 4: else no initial response */

/* The mechanisms, by enum smtp_auth. */
static const struct {
	const char	*name;		/* on the wire */
	const char	*key;		/* auth = */
	int		 bit;
} ss_mechs[] = {
	{ "auto", "auto", 0 },
	{ "PLAIN", "plain", SS_MECH_PLAIN },
	{ "LOGIN", "login", SS_MECH_LOGIN },
	{ "OAUTHBEARER", "oauthbearer", SS_MECH_OAUTHBEARER },
	{ "XOAUTH2", "xoauth2", SS_MECH_XOAUTH2 }
};
#define SS_NMECHS	(sizeof ss_mechs / sizeof ss_mechs[0])

static const char ss_b64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of len bytes, in one allocation of exactly *outlen + 1 bytes. */
static char *
ss_b64_encode(const char *in, size_t len, size_t *outlen)
{
	const unsigned char	*p = (const unsigned char *)in;
	char			*out, *o;
	unsigned long		 v;
	size_t			 i;

	*outlen = 4 * ((len + 2) / 3);
	o = out = xmalloc(*outlen + 1);
	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 |
		    p[i + 2];
		*o++ = ss_b64_chars[v >> 18 & 63];
		*o++ = ss_b64_chars[v >> 12 & 63];
		*o++ = ss_b64_chars[v >> 6 & 63];
		*o++ = ss_b64_chars[v & 63];
	}
	if (i < len) {
		v = (unsigned long)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)p[i + 1] << 8;
		*o++ = ss_b64_chars[v >> 18 & 63];
		*o++ = ss_b64_chars[v >> 12 & 63];
		*o++ = i + 1 < len ? ss_b64_chars[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

/* Decode base64 text (up to its first '=' or blank); NULL if it is not. */
static char *
ss_b64_decode(const char *in, size_t *outlen)
{
	const char	*c;
	char		*out;
	unsigned long	 v = 0;
	size_t		 n = 0, bits = 0;

	out = xmalloc(strlen(in) / 4 * 3 + 4);
	for (; *in != '\0' && *in != '=' && *in != ' ' && *in != '\r' &&
	    *in != '\n'; in++) {
		if ((c = strchr(ss_b64_chars, *in)) == NULL) {
			free(out);
			return NULL;
		}
		v = (v << 6 | (unsigned long)(c - ss_b64_chars)) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[n++] = (char)(v >> bits & 0xff);
		}
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

/*
 * What the EHLO reply's AUTH line offers (SS_MECH_*; "AUTH=" of old
 * servers too), and the words of its first AUTH line, sanitized, in
 * *words (caller frees).  A kept connection no longer has its EHLO
 * reply: then libetpan's flags give PLAIN and LOGIN, with SS_MECH_UNKNOWN.
 */
static int
ss_auth_offered(struct ss *s, char **words)
{
	struct buf	 b = BUF_INIT;
	const char	*line, *p, *w, *end;
	size_t		 len, wl, i;
	int		 mask = 0, found = 0;

	*words = NULL;
	for (line = etpan_smtp_text(s->smtp); line != NULL && *line != '\0';
	    line = p != NULL ? p + 1 : NULL) {
		p = strchr(line, '\n');
		len = p != NULL ? (size_t)(p - line) : strlen(line);
		if (len < 4 || strncasecmp(line, "AUTH", 4) != 0 ||
		    (len > 4 && line[4] != ' ' && line[4] != '='))
			continue;
		end = line + len;
		for (w = line + 4; w < end; w += wl) {
			while (w < end && (*w == ' ' || *w == '=' ||
			    *w == '\r'))
				w++;
			for (wl = 0; w + wl < end && w[wl] != ' ' &&
			    w[wl] != '\r'; wl++)
				;
			if (wl == 0)
				break;
			for (i = 1; i < SS_NMECHS; i++)
				if (strlen(ss_mechs[i].name) == wl &&
				    strncasecmp(w, ss_mechs[i].name, wl) == 0)
					mask |= ss_mechs[i].bit;
			if (found || b.len > SS_MECH_WORDS_MAX)
				continue;
			if (b.len > 0)
				buf_addc(&b, ' ');
			buf_add(&b, w, wl);
			if (b.len > SS_MECH_WORDS_MAX)
				buf_adds(&b, "...");
		}
		found = 1;
	}
	if (!found) {
		if (etpan_smtp_auth_flags(s->smtp) & MAILSMTP_AUTH_PLAIN)
			mask |= SS_MECH_PLAIN;
		if (etpan_smtp_auth_flags(s->smtp) & MAILSMTP_AUTH_LOGIN)
			mask |= SS_MECH_LOGIN;
		mask |= SS_MECH_UNKNOWN;
	}
	if (b.len > 0)
		*words = text_sanitize(b.s);
	buf_free(&b);
	return mask;
}

/*
 * The mechanism for auth = (opts) with what the server offers, or
 * SMTP_AUTH_AUTO and the reason in *why (caller frees) when there is none.
 * auto never sends a token: a password is not one.
 */
static enum smtp_auth
ss_auth_choose(struct ss *s, int offered, const char *words, char **why)
{
	enum smtp_auth	 want = s->o->auth;
	const char	*has, *host = s->o->host;
	int		 other;

	*why = NULL;
	has = words != NULL ? words : "no mechanism it names";
	if ((size_t)want >= SS_NMECHS)
		want = SMTP_AUTH_AUTO;
	if (want != SMTP_AUTH_AUTO) {
		/* A kept connection: a token is tried, the server decides. */
		if ((offered & ss_mechs[want].bit) ||
		    ((offered & SS_MECH_UNKNOWN) && (ss_mechs[want].bit &
		    SS_MECH_OAUTH)))
			return want;
		other = want == SMTP_AUTH_XOAUTH2 ? SMTP_AUTH_OAUTHBEARER :
		    SMTP_AUTH_XOAUTH2;
		if ((ss_mechs[want].bit & SS_MECH_OAUTH) &&
		    (offered & ss_mechs[other].bit))
			*why = xasprintf("%s does not offer AUTH %s (auth = %s) "
			    "but %s, which takes the same token: set auth = %s",
			    host, ss_mechs[want].name, ss_mechs[want].key,
			    ss_mechs[other].name, ss_mechs[other].key);
		else
			*why = xasprintf("%s does not offer AUTH %s (auth = %s); "
			    "it offers %s", host, ss_mechs[want].name,
			    ss_mechs[want].key, has);
		return SMTP_AUTH_AUTO;
	}
	if (offered & SS_MECH_PLAIN)
		return SMTP_AUTH_PLAIN;
	if (offered & SS_MECH_LOGIN)
		return SMTP_AUTH_LOGIN;
	if (offered & SS_MECH_OAUTH)
		*why = xasprintf("%s wants OAuth2 (it offers %s) and the config "
		    "says auth = auto, which sends a password, not a token: set "
		    "auth = %s with a passcmd that prints an access token",
		    host, has, offered & SS_MECH_XOAUTH2 ? "xoauth2" :
		    "oauthbearer");
	else
		*why = xasprintf("%s offers no AUTH mechanism tern supports (it "
		    "offers %s; tern has PLAIN, LOGIN, OAUTHBEARER, XOAUTH2)",
		    host, has);
	return SMTP_AUTH_AUTO;
}

/* The "status" of an OAuth2 error challenge (base64 JSON), or NULL. */
static char *
ss_auth_status(const char *challenge)
{
	char	*json, *p, *q, *st = NULL;
	size_t	 len;

	if (challenge == NULL || (json = ss_b64_decode(challenge, &len)) ==
	    NULL)
		return NULL;
	if ((p = strstr(json, "\"status\"")) != NULL) {
		p += 8;
		while (*p == ' ' || *p == ':')
			p++;
		if (*p == '"' && (q = strchr(++p, '"')) != NULL && q - p <= 64)
			st = text_sanitize_n(p, (size_t)(q - p));
	}
	free(json);
	return st;
}

/*
 * One OAuth2 exchange with the token: OAUTHBEARER (RFC 7628) or XOAUTH2
 * (as Google documents it), with the initial response on the AUTH line
 * unless that would pass 512 octets (RFC 4954 4).  A refused token gets a
 * 334 with a JSON error: the client ends the exchange (a single ^A for
 * OAUTHBEARER, an empty line for XOAUTH2) and the server says 535.
 * Returns a MAILSMTP_ code; *status gets the JSON's status (caller frees)
 * or NULL.  Every copy of the token made here is wiped.
 */
static int
ss_auth_oauth(struct ss *s, enum smtp_auth mech, const char *token,
    char **status)
{
	struct buf	 u = BUF_INIT;
	const char	*p, *name = ss_mechs[mech].name;
	char		*raw = NULL, *b64 = NULL, *cmd = NULL;
	size_t		 rawlen, b64len, cmdlen;
	int		 n, code, inl, res;

	*status = NULL;
	if (mech == SMTP_AUTH_OAUTHBEARER) {
		/* The GS2 authzid: ',' and '=' escaped (RFC 5801 4). */
		for (p = s->o->user; *p != '\0'; p++)
			if (*p == ',')
				buf_adds(&u, "=2C");
			else if (*p == '=')
				buf_adds(&u, "=3D");
			else
				buf_addc(&u, *p);
		n = snprintf(NULL, 0, "n,a=%s,\001host=%s\001port=%d\001"
		    "auth=Bearer %s\001\001", u.s != NULL ? u.s : "",
		    s->o->host, s->o->port, token);
	} else
		n = snprintf(NULL, 0, "user=%s\001auth=Bearer %s\001\001",
		    s->o->user, token);
	if (n < 0) {
		res = MAILSMTP_ERROR_MEMORY;
		goto out;
	}
	rawlen = (size_t)n;
	raw = xmalloc(rawlen + 1);
	if (mech == SMTP_AUTH_OAUTHBEARER)
		snprintf(raw, rawlen + 1, "n,a=%s,\001host=%s\001port=%d\001"
		    "auth=Bearer %s\001\001", u.s != NULL ? u.s : "",
		    s->o->host, s->o->port, token);
	else
		snprintf(raw, rawlen + 1, "user=%s\001auth=Bearer %s\001\001",
		    s->o->user, token);
	b64 = ss_b64_encode(raw, rawlen, &b64len);
	cmdlen = strlen("AUTH ") + strlen(name) + 1 + b64len + 2;
	cmd = xmalloc(cmdlen + 1);
	inl = cmdlen <= SS_AUTH_LINE_MAX;
	if (inl)
		snprintf(cmd, cmdlen + 1, "AUTH %s %s\r\n", name, b64);
	else
		snprintf(cmd, cmdlen + 1, "AUTH %s\r\n", name);
	if (etpan_smtp_send_private(s->smtp, cmd) == -1) {
		res = MAILSMTP_ERROR_STREAM;
		goto out;
	}
	code = etpan_smtp_read(s->smtp);
	if (!inl && code == 334) {
		/* The empty challenge: now the response on its own line. */
		snprintf(cmd, cmdlen + 1, "%s\r\n", b64);
		if (etpan_smtp_send_private(s->smtp, cmd) == -1) {
			res = MAILSMTP_ERROR_STREAM;
			goto out;
		}
		code = etpan_smtp_read(s->smtp);
	}
	if (code == 334) {
		/* RFC 7628 3.2.3: the error; end the exchange to get it. */
		*status = ss_auth_status(etpan_smtp_text(s->smtp));
		snprintf(cmd, cmdlen + 1, "%s\r\n",
		    mech == SMTP_AUTH_OAUTHBEARER ? "AQ==" : "");
		if (etpan_smtp_send_private(s->smtp, cmd) == -1) {
			res = MAILSMTP_ERROR_STREAM;
			goto out;
		}
		code = etpan_smtp_read(s->smtp);
		if (code == 235)	/* success after an error: no */
			code = 535;
	}
	switch (code) {
	case 235:
		res = MAILSMTP_NO_ERROR;
		break;
	case 0:
		res = MAILSMTP_ERROR_STREAM;
		break;
	case 504:
		res = MAILSMTP_ERROR_AUTH_NOT_SUPPORTED;
		break;
	case 535:
		res = MAILSMTP_ERROR_AUTH_AUTHENTICATION_FAILED;
		break;
	default:
		res = MAILSMTP_ERROR_UNEXPECTED_CODE;
		break;
	}

out:
	buf_free(&u);
	if (raw != NULL)
		secret_wipe(raw, rawlen);
	if (b64 != NULL)
		secret_wipe(b64, b64len);
	if (cmd != NULL)
		secret_wipe(cmd, cmdlen);
	free(raw);
	free(b64);
	free(cmd);
	return res;
}

/* SMTP AUTH, only where policy allows it (over TLS, unless allowed). */
static void
ss_auth(struct ss *s)
{
	struct policy_conn	 c;
	struct err		*e = NULL;
	enum smtp_auth		 mech;
	char			*pass, *rep, *words, *why, *status = NULL;
	const char		*name;
	int			 r, oauth, offered;

	ss_conn_facts(s, &c);
	if (!policy_auth_allowed(&c, s->o->allow_plain_auth)) {
		ss_all(s, 0, OUTCOME_HELD, REASON_AUTH_NEEDS_TLS, 0, NULL,
		    "%s; tern does not send %s without TLS (set "
		    "auth_plaintext = yes to allow it)", s->plain_reason !=
		    NULL ? s->plain_reason : "no TLS", s->o->auth ==
		    SMTP_AUTH_OAUTHBEARER || s->o->auth == SMTP_AUTH_XOAUTH2 ?
		    "an access token" : "a password");
		ss_move(s, SS_QUIT);
		return;
	}
	if (!(s->caps.ext & SS_EXT_AUTH)) {
		ss_all(s, 0, OUTCOME_DEFERRED, REASON_AUTH_UNSUPPORTED, 0, NULL,
		    "%s offers no AUTH (its EHLO reply has no AUTH line), and "
		    "the config logs in as %s", s->o->host, s->o->user);
		ss_move(s, SS_QUIT);
		return;
	}
	offered = ss_auth_offered(s, &words);
	mech = ss_auth_choose(s, offered, words, &why);
	free(words);
	if (why != NULL) {
		ss_all(s, 0, OUTCOME_DEFERRED, REASON_AUTH_UNSUPPORTED, 0, NULL,
		    "%s", why);
		free(why);
		ss_move(s, SS_QUIT);
		return;
	}
	name = ss_mechs[mech].name;
	oauth = (ss_mechs[mech].bit & SS_MECH_OAUTH) != 0;
	if (s->o->password == NULL ||
	    (pass = s->o->password(s->o->user, s->o->password_ctx, &e)) ==
	    NULL) {
		ss_all(s, 0, OUTCOME_DEFERRED, REASON_AUTH_FAILED, 0, NULL,
		    "no %s: %s", oauth ? "access token" : "password",
		    e != NULL ? e->msg : "no passcmd set");
		err_free(e);
		ss_move(s, SS_QUIT);
		return;
	}
	if (s->o->verbose) {
		rep = xasprintf("AUTH %s as %s", name, s->o->user);
		ss_event(s, EVENT_INFO, NULL, 0, rep);
		free(rep);
	}
	etpan_smtp_clear_code(s->smtp);
	if (oauth)
		r = ss_auth_oauth(s, mech, pass, &status);
	else
		r = mailsmtp_auth_type(s->smtp, s->o->user, pass,
		    mech == SMTP_AUTH_PLAIN ? MAILSMTP_AUTH_PLAIN :
		    MAILSMTP_AUTH_LOGIN);
	secret_free(pass);
	if (r != MAILSMTP_NO_ERROR) {
		rep = ss_reply(s);
		if (rep == NULL && r != MAILSMTP_ERROR_STREAM)
			ss_all(s, 0, OUTCOME_DEFERRED, REASON_AUTH_FAILED, 0,
			    NULL, "authentication as %s with %s could not "
			    "start: %s", s->o->user, name, mailsmtp_strerror(r));
		else
			ss_all(s, 0, OUTCOME_DEFERRED, rep == NULL ?
			    REASON_CONNECTION : REASON_AUTH_FAILED,
			    etpan_smtp_code(s->smtp), rep, "authentication as %s "
			    "failed with %s at %s: %s%s%s%s; check %s",
			    s->o->user, name, s->o->host, rep != NULL ? rep :
			    "the connection closed", status != NULL ?
			    " (OAuth2 status \"" : "", status != NULL ? status :
			    "", status != NULL ? "\")" : "", oauth ?
			    "the token command (passcmd)" : "user and passcmd");
		ss_event(s, EVENT_AUTH, NULL, etpan_smtp_code(s->smtp),
		    etpan_smtp_text(s->smtp));
		free(rep);
		free(status);
		ss_move(s, r == MAILSMTP_ERROR_STREAM ? SS_DONE : SS_QUIT);
		return;
	}
	free(status);
	ss_event(s, EVENT_AUTH, NULL, etpan_smtp_code(s->smtp),
	    etpan_smtp_text(s->smtp));
	s->authed = 1;
	ss_move(s, SS_MAIL);
}

/* Make the DATA text for this server (7-bit when it lacks 8BITMIME). */
static int
ss_prepare_wire(struct ss *s)
{
	struct err	*e = NULL;
	char		*seven = NULL;
	size_t		 sevenlen = 0;

	if (s->wire != NULL)
		return 0;
	s->wire_8bit = msg_is_8bit(s->msg, s->msglen);
	if (s->wire_8bit && !(s->caps.ext & SS_EXT_8BITMIME)) {
		seven = msg_to_7bit(s->msg, s->msglen, &sevenlen);
		if (seven != NULL)
			s->wire_8bit = 0;
	}
	if (seven != NULL)
		s->wire = msg_wire(seven, sevenlen, &s->wirelen, &e);
	else if (msg_wire_ready(s->msg, s->msglen, &s->wirelen)) {
		/* Stored text is already CRLF: send it without a copy. */
		s->wire = (char *)s->msg;
		s->wire_borrowed = 1;
	} else
		s->wire = msg_wire(s->msg, s->msglen, &s->wirelen, &e);
	free(seven);
	if (s->wire == NULL) {
		ss_all(s, 0, OUTCOME_FAILED, REASON_MESSAGE, 0, NULL, "%s",
		    e->msg);
		err_free(e);
		return -1;
	}
	return 0;
}

/*
 * Add the next pipelined RCPTs (and DATA after the last) to cmd, keeping
 * at most SS_WINDOW commands unanswered, so that a server that stops
 * reading until tern reads its replies never deadlocks with tern; refill
 * once half the window is answered (RFC 2920 3.1).
 */
static void
ss_rcpt_fill(struct ss *s, struct buf *cmd)
{
	if (s->rcpt_sent < s->ntxn &&
	    s->rcpt_sent - s->rcpt_read > SS_WINDOW / 2)
		return;
	while (s->rcpt_sent < s->ntxn &&
	    s->rcpt_sent - s->rcpt_read < SS_WINDOW) {
		buf_addf(cmd, "RCPT TO:<%s>\r\n", s->r[s->idx[s->rcpt_sent]].addr);
		s->rcpt_sent++;
	}
	if (s->rcpt_sent == s->ntxn && !s->data_sent) {
		buf_adds(cmd, "DATA\r\n");
		s->data_sent = 1;
	}
}

/* Does the envelope need SMTPUTF8 (a non-ASCII address)? */
static int
ss_needs_utf8(struct ss *s)
{
	size_t	i;

	if (text_has_8bit(s->from, strlen(s->from)))
		return 1;
	for (i = 0; i < s->n; i++)
		if (s->in_txn[i] && text_has_8bit(s->r[i].addr,
		    strlen(s->r[i].addr)))
			return 1;
	return 0;
}

/* Start the next transaction: strict recipients first. */
static void
ss_mail(struct ss *s)
{
	struct buf	 cmd = BUF_INIT;
	size_t		 i;
	int		 code, strict_left = 0, utf8;
	char		*rep;

	if (ss_prepare_wire(s) == -1) {
		ss_move(s, SS_QUIT);
		return;
	}
	if (ss_stop_requested(s)) {
		ss_all(s, 0, OUTCOME_DEFERRED, REASON_INTERRUPTED, 0, NULL,
		    "tern was asked to stop before this was sent; it stays in "
		    "the outbox");
		ss_move(s, SS_QUIT);
		return;
	}
	/* Every transaction is judged on the connection as it is now. */
	if (ss_judge(s) == 0) {
		s->healthy = 1;
		ss_move(s, SS_QUIT);
		return;
	}
	for (i = 0; i < s->n; i++)
		if (ss_pending(s, i) && policy_needs_tls(s->r[i].policy))
			strict_left++;
	/* REQUIRETLS (RFC 8689) for strict recipients where offered. */
	s->txn_requiretls = s->tls_active &&
	    (s->caps.ext & SS_EXT_REQUIRETLS) &&
	    strict_left > 0;
	s->txn_strict = s->txn_requiretls;
	s->ntxn = 0;
	for (i = 0; i < s->n; i++) {
		s->in_txn[i] = 0;
		s->accepted[i] = 0;
		if (!ss_pending(s, i))
			continue;
		if (s->txn_requiretls &&
		    !policy_needs_tls(s->r[i].policy))
			continue;
		s->in_txn[i] = 1;
		s->idx[s->ntxn++] = i;
	}
	if ((s->caps.ext & SS_EXT_SIZE) && s->caps.size_max > 0 &&
	    s->wirelen > s->caps.size_max) {
		for (i = 0; i < s->n; i++)
			if (s->in_txn[i])
				ss_set(s, i, OUTCOME_FAILED, REASON_SIZE, 0,
				    NULL, "the message is %zu bytes, %s accepts "
				    "at most %zu (SIZE)", s->wirelen,
				    s->o->host, s->caps.size_max);
		ss_move(s, SS_MAIL);
		return;
	}
	utf8 = ss_needs_utf8(s);
	if (utf8 && !(s->caps.ext & SS_EXT_SMTPUTF8)) {
		for (i = 0; i < s->n; i++)
			if (s->in_txn[i])
				ss_set(s, i, OUTCOME_FAILED, REASON_MESSAGE, 0,
				    NULL, "the envelope has a non-ASCII "
				    "address and %s does not offer SMTPUTF8 "
				    "(RFC 6531), so nothing was sent",
				    s->o->host);
		ss_move(s, SS_MAIL);
		return;
	}
	buf_addf(&cmd, "MAIL FROM:<%s>", s->from);
	if (s->caps.ext & SS_EXT_SIZE)
		buf_addf(&cmd, " SIZE=%zu", s->wirelen);
	if (s->wire_8bit && (s->caps.ext & SS_EXT_8BITMIME))
		buf_adds(&cmd, " BODY=8BITMIME");
	if (utf8)
		buf_adds(&cmd, " SMTPUTF8");
	if (s->txn_requiretls)
		buf_adds(&cmd, " REQUIRETLS");
	buf_adds(&cmd, "\r\n");
	/* PIPELINING (RFC 2920): RCPTs and DATA go with MAIL, windowed. */
	s->pipelined = (s->caps.ext & SS_EXT_PIPELINING) != 0;
	s->rcpt_sent = s->rcpt_read = 0;
	s->data_sent = 0;
	s->too_many = 0;
	if (s->pipelined)
		ss_rcpt_fill(s, &cmd);
	if (etpan_smtp_send(s->smtp, cmd.s) == -1)
		code = 0;
	else
		code = etpan_smtp_read(s->smtp);
	buf_free(&cmd);
	rep = ss_reply(s);
	ss_event(s, EVENT_MAIL, NULL, code, etpan_smtp_text(s->smtp));
	if (code / 100 == 2) {
		free(rep);
		ss_move(s, SS_RCPT);
		return;
	}
	for (i = 0; i < s->n; i++) {
		if (!s->in_txn[i])
			continue;
		if (code == 0) {
			ss_set(s, i, OUTCOME_DEFERRED, REASON_CONNECTION, 0,
			    NULL, "connection to %s lost at MAIL FROM",
			    s->o->host);
			s->r[i].retry = 1;
		} else
			ss_set(s, i, code / 100 == 5 ? OUTCOME_FAILED :
			    OUTCOME_DEFERRED, ss_reply_kind(code), code, rep,
			    "sender refused by %s", s->o->host);
	}
	free(rep);
	if (code != 0 && s->pipelined && ss_drain(s) == -1)
		code = 0;
	if (code == 0)
		ss_move(s, SS_DONE);
	else {
		mailsmtp_reset(s->smtp);
		ss_move(s, SS_MAIL);
	}
}

/*
 * After a pipelined transaction failed early: read the replies still
 * due (the RCPTs written, DATA) and end a DATA the server wrongly opened.
 */
static int
ss_drain(struct ss *s)
{
	size_t	i;
	int	code = 0;

	for (i = 0; i < s->rcpt_sent; i++)
		if (etpan_smtp_read(s->smtp) == 0)
			return -1;
	s->pipelined = 0;
	if (!s->data_sent)
		return 0;
	code = etpan_smtp_read(s->smtp);
	if (code == 0)
		return -1;
	if (code == 354 && mailsmtp_data_message(s->smtp, "", 0) ==
	    MAILSMTP_ERROR_STREAM)
		return -1;
	return 0;
}

/* One RCPT TO per recipient of the transaction. */
static void
ss_rcpt(struct ss *s)
{
	struct buf	 more;
	size_t		 i, k, ok = 0;
	int		 code;
	char		*rep;

	for (k = 0; k < s->ntxn; k++) {
		i = s->idx[k];
		if (s->pipelined) {
			more = (struct buf)BUF_INIT;
			ss_rcpt_fill(s, &more);
			if (more.len > 0 && etpan_smtp_send(s->smtp,
			    more.s) == -1)
				code = 0;
			else
				code = etpan_smtp_read(s->smtp);
			buf_free(&more);
			s->rcpt_read++;
		} else {
			(void)mailesmtp_rcpt(s->smtp, s->r[i].addr, 0, NULL);
			code = etpan_smtp_code(s->smtp);
		}
		rep = ss_reply(s);
		ss_event(s, EVENT_RCPT, s->r[i].addr, code,
		    etpan_smtp_text(s->smtp));
		if (code == 0) {
			free(rep);
			ss_all(s, 1, OUTCOME_DEFERRED, REASON_CONNECTION, 0,
			    NULL, "connection to %s lost at RCPT TO",
			    s->o->host);
			ss_move(s, SS_DONE);
			return;
		}
		if (code / 100 == 2) {
			s->accepted[i] = 1;
			s->r[i].code = code;
			free(s->r[i].reply);
			s->r[i].reply = rep;
			ok++;
			continue;
		}
		s->in_txn[i] = 0;
		if (code == 452 && ok > 0) {
			/*
			 * Too many recipients for one transaction (RFC 5321
			 * 4.5.3.1.10): this one goes in the next.
			 */
			s->too_many++;
			free(rep);
			continue;
		}
		/* 552 to RCPT is temporary (RFC 5321 4.5.3.1.10). */
		ss_set(s, i, code / 100 == 5 && code != 552 ? OUTCOME_FAILED :
		    OUTCOME_DEFERRED, code / 100 == 5 && code != 552 ?
		    REASON_PERM_REPLY : REASON_TEMP_REPLY, code, rep,
		    "recipient refused by %s", s->o->host);
		free(rep);
	}
	if (ok == 0) {
		/* Nobody accepted: the pipelined DATA still gets a reply. */
		if (s->pipelined) {
			code = etpan_smtp_read(s->smtp);
			if (code == 354)
				(void)mailsmtp_data_message(s->smtp, "", 0);
			s->pipelined = 0;
			if (code == 0) {
				ss_move(s, SS_DONE);
				return;
			}
		}
		mailsmtp_reset(s->smtp);
		ss_move(s, SS_MAIL);
		return;
	}
	ss_move(s, SS_DATA);
}

/* DATA, waiting for 354. */
static void
ss_data(struct ss *s)
{
	size_t	 i;
	int	 r, code;
	char	*rep;

	ss_event(s, EVENT_DATA, NULL, 0, NULL);
	if (s->pipelined) {
		code = etpan_smtp_read(s->smtp);
		r = code == 354 ? MAILSMTP_NO_ERROR : MAILSMTP_ERROR_STREAM;
		s->pipelined = 0;
	} else {
		r = mailsmtp_data(s->smtp);
		code = etpan_smtp_code(s->smtp);
	}
	if (r == MAILSMTP_NO_ERROR) {
		ss_move(s, SS_BODY);
		return;
	}
	rep = ss_reply(s);
	for (i = 0; i < s->n; i++) {
		if (!s->in_txn[i])
			continue;
		if (code == 0) {
			ss_set(s, i, OUTCOME_DEFERRED, REASON_CONNECTION, 0,
			    NULL, "connection to %s lost at DATA", s->o->host);
			s->r[i].retry = 1;
		} else
			ss_set(s, i, code / 100 == 5 ? OUTCOME_FAILED :
			    OUTCOME_DEFERRED, ss_reply_kind(code), code, rep,
			    "DATA refused by %s", s->o->host);
	}
	free(rep);
	ss_move(s, code == 0 ? SS_DONE : SS_MAIL);
}

/* The outcome of a message the server took over this connection. */
static enum outcome
ss_delivered_outcome(struct ss *s)
{
	if (!s->tls_active)
		return OUTCOME_PLAINTEXT;
	return s->res->tls.verified ? OUTCOME_VERIFIED : OUTCOME_ENCRYPTED;
}

/*
 * The message up to (not including) the final dot: lines starting with
 * "." doubled (RFC 5321 4.5.2), progress reported as it goes, flushed.
 */
static int
ss_send_body(struct ss *s)
{
	mailstream	*st = etpan_smtp_stream(s->smtp);
	const char	*p = s->wire, *end = s->wire + s->wirelen, *nl;
	size_t		 next = 0, len;

	while (p < end) {
		if (*p == '.' && mailstream_write(st, ".", 1) == -1)
			return -1;
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if (mailstream_write(st, p, len) == -1)
			return -1;
		p += len;
		if ((size_t)(p - s->wire) >= next) {
			ss_progress((size_t)(p - s->wire), s->wirelen, s);
			next = (size_t)(p - s->wire) + SS_PROGRESS_STEP;
		}
	}
	if (mailstream_write(st, "\r\n", 2) == -1 ||
	    mailstream_flush(st) == -1)
		return -1;
	return 0;
}

/*
 * The message itself.  The recipients are marked uncertain in the store
 * just before the final dot goes out (no dot if that fails), and their
 * outcomes recorded as soon as the server has answered it, before QUIT
 * or the next transaction (DESIGN.md: no second copy after a crash).
 */
static void
ss_body(struct ss *s)
{
	struct policy_conn	 c;
	enum outcome		 o;
	size_t			 i, k, n = 0;
	int			 code;
	char			*rep, *words;

	for (k = 0; k < s->ntxn; k++)
		if (s->in_txn[s->idx[k]])
			s->idx[n++] = s->idx[k];
	s->ntxn = n;
	if (ss_send_body(s) == -1) {
		ss_all_txn(s, OUTCOME_DEFERRED, REASON_CONNECTION, "connection "
		    "to %s lost while sending the message, before its end: "
		    "nothing was delivered", s->o->host);
		ss_move(s, SS_DONE);
		return;
	}
	if (s->o->before_dot != NULL &&
	    s->o->before_dot(s->o->txn_ctx, s->idx, n) == -1) {
		/* Without the dot the server discards what it has. */
		ss_abort(s);
		ss_all_txn(s, OUTCOME_DEFERRED, REASON_STORE, "tern could not "
		    "record that the message was about to be delivered, so it "
		    "did not finish sending it: nothing was delivered");
		ss_move(s, SS_DONE);
		return;
	}
	if (mailstream_write(etpan_smtp_stream(s->smtp), ".\r\n", 3) == -1 ||
	    mailstream_flush(etpan_smtp_stream(s->smtp)) == -1)
		code = 0;
	else
		code = etpan_smtp_read(s->smtp);
	if (code == 0 && s->sstate == STREAM_TOO_LONG) {
		/* A 2xx whose text passed the limit is still a 2xx. */
		code = stream_guard_reply_code(
		    mailstream_get_low(etpan_smtp_stream(s->smtp)));
		if (code / 100 != 2)
			code = 0;
	}
	rep = ss_reply(s);
	o = ss_delivered_outcome(s);
	ss_conn_facts(s, &c);
	for (k = 0; k < n; k++) {
		i = s->idx[k];
		if (code / 100 == 2) {
			words = policy_words(s->r[i].policy, &c,
			    &s->verdict[i]);
			if (s->sstate == STREAM_TOO_LONG)
				ss_set(s, i, o, s->verdict[i].kind, code, rep,
				    "%s%sthe server's reply was cut at 64 KiB",
				    words != NULL ? words : "", words != NULL ?
				    "; " : "");
			else if (words != NULL)
				ss_set(s, i, o, s->verdict[i].kind, code, rep,
				    "%s", words);
			else
				ss_set(s, i, o, REASON_NONE, code, rep, NULL);
			free(words);
			s->r[i].requiretls = s->txn_requiretls;
		} else if (code == 0) {
			ss_set(s, i, OUTCOME_DEFERRED, REASON_UNCERTAIN, 0,
			    NULL, "connection to %s lost after the whole "
			    "message was sent, before the server confirmed "
			    "it: the next flush sends it again, and it may "
			    "arrive twice", s->o->host);
			s->r[i].uncertain = 1;
		} else
			ss_set(s, i, code / 100 == 5 ? OUTCOME_FAILED :
			    OUTCOME_DEFERRED, ss_reply_kind(code), code, rep,
			    "message refused by %s", s->o->host);
		s->in_txn[i] = 0;
	}
	free(rep);
	if (s->o->after_dot != NULL)
		s->o->after_dot(s->o->txn_ctx, s->idx, n);
	if (code == 0) {
		ss_move(s, SS_DONE);
		return;
	}
	if (s->too_many > 0)
		ss_event(s, EVENT_INFO, NULL, 0, "more recipients in another "
		    "transaction (the server took only some at once)");
	ss_move(s, ss_stop_requested(s) ? SS_QUIT : SS_MAIL);
}

/* Has the user asked tern to stop (SIGTERM, SIGINT, SIGHUP)? */
static int
ss_stop_requested(struct ss *s)
{
	return s->o->stop != NULL && *s->o->stop != 0;
}

/* Give every recipient of the transaction the same outcome. */
static void
ss_all_txn(struct ss *s, enum outcome o, enum reason_kind kind,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*reason;
	size_t	 i;

	va_start(ap, fmt);
	reason = xvasprintf(fmt, ap);
	va_end(ap);
	for (i = 0; i < s->n; i++) {
		if (!s->in_txn[i])
			continue;
		ss_set(s, i, o, kind, 0, NULL, "%s", reason);
		s->in_txn[i] = 0;
	}
	free(reason);
}

/* libetpan's DATA progress. */
static void
ss_progress(size_t done, size_t total, void *arg)
{
	struct ss	*s = arg;
	struct event	 e;

	if (s->o->ev == NULL)
		return;
	ss_event_init(s, &e, EVENT_PROGRESS);
	e.done = done;
	e.total = total;
	s->o->ev(&e, s->o->ev_ctx);
}
