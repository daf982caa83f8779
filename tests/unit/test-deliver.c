/*
 * Unit tests for deliver.c: deliver_run with a relay (and a [route])
 * pointing at scripted peers in this process (peer.c).  They check the
 * records it returns, the hooks a caller stores records from, and the
 * plaintext retry after a failed STARTTLS, which is for "may" only.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "conf.h"
#include "deliver.h"
#include "err.h"
#include "policy.h"
#include "record.h"
#include "xmalloc.h"

#include "peer.h"

#define MSG	"From: a@x.test\r\nTo: b@y.test\r\nSubject: t\r\n"	\
		"Message-ID: <1@x.test>\r\n\r\nhello\r\n"
#define GREET	P_GREET("220 peer.test ESMTP\r\n")
#define EHLO(caps) P_LINE("EHLO client.test", "250-peer.test\r\n" caps)
#define QUIT	P_LINE("QUIT", "221 2.0.0 bye\r\n"), P_EOF

/* What the hooks saw. */
struct hooks {
	struct peer	*peer;
	struct buf	 log;
};

static struct conf *conf_for(int, const char *);
static void	 req_init(struct deliver_req *, const struct conf *,
		    const struct deliver_rcpt *, size_t);
static void	 end_peer(struct peer *);
static void	 check_lines(struct peer *, const char *);
static void	 check_rec(const struct record *, const char *, enum outcome,
		    enum reason_kind, int, int);
static int	 hook_before(void *, const size_t *, size_t);
static int	 hook_settle(void *, const size_t *, size_t,
		    struct record *);

/* A config relaying to the peer's port, with more lines after. */
static struct conf *
conf_for(int port, const char *more)
{
	struct conf	*c;
	struct err	*e = NULL;
	char		*text;

	text = xasprintf("relay = smtp://127.0.0.1:%d\nhelo = client.test\n"
	    "timeout = 5\n%s", port, more != NULL ? more : "");
	c = conf_parse(text, "test.conf", &e);
	free(text);
	if (c == NULL)
		fail_msg("%s", e->msg);
	return c;
}

/* A request for the message from a@x.test. */
static void
req_init(struct deliver_req *req, const struct conf *c,
    const struct deliver_rcpt *r, size_t n)
{
	memset(req, 0, sizeof *req);
	req->conf = c;
	req->from = "a@x.test";
	req->rcpts = r;
	req->n = n;
	req->msg = MSG;
	req->len = strlen(MSG);
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

/* A record: who, what, why, where. */
static void
check_rec(const struct record *r, const char *rcpt, enum outcome o,
    enum reason_kind k, int port, int code)
{
	assert_non_null(r->recipient);
	assert_string_equal(r->recipient, rcpt);
	if (r->outcome != o || r->kind != k)
		fail_msg("%s: %s (%s), want %s (%s); reason: %s", rcpt,
		    outcome_name(r->outcome), reason_kind_name(r->kind),
		    outcome_name(o), reason_kind_name(k), r->reason != NULL ?
		    r->reason : "none");
	assert_non_null(r->server);
	assert_string_equal(r->server, "127.0.0.1");
	assert_non_null(r->address);
	assert_string_equal(r->address, "127.0.0.1");
	assert_int_equal(r->port, port);
	assert_int_equal(r->code, code);
	assert_int_equal(r->tls.used, 0);
	assert_true(r->when > 0);
}

/* before_dot: which recipients, and the peer has no dot yet. */
static int
hook_before(void *ctx, const size_t *idx, size_t n)
{
	struct hooks	*h = ctx;
	size_t		 k;

	buf_adds(&h->log, "before");
	for (k = 0; k < n; k++)
		buf_addf(&h->log, " %zu", idx[k]);
	buf_addf(&h->log, " dots=%zu;", peer_count(h->peer, "."));
	return 0;
}

/* settle: a whole transaction at once, its records filled, pre-QUIT. */
static int
hook_settle(void *ctx, const size_t *idx, size_t n, struct record *out)
{
	struct hooks	*h = ctx;
	size_t		 k;

	buf_adds(&h->log, "settle");
	for (k = 0; k < n; k++)
		buf_addf(&h->log, " %zu:%s:%s:%d", idx[k], out[idx[k]].recipient,
		    outcome_name(out[idx[k]].outcome), out[idx[k]].code);
	buf_addf(&h->log, " dots=%zu quits=%zu;", peer_count(h->peer, "."),
	    peer_count(h->peer, "QUIT"));
	return 0;
}

/* One record per recipient, with the server, address, port and kind. */
static void
test_records(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250 PIPELINING\r\n"),
		P_LINE("MAIL FROM:<a@x.test>\nRCPT TO:<b@y.test>\n"
		    "RCPT TO:<c@y.test>\nRCPT TO:<d@y.test>\nDATA",
		    "250 ok\r\n250 ok\r\n550 5.1.1 unknown\r\n"
		    "451 4.3.0 try later\r\n354 go ahead\r\n"),
		P_BODY("250 2.0.0 queued\r\n"),
		QUIT,
		P_END
	};
	static const struct deliver_rcpt rcpts[] = {
		{ "b@y.test", POLICY_MAY, POLICY_FROM_DEFAULT },
		{ "c@y.test", POLICY_MAY, POLICY_FROM_DOMAIN },
		{ "d@y.test", POLICY_MAY, POLICY_FROM_CONTACT }
	};
	struct deliver_req	 req;
	struct record		 out[3];
	struct err		*e = NULL;
	struct conf		*c;
	struct peer		*p;
	size_t			 i;

	(void)state;
	p = peer_start(script, NULL);
	c = conf_for(peer_port(p), NULL);
	req_init(&req, c, rcpts, 3);
	assert_int_equal(deliver_run(&req, out, &e), 0);
	end_peer(p);
	check_rec(&out[0], "b@y.test", OUTCOME_PLAINTEXT, REASON_NO_STARTTLS,
	    peer_port(p), 250);
	assert_string_equal(out[0].reply, "250 2.0.0 queued");
	check_rec(&out[1], "c@y.test", OUTCOME_FAILED, REASON_PERM_REPLY,
	    peer_port(p), 550);
	assert_string_equal(out[1].reply, "550 5.1.1 unknown");
	check_rec(&out[2], "d@y.test", OUTCOME_DEFERRED, REASON_TEMP_REPLY,
	    peer_port(p), 451);
	for (i = 0; i < 3; i++) {
		assert_int_equal(out[i].policy, POLICY_MAY);
		assert_int_equal(out[i].policy_source, rcpts[i].source);
		assert_int_equal(out[i].uncertain, 0);
		assert_int_equal(out[i].unrecorded, 0);
	}
	check_lines(p, "EHLO client.test\nMAIL FROM:<a@x.test>\n"
	    "RCPT TO:<b@y.test>\nRCPT TO:<c@y.test>\nRCPT TO:<d@y.test>\n"
	    "DATA\n.\nQUIT\n<eof>");
	for (i = 0; i < 3; i++)
		record_clear(&out[i]);
	conf_free(c);
	peer_free(p);
}

/*
 * settle gets all the recipients of a transaction at once, after the
 * server's 250 and before anything else goes out; a 452 makes two
 * transactions, so two calls.
 */
static void
test_settle(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250 8BITMIME\r\n"),
		P_LINE("MAIL FROM:<a@x.test>", "250 ok\r\n"),
		P_LINE("RCPT TO:<b@y.test>", "250 ok\r\n"),
		P_LINE("RCPT TO:<c@y.test>", "250 ok\r\n"),
		P_LINE("RCPT TO:<d@y.test>", "452 4.5.3 too many\r\n"),
		P_LINE("DATA", "354 go ahead\r\n"),
		P_BODY("250 queued as 1\r\n"),
		P_LINE("MAIL FROM:<a@x.test>", "250 ok\r\n"),
		P_LINE("RCPT TO:<d@y.test>", "250 ok\r\n"),
		P_LINE("DATA", "354 go ahead\r\n"),
		P_BODY("250 queued as 2\r\n"),
		QUIT,
		P_END
	};
	static const struct deliver_rcpt rcpts[] = {
		{ "b@y.test", POLICY_MAY, POLICY_FROM_DEFAULT },
		{ "c@y.test", POLICY_MAY, POLICY_FROM_DEFAULT },
		{ "d@y.test", POLICY_MAY, POLICY_FROM_DEFAULT }
	};
	struct deliver_req	 req;
	struct record		 out[3];
	struct err		*e = NULL;
	struct conf		*c;
	struct hooks		 h;
	size_t			 i;

	(void)state;
	memset(&h, 0, sizeof h);
	h.peer = peer_start(script, NULL);
	c = conf_for(peer_port(h.peer), NULL);
	req_init(&req, c, rcpts, 3);
	req.before_dot = hook_before;
	req.settle = hook_settle;
	req.hook_ctx = &h;
	assert_int_equal(deliver_run(&req, out, &e), 0);
	end_peer(h.peer);
	assert_string_equal(h.log.s,
	    "before 0 1 dots=0;"
	    "settle 0:b@y.test:plaintext:250 1:c@y.test:plaintext:250 dots=1 "
	    "quits=0;"
	    "before 2 dots=1;"
	    "settle 2:d@y.test:plaintext:250 dots=2 quits=0;");
	check_rec(&out[0], "b@y.test", OUTCOME_PLAINTEXT, REASON_NO_STARTTLS,
	    peer_port(h.peer), 250);
	check_rec(&out[2], "d@y.test", OUTCOME_PLAINTEXT, REASON_NO_STARTTLS,
	    peer_port(h.peer), 250);
	assert_string_equal(out[2].reply, "250 queued as 2");
	assert_int_equal(peer_connections(h.peer), 1);
	for (i = 0; i < 3; i++)
		record_clear(&out[i]);
	conf_free(c);
	buf_free(&h.log);
	peer_free(h.peer);
}

/*
 * 220 to STARTTLS, then garbage instead of a handshake: the first
 * connection fails; a second, in plaintext, carries the "may" recipient
 * only; the "encrypt" one is held and never offered to anyone.
 */
static void
test_plaintext_retry(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250-STARTTLS\r\n250 8BITMIME\r\n"),
		P_LINE("STARTTLS", "220 2.0.0 go ahead\r\n"),
		P_RAW("this is not TLS\r\n"),	/* after the ClientHello */
		P_CLOSE,
		GREET,
		EHLO("250-STARTTLS\r\n250 8BITMIME\r\n"),
		P_LINE("MAIL FROM:<a@x.test>", "250 ok\r\n"),
		P_LINE("RCPT TO:<b@y.test>", "250 ok\r\n"),
		P_LINE("DATA", "354 go ahead\r\n"),
		P_BODY("250 queued\r\n"),
		QUIT,
		P_END
	};
	static const struct deliver_rcpt rcpts[] = {
		{ "b@y.test", POLICY_MAY, POLICY_FROM_DEFAULT },
		{ "c@y.test", POLICY_ENCRYPT, POLICY_FROM_CONTACT }
	};
	struct deliver_req	 req;
	struct record		 out[2];
	struct err		*e = NULL;
	struct conf		*c;
	struct peer		*p;

	(void)state;
	p = peer_start(script, NULL);
	c = conf_for(peer_port(p), NULL);
	req_init(&req, c, rcpts, 2);
	assert_int_equal(deliver_run(&req, out, &e), 0);
	/* peer_end fails on a third connection (a retry of the held one). */
	end_peer(p);
	/* The retry says why there was no TLS: the failed upgrade. */
	check_rec(&out[0], "b@y.test", OUTCOME_PLAINTEXT,
	    REASON_INJECTION, peer_port(p), 250);
	assert_non_null(strstr(out[0].reason, "STARTTLS failed"));
	check_rec(&out[1], "c@y.test", OUTCOME_HELD, REASON_INJECTION,
	    peer_port(p), 0);
	assert_int_equal(peer_connections(p), 2);
	assert_int_equal(peer_count(p, "RCPT TO:<c@y.test>"), 0);
	assert_int_equal(peer_count(p, "STARTTLS"), 1);
	check_lines(p, "EHLO client.test\nSTARTTLS\n"
	    "EHLO client.test\nMAIL FROM:<a@x.test>\nRCPT TO:<b@y.test>\n"
	    "DATA\n.\nQUIT\n<eof>");
	record_clear(&out[0]);
	record_clear(&out[1]);
	conf_free(c);
	peer_free(p);
}

/* A [route] sends its domain to its own host; the rest to the relay. */
static void
test_route(void **state)
{
	static const struct peer_step relay_script[] = {
		GREET,
		EHLO("250 8BITMIME\r\n"),
		P_LINE("MAIL FROM:<a@x.test>", "250 ok\r\n"),
		P_LINE("RCPT TO:<b@y.test>", "250 ok\r\n"),
		P_LINE("DATA", "354 go ahead\r\n"),
		P_BODY("250 relay queued\r\n"),
		QUIT,
		P_END
	};
	static const struct peer_step route_script[] = {
		GREET,
		EHLO("250 8BITMIME\r\n"),
		P_LINE("MAIL FROM:<a@x.test>", "250 ok\r\n"),
		P_LINE("RCPT TO:<c@routed.test>", "250 ok\r\n"),
		P_LINE("RCPT TO:<d@ROUTED.test>", "250 ok\r\n"),
		P_LINE("DATA", "354 go ahead\r\n"),
		P_BODY("250 route queued\r\n"),
		QUIT,
		P_END
	};
	static const struct deliver_rcpt rcpts[] = {
		{ "c@routed.test", POLICY_MAY, POLICY_FROM_DEFAULT },
		{ "b@y.test", POLICY_MAY, POLICY_FROM_DEFAULT },
		{ "d@ROUTED.test", POLICY_MAY, POLICY_FROM_DEFAULT }
	};
	struct deliver_req	 req;
	struct record		 out[3];
	struct err		*e = NULL;
	struct conf		*c;
	struct peer		*relay, *route;
	char			*more;
	size_t			 i;

	(void)state;
	relay = peer_start(relay_script, NULL);
	route = peer_start(route_script, NULL);
	more = xasprintf("[route routed.test]\nhost = 127.0.0.1:%d\n",
	    peer_port(route));
	c = conf_for(peer_port(relay), more);
	free(more);
	req_init(&req, c, rcpts, 3);
	assert_int_equal(deliver_run(&req, out, &e), 0);
	end_peer(relay);
	end_peer(route);
	check_rec(&out[0], "c@routed.test", OUTCOME_PLAINTEXT,
	    REASON_NO_STARTTLS, peer_port(route), 250);
	assert_string_equal(out[0].reply, "250 route queued");
	check_rec(&out[1], "b@y.test", OUTCOME_PLAINTEXT, REASON_NO_STARTTLS,
	    peer_port(relay), 250);
	assert_string_equal(out[1].reply, "250 relay queued");
	check_rec(&out[2], "d@ROUTED.test", OUTCOME_PLAINTEXT,
	    REASON_NO_STARTTLS, peer_port(route), 250);
	assert_int_equal(peer_connections(relay), 1);
	assert_int_equal(peer_connections(route), 1);
	for (i = 0; i < 3; i++)
		record_clear(&out[i]);
	conf_free(c);
	peer_free(relay);
	peer_free(route);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_settle),
		cmocka_unit_test(test_plaintext_retry),
		cmocka_unit_test(test_route),
	};

	/* A hang is a failure, not a stuck make check. */
	alarm(60);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
