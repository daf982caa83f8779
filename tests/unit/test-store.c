/* Unit tests for the store (src/store*.c) against real SQLite files. */
#include "config.h"

#include <sys/stat.h>

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
#include <sqlite3.h>

#include "err.h"
#include "record.h"
#include "store.h"
#include "store-private.h"
#include "xmalloc.h"

static char	 dir[] = "/tmp/tern-test-store.XXXXXX";

/* A fresh store file per test. */
static int
setup(void **state)
{
	struct err	*e = NULL;
	struct store	*st;
	char		*path;
	static int	 n;

	path = xasprintf("%s/db%d/tern.db", dir, n++);
	st = store_open(path, &e);
	free(path);
	if (st == NULL) {
		fprintf(stderr, "%s\n", e->msg);
		err_free(e);
		return -1;
	}
	*state = st;
	return 0;
}

/* Close it. */
static int
teardown(void **state)
{
	store_close(*state);
	return 0;
}

/* A new store is at the current version, private, and re-opens. */
static void
test_open(void **state)
{
	struct store	*st = *state;
	struct stat	 sb;

	assert_int_equal(store_version(st), STORE_VERSION);
	assert_int_equal(stat(store_path(st), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

/* A file that is not a database is refused and left alone. */
static void
test_foreign(void **state)
{
	struct err	*e = NULL;
	char		*path, buf[64];
	FILE		*f;

	(void)state;
	path = xasprintf("%s/foreign.db", dir);
	f = fopen(path, "w");
	fputs("not a database at all, keep this text\n", f);
	fclose(f);
	assert_null(store_open(path, &e));
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_STORE);
	assert_non_null(strstr(e->msg, path));
	err_free(e);
	f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "not a database at all, keep this text\n");
	free(path);
}

/* Contacts: domain case folded, policy kept, search, remove. */
static void
test_contacts(void **state)
{
	struct store		*st = *state;
	struct store_contact	 c;
	struct err		*e = NULL;
	long long		 n;

	memset(&c, 0, sizeof c);
	c.address = "Bob@Example.NET";
	c.name = "Bob";
	c.policy = POLICY_VERIFY;
	assert_int_equal(store_contact_put(st, &c, &e), 0);
	assert_int_equal(store_contact_policy(st, "Bob@example.net"),
	    POLICY_VERIFY);
	assert_int_equal(store_contact_policy(st, "carol@example.net"),
	    POLICY_UNSET);
	assert_int_equal(store_contact_set_policy(st, "Bob@EXAMPLE.net",
	    POLICY_MAY, &e), 0);
	assert_int_equal(store_contact_get(st, "Bob@example.net", &c, &e), 1);
	assert_string_equal(c.address, "Bob@example.net");
	assert_string_equal(c.name, "Bob");
	assert_int_equal(c.policy, POLICY_MAY);
	store_contact_clear(&c);
	assert_int_equal(store_contact_set_policy(st, "nobody@example.net",
	    POLICY_MAY, &e), -1);
	assert_int_equal(e->cls, ERR_INPUT);
	err_free(e);
	e = NULL;
	assert_int_equal(store_contact_count(st, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_contact_remove(st, "Bob@example.net", &e), 0);
	assert_int_equal(store_contact_count(st, &n, &e), 0);
	assert_int_equal(n, 0);
}

/* Collect the addresses a walk gives, "a b ". */
static int
collect(const struct store_contact *c, void *arg)
{
	char	*buf = arg;

	strcat(buf, c->address);
	strcat(buf, " ");
	return 0;
}

/* Collect group names with their sizes, "name:n ". */
static int
collect_group(const char *name, long long n, void *arg)
{
	char	*buf = arg;

	sprintf(buf + strlen(buf), "%s:%lld ", name, n);
	return 0;
}

/* Aliases and groups: kept, listed, members by alias key or group. */
static void
test_contact_groups(void **state)
{
	struct store		*st = *state;
	struct store_contact	 c;
	struct err		*e = NULL;
	char			 got[512];
	const char		*who[] = { "liz@example.org", "mo@example.org",
	    "pat@example.org" };
	size_t			 i;

	for (i = 0; i < 3; i++) {
		memset(&c, 0, sizeof c);
		c.address = (char *)who[i];
		c.policy = POLICY_UNSET;
		c.alias = i == 0 ? "liz" : NULL;
		assert_int_equal(store_contact_put(st, &c, &e), 0);
		assert_int_equal(store_contact_group_add(st, "team", who[i],
		    &e), 0);
	}
	assert_int_equal(store_contact_group_add(st, "team", who[0], &e), 0);
	assert_int_equal(store_contact_group_add(st, "Friends", who[1], &e),
	    0);
	assert_int_equal(store_contact_group_add(st, "team", "no@example.org",
	    &e), -1);
	assert_int_equal(e->cls, ERR_INPUT);
	err_free(e);
	e = NULL;
	/* A put without an alias keeps it; "" removes it. */
	memset(&c, 0, sizeof c);
	c.address = "liz@EXAMPLE.org";
	c.name = "Liz";
	c.policy = POLICY_VERIFY;
	assert_int_equal(store_contact_put(st, &c, &e), 0);
	assert_int_equal(store_contact_get(st, "liz@example.org", &c, &e), 1);
	assert_string_equal(c.alias, "liz");
	assert_string_equal(c.groups, "team");
	store_contact_clear(&c);
	assert_int_equal(store_contact_get(st, "mo@example.org", &c, &e), 1);
	assert_null(c.alias);
	assert_string_equal(c.groups, "Friends\nteam");
	store_contact_clear(&c);
	got[0] = '\0';
	assert_int_equal(store_contact_members(st, "TEAM", collect, got, &e),
	    0);
	assert_string_equal(got, "liz@example.org mo@example.org "
	    "pat@example.org ");
	got[0] = '\0';
	assert_int_equal(store_contact_members(st, "Liz", collect, got, &e), 0);
	assert_string_equal(got, "liz@example.org ");
	got[0] = '\0';
	assert_int_equal(store_contact_members(st, "nothing", collect, got,
	    &e), 0);
	assert_string_equal(got, "");
	/* The search finds alias keys too. */
	got[0] = '\0';
	assert_int_equal(store_contact_each(st, "li", 0, 0, collect, got, &e),
	    0);
	assert_string_equal(got, "liz@example.org ");
	got[0] = '\0';
	assert_int_equal(store_contact_groups(st, NULL, 0, collect_group, got,
	    &e), 0);
	assert_string_equal(got, "Friends:1 team:3 ");
	got[0] = '\0';
	assert_int_equal(store_contact_groups(st, "te", 0, collect_group, got,
	    &e), 0);
	assert_string_equal(got, "team:3 ");
	got[0] = '\0';
	assert_int_equal(store_contact_groups(st, "%", 0, collect_group, got,
	    &e), 0);
	assert_string_equal(got, "");
	/* Removing a contact takes it out of its groups. */
	assert_int_equal(store_contact_remove(st, "liz@example.org", &e), 0);
	got[0] = '\0';
	assert_int_equal(store_contact_groups(st, "t", 0, collect_group, got,
	    &e), 0);
	assert_string_equal(got, "team:2 ");
	memset(&c, 0, sizeof c);
	c.address = "mo@example.org";
	c.alias = "mo";
	c.policy = POLICY_UNSET;
	assert_int_equal(store_contact_put(st, &c, &e), 0);
	c.alias = "";
	assert_int_equal(store_contact_put(st, &c, &e), 0);
	assert_int_equal(store_contact_get(st, "mo@example.org", &c, &e), 1);
	assert_null(c.alias);
	store_contact_clear(&c);
}

/* Fill a record. */
static void
rec(struct record *r, const char *rcpt, enum outcome o)
{
	memset(r, 0, sizeof *r);
	r->recipient = xstrdup(rcpt);
	r->outcome = o;
	r->policy = POLICY_MAY;
	r->reason = xstrdup("because");
}

/* The outbox rule: claim once, settle, requeue held, move to sent. */
static void
test_outbox(void **state)
{
	struct store		*st = *state;
	struct store_rcpt	*rc, *rc2;
	struct record		 r, *att;
	struct err		*e = NULL;
	const char		*rcpts[] = { "a@example.net", "b@example.net" };
	long long		 id, n;
	size_t			 nrc, nrc2, natt;
	char			*text, *from = NULL;
	size_t			 len;

	assert_int_equal(store_outbox_add(st, "me@example.org", "hi",
	    "Subject: hi\r\n\r\nbody", 19, rcpts, 2, NULL, NULL, 0, &id, NULL,
	    &e), 0);
	assert_int_equal(store_message_count(st, STORE_OUTBOX, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_claim(st, id, 0, &rc, &nrc, &e), 0);
	assert_int_equal(nrc, 2);
	/* A second claim (another flush) gets nothing. */
	assert_int_equal(store_claim(st, 0, 0, &rc2, &nrc2, &e), 0);
	assert_int_equal(nrc2, 0);
	store_rcpts_free(rc2, nrc2);

	text = store_message_text(st, id, &len, &from, &e);
	assert_non_null(text);
	assert_int_equal(len, 19);
	assert_string_equal(from, "me@example.org");
	free(text);
	free(from);

	rec(&r, "a@example.net", OUTCOME_VERIFIED);
	assert_int_equal(store_record(st, rc[0].id, &r, &e), 0);
	record_clear(&r);
	rec(&r, "b@example.net", OUTCOME_HELD);
	assert_int_equal(store_record(st, rc[1].id, &r, &e), 0);
	record_clear(&r);
	store_rcpts_free(rc, nrc);

	/* b is queued again, a is not. */
	assert_int_equal(store_claim(st, 0, 0, &rc, &nrc, &e), 0);
	assert_int_equal(nrc, 1);
	assert_string_equal(rc[0].address, "b@example.net");
	/* Released without an attempt, it can be claimed again. */
	assert_int_equal(store_release(st, id, &e), 0);
	store_rcpts_free(rc, nrc);
	assert_int_equal(store_claim(st, 0, 0, &rc, &nrc, &e), 0);
	assert_int_equal(nrc, 1);
	rec(&r, "b@example.net", OUTCOME_PLAINTEXT);
	assert_int_equal(store_record(st, rc[0].id, &r, &e), 0);
	record_clear(&r);
	store_rcpts_free(rc, nrc);

	assert_int_equal(store_message_count(st, STORE_OUTBOX, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_message_count(st, STORE_SENT, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_attempts(st, id, &att, &natt, &e), 0);
	assert_int_equal(natt, 3);
	assert_int_equal(att[1].outcome, OUTCOME_HELD);
	assert_string_equal(att[1].reason, "because");
	record_free_array(att, natt);
	assert_null(e);
}

/* Drafts save, update and load. */
static void
test_drafts(void **state)
{
	struct store		*st = *state;
	struct store_draft	 d, l;
	struct err		*e = NULL;

	memset(&d, 0, sizeof d);
	d.to = "bob@example.net";
	d.subject = "Grüße";
	d.body = "first";
	assert_int_equal(store_draft_save(st, &d, &e), 0);
	assert_true(d.id > 0);
	d.body = "second";
	assert_int_equal(store_draft_save(st, &d, &e), 0);
	assert_int_equal(store_draft_load(st, d.id, &l, &e), 0);
	assert_string_equal(l.body, "second");
	assert_string_equal(l.subject, "Grüße");
	assert_null(l.cc);
	store_draft_clear(&l);
	assert_int_equal(store_message_delete(st, d.id, &e), 0);
	assert_int_equal(store_draft_load(st, d.id, &l, &e), -1);
	err_free(e);
	e = NULL;

	/* Sent from the composer: the draft leaves in the queueing commit. */
	{
		const char	*rc[] = { "bob@example.net" };
		long long	 id = 0;

		memset(&d, 0, sizeof d);
		d.to = "bob@example.net";
		d.body = "third";
		assert_int_equal(store_draft_save(st, &d, &e), 0);
		assert_int_equal(store_outbox_add(st, "me@example.org", "s",
		    "Subject: s\r\n\r\nthird", 20, rc, 1, NULL, NULL, d.id,
		    &id, NULL, &e), 0);
		assert_true(id > 0 && id != d.id);
		assert_int_equal(store_draft_load(st, d.id, &l, &e), -1);
		err_free(e);
	}
}

/* Server memory keeps the best seen. */
static void
test_servers(void **state)
{
	struct store		*st = *state;
	struct store_server	 s, got;

	memset(&s, 0, sizeof s);
	assert_int_equal(store_server_get(st, "mx.example.net", 25, &got), 0);
	s.starttls = 1;
	s.tls = 1;
	s.issuer = "CN=CA";
	store_server_note(st, "mx.example.net", 25, &s);
	memset(&s, 0, sizeof s);
	store_server_note(st, "mx.example.net", 25, &s);
	assert_int_equal(store_server_get(st, "mx.example.net", 25, &got), 1);
	assert_int_equal(got.starttls, 1);
	assert_int_equal(got.tls, 1);
	assert_string_equal(got.issuer, "CN=CA");
	store_server_clear(&got);
}

/*
 * Tickets: kept per host, port and key; used once (put replaces); gone
 * when expired, when forgotten, and when a full handshake shows another
 * certificate (other keys of that server too).
 */
static void
test_tickets(void **state)
{
	struct store		*st = *state;
	struct tls_ticket	 tk, got;
	long long		 now = (long long)time(NULL);

	memset(&tk, 0, sizeof tk);
	assert_int_equal(store_ticket_get(st, "mx.example.net", 25, "a",
	    &got), 0);
	tk.data = (unsigned char *)"\001\000\002";
	tk.len = 3;
	tk.since = now;
	tk.expires = now + 3600;
	tk.facts.used = 1;
	tk.facts.cert_sha256 = "AA:BB";
	tk.facts.cert_issuer = "CN=CA";
	tk.facts.verified = 0;
	tk.facts.cert = CERT_NAME;
	tk.facts.verify = "not verified for mx.example.net: wrong name";
	store_ticket_put(st, "mx.example.net", 25, "a", &tk, "AA:BB");
	store_ticket_put(st, "mx.example.net", 25, "b", &tk, "AA:BB");
	assert_int_equal(store_ticket_get(st, "mx.example.net", 25, "a",
	    &got), 1);
	assert_int_equal(got.len, 3);
	assert_memory_equal(got.data, "\001\000\002", 3);
	assert_int_equal(got.expires, now + 3600);
	assert_int_equal(got.facts.verified, 0);
	assert_int_equal(got.facts.cert, CERT_NAME);
	assert_string_equal(got.facts.cert_issuer, "CN=CA");
	assert_null(got.facts.cert_subject);
	tls_ticket_clear(&got);
	/* Another port, another key: nothing. */
	assert_int_equal(store_ticket_get(st, "mx.example.net", 587, "a",
	    &got), 0);
	assert_int_equal(store_ticket_get(st, "mx.example.net", 25, "c",
	    &got), 0);
	/* Forgotten after use without a new one; b stays. */
	store_ticket_put(st, "mx.example.net", 25, "a", NULL, NULL);
	assert_int_equal(store_ticket_get(st, "mx.example.net", 25, "a",
	    &got), 0);
	assert_int_equal(store_ticket_get(st, "mx.example.net", 25, "b",
	    &got), 1);
	tls_ticket_clear(&got);
	/* A full handshake with another certificate: b goes too. */
	tk.facts.cert_sha256 = "CC:DD";
	store_ticket_put(st, "mx.example.net", 25, "a", &tk, "CC:DD");
	assert_int_equal(store_ticket_get(st, "mx.example.net", 25, "b",
	    &got), 0);
	assert_int_equal(store_ticket_get(st, "mx.example.net", 25, "a",
	    &got), 1);
	assert_string_equal(got.facts.cert_sha256, "CC:DD");
	tls_ticket_clear(&got);
	/* An expired one is not given. */
	tk.expires = now - 1;
	store_ticket_put(st, "mx.example.net", 25, "a", &tk, NULL);
	assert_int_equal(store_ticket_get(st, "mx.example.net", 25, "a",
	    &got), 0);
	assert_null(got.data);
}

/*
 * SQL names the states and st_prep binds them, also for a statement it
 * hands out again from its cache; a name that is no state, and names
 * beside ?N, are refused as bugs.
 */
static void
test_state_names(void **state)
{
	static const char	*sql = "SELECT :queued, :claimed, :delivered, "
				    ":failed, :uncertain, :draft, :outbox, :sent, "
				    ":o_verified, :o_held, :o_failed, @x";
	struct store		*st = *state;
	struct err		*e = NULL;
	sqlite3_stmt		*s;
	int			 i;

	for (i = 0; i < 2; i++) {
		s = st_prep(st, sql, &e);
		assert_non_null(s);
		sqlite3_bind_int(s, st_arg(s, "@x"), 7);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(s, 0), RS_QUEUED);
		assert_int_equal(sqlite3_column_int(s, 1), RS_CLAIMED);
		assert_int_equal(sqlite3_column_int(s, 2), RS_DELIVERED);
		assert_int_equal(sqlite3_column_int(s, 3), RS_FAILED);
		assert_int_equal(sqlite3_column_int(s, 4), RS_UNCERTAIN);
		assert_int_equal(sqlite3_column_int(s, 5), STORE_DRAFT);
		assert_int_equal(sqlite3_column_int(s, 6), STORE_OUTBOX);
		assert_int_equal(sqlite3_column_int(s, 7), STORE_SENT);
		assert_int_equal(sqlite3_column_int(s, 8), OUTCOME_VERIFIED);
		assert_int_equal(sqlite3_column_int(s, 9), OUTCOME_HELD);
		assert_int_equal(sqlite3_column_int(s, 10), OUTCOME_FAILED);
		assert_int_equal(sqlite3_column_int(s, 11), 7);
		st_done(st, s);
	}
	assert_null(st_prep(st, "SELECT :queud", &e));
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_INTERNAL);
	err_free(e);
	e = NULL;
	/* :queued takes slot 1, which ?1 would share. */
	assert_null(st_prep(st, "SELECT :queued, ?1", &e));
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_INTERNAL);
	err_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open, setup, teardown),
		cmocka_unit_test(test_foreign),
		cmocka_unit_test_setup_teardown(test_contacts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_contact_groups, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drafts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_names, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_servers, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tickets, setup,
		    teardown),
	};
	int	rv;

	if (mkdtemp(dir) == NULL)
		return 1;
	rv = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char	*cmd = xasprintf("rm -rf '%s'", dir);

		if (system(cmd) != 0)
			rv = 1;
		free(cmd);
	}
	return rv;
}
