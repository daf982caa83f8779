/*
 * Unit tests for outbox.c: outbox_add, outbox_send and outbox_policy
 * with a real SQLite store in a temporary directory and a scripted peer
 * in this process (peer.c).  The peer looks at the store itself (through
 * a second handle, as another process would) at the moments the crash
 * rules of DESIGN.md are about: the message is committed before the
 * first command, each record before QUIT.
 *
 * libetpan does not wait for the reply to QUIT, so a client that stored
 * its records only after the session could still win the race against
 * the peer's look at QUIT: the engine's outcome event (which comes after
 * the session, before outbox_send stores what is left) waits for that
 * look, so that such a client fails every time.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
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

#include "conf.h"
#include "err.h"
#include "event.h"
#include "outbox.h"
#include "policy.h"
#include "record.h"
#include "store.h"
#include "xmalloc.h"

#include "peer.h"

#define MSG	"From: a@x.test\r\nTo: b@y.test\r\nSubject: t\r\n"	\
		"Message-ID: <%s@x.test>\r\n\r\nhello\r\n"
#define GREET	P_GREET("220 peer.test ESMTP\r\n")
#define EHLO(caps) P_LINE("EHLO client.test", "250-peer.test\r\n" caps)
#define QUIT	P_LINE("QUIT", "221 2.0.0 bye\r\n"), P_EOF

/* One test's world: the store, a second handle on it, the config. */
struct world {
	struct store		*st;
	struct store		*look;		/* the peer's own handle */
	struct conf		*conf;
	struct outbox_ctx	 o;
	long long		 id;
	/* What the peer saw in the store, by its hooks. */
	int			 seen_first;	/* the first command came */
	long long		 outbox_at_first;
	size_t			 rcpts_at_first;
	int			 delivered_at_first;
	int			 seen_quit;
	int			 delivered_at_quit;
	int			 attempts_at_quit;
	size_t			 records_at_quit;
	enum outcome		 outcome_at_quit;
	pthread_mutex_t		 lock;		/* for quit_looked */
	pthread_cond_t		 cond;
	int			 quit_looked;
};

static char	 dir[] = "/tmp/tern-test-outbox.XXXXXX";

static void	 world_open(struct world *, int, const char *);
static void	 world_close(struct world *);
static long long add(struct world *, const char *, const char **, size_t);
static size_t	 send_now(struct world *, struct record **);
static void	 end_peer(struct peer *);
static void	 check_lines(struct peer *, const char *);
static struct store_rcpt *rcpts_of(struct world *, size_t *);
static void	 hook_first(struct peer *, void *);
static void	 hook_quit(struct peer *, void *);
static void	 wait_quit(const struct event *, void *);

/* A fresh store and a config relaying to port. */
static void
world_open(struct world *w, int port, const char *more)
{
	struct err	*e = NULL;
	char		*path, *text;
	static int	 n;

	memset(w, 0, sizeof *w);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	path = xasprintf("%s/db%d/tern.db", dir, n++);
	if ((w->st = store_open(path, &e)) == NULL ||
	    (w->look = store_open(path, &e)) == NULL)
		fail_msg("%s", e->msg);
	free(path);
	text = xasprintf("from = a@x.test\nrelay = smtp://127.0.0.1:%d\n"
	    "helo = client.test\ntimeout = 5\n%s", port, more != NULL ? more :
	    "");
	if ((w->conf = conf_parse(text, "test.conf", &e)) == NULL)
		fail_msg("%s", e->msg);
	free(text);
	w->o.conf = w->conf;
	w->o.store = w->st;
}

/* Close it. */
static void
world_close(struct world *w)
{
	store_close(w->look);
	store_close(w->st);
	conf_free(w->conf);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
}

/* outbox_add a message with this Message-ID. */
static long long
add(struct world *w, const char *msgid, const char **rcpts, size_t n)
{
	struct err	*e = NULL;
	long long	 id = 0;
	char		*msg;

	msg = xasprintf(MSG, msgid);
	if (outbox_add(&w->o, "a@x.test", "t", rcpts, n, msg, strlen(msg),
	    &id, &e) != 0)
		fail_msg("outbox_add: %s", e->msg);
	free(msg);
	assert_true(id > 0);
	return id;
}

/* outbox_send w->id; how many records. */
static size_t
send_now(struct world *w, struct record **out)
{
	struct err	*e = NULL;
	size_t		 n = 0;

	if (outbox_send(&w->o, w->id, out, &n, &e) != 0)
		fail_msg("outbox_send: %s", e->msg);
	return n;
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

/* The queue rows of w->id, as the store has them now. */
static struct store_rcpt *
rcpts_of(struct world *w, size_t *n)
{
	struct store_rcpt	*rc = NULL;
	struct err		*e = NULL;

	if (store_message_rcpts(w->look, w->id, &rc, n, &e) != 0)
		fail_msg("store_message_rcpts: %s", e->msg);
	return rc;
}

/* The peer's first command: is the message committed already? */
static void
hook_first(struct peer *p, void *ctx)
{
	struct world		*w = ctx;
	struct store_rcpt	*rc = NULL;
	size_t			 n = 0;

	(void)p;
	w->seen_first = 1;
	(void)store_message_count(w->look, STORE_OUTBOX, &w->outbox_at_first,
	    NULL);
	if (store_message_rcpts(w->look, w->id, &rc, &n, NULL) == 0) {
		w->rcpts_at_first = n;
		w->delivered_at_first = n > 0 ? rc[0].delivered : -1;
		store_rcpts_free(rc, n);
	}
}

/* QUIT: is the record stored already? */
static void
hook_quit(struct peer *p, void *ctx)
{
	struct world		*w = ctx;
	struct store_rcpt	*rc = NULL;
	struct record		*att = NULL;
	size_t			 n = 0, na = 0;

	(void)p;
	w->seen_quit = 1;
	w->delivered_at_quit = -1;
	if (store_message_rcpts(w->look, w->id, &rc, &n, NULL) == 0 &&
	    n == 1) {
		w->delivered_at_quit = rc[0].delivered;
		w->attempts_at_quit = rc[0].attempts;
	}
	store_rcpts_free(rc, n);
	if (store_attempts(w->look, w->id, &att, &na, NULL) == 0) {
		w->records_at_quit = na;
		w->outcome_at_quit = na > 0 ? att[0].outcome : OUTCOME_LAST;
	}
	record_free_array(att, na);
	pthread_mutex_lock(&w->lock);
	w->quit_looked = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/*
 * The engine's outcome event, after the session: wait for the peer's
 * look at QUIT (bounded, for a client that never sends QUIT: then the
 * test fails on seen_quit).
 */
static void
wait_quit(const struct event *e, void *ctx)
{
	struct world	*w = ctx;
	struct timespec	 until;
	int		 r = 0;

	if (e->type != EVENT_OUTCOME)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 20;
	pthread_mutex_lock(&w->lock);
	while (!w->quit_looked && r != ETIMEDOUT)
		r = pthread_cond_timedwait(&w->cond, &w->lock, &until);
	pthread_mutex_unlock(&w->lock);
}

/*
 * The message is in the store before the first command reaches the
 * server, and the recipient's record before QUIT.
 */
static void
test_store_first(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		P_LINE_HOOK("EHLO client.test", "250-peer.test\r\n"
		    "250 8BITMIME\r\n", hook_first),
		P_LINE("MAIL FROM:<a@x.test>", "250 ok\r\n"),
		P_LINE("RCPT TO:<b@y.test>", "250 ok\r\n"),
		P_LINE("DATA", "354 go ahead\r\n"),
		P_BODY("250 queued\r\n"),
		P_LINE_HOOK("QUIT", "221 bye\r\n", hook_quit),
		P_EOF,
		P_END
	};
	const char		*to[] = { "b@y.test" };
	struct world		 w;
	struct record		*out = NULL;
	struct store_rcpt	*rc;
	struct peer		*p;
	size_t			 n;

	(void)state;
	p = peer_start(script, &w);
	world_open(&w, peer_port(p), NULL);
	w.o.ev = wait_quit;
	w.o.ev_ctx = &w;
	w.id = add(&w, "first", to, 1);
	n = send_now(&w, &out);
	end_peer(p);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].outcome, OUTCOME_PLAINTEXT);
	assert_int_equal(out[0].unrecorded, 0);
	/* At the first command: queued, not yet delivered. */
	assert_int_equal(w.seen_first, 1);
	assert_int_equal(w.outbox_at_first, 1);
	assert_int_equal(w.rcpts_at_first, 1);
	assert_int_equal(w.delivered_at_first, 0);
	/* At QUIT: delivered, with its one attempt recorded. */
	assert_int_equal(w.seen_quit, 1);
	assert_int_equal(w.delivered_at_quit, 1);
	assert_int_equal(w.attempts_at_quit, 1);
	assert_int_equal(w.records_at_quit, 1);
	assert_int_equal(w.outcome_at_quit, OUTCOME_PLAINTEXT);
	rc = rcpts_of(&w, &n);
	assert_int_equal(n, 1);
	assert_int_equal(rc[0].delivered, 1);
	assert_int_equal(rc[0].last, OUTCOME_PLAINTEXT);
	assert_int_equal(rc[0].kind, REASON_NO_STARTTLS);
	store_rcpts_free(rc, n);
	record_free_array(out, 1);
	world_close(&w);
	peer_free(p);
}

/*
 * The same Message-ID twice is one message and one copy at the server;
 * sending it again sends nothing, and adding it once it has left does
 * not queue it again.
 */
static void
test_idempotent(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250 8BITMIME\r\n"),
		P_LINE("MAIL FROM:<a@x.test>", "250 ok\r\n"),
		P_LINE("RCPT TO:<b@y.test>", "250 ok\r\n"),
		P_LINE("DATA", "354 go ahead\r\n"),
		P_BODY("250 queued\r\n"),
		QUIT,
		P_END
	};
	const char	*to[] = { "b@y.test" };
	struct world	 w;
	struct record	*out = NULL;
	struct peer	*p;
	long long	 count = -1;
	size_t		 n;

	(void)state;
	p = peer_start(script, NULL);
	world_open(&w, peer_port(p), NULL);
	w.id = add(&w, "twice", to, 1);
	assert_int_equal(add(&w, "twice", to, 1), w.id);
	assert_int_equal(store_message_count(w.st, STORE_OUTBOX, &count,
	    NULL), 0);
	assert_int_equal(count, 1);
	n = send_now(&w, &out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].outcome, OUTCOME_PLAINTEXT);
	record_free_array(out, n);
	out = NULL;
	/* Again: nothing is queued, nothing goes out. */
	assert_int_equal(send_now(&w, &out), 0);
	assert_null(out);
	/* Added once more after it left: joined, not queued. */
	assert_int_equal(add(&w, "twice", to, 1), w.id);
	assert_int_equal(send_now(&w, &out), 0);
	assert_null(out);
	/* peer_end fails on a second connection. */
	end_peer(p);
	assert_int_equal(peer_connections(p), 1);
	assert_int_equal(peer_count(p, "."), 1);
	assert_int_equal(store_message_count(w.st, STORE_OUTBOX, &count,
	    NULL), 0);
	assert_int_equal(count, 0);
	assert_int_equal(store_message_count(w.st, STORE_SENT, &count, NULL),
	    0);
	assert_int_equal(count, 1);
	world_close(&w);
	peer_free(p);
}

/*
 * A recipient the server defers: one attempt, the next try five
 * minutes after the first; outbox_send with due set then sends nothing.
 */
static void
test_deferred(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250 8BITMIME\r\n"),
		P_LINE("MAIL FROM:<a@x.test>", "250 ok\r\n"),
		P_LINE("RCPT TO:<b@y.test>", "451 4.3.0 try again later\r\n"),
		P_LINE("RSET", "250 ok\r\n"),
		QUIT,
		P_END
	};
	const char		*to[] = { "b@y.test" };
	struct world		 w;
	struct record		*out = NULL;
	struct store_rcpt	*rc;
	struct peer		*p;
	long long		 t0, t1;
	size_t			 n;

	(void)state;
	p = peer_start(script, NULL);
	world_open(&w, peer_port(p), NULL);
	w.id = add(&w, "later", to, 1);
	t0 = (long long)time(NULL);
	n = send_now(&w, &out);
	t1 = (long long)time(NULL);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].outcome, OUTCOME_DEFERRED);
	assert_int_equal(out[0].kind, REASON_TEMP_REPLY);
	assert_int_equal(out[0].code, 451);
	record_free_array(out, n);
	out = NULL;
	rc = rcpts_of(&w, &n);
	assert_int_equal(n, 1);
	assert_int_equal(rc[0].attempts, 1);
	assert_int_equal(rc[0].delivered, 0);
	assert_int_equal(rc[0].failed, 0);
	assert_int_equal(rc[0].last, OUTCOME_DEFERRED);
	assert_int_equal(rc[0].kind, REASON_TEMP_REPLY);
	assert_in_range(rc[0].first_try, t0, t1);
	assert_int_equal(rc[0].next_try, rc[0].first_try + 300);
	store_rcpts_free(rc, n);
	/* Nothing is due for five minutes: no connection. */
	w.o.due = 1;
	assert_int_equal(send_now(&w, &out), 0);
	assert_null(out);
	end_peer(p);
	assert_int_equal(peer_connections(p), 1);
	check_lines(p, "EHLO client.test\nMAIL FROM:<a@x.test>\n"
	    "RCPT TO:<b@y.test>\nRSET\nQUIT\n<eof>");
	rc = rcpts_of(&w, &n);
	assert_int_equal(rc[0].attempts, 1);
	store_rcpts_free(rc, n);
	world_close(&w);
	peer_free(p);
}

/*
 * outbox_policy: contact, then domain rule, then default; outbox_send
 * uses them as they are when it sends (the contact's verify holds).
 */
static void
test_policy(void **state)
{
	static const struct peer_step script[] = {
		GREET,
		EHLO("250 8BITMIME\r\n"),
		P_LINE("MAIL FROM:<a@x.test>", "250 ok\r\n"),
		P_LINE("RCPT TO:<b@y.test>", "250 ok\r\n"),
		P_LINE("DATA", "354 go ahead\r\n"),
		P_BODY("250 queued\r\n"),
		QUIT,
		P_END
	};
	const char		*to[] = { "b@y.test", "v@y.test" };
	struct store_contact	 ct;
	struct world		 w;
	struct record		*out = NULL;
	struct store_rcpt	*rc;
	struct err		*e = NULL;
	struct peer		*p;
	enum policy_source	 src;
	size_t			 n, i;

	(void)state;
	p = peer_start(script, NULL);
	world_open(&w, peer_port(p), "tls = may\n[domain enc.test]\n"
	    "tls = encrypt\n");
	memset(&ct, 0, sizeof ct);
	ct.address = "v@y.test";
	ct.name = "V";
	ct.policy = POLICY_VERIFY;
	if (store_contact_put(w.st, &ct, &e) != 0)
		fail_msg("%s", e->msg);
	assert_int_equal(outbox_policy(&w.o, "b@y.test", &src), POLICY_MAY);
	assert_int_equal(src, POLICY_FROM_DEFAULT);
	assert_int_equal(outbox_policy(&w.o, "x@enc.test", &src),
	    POLICY_ENCRYPT);
	assert_int_equal(src, POLICY_FROM_DOMAIN);
	assert_int_equal(outbox_policy(&w.o, "v@y.test", &src),
	    POLICY_VERIFY);
	assert_int_equal(src, POLICY_FROM_CONTACT);
	w.id = add(&w, "policy", to, 2);
	n = send_now(&w, &out);
	end_peer(p);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		if (strcmp(out[i].recipient, "b@y.test") == 0) {
			assert_int_equal(out[i].outcome, OUTCOME_PLAINTEXT);
			assert_int_equal(out[i].policy, POLICY_MAY);
			assert_int_equal(out[i].policy_source,
			    POLICY_FROM_DEFAULT);
		} else {
			assert_string_equal(out[i].recipient, "v@y.test");
			assert_int_equal(out[i].outcome, OUTCOME_HELD);
			assert_int_equal(out[i].kind, REASON_NO_STARTTLS);
			assert_int_equal(out[i].policy, POLICY_VERIFY);
			assert_int_equal(out[i].policy_source,
			    POLICY_FROM_CONTACT);
		}
	}
	record_free_array(out, n);
	assert_int_equal(peer_count(p, "RCPT TO:<v@y.test>"), 0);
	rc = rcpts_of(&w, &n);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		assert_int_equal(rc[i].attempts, 1);
		assert_int_equal(rc[i].delivered,
		    strcmp(rc[i].address, "b@y.test") == 0);
		assert_int_equal(rc[i].failed, 0);
	}
	store_rcpts_free(rc, n);
	world_close(&w);
	peer_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_first),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_deferred),
		cmocka_unit_test(test_policy),
	};
	char	*cmd;
	int	 rv;

	/* A hang is a failure, not a stuck make check. */
	alarm(60);
	if (mkdtemp(dir) == NULL)
		return 1;
	/* Nothing of tern's may touch the real data directory. */
	setenv("XDG_DATA_HOME", dir, 1);
	rv = cmocka_run_group_tests(tests, NULL, NULL);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rv = 1;
	free(cmd);
	return rv;
}
