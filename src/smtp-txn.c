/*
 * One transaction of an SMTP session: the DATA text for the server, MAIL,
 * the (pipelined) RCPTs, DATA, the body and the hooks around its final
 * dot.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "err.h"
#include "etpan.h"
#include "msg.h"
#include "smtp-session.h"
#include "smtp-session-private.h"
#include "stream.h"
#include "text.h"
#include "tls.h"
#include "xmalloc.h"

#define SS_WINDOW	64		/* pipelined commands unanswered */
#define SS_PROGRESS_STEP (64 * 1024)	/* bytes between progress events */

static int	 ss_send_body(struct ss *);
static void	 ss_rcpt_fill(struct ss *, struct buf *);
static int	 ss_needs_utf8(struct ss *);
static void	 ss_all_txn(struct ss *, enum outcome, enum reason_kind,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
static int	 ss_stop_requested(struct ss *);
static int	 ss_prepare_wire(struct ss *);
static int	 ss_drain(struct ss *);

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

/*
 * Choose the transaction's recipients (strict ones first) and write its
 * MAIL, and with PIPELINING its RCPTs and DATA, into cmd: 0, or -1 when
 * there is none to send (outcomes set, *next the state to go to).  Sets
 * nothing on the wire: the session of the previous message runs it too,
 * on a copy, to write this one's commands with its final dot.
 */
static int
ss_txn_plan(struct ss *s, struct buf *cmd, enum ss_state *next)
{
	size_t		 i;
	int		 strict_left = 0, utf8;

	/* Every transaction is judged on the connection as it is now. */
	if (ss_judge(s) == 0) {
		s->healthy = 1;
		*next = SS_QUIT;
		return -1;
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
	*next = SS_MAIL;
	if ((s->caps.ext & SS_EXT_SIZE) && s->caps.size_max > 0 &&
	    s->wirelen > s->caps.size_max) {
		for (i = 0; i < s->n; i++)
			if (s->in_txn[i])
				ss_set(s, i, OUTCOME_FAILED, REASON_SIZE, 0,
				    NULL, "the message is %zu bytes, %s accepts "
				    "at most %zu (SIZE)", s->wirelen,
				    s->o->host, s->caps.size_max);
		return -1;
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
		return -1;
	}
	buf_addf(cmd, "MAIL FROM:<%s>", s->from);
	if (s->caps.ext & SS_EXT_SIZE)
		buf_addf(cmd, " SIZE=%zu", s->wirelen);
	if (s->wire_8bit && (s->caps.ext & SS_EXT_8BITMIME))
		buf_adds(cmd, " BODY=8BITMIME");
	if (utf8)
		buf_adds(cmd, " SMTPUTF8");
	if (s->txn_requiretls)
		buf_adds(cmd, " REQUIRETLS");
	buf_adds(cmd, "\r\n");
	/* PIPELINING (RFC 2920): RCPTs and DATA go with MAIL, windowed. */
	s->pipelined = (s->caps.ext & SS_EXT_PIPELINING) != 0;
	s->rcpt_sent = s->rcpt_read = 0;
	s->data_sent = 0;
	s->too_many = 0;
	if (s->pipelined)
		ss_rcpt_fill(s, cmd);
	return 0;
}

/*
 * The commands written ahead for this message did not go as planned
 * (they differ from what it needs now, or the server ended): drop the
 * connection, which the server may hold in DATA (no final dot, so it
 * keeps nothing), and go on with a new one.
 */
static void
ss_presend_failed(struct ss *s, const char *why)
{
	ss_event(s, EVENT_INFO, NULL, 0, why);
	ss_abort(s);
	ss_fresh(s);
	ss_move(s, SS_CONNECT);
}

/* Start the next transaction. */
void
ss_mail(struct ss *s)
{
	struct buf	 cmd = BUF_INIT;
	enum ss_state	 next;
	size_t		 i;
	int		 code, ahead;
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
	if (ss_txn_plan(s, &cmd, &next) == -1) {
		buf_free(&cmd);
		if (s->presend != NULL && next != SS_QUIT) {
			ss_presend_failed(s, "the commands written ahead are "
			    "not this message's: a new connection");
			return;
		}
		ss_move(s, next);
		return;
	}
	ahead = s->presend != NULL;
	if (ahead && strcmp(s->presend, cmd.s) != 0) {
		buf_free(&cmd);
		ss_presend_failed(s, "the commands written ahead are not this "
		    "message's: a new connection");
		return;
	}
	free(s->presend);
	s->presend = NULL;
	/* Written ahead with the last message's final dot: only read. */
	if (!ahead && etpan_smtp_send(s->smtp, cmd.s) == -1)
		code = 0;
	else
		code = etpan_smtp_read(s->smtp);
	buf_free(&cmd);
	if (ahead && (code == 0 || code == 421)) {
		/* Closed between the messages: as a kept one found closed. */
		ss_presend_failed(s, code == 0 ? "the connection closed after "
		    "the last message: a new one" : "the server ended the "
		    "connection after the last message (421): a new one");
		return;
	}
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
void
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
void
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
enum outcome
ss_delivered_outcome(struct ss *s)
{
	if (!s->tls_active)
		return OUTCOME_PLAINTEXT;
	return s->res->tls.method != VERIFY_NONE ? OUTCOME_VERIFIED :
	    OUTCOME_ENCRYPTED;
}

/*
 * The message up to (not including) the final dot: lines starting with
 * "." doubled (RFC 5321 4.5.2), progress reported as it goes, flushed.
 */
static int
ss_send_body(struct ss *s)
{
	mailstream	*st = etpan_smtp_stream(s->smtp);
	const char	*p = s->wire, *end = s->wire + s->wirelen, *dot;
	size_t		 len;

	/*
	 * Large writes, not one per line: the text between two lines that
	 * start with "." goes out in chunks of SS_PROGRESS_STEP (libetpan
	 * writes a chunk bigger than its buffer straight through).
	 */
	while (p < end) {
		if (*p == '.' && (p == s->wire || p[-1] == '\n') &&
		    mailstream_write(st, ".", 1) == -1)
			return -1;
		len = (size_t)(end - p);
		if (len > SS_PROGRESS_STEP)
			len = SS_PROGRESS_STEP;
		/* Up to the end of the line before the next leading dot. */
		if ((dot = msg_next_dot(p, len)) != NULL)
			len = (size_t)(dot - p) + 1;
		if (mailstream_write(st, p, len) == -1)
			return -1;
		p += len;
		ss_progress((size_t)(p - s->wire), s->wirelen, s);
	}
	/*
	 * The end of the text stays in the buffer: it goes out with the
	 * final dot (and the next message's commands) in one write.
	 */
	if (mailstream_write(st, "\r\n", 2) == -1)
		return -1;
	return 0;
}

/*
 * May the next message's commands go with this final dot?  Only when
 * this is the session's last transaction on a connection that will be
 * kept and that offers PIPELINING (RFC 2920 3.1).
 */
static int
ss_may_write_ahead(struct ss *s)
{
	size_t	i;

	if (s->o->next_txn == NULL || s->o->conn == NULL || s->o->probe ||
	    !(s->caps.ext & SS_EXT_PIPELINING) || s->too_many > 0 ||
	    s->sstate != STREAM_OK || ss_stop_requested(s))
		return 0;
	for (i = 0; i < s->n; i++)
		if (ss_pending(s, i) && !s->in_txn[i])
			return 0;
	return 1;
}

/*
 * Write the next message's MAIL, RCPTs and DATA into out, planned as its
 * own session will plan them on this connection (a copy of the
 * session's connection facts, the caller's message); s->ahead keeps
 * them, so that its session only reads their replies.
 */
static void
ss_write_ahead(struct ss *s, struct buf *out)
{
	struct smtp_next	 nx;
	struct ss		 t;
	struct buf		 cmd = BUF_INIT;
	enum ss_state		 next;
	size_t			 i;

	memset(&nx, 0, sizeof nx);
	if (s->o->next_txn(s->o->txn_ctx, &nx) != 1 || nx.n == 0)
		return;
	memset(&t, 0, sizeof t);
	t.o = s->o;
	t.fd = -1;
	t.from = nx.from;
	t.msg = nx.msg;
	t.msglen = nx.msglen;
	t.n = nx.n;
	t.r = xcalloc(nx.n, sizeof *t.r);
	for (i = 0; i < nx.n; i++) {
		t.r[i].addr = nx.r[i].addr;
		t.r[i].policy = nx.r[i].policy;
	}
	t.res = s->res;
	t.final = xcalloc(nx.n, sizeof *t.final);
	t.in_txn = xcalloc(nx.n, sizeof *t.in_txn);
	t.accepted = xcalloc(nx.n, sizeof *t.accepted);
	t.verdict = xcalloc(nx.n, sizeof *t.verdict);
	t.idx = xcalloc(nx.n, sizeof *t.idx);
	t.caps = s->caps;
	t.tls_active = s->tls_active;
	t.authed = s->authed;
	t.plain_reason = s->plain_reason;	/* borrowed */
	t.plain_kind = s->plain_kind;
	t.downgrade = s->downgrade;		/* borrowed */
	if (ss_prepare_wire(&t) == 0 && ss_txn_plan(&t, &cmd, &next) == 0 &&
	    t.pipelined && t.data_sent) {
		buf_add(out, cmd.s, cmd.len);
		s->ahead = buf_steal(&cmd);
	}
	buf_free(&cmd);
	for (i = 0; i < nx.n; i++)
		smtp_rcpt_clear(&t.r[i]);
	free(t.r);
	free(t.final);
	free(t.in_txn);
	free(t.accepted);
	free(t.verdict);
	free(t.idx);
	if (!t.wire_borrowed)
		free(t.wire);
}

/*
 * The message itself.  The recipients are marked uncertain in the store
 * just before the final dot goes out (no dot if that fails), and their
 * outcomes recorded as soon as the server has answered it, before QUIT
 * or the next transaction (DESIGN.md: no second copy after a crash).
 */
void
ss_body(struct ss *s)
{
	struct policy_conn	 c;
	struct buf		 dot;
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
	/*
	 * The dot, and where allowed the next message's commands, in one
	 * write: one round trip per message (RFC 2920 3.1).  That message's
	 * recipients are marked uncertain only at its own dot, and these are
	 * settled (after_dot) before its session starts.
	 */
	dot = (struct buf)BUF_INIT;
	buf_adds(&dot, ".\r\n");
	if (ss_may_write_ahead(s))
		ss_write_ahead(s, &dot);
	if (mailstream_write(etpan_smtp_stream(s->smtp), dot.s, dot.len) ==
	    -1 || mailstream_flush(etpan_smtp_stream(s->smtp)) == -1)
		code = 0;
	else
		code = etpan_smtp_read(s->smtp);
	buf_free(&dot);
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
void
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
