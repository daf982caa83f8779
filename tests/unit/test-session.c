/*
 * Unit tests for smtp-session.c: smtp_session_run against a scripted
 * peer in this process (peer.c).  Each case checks the outcome, the
 * reason's kind and the reply of every recipient, and the exact
 * commands the peer received.  TLS itself is the integration tests' job
 * (tests/smtpd): here no handshake is ever made, so opts.tls stays NULL
 * (smtp_session_run uses it only for a handshake: implicit TLS, or after
 * a 220 to STARTTLS).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "policy.h"
#include "record.h"
#include "smtp-session.h"
#include "xmalloc.h"

#include "peer.h"

#define MSG	"From: a@x.test\r\nTo: b@y.test\r\nSubject: t\r\n"	\
		"Message-ID: <1@x.test>\r\n\r\nhello\r\n.dot\r\n"
#define BODY	"From: a@x.test\nTo: b@y.test\nSubject: t\n"		\
		"Message-ID: <1@x.test>\n\nhello\n.dot\n"
#define GREET	P_GREET("220 peer.test ESMTP\r\n")
#define EHLO(caps) P_LINE("EHLO client.test", "250-peer.test\r\n" caps)
#define QUIT	P_LINE("QUIT", "221 2.0.0 bye\r\n"), P_EOF

/* What the transaction hooks saw. */
struct hooks {
	struct peer		*peer;
	struct smtp_rcpt	*r;
	int			 before_rv;	/* before_dot's answer */
	struct buf		 log;
	int			 npass;		/* password asked */
};

static void	 opts_init(struct smtp_opts *, struct peer *);
static void	 run(const struct smtp_opts *, struct smtp_rcpt *, size_t,
		    struct smtp_result *);
static void	 end_peer(struct peer *);
static void	 check_lines(struct peer *, const char *);
static void	 check_rcpt(const struct smtp_rcpt *, enum outcome,
		    enum reason_kind, int, const char *);
static void	 clear(struct smtp_rcpt *, size_t, struct smtp_result *);
static int	 hook_before(void *, const size_t *, size_t);
static void	 hook_after(void *, const size_t *, size_t);
static char	*hook_password(const char *, void *, struct err **);
static void	 window_hook(struct peer *, void *);

/* Options for a plaintext session to the peer. */
static void
opts_init(struct smtp_opts *o, struct peer *p)
{
	memset(o, 0, sizeof *o);
	o->host = "peer.test";
	o->address = "127.0.0.1";
	o->port = peer_port(p);
	o->try_starttls = 1;
	o->helo = "client.test";
	o->timeout = 5;
}

/* One session with the message from a@x.test. */
static void
run(const struct smtp_opts *o, struct smtp_rcpt *r, size_t n,
    struct smtp_result *res)
{
	smtp_session_run(o, "a@x.test", MSG, strlen(MSG), r, n, res);
}

/* Stop the peer; its script must have run to the end, exactly. */
static void
end_peer(struct peer *p)
{
	const char	*e;

	if ((e = peer_end(p)) != NULL) {
		char	*l = peer_lines(p);

		fail_msg("peer: %s (it received:\n%s)", e, l);
	}
}

/* The exact lines the peer received. */
static void
check_lines(struct peer *p, const char *want)
{
	char	*got = peer_lines(p);

	assert_string_equal(got, want);
	free(got);
}

/* One recipient's outputs. */
static void
check_rcpt(const struct smtp_rcpt *r, enum outcome o, enum reason_kind k,
    int code, const char *reply)
{
	if (r->outcome != o || r->kind != k)
		fail_msg("%s: %s (%s), want %s (%s); reason: %s", r->addr,
		    outcome_name(r->outcome), reason_kind_name(r->kind),
		    outcome_name(o), reason_kind_name(k), r->reason != NULL ?
		    r->reason : "none");
	assert_int_equal(r->code, code);
	if (reply == NULL)
		assert_null(r->reply);
	else {
		assert_non_null(r->reply);
		assert_string_equal(r->reply, reply);
	}
}

/* Free what a session filled. */
static void
clear(struct smtp_rcpt *r, size_t n, struct smtp_result *res)
{
	size_t	i;

	for (i = 0; i < n; i++)
		smtp_rcpt_clear(&r[i]);
	smtp_result_clear(res);
}

/* before_dot: log what the peer has at this moment. */
static int
hook_before(void *ctx, const size_t *idx, size_t n)
{
	struct hooks	*h = ctx;
	size_t		 k;

	buf_adds(&h->log, "before");
	for (k = 0; k < n; k++)
		buf_addf(&h->log, " %zu", idx[k]);
	buf_addf(&h->log, " dots=%zu quits=%zu;", peer_count(h->peer, "."),
	    peer_count(h->peer, "QUIT"));
	return h->before_rv;
}

/* after_dot: the outcomes are there, the peer has the dot, no QUIT. */
static void
hook_after(void *ctx, const size_t *idx, size_t n)
{
	struct hooks	*h = ctx;
	size_t		 k;

	buf_adds(&h->log, "after");
	for (k = 0; k < n; k++)
		buf_addf(&h->log, " %zu:%s", idx[k],
		    outcome_name(h->r[idx[k]].outcome));
	buf_addf(&h->log, " dots=%zu quits=%zu;", peer_count(h->peer, "."),
	    peer_count(h->peer, "QUIT"));
}

/* A password callback that only counts. */
static char *
hook_password(const char *user, void *ctx, struct err **errp)
{
	struct hooks	*h = ctx;

	(void)user;
	(void)errp;
	h->npass++;
	return xstrdup("secret");
}

/* A plain delivery to a server without STARTTLS: may, plaintext. */
static void
test_plain(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250 8BITMIME\r\n"),
		P_LINE("MAIL FROM:<a@x.test>", "250 2.1.0 ok\r\n"),
		P_LINE("RCPT TO:<b@y.test>", "250 2.1.5 ok\r\n"),
		P_LINE("DATA", "354 go ahead\r\n"),
		P_BODY("250 2.0.0 queued as 1\r\n"),
		QUIT,
		P_END
	};
	struct peer		*p;
	struct smtp_opts	 o;
	struct smtp_rcpt	 r[1] = { { .addr = "b@y.test",
				    .policy = POLICY_MAY } };
	struct smtp_result	 res;
	char			*body;

	(void)state;
	p = peer_start(script, NULL);
	opts_init(&o, p);
	run(&o, r, 1, &res);
	end_peer(p);
	check_rcpt(&r[0], OUTCOME_PLAINTEXT, REASON_NO_STARTTLS, 250,
	    "250 2.0.0 queued as 1");
	assert_int_equal(r[0].uncertain, 0);
	assert_int_equal(res.end, SMTP_END_DONE);
	assert_int_equal(res.starttls_offered, 0);
	assert_int_equal(res.tls.used, 0);
	check_lines(p, "EHLO client.test\nMAIL FROM:<a@x.test>\n"
	    "RCPT TO:<b@y.test>\nDATA\n.\nQUIT\n<eof>");
	body = peer_body(p);
	assert_string_equal(body, BODY);
	free(body);
	clear(r, 1, &res);
	peer_free(p);
}

/* encrypt and verify without STARTTLS: held, and no MAIL FROM at all. */
static void
test_strict_held(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250 8BITMIME\r\n"),
		QUIT,
		P_END
	};
	struct peer		*p;
	struct smtp_opts	 o;
	struct smtp_rcpt	 r[2] = {
		{ .addr = "b@y.test", .policy = POLICY_ENCRYPT },
		{ .addr = "c@y.test", .policy = POLICY_VERIFY } };
	struct smtp_result	 res;

	(void)state;
	p = peer_start(script, NULL);
	opts_init(&o, p);
	run(&o, r, 2, &res);
	end_peer(p);
	check_rcpt(&r[0], OUTCOME_HELD, REASON_NO_STARTTLS, 0, NULL);
	check_rcpt(&r[1], OUTCOME_HELD, REASON_NO_STARTTLS, 0, NULL);
	assert_non_null(r[0].reason);
	check_lines(p, "EHLO client.test\nQUIT\n<eof>");
	assert_int_equal(peer_count(p, "MAIL"), 0);
	clear(r, 2, &res);
	peer_free(p);
}

/* 454 to STARTTLS: may goes in clear (starttls-refused), encrypt held. */
static void
test_starttls_refused(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250-STARTTLS\r\n250 8BITMIME\r\n"),
		P_LINE("STARTTLS", "454 4.7.0 TLS not available now\r\n"),
		P_LINE("MAIL FROM:<a@x.test>", "250 ok\r\n"),
		P_LINE("RCPT TO:<b@y.test>", "250 ok\r\n"),
		P_LINE("DATA", "354 go ahead\r\n"),
		P_BODY("250 queued\r\n"),
		QUIT,
		P_END
	};
	struct peer		*p;
	struct smtp_opts	 o;
	struct smtp_rcpt	 r[2] = {
		{ .addr = "b@y.test", .policy = POLICY_MAY },
		{ .addr = "c@y.test", .policy = POLICY_ENCRYPT } };
	struct smtp_result	 res;

	(void)state;
	p = peer_start(script, NULL);
	opts_init(&o, p);
	run(&o, r, 2, &res);
	end_peer(p);
	check_rcpt(&r[0], OUTCOME_PLAINTEXT, REASON_STARTTLS_REFUSED, 250,
	    "250 queued");
	check_rcpt(&r[1], OUTCOME_HELD, REASON_STARTTLS_REFUSED, 0, NULL);
	assert_non_null(strstr(r[1].reason, "454"));
	assert_int_equal(res.starttls_offered, 1);
	assert_int_equal(res.end, SMTP_END_DONE);
	check_lines(p, "EHLO client.test\nSTARTTLS\nMAIL FROM:<a@x.test>\n"
	    "RCPT TO:<b@y.test>\nDATA\n.\nQUIT\n<eof>");
	clear(r, 2, &res);
	peer_free(p);
}

/* PIPELINING: MAIL, every RCPT and DATA before the first reply. */
static void
test_pipelining(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250-PIPELINING\r\n250 8BITMIME\r\n"),
		P_LINE("MAIL FROM:<a@x.test>\nRCPT TO:<b@y.test>\n"
		    "RCPT TO:<c@y.test>\nDATA",
		    "250 ok\r\n250 ok b\r\n250 ok c\r\n354 go ahead\r\n"),
		P_BODY("250 queued\r\n"),
		QUIT,
		P_END
	};
	struct peer		*p;
	struct smtp_opts	 o;
	struct smtp_rcpt	 r[2] = {
		{ .addr = "b@y.test", .policy = POLICY_MAY },
		{ .addr = "c@y.test", .policy = POLICY_MAY } };
	struct smtp_result	 res;

	(void)state;
	p = peer_start(script, NULL);
	opts_init(&o, p);
	run(&o, r, 2, &res);
	end_peer(p);
	check_rcpt(&r[0], OUTCOME_PLAINTEXT, REASON_NO_STARTTLS, 250,
	    "250 queued");
	check_rcpt(&r[1], OUTCOME_PLAINTEXT, REASON_NO_STARTTLS, 250,
	    "250 queued");
	check_lines(p, "EHLO client.test\nMAIL FROM:<a@x.test>\n"
	    "RCPT TO:<b@y.test>\nRCPT TO:<c@y.test>\nDATA\n.\nQUIT\n<eof>");
	clear(r, 2, &res);
	peer_free(p);
}

/* The peer's hook at the end of the first batch: nothing more came. */
static void
window_hook(struct peer *p, void *ctx)
{
	size_t	*pending = ctx;

	*pending = peer_pending(p);
}

/*
 * 70 recipients: MAIL and 64 RCPTs (the window) go before any reply,
 * the rest and DATA only once half of them are answered.
 */
static void
test_pipelining_window(void **state)
{
	enum { N = 70, WINDOW = 64 };
	struct peer_step	 script[8];
	struct peer		*p;
	struct smtp_opts	 o;
	struct smtp_rcpt	 r[N];
	struct smtp_result	 res;
	struct buf		 want1 = BUF_INIT, reply1 = BUF_INIT;
	struct buf		 want2 = BUF_INIT, reply2 = BUF_INIT;
	struct buf		 lines = BUF_INIT;
	char			*addrs[N];
	size_t			 i, pending = 99;

	(void)state;
	buf_adds(&want1, "MAIL FROM:<a@x.test>");
	buf_adds(&reply1, "250 ok\r\n");
	buf_adds(&lines, "EHLO client.test\nMAIL FROM:<a@x.test>");
	for (i = 0; i < N; i++) {
		addrs[i] = xasprintf("r%zu@y.test", i);
		memset(&r[i], 0, sizeof r[i]);
		r[i].addr = addrs[i];
		r[i].policy = POLICY_MAY;
		buf_addf(i < WINDOW ? &want1 : &want2, "%sRCPT TO:<%s>",
		    i < WINDOW || i > WINDOW ? "\n" : "", addrs[i]);
		buf_addf(&lines, "\nRCPT TO:<%s>", addrs[i]);
		/* Half the window answered, the client refills it. */
		buf_adds(i < WINDOW / 2 ? &reply1 : &reply2, "250 ok\r\n");
	}
	buf_adds(&want2, "\nDATA");
	buf_adds(&reply2, "354 go ahead\r\n");
	buf_adds(&lines, "\nDATA\n.\nQUIT\n<eof>");
	script[0] = (struct peer_step)GREET;
	script[1] = (struct peer_step)EHLO("250 PIPELINING\r\n");
	script[2] = (struct peer_step)P_LINE_HOOK(want1.s, reply1.s,
	    window_hook);
	script[3] = (struct peer_step)P_LINE(want2.s, reply2.s);
	script[4] = (struct peer_step)P_BODY("250 queued\r\n");
	script[5] = (struct peer_step)P_LINE("QUIT", "221 bye\r\n");
	script[6] = (struct peer_step)P_EOF;
	script[7] = (struct peer_step)P_END;
	p = peer_start(script, &pending);
	opts_init(&o, p);
	run(&o, r, N, &res);
	end_peer(p);
	/* The client waited for replies before going past the window. */
	assert_int_equal(pending, 0);
	for (i = 0; i < N; i++)
		check_rcpt(&r[i], OUTCOME_PLAINTEXT, REASON_NO_STARTTLS, 250,
		    "250 queued");
	check_lines(p, lines.s);
	clear(r, N, &res);
	for (i = 0; i < N; i++)
		free(addrs[i]);
	buf_free(&want1);
	buf_free(&want2);
	buf_free(&reply1);
	buf_free(&reply2);
	buf_free(&lines);
	peer_free(p);
}

/* RCPT refused: 550 fails, 552 is temporary, the others go. */
static void
test_rcpt_refused(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250 PIPELINING\r\n"),
		P_LINE("MAIL FROM:<a@x.test>\nRCPT TO:<b@y.test>\n"
		    "RCPT TO:<c@y.test>\nRCPT TO:<d@y.test>\nDATA",
		    "250 ok\r\n550 5.1.1 no such user\r\n"
		    "552 4.2.2 mailbox full\r\n250 ok\r\n354 go ahead\r\n"),
		P_BODY("250 queued\r\n"),
		QUIT,
		P_END
	};
	struct peer		*p;
	struct smtp_opts	 o;
	struct smtp_rcpt	 r[3] = {
		{ .addr = "b@y.test", .policy = POLICY_MAY },
		{ .addr = "c@y.test", .policy = POLICY_MAY },
		{ .addr = "d@y.test", .policy = POLICY_MAY } };
	struct smtp_result	 res;

	(void)state;
	p = peer_start(script, NULL);
	opts_init(&o, p);
	run(&o, r, 3, &res);
	end_peer(p);
	check_rcpt(&r[0], OUTCOME_FAILED, REASON_PERM_REPLY, 550,
	    "550 5.1.1 no such user");
	check_rcpt(&r[1], OUTCOME_DEFERRED, REASON_TEMP_REPLY, 552,
	    "552 4.2.2 mailbox full");
	check_rcpt(&r[2], OUTCOME_PLAINTEXT, REASON_NO_STARTTLS, 250,
	    "250 queued");
	check_lines(p, "EHLO client.test\nMAIL FROM:<a@x.test>\n"
	    "RCPT TO:<b@y.test>\nRCPT TO:<c@y.test>\nRCPT TO:<d@y.test>\n"
	    "DATA\n.\nQUIT\n<eof>");
	clear(r, 3, &res);
	peer_free(p);
}

/* 452 after the first: the rest go in a second transaction, same link. */
static void
test_too_many(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250 PIPELINING\r\n"),
		P_LINE("MAIL FROM:<a@x.test>\nRCPT TO:<b@y.test>\n"
		    "RCPT TO:<c@y.test>\nRCPT TO:<d@y.test>\nDATA",
		    "250 ok\r\n250 ok\r\n452 4.5.3 too many recipients\r\n"
		    "452 4.5.3 too many recipients\r\n354 go ahead\r\n"),
		P_BODY("250 queued as 1\r\n"),
		P_LINE("MAIL FROM:<a@x.test>\nRCPT TO:<c@y.test>\n"
		    "RCPT TO:<d@y.test>\nDATA",
		    "250 ok\r\n250 ok\r\n250 ok\r\n354 go ahead\r\n"),
		P_BODY("250 queued as 2\r\n"),
		QUIT,
		P_END
	};
	struct peer		*p;
	struct smtp_opts	 o;
	struct smtp_rcpt	 r[3] = {
		{ .addr = "b@y.test", .policy = POLICY_MAY },
		{ .addr = "c@y.test", .policy = POLICY_MAY },
		{ .addr = "d@y.test", .policy = POLICY_MAY } };
	struct smtp_result	 res;

	(void)state;
	p = peer_start(script, NULL);
	opts_init(&o, p);
	run(&o, r, 3, &res);
	end_peer(p);
	check_rcpt(&r[0], OUTCOME_PLAINTEXT, REASON_NO_STARTTLS, 250,
	    "250 queued as 1");
	check_rcpt(&r[1], OUTCOME_PLAINTEXT, REASON_NO_STARTTLS, 250,
	    "250 queued as 2");
	check_rcpt(&r[2], OUTCOME_PLAINTEXT, REASON_NO_STARTTLS, 250,
	    "250 queued as 2");
	assert_int_equal(peer_connections(p), 1);
	check_lines(p, "EHLO client.test\nMAIL FROM:<a@x.test>\n"
	    "RCPT TO:<b@y.test>\nRCPT TO:<c@y.test>\nRCPT TO:<d@y.test>\n"
	    "DATA\n.\nMAIL FROM:<a@x.test>\nRCPT TO:<c@y.test>\n"
	    "RCPT TO:<d@y.test>\nDATA\n.\nQUIT\n<eof>");
	clear(r, 3, &res);
	peer_free(p);
}

/* before_dot before the peer has the dot, after_dot after 250, pre-QUIT. */
static void
test_hooks_order(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250 PIPELINING\r\n"),
		P_LINE("MAIL FROM:<a@x.test>\nRCPT TO:<b@y.test>\n"
		    "RCPT TO:<c@y.test>\nRCPT TO:<d@y.test>\nDATA",
		    "250 ok\r\n250 ok\r\n550 no\r\n250 ok\r\n354 go ahead\r\n"),
		P_BODY("250 queued\r\n"),
		QUIT,
		P_END
	};
	struct hooks		 h;
	struct smtp_opts	 o;
	struct smtp_rcpt	 r[3] = {
		{ .addr = "b@y.test", .policy = POLICY_MAY },
		{ .addr = "c@y.test", .policy = POLICY_MAY },
		{ .addr = "d@y.test", .policy = POLICY_MAY } };
	struct smtp_result	 res;

	(void)state;
	memset(&h, 0, sizeof h);
	h.peer = peer_start(script, NULL);
	h.r = r;
	opts_init(&o, h.peer);
	o.before_dot = hook_before;
	o.after_dot = hook_after;
	o.txn_ctx = &h;
	run(&o, r, 3, &res);
	end_peer(h.peer);
	/* Only the accepted recipients, once each, in this order. */
	assert_string_equal(h.log.s, "before 0 2 dots=0 quits=0;"
	    "after 0:plaintext 2:plaintext dots=1 quits=0;");
	check_rcpt(&r[1], OUTCOME_FAILED, REASON_PERM_REPLY, 550, "550 no");
	clear(r, 3, &res);
	buf_free(&h.log);
	peer_free(h.peer);
}

/* before_dot says -1: no dot ever goes out, the connection closes. */
static void
test_before_dot_fails(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250 8BITMIME\r\n"),
		P_LINE("MAIL FROM:<a@x.test>", "250 ok\r\n"),
		P_LINE("RCPT TO:<b@y.test>", "250 ok\r\n"),
		P_LINE("DATA", "354 go ahead\r\n"),
		P_BODY_EOF,
		P_END
	};
	struct hooks		 h;
	struct smtp_opts	 o;
	struct smtp_rcpt	 r[1] = { { .addr = "b@y.test",
				    .policy = POLICY_MAY } };
	struct smtp_result	 res;
	char			*body;

	(void)state;
	memset(&h, 0, sizeof h);
	h.peer = peer_start(script, NULL);
	h.r = r;
	h.before_rv = -1;
	opts_init(&o, h.peer);
	o.before_dot = hook_before;
	o.after_dot = hook_after;
	o.txn_ctx = &h;
	run(&o, r, 1, &res);
	end_peer(h.peer);
	assert_string_equal(h.log.s, "before 0 dots=0 quits=0;");
	check_rcpt(&r[0], OUTCOME_DEFERRED, REASON_STORE, 0, NULL);
	assert_int_equal(r[0].uncertain, 0);
	check_lines(h.peer, "EHLO client.test\nMAIL FROM:<a@x.test>\n"
	    "RCPT TO:<b@y.test>\nDATA\n<eof>");
	/*
	 * The body's end waits in the buffer for the dot (one write with
	 * it): a small message never left at all.
	 */
	body = peer_body(h.peer);
	assert_string_equal(body, "");
	free(body);
	clear(r, 1, &res);
	buf_free(&h.log);
	peer_free(h.peer);
}

/* The connection lost after the dot: uncertain, and after_dot told. */
static void
test_lost_after_dot(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250 8BITMIME\r\n"),
		P_LINE("MAIL FROM:<a@x.test>", "250 ok\r\n"),
		P_LINE("RCPT TO:<b@y.test>", "250 ok\r\n"),
		P_LINE("DATA", "354 go ahead\r\n"),
		P_BODY(NULL),
		P_CLOSE,
		P_END
	};
	struct hooks		 h;
	struct smtp_opts	 o;
	struct smtp_rcpt	 r[1] = { { .addr = "b@y.test",
				    .policy = POLICY_MAY } };
	struct smtp_result	 res;

	(void)state;
	memset(&h, 0, sizeof h);
	h.peer = peer_start(script, NULL);
	h.r = r;
	opts_init(&o, h.peer);
	o.before_dot = hook_before;
	o.after_dot = hook_after;
	o.txn_ctx = &h;
	run(&o, r, 1, &res);
	end_peer(h.peer);
	check_rcpt(&r[0], OUTCOME_DEFERRED, REASON_UNCERTAIN, 0, NULL);
	assert_int_equal(r[0].uncertain, 1);
	assert_string_equal(h.log.s, "before 0 dots=0 quits=0;"
	    "after 0:deferred dots=1 quits=0;");
	check_lines(h.peer, "EHLO client.test\nMAIL FROM:<a@x.test>\n"
	    "RCPT TO:<b@y.test>\nDATA\n.");
	clear(r, 1, &res);
	buf_free(&h.log);
	peer_free(h.peer);
}

/* 5xx to MAIL FROM: failed, RSET, QUIT; no RCPT. */
static void
test_mail_refused(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250 8BITMIME\r\n"),
		P_LINE("MAIL FROM:<a@x.test>", "550 5.7.1 sender refused\r\n"),
		P_LINE("RSET", "250 ok\r\n"),
		QUIT,
		P_END
	};
	struct peer		*p;
	struct smtp_opts	 o;
	struct smtp_rcpt	 r[2] = {
		{ .addr = "b@y.test", .policy = POLICY_MAY },
		{ .addr = "c@y.test", .policy = POLICY_MAY } };
	struct smtp_result	 res;

	(void)state;
	p = peer_start(script, NULL);
	opts_init(&o, p);
	run(&o, r, 2, &res);
	end_peer(p);
	check_rcpt(&r[0], OUTCOME_FAILED, REASON_PERM_REPLY, 550,
	    "550 5.7.1 sender refused");
	check_rcpt(&r[1], OUTCOME_FAILED, REASON_PERM_REPLY, 550,
	    "550 5.7.1 sender refused");
	check_lines(p, "EHLO client.test\nMAIL FROM:<a@x.test>\nRSET\n"
	    "QUIT\n<eof>");
	clear(r, 2, &res);
	peer_free(p);
}

/* AUTH is never sent without TLS; the password is not even asked. */
static void
test_auth_needs_tls(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"),
		QUIT,
		P_END
	};
	struct hooks		 h;
	struct peer		*p;
	struct smtp_opts	 o;
	struct smtp_rcpt	 r[1] = { { .addr = "b@y.test",
				    .policy = POLICY_MAY } };
	struct smtp_result	 res;

	(void)state;
	memset(&h, 0, sizeof h);
	p = peer_start(script, NULL);
	opts_init(&o, p);
	o.user = "me";
	o.password = hook_password;
	o.password_ctx = &h;
	run(&o, r, 1, &res);
	end_peer(p);
	check_rcpt(&r[0], OUTCOME_HELD, REASON_AUTH_NEEDS_TLS, 0, NULL);
	assert_int_equal(h.npass, 0);
	assert_int_equal(peer_count(p, "AUTH"), 0);
	check_lines(p, "EHLO client.test\nQUIT\n<eof>");
	clear(r, 1, &res);
	peer_free(p);
}

/*
 * A tab and a lone CR after an unknown mechanism on the AUTH lines
 * (libetpan's parser looped forever on them; the fuzz seed
 * auth-tab-loop): the session goes on.  The program's alarm bounds it.
 */
static void
test_auth_line_tab_cr(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250-AUTH X-ODD\tPLAIN\r\n250-AUTH X-ODD\rLOGIN\r\n"
		    "250 8BITMIME\r\n"),
		P_LINE("MAIL FROM:<a@x.test>", "250 ok\r\n"),
		P_LINE("RCPT TO:<b@y.test>", "250 ok\r\n"),
		P_LINE("DATA", "354 go ahead\r\n"),
		P_BODY("250 queued\r\n"),
		QUIT,
		P_END
	};
	struct peer		*p;
	struct smtp_opts	 o;
	struct smtp_rcpt	 r[1] = { { .addr = "b@y.test",
				    .policy = POLICY_MAY } };
	struct smtp_result	 res;

	(void)state;
	p = peer_start(script, NULL);
	opts_init(&o, p);
	run(&o, r, 1, &res);
	end_peer(p);
	check_rcpt(&r[0], OUTCOME_PLAINTEXT, REASON_NO_STARTTLS, 250,
	    "250 queued");
	check_lines(p, "EHLO client.test\nMAIL FROM:<a@x.test>\n"
	    "RCPT TO:<b@y.test>\nDATA\n.\nQUIT\n<eof>");
	clear(r, 1, &res);
	peer_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_strict_held),
		cmocka_unit_test(test_starttls_refused),
		cmocka_unit_test(test_pipelining),
		cmocka_unit_test(test_pipelining_window),
		cmocka_unit_test(test_rcpt_refused),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_hooks_order),
		cmocka_unit_test(test_before_dot_fails),
		cmocka_unit_test(test_lost_after_dot),
		cmocka_unit_test(test_mail_refused),
		cmocka_unit_test(test_auth_needs_tls),
		cmocka_unit_test(test_auth_line_tab_cr),
	};

	/* A hang is a failure, not a stuck make check. */
	alarm(60);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
