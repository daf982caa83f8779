/*
 * One SMTP session as an explicit state machine over libetpan: the states
 * and their handler, EHLO and the capabilities, the policy judgement of a
 * connection, events and outcomes.  The connection itself is in
 * smtp-conn.c, AUTH in smtp-auth.c, the transaction in smtp-txn.c; they
 * share smtp-session-private.h.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "dns.h"
#include "etpan.h"
#include "smtp-session.h"
#include "smtp-session-private.h"
#include "text.h"
#include "tls.h"
#include "xmalloc.h"

static const char *ss_state_names[SS_LAST] = {
	"connect", "greeting", "ehlo", "helo", "starttls", "handshake",
	"ehlo-tls", "policy", "auth", "mail", "rcpt", "data", "body", "quit",
	"done"
};

static void	 ss_step(struct ss *);
static int	 ss_ehlo(struct ss *, int);
static void	 ss_parse_caps(struct ss *);
static void	 ss_policy(struct ss *);

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
	free(s.presend);
	free(s.ahead);
	if (!s.wire_borrowed)
		free(s.wire);
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
	tls_ticket_clear(&res->ticket);
	res->has_ticket = 0;
	free(res->error);
	free(res->downgrade);
	res->error = res->downgrade = NULL;
}

/* The only way to change state. */
void
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
		if (s->state == SS_EHLO_TLS || s->tls_active) {
			/* A reply was read: a TLS 1.3 ticket is in by now. */
			ss_take_ticket(s);
			ss_move(s, SS_POLICY);
		}
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
		    s->presend == NULL && s->smtp != NULL &&
		    etpan_smtp_stream(s->smtp) != NULL)
			ss_keep(s);
		else if (s->presend != NULL || s->ahead != NULL)
			/* The server may be in DATA: no QUIT, no final dot. */
			ss_abort(s);
		else if (s->smtp != NULL && etpan_smtp_stream(s->smtp) != NULL) {
			mailsmtp_quit(s->smtp);
			s->fd = -1;
			s->tlsc = NULL;
		}
		ss_move(s, SS_DONE);
		break;
	case SS_DONE:
	case SS_LAST:
		break;
	}
}

/* An event of this session's server, nothing else set. */
void
ss_event_init(struct ss *s, struct event *e, enum event_type type)
{
	memset(e, 0, sizeof *e);
	e->type = type;
	e->server = s->o->host;
	e->address = s->o->address;
	e->port = s->o->port;
}

/* Report an event. */
void
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
	if (type == EVENT_TLS) {
		struct policy_conn	c;

		/* What the certificate counts for, shown with the facts. */
		ss_conn_facts(s, &c);
		s->res->tls.method = policy_method(&c, NULL);
		e.tls = &s->res->tls;
	}
	s->o->ev(&e, s->o->ev_ctx);
	free(clean);
}

/* The last reply as "CODE text", sanitized, one line; caller frees. */
char *
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
void
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
void
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
enum reason_kind
ss_reply_kind(int code)
{
	if (code == 0)
		return REASON_CONNECTION;
	return code / 100 == 5 ? REASON_PERM_REPLY : REASON_TEMP_REPLY;
}

/* Say why this connection is without TLS. */
void
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
void
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
	if (s->o->domain != NULL) {
		c->direct = 1;
		c->domain = s->o->domain->name;
		c->mx_secure = s->o->domain->mx_secure;
		c->sts = s->o->domain->sts;
		c->sts_mx_ok = s->o->domain->sts_mx_ok;
		c->sts_words = s->o->domain->sts_words;
		c->cert_domain = s->tls_active && t->cert_domain;
		c->dane = s->o->domain->tlsa_bogus ? POLICY_DANE_BOGUS :
		    s->tls_active ? t->dane : s->o->domain->tlsa != NULL &&
		    s->o->domain->tlsa->n > 0 ? POLICY_DANE_UNUSABLE :
		    POLICY_DANE_NONE;
		c->dane_words = s->o->domain->tlsa_bogus ?
		    s->o->domain->tlsa_words : t->dane_words;
	}
}

/*
 * Judge every pending recipient over the connection as it is now (fresh
 * or kept alike): hold those policy does not let through, keep the verdict
 * of the others for their record.  Returns how many may go.
 */
size_t
ss_judge(struct ss *s)
{
	struct policy_conn	c;
	char			*words;
	size_t			i, left = 0;

	ss_conn_facts(s, &c);
	/* How this connection's certificate counts, for every record. */
	s->res->tls.method = s->tls_active ? policy_method(&c, NULL) :
	    VERIFY_NONE;
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
int
ss_pending(struct ss *s, size_t i)
{
	return !s->final[i];
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
void
ss_forget_caps(struct ss *s)
{
	memset(&s->caps, 0, sizeof s->caps);
}

/*
 * The TLS upgrade failed: this connection is done.  Recipients policy
 * does not let through without TLS are held here; the others wait for
 * the caller's plaintext retry (which carries the downgrade, if any).
 */
void
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

