/*
 * The connection under an SMTP session: TCP connect with a timeout and
 * libetpan's setup (implicit TLS too), the STARTTLS handshake and stream
 * swap, closing, and keeping a connection for the next session.
 */
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "err.h"
#include "etpan.h"
#include "smtp-session.h"
#include "smtp-session-private.h"
#include "stream.h"
#include "tls.h"
#include "xmalloc.h"

#define SS_BUFSIZE	8192

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
	char			*presend;	/* the next txn, written ahead */
};

/* Take over a kept connection: RSET, and on 250 go on with it. */
int
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
	s->presend = k->presend;
	free(k);
	stream_guard_set_state(mailstream_get_low(etpan_smtp_stream(s->smtp)),
	    &s->sstate);
	/*
	 * The previous session wrote this message's MAIL, RCPTs and DATA
	 * with its final dot: their replies are due, so the connection is
	 * readable by design; ss_mail reads them (a 421 there reconnects).
	 */
	if (s->presend != NULL) {
		s->reused = 1;
		s->res->reused = 1;
		ss_event(s, EVENT_INFO, NULL, 0, "reusing the connection (the "
		    "commands of this message went with the last one's end)");
		return 0;
	}
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
	ss_fresh(s);
	return -1;
}

/* Forget the closed connection's facts, for a new connection. */
void
ss_fresh(struct ss *s)
{
	free(s->presend);
	s->presend = NULL;
	s->reused = 0;
	s->res->reused = 0;
	tls_facts_clear(&s->res->tls);
	s->res->starttls_offered = 0;
	s->tls_active = s->authed = 0;
	s->tlsc = NULL;
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
}

/* Hand the open connection to the caller instead of QUIT. */
void
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
	k->presend = s->ahead;
	s->ahead = NULL;
	stream_guard_set_state(mailstream_get_low(etpan_smtp_stream(k->smtp)),
	    &k->sstate);
	s->smtp = NULL;
	s->fd = -1;
	s->tlsc = NULL;
	*s->o->conn = k;
}

/* QUIT and free a kept connection. */
void
smtp_conn_close(struct smtp_conn *k)
{
	if (k == NULL)
		return;
	if (k->smtp != NULL) {
		/*
		 * With a transaction written ahead the server may be in DATA:
		 * close without QUIT (no final dot, so it keeps nothing).
		 */
		if (etpan_smtp_stream(k->smtp) != NULL && k->presend == NULL)
			mailsmtp_quit(k->smtp);
		else if (etpan_smtp_stream(k->smtp) != NULL) {
			mailstream_close(etpan_smtp_stream(k->smtp));
			etpan_smtp_set_stream(k->smtp, NULL);
		}
		mailsmtp_free(k->smtp);
	}
	free(k->presend);
	tls_facts_clear(&k->tls);
	free(k->plain_reason);
	free(k->downgrade);
	free(k);
}

/* Keep the ticket the server sent on this new connection, if any. */
void
ss_take_ticket(struct ss *s)
{
	if (s->tlsc == NULL || s->reused || s->res->has_ticket)
		return;
	s->res->has_ticket = tls_conn_ticket(s->tlsc, &s->res->ticket);
}

/* Close the connection without ceremony. */
void
ss_abort(struct ss *s)
{
	s->tlsc = NULL;
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
int
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
		    0, s->o->timeout, s->o->resume, &s->res->tls, NULL, &e);
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
		s->tlsc = conn;
		if (s->o->domain != NULL)
			tls_conn_domain_facts(conn, s->o->host,
			    s->o->domain->name, s->o->domain->tlsa,
			    &s->res->tls);
		ss_event(s, EVENT_TLS, NULL, 0, NULL);
		if ((low = tls_low_new(conn)) == NULL) {
			s->tlsc = NULL;
			goto fail_mem;
		}
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
	s->tlsc = NULL;
	s->res->end = SMTP_END_CONNECT;
	ss_all(s, 1, OUTCOME_DEFERRED, REASON_CONNECTION, 0, NULL, "cannot "
	    "set up the SMTP "
	    "stream");
	if (s->fd != -1 && !s->tls_active)
		close(s->fd);
	s->fd = -1;
	return -1;
}

/* The GnuTLS handshake on the socket, then the stream swap. */
void
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
	    s->o->timeout, s->o->resume, &s->res->tls, &injected, &e);
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
	s->tlsc = conn;
	if (s->o->domain != NULL)
		tls_conn_domain_facts(conn, s->o->host, s->o->domain->name,
		    s->o->domain->tlsa, &s->res->tls);
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

