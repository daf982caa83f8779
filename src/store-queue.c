/* The store's queue (recipients): outbox, claims, attempts, releases. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "err.h"
#include "record.h"
#include "store.h"
#include "store-private.h"
#include "xmalloc.h"

static int	 st_text_put(void *, const char *, size_t);
static int	 st_fill_whole(void *, store_put_fn, void *);
static int	 st_alive(long long);
static int	 st_rcpts_query(struct store *, sqlite3_stmt *,
		    struct store_rcpt **, size_t *, struct err **);
static int	 st_record_one(struct store *, long long,
		    const struct record *, long long *, struct err **);
static int	 st_message_settle(struct store *, long long, long long,
		    struct err **);

/* Where store_outbox_fill's pieces go: the body's blob, at off. */
struct st_text {
	sqlite3_blob	*b;
	size_t		 off, len;
	int		 failed;	/* SQLite failed (not the filler) */
};

/* One piece of the text into the blob, after the last. */
static int
st_text_put(void *arg, const char *p, size_t n)
{
	struct st_text	*t = arg;

	if (n > t->len - t->off || n > INT_MAX || t->off > INT_MAX) {
		t->failed = -1;		/* more than it said: a bug */
		return -1;
	}
	if (n > 0 && sqlite3_blob_write(t->b, p, (int)n, (int)t->off) !=
	    SQLITE_OK) {
		t->failed = 1;
		return -1;
	}
	t->off += n;
	return 0;
}

/* store_outbox_add's filler: the whole text at once. */
static int
st_fill_whole(void *arg, store_put_fn put, void *putarg)
{
	const struct buf	*t = arg;

	return put(putarg, t->s, t->len);
}

/* Commit a message to the outbox with its recipients queued. */
int
store_outbox_add(struct store *st, const char *from, const char *subject,
    const char *text, size_t len, const char **rcpts, size_t n,
    const char *account, const char *msgid, long long draft, long long *id,
    int *joined, struct err **errp)
{
	struct buf	 t;

	t.s = (char *)text;
	t.len = len;
	t.cap = 0;
	return store_outbox_fill(st, from, subject, len, st_fill_whole, &t,
	    rcpts, n, account, msgid, draft, id, joined, errp);
}

/* Commit a message written by fill to the outbox, recipients queued. */
int
store_outbox_fill(struct store *st, const char *from, const char *subject,
    size_t len, int (*fill)(void *, store_put_fn, void *), void *fillarg,
    const char **rcpts, size_t n, const char *account, const char *msgid,
    long long draft, long long *id, int *joined, struct err **errp)
{
	struct buf	 all = BUF_INIT;
	sqlite3_stmt	*s = NULL;
	long long	 now = (long long)time(NULL);
	size_t		 i;
	int		 rv = -1;

	for (i = 0; i < n; i++)
		buf_addf(&all, "%s%s", i > 0 ? ", " : "", rcpts[i]);
	pthread_mutex_lock(&st->lock);
	/*
	 * WAL with synchronous = NORMAL survives a killed process; the
	 * outbox must also survive a power cut before the first byte goes
	 * out, so this one commit is synced.
	 */
	st_big(st, len, 1);
	if (st_exec(st, "PRAGMA synchronous = FULL", errp) == -1 ||
	    st_begin(st, errp) == -1)
		goto fail;
	if (joined != NULL)
		*joined = 0;
	/*
	 * The same Message-ID handed in again (send pressed again after an
	 * error): join the message tern holds; recipients it has keep their
	 * state, so nobody gets it twice.
	 */
	if (msgid != NULL) {
		if ((s = st_prep(st, "SELECT id FROM messages WHERE msgid = "
		    "@msgid AND state IN (:outbox, :sent) ORDER BY id LIMIT 1",
		    errp)) == NULL)
			goto fail;
		st_bind_text(s, st_arg(s, "@msgid"), msgid);
		*id = sqlite3_step(s) == SQLITE_ROW ?
		    sqlite3_column_int64(s, 0) : 0;
		st_done(st, s);
		s = NULL;
		if (*id != 0) {
			if (joined != NULL)
				*joined = 1;
			goto rcpts;
		}
	}
	if ((s = st_prep(st, "INSERT INTO messages (state, created, updated, "
	    "env_from, rcpts, subject, text, account, msgid) VALUES (?, ?, ?, "
	    "?, ?, ?, ?, ?, ?)", errp)) == NULL)
		goto fail;
	sqlite3_bind_int(s, 1, STORE_OUTBOX);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_int64(s, 3, now);
	st_bind_text(s, 4, from);
	st_bind_text(s, 5, all.s != NULL ? all.s : "");
	st_bind_text(s, 6, subject);
	sqlite3_bind_null(s, 7);
	st_bind_text(s, 8, account);
	st_bind_text(s, 9, msgid);
	if (sqlite3_step(s) != SQLITE_DONE) {
		st_fail(st, errp, "save the message");
		goto fail;
	}
	*id = sqlite3_last_insert_rowid(st->db);
	st_done(st, s);
	/* Room first, then the text written in place: no record copy. */
	if ((s = st_prep(st, "INSERT INTO bodies (id, text) VALUES (?, ?)",
	    errp)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, *id);
	sqlite3_bind_zeroblob64(s, 2, len);
	if (sqlite3_step(s) != SQLITE_DONE) {
		st_fail(st, errp, "save the message");
		goto fail;
	}
	st_done(st, s);
	s = NULL;
	/* The text in pieces: the caller never holds it whole for us. */
	if (len > 0) {
		struct st_text	 t = { NULL, 0, len, 0 };

		if (len > INT_MAX) {
			err_set(errp, ERR_INPUT, 0, "the message is %zu bytes; "
			    "the store takes at most %d", len, INT_MAX);
			goto fail;
		}
		if (sqlite3_blob_open(st->db, "main", "bodies", "text", *id,
		    1, &t.b) != SQLITE_OK) {
			st_fail(st, errp, "save the message");
			goto fail;
		}
		if (fill(fillarg, st_text_put, &t) == -1 || t.off != len) {
			if (t.failed == 1)
				st_fail(st, errp, "save the message");
			else
				err_set(errp, ERR_INTERNAL, 0, "the message "
				    "text was %zu bytes, not the %zu it was "
				    "to be", t.off, len);
			sqlite3_blob_close(t.b);
			goto fail;
		}
		if (sqlite3_blob_close(t.b) != SQLITE_OK) {
			st_fail(st, errp, "save the message");
			goto fail;
		}
	}
rcpts:
	if ((s = st_prep(st, "INSERT OR IGNORE INTO recipients (message_id, "
	    "address, status) VALUES (@id, @address, :queued)", errp)) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, st_arg(s, "@id"), *id);
		st_bind_text(s, st_arg(s, "@address"), rcpts[i]);
		if (sqlite3_step(s) != SQLITE_DONE) {
			st_fail(st, errp, "queue a recipient");
			goto fail;
		}
	}
	st_done(st, s);
	s = NULL;
	/* The draft it was composed in goes in the same commit. */
	if (draft != 0) {
		if ((s = st_prep(st, "DELETE FROM messages WHERE id = @draft AND "
		    "state = :draft", errp)) == NULL)
			goto fail;
		sqlite3_bind_int64(s, st_arg(s, "@draft"), draft);
		if (sqlite3_step(s) != SQLITE_DONE) {
			st_fail(st, errp, "remove the draft");
			goto fail;
		}
		st_done(st, s);
		s = NULL;
	}
	/* A joined message with a new recipient is in the outbox again. */
	if (joined != NULL && *joined) {
		if ((s = st_prep(st, "UPDATE messages SET state = :outbox, "
		    "updated = @now WHERE id = @id AND EXISTS (SELECT 1 FROM "
		    "recipients WHERE message_id = @id AND status IN (:queued, "
		    ":claimed, :uncertain))", errp)) == NULL)
			goto fail;
		sqlite3_bind_int64(s, st_arg(s, "@id"), *id);
		sqlite3_bind_int64(s, st_arg(s, "@now"), now);
		if (sqlite3_step(s) != SQLITE_DONE) {
			st_fail(st, errp, "join the queued message");
			goto fail;
		}
		st_done(st, s);
		s = NULL;
	}
	/* Its checkpoint goes on beside the send (st_wal_hook). */
	st->big_commit = len >= ST_BIG;
	if (st_commit(st, errp) == -1)
		goto fail;
	rv = 0;
fail:
	st->big_commit = 0;
	st_done(st, s);
	st_rollback(st);
	sqlite3_exec(st->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
	st_big(st, len, 0);
	pthread_mutex_unlock(&st->lock);
	buf_free(&all);
	return rv;
}

/* Is the process alive? */
static int
st_alive(long long pid)
{
	if (pid <= 0 || pid > INT_MAX)
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/*
 * Rows (id, message_id, address, status, outcome, reason, reason_kind,
 * attempts, first_try, next_try) into an array.
 */
static int
st_rcpts_query(struct store *st, sqlite3_stmt *s, struct store_rcpt **out,
    size_t *n, struct err **errp)
{
	struct store_rcpt	*v = NULL, *r;
	const unsigned char	*o;
	size_t			 cnt = 0;
	int			 rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		v = xreallocarray(v, cnt + 1, sizeof *v);
		r = &v[cnt++];
		memset(r, 0, sizeof *r);
		r->id = sqlite3_column_int64(s, 0);
		r->message_id = sqlite3_column_int64(s, 1);
		r->address = st_col(s, 2);
		r->delivered = sqlite3_column_int(s, 3) == RS_DELIVERED;
		r->failed = sqlite3_column_int(s, 3) == RS_FAILED;
		r->uncertain = sqlite3_column_int(s, 3) == RS_UNCERTAIN;
		o = sqlite3_column_text(s, 4);
		if (o != NULL && outcome_parse((const char *)o, &r->last) == 0)
			r->has_outcome = 1;
		r->reason = st_col(s, 5);
		o = sqlite3_column_text(s, 6);
		if (o == NULL || reason_kind_parse((const char *)o,
		    &r->kind) == -1)
			r->kind = REASON_NONE;
		r->attempts = sqlite3_column_int(s, 7);
		r->first_try = sqlite3_column_int64(s, 8);
		r->next_try = sqlite3_column_int64(s, 9);
	}
	if (rc != SQLITE_DONE) {
		store_rcpts_free(v, cnt);
		return st_fail(st, errp, "read recipients");
	}
	*out = v;
	*n = cnt;
	return 0;
}

/*
 * Claim queued recipients (of one message, or of all), inside the
 * caller's transaction and lock: 0, or -1 with nothing in *out.
 */
static int
st_claim(struct store *st, long long id, int due, struct store_rcpt **out,
    size_t *n, struct err **errp)
{
	sqlite3_stmt	*s = NULL, *u = NULL;
	int		 rv = -1;

	*out = NULL;
	*n = 0;
	/*
	 * Take back claims of processes of this host that died.  One
	 * message's recipients are found by its id through the (message_id,
	 * address) index, never by a scan of the queue: a flush claims once
	 * per message, so a scan would make it quadratic.
	 */
	if ((s = st_prep(st, id != 0 ? "SELECT id, claim_pid FROM recipients "
	    "WHERE message_id = @mid AND status IN (:claimed, :uncertain) AND "
	    "claim_pid IS NOT NULL AND claim_host = @host" : "SELECT id, "
	    "claim_pid FROM recipients WHERE status IN (:claimed, :uncertain) "
	    "AND claim_pid IS NOT NULL AND claim_host = @host AND @mid = 0",
	    errp)) == NULL ||
	    (u = st_prep(st, "UPDATE recipients SET status = CASE status WHEN "
	    ":uncertain THEN :uncertain ELSE :queued END, claim_pid = NULL, "
	    "claim_host = NULL WHERE id = @id", errp)) == NULL)
		goto fail;
	st_bind_text(s, st_arg(s, "@host"), st->host);
	sqlite3_bind_int64(s, st_arg(s, "@mid"), id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (st_alive(sqlite3_column_int64(s, 1)))
			continue;
		sqlite3_reset(u);
		sqlite3_bind_int64(u, st_arg(u, "@id"),
		    sqlite3_column_int64(s, 0));
		if (sqlite3_step(u) != SQLITE_DONE) {
			st_fail(st, errp, "take back a claim");
			goto fail;
		}
	}
	st_done(st, s);
	st_done(st, u);
	u = NULL;
	if ((s = st_prep(st, id != 0 ? "UPDATE recipients SET status = CASE "
	    "status WHEN :uncertain THEN :uncertain ELSE :claimed END, "
	    "claim_pid = @pid, claim_host = @host, claim_time = @now WHERE "
	    "message_id = @mid AND (status = :queued OR (status = :uncertain "
	    "AND claim_pid IS NULL)) AND (SELECT state FROM messages WHERE id = "
	    "@mid) = :outbox AND (@due = 0 OR next_try IS NULL OR next_try <= "
	    "@now) RETURNING id, message_id, address, status, NULL, NULL, "
	    "NULL, attempts, first_try, next_try" : "UPDATE recipients SET "
	    "status = CASE status WHEN :uncertain THEN :uncertain ELSE "
	    ":claimed END, claim_pid = @pid, claim_host = @host, claim_time = "
	    "@now WHERE (status = :queued OR (status = :uncertain AND "
	    "claim_pid IS NULL)) AND message_id IN (SELECT id FROM messages "
	    "WHERE state = :outbox) AND @mid = 0 AND (@due = 0 OR next_try IS "
	    "NULL OR next_try <= @now) RETURNING id, message_id, address, "
	    "status, NULL, NULL, NULL, attempts, first_try, next_try",
	    errp)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, st_arg(s, "@pid"), (long long)getpid());
	st_bind_text(s, st_arg(s, "@host"), st->host);
	sqlite3_bind_int64(s, st_arg(s, "@now"), (long long)time(NULL));
	sqlite3_bind_int64(s, st_arg(s, "@mid"), id);
	sqlite3_bind_int(s, st_arg(s, "@due"), due);
	if (st_rcpts_query(st, s, out, n, errp) == -1)
		goto fail;
	st_done(st, s);
	s = NULL;
	rv = 0;
fail:
	if (rv == -1) {
		store_rcpts_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	st_done(st, s);
	st_done(st, u);
	return rv;
}

/* Claim queued recipients (of one message, or of all). */
int
store_claim(struct store *st, long long id, int due, struct store_rcpt **out,
    size_t *n, struct err **errp)
{
	int	rv = -1;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&st->lock);
	if (st_begin(st, errp) == 0 &&
	    st_claim(st, id, due, out, n, errp) == 0) {
		if (st_commit(st, errp) == 0)
			rv = 0;
		else {
			store_rcpts_free(*out, *n);
			*out = NULL;
			*n = 0;
		}
	}
	st_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/*
 * Record one attempt and settle its recipient, inside the caller's
 * transaction; *mid gets the recipient's message.  0 or -1.
 */
static int
st_record_one(struct store *st, long long rcpt_id, const struct record *r,
    long long *mid, struct err **errp)
{
	const struct tls_facts	*t = &r->tls;
	sqlite3_stmt		*s = NULL;
	long long		 now = (long long)time(NULL);
	int			 status;

	if (outcome_delivered(r->outcome))
		status = RS_DELIVERED;
	else if (r->outcome == OUTCOME_FAILED)
		status = RS_FAILED;
	else if (r->uncertain)
		status = RS_UNCERTAIN;
	else
		status = RS_QUEUED;
	/*
	 * A recipient still queued is tried again after a backoff that
	 * doubles from 5 minutes up to 4 hours (DESIGN.md); first_try starts
	 * the queue lifetime.
	 */
	if ((s = st_prep(st, "UPDATE recipients SET status = @status, "
	    "claim_pid = NULL, claim_host = NULL, attempts = attempts + 1, "
	    "first_try = coalesce(first_try, @when), next_try = CASE WHEN "
	    "@status IN (:queued, :uncertain) THEN @when + min(14400, 300 << "
	    "min(attempts, 6)) ELSE NULL END WHERE id = @id RETURNING "
	    "message_id", errp)) == NULL)
		goto fail;
	sqlite3_bind_int(s, st_arg(s, "@status"), status);
	sqlite3_bind_int64(s, st_arg(s, "@id"), rcpt_id);
	sqlite3_bind_int64(s, st_arg(s, "@when"), r->when != 0 ? r->when :
	    now);
	if (sqlite3_step(s) != SQLITE_ROW) {
		if (sqlite3_errcode(st->db) == SQLITE_DONE ||
		    sqlite3_errcode(st->db) == SQLITE_OK)
			err_set(errp, ERR_STORE, 0, "%s: no recipient %lld",
			    st->path, rcpt_id);
		else
			st_fail(st, errp, "settle a recipient");
		goto fail;
	}
	*mid = sqlite3_column_int64(s, 0);
	st_done(st, s);
	if ((s = st_prep(st, "INSERT INTO deliveries (recipient_id, "
	    "message_id, time, outcome, policy, policy_source, reason, "
	    "server, address, port, tls_version, cipher, cert_subject, "
	    "cert_issuer, cert_sha256, cert_expires, verified, verify, code, "
	    "reply, requiretls, downgrade, reason_kind, resent, uncertain, "
	    "verify_method, tls_resumed, next_hop) VALUES (?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    errp)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, rcpt_id);
	sqlite3_bind_int64(s, 2, *mid);
	sqlite3_bind_int64(s, 3, r->when != 0 ? r->when : now);
	st_bind_text(s, 4, outcome_name(r->outcome));
	st_bind_text(s, 5, policy_name(r->policy));
	st_bind_text(s, 6, policy_source_name(r->policy_source));
	st_bind_text(s, 7, r->reason);
	st_bind_text(s, 8, r->server);
	st_bind_text(s, 9, r->address);
	if (r->port > 0)
		sqlite3_bind_int(s, 10, r->port);
	st_bind_text(s, 11, t->used ? t->version : NULL);
	st_bind_text(s, 12, t->used ? t->cipher : NULL);
	st_bind_text(s, 13, t->used ? t->cert_subject : NULL);
	st_bind_text(s, 14, t->used ? t->cert_issuer : NULL);
	st_bind_text(s, 15, t->used ? t->cert_sha256 : NULL);
	st_bind_text(s, 16, t->used ? t->cert_expires : NULL);
	if (t->used)
		sqlite3_bind_int(s, 17, t->verified);
	st_bind_text(s, 18, t->used ? t->verify : NULL);
	if (r->code != 0)
		sqlite3_bind_int(s, 19, r->code);
	st_bind_text(s, 20, r->reply);
	sqlite3_bind_int(s, 21, r->requiretls);
	sqlite3_bind_int(s, 22, r->downgrade);
	st_bind_text(s, 23, r->kind != REASON_NONE ?
	    reason_kind_name(r->kind) : NULL);
	sqlite3_bind_int(s, 24, r->resent);
	sqlite3_bind_int(s, 25, r->uncertain);
	st_bind_text(s, 26, t->used && t->method != VERIFY_NONE ?
	    verify_method_name(t->method) : NULL);
	sqlite3_bind_int(s, 27, t->used && t->resumed);
	if (r->next_hop.known) {
		char	*nh = next_hop_json(&r->next_hop);

		sqlite3_bind_text(s, 28, nh, -1, free);
	}
	if (sqlite3_step(s) != SQLITE_DONE) {
		st_fail(st, errp, "record the attempt");
		goto fail;
	}
	st_done(st, s);
	return 0;
fail:
	st_done(st, s);
	return -1;
}

/* Record attempts and settle their recipients, in one commit. */
int
store_record_batch(struct store *st, const long long *ids,
    const struct record *const *recs, size_t n, struct err **errp)
{
	long long	*mids, mid, now = (long long)time(NULL);
	size_t		 i, k, nm = 0;
	int		 rv = -1;

	if (n == 0)
		return 0;
	mids = xcalloc(n, sizeof *mids);
	pthread_mutex_lock(&st->lock);
	if (st_begin(st, errp) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		if (st_record_one(st, ids[i], recs[i], &mid, errp) == -1)
			goto fail;
		for (k = 0; k < nm && mids[k] != mid; k++)
			;
		if (k == nm)
			mids[nm++] = mid;
	}
	/* Each message's glyph and state once, not once per recipient. */
	for (k = 0; k < nm; k++)
		if (st_message_settle(st, mids[k], now, errp) == -1)
			goto fail;
	if (st_commit(st, errp) == -1)
		goto fail;
	rv = 0;
fail:
	st_rollback(st);
	pthread_mutex_unlock(&st->lock);
	free(mids);
	return rv;
}

/* Add what lies after the relay to a recipient's latest record. */
int
store_record_next_hop(struct store *st, long long rcpt_id,
    const struct next_hop *h, struct err **errp)
{
	sqlite3_stmt	*s;
	char		*nh;
	int		 rv = -1;

	if (!h->known)
		return 0;
	nh = next_hop_json(h);
	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "UPDATE deliveries SET next_hop = ? WHERE id = "
	    "(SELECT max(id) FROM deliveries WHERE recipient_id = ?)",
	    errp)) != NULL) {
		st_bind_text(s, 1, nh);
		sqlite3_bind_int64(s, 2, rcpt_id);
		if (sqlite3_step(s) == SQLITE_DONE)
			rv = 0;
		else
			st_fail(st, errp, "add the next hop to a record");
		st_done(st, s);
	}
	pthread_mutex_unlock(&st->lock);
	free(nh);
	return rv;
}

/* Record an attempt and settle the recipient. */
int
store_record(struct store *st, long long rcpt_id, const struct record *r,
    struct err **errp)
{
	return store_record_batch(st, &rcpt_id, &r, 1, errp);
}

/* A message's worst outcome and state from its recipients' latest. */
static int
st_message_settle(struct store *st, long long mid, long long now,
    struct err **errp)
{
	sqlite3_stmt	*s;

	if ((s = st_prep(st, "UPDATE messages SET updated = @now, worst = "
	    "(SELECT MAX(" ST_SEVERITY ") FROM deliveries WHERE id IN "
	    "(SELECT MAX(id) FROM deliveries WHERE message_id = @id GROUP BY "
	    "recipient_id)), state = CASE WHEN EXISTS (SELECT 1 FROM "
	    "recipients WHERE message_id = @id AND status IN (:queued, "
	    ":claimed, :uncertain)) THEN state ELSE :sent END WHERE id = @id",
	    errp)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, st_arg(s, "@id"), mid);
	sqlite3_bind_int64(s, st_arg(s, "@now"), now);
	if (sqlite3_step(s) != SQLITE_DONE) {
		st_fail(st, errp, "update the message");
		goto fail;
	}
	st_done(st, s);
	return 0;
fail:
	st_done(st, s);
	return -1;
}

/* Outbox messages due a retry. */
int
store_due_each(struct store *st, long long now, int (*fn)(long long, void *),
    void *arg, struct err **errp)
{
	sqlite3_stmt	*s;
	long long	*ids = NULL;
	size_t		 n = 0, i;
	int		 r, rv = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "SELECT DISTINCT r.message_id FROM recipients r "
	    "JOIN messages m ON m.id = r.message_id WHERE m.state = :outbox "
	    "AND r.status IN (:queued, :uncertain) AND r.claim_pid IS NULL AND "
	    "r.next_try IS NOT NULL AND r.next_try <= @now ORDER BY "
	    "r.message_id", errp)) != NULL) {
		sqlite3_bind_int64(s, st_arg(s, "@now"), now);
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			ids = xreallocarray(ids, n + 1, sizeof *ids);
			ids[n++] = sqlite3_column_int64(s, 0);
		}
		if (r == SQLITE_DONE)
			rv = 0;
		else
			st_fail(st, errp, "read the queue");
		st_done(st, s);
	}
	pthread_mutex_unlock(&st->lock);
	/* Outside the lock: fn may send, which writes the store. */
	for (i = 0; rv == 0 && i < n; i++)
		if (fn(ids[i], arg) != 0)
			break;
	free(ids);
	return rv;
}

/* The account a message was queued with. */
char *
store_message_account(struct store *st, long long id)
{
	sqlite3_stmt	*s;
	char		*a = NULL;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "SELECT account FROM messages WHERE id = ?",
	    NULL)) != NULL) {
		sqlite3_bind_int64(s, 1, id);
		if (sqlite3_step(s) == SQLITE_ROW)
			a = st_col(s, 0);
		st_done(st, s);
	}
	pthread_mutex_unlock(&st->lock);
	return a;
}

/* Give back this process's claims on a message. */
int
store_release(struct store *st, long long mid, struct err **errp)
{
	sqlite3_stmt	*s;
	int		 rv = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "UPDATE recipients SET status = CASE status WHEN "
	    ":uncertain THEN :uncertain ELSE :queued END, claim_pid = NULL, "
	    "claim_host = NULL WHERE message_id = @mid AND status IN "
	    "(:claimed, :uncertain) AND claim_pid = @pid", errp)) != NULL) {
		sqlite3_bind_int64(s, st_arg(s, "@mid"), mid);
		sqlite3_bind_int64(s, st_arg(s, "@pid"), (long long)getpid());
		if (sqlite3_step(s) == SQLITE_DONE)
			rv = 0;
		else
			st_fail(st, errp, "release recipients");
		st_done(st, s);
	}
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* The recipients of a message with their latest outcome. */
int
store_message_rcpts(struct store *st, long long id, struct store_rcpt **out,
    size_t *n, struct err **errp)
{
	sqlite3_stmt	*s;
	int		 rv = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "SELECT r.id, r.message_id, r.address, r.status, "
	    "d.outcome, d.reason, d.reason_kind, r.attempts, r.first_try, "
	    "r.next_try FROM recipients r LEFT JOIN deliveries d ON "
	    "d.id = (SELECT MAX(id) FROM deliveries WHERE recipient_id = "
	    "r.id) WHERE r.message_id = ? ORDER BY r.id", errp)) != NULL) {
		sqlite3_bind_int64(s, 1, id);
		rv = st_rcpts_query(st, s, out, n, errp);
		st_done(st, s);
	}
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Mark recipients uncertain: their final dot is about to go out. */
int
store_mark_uncertain(struct store *st, const long long *ids, size_t n,
    struct err **errp)
{
	return store_mark_uncertain_claim(st, ids, n, 0, 0, NULL, NULL, errp);
}

/*
 * The same, and in the same commit (when next is not 0 and out not
 * NULL) claim message next's recipients as store_claim does.
 */
int
store_mark_uncertain_claim(struct store *st, const long long *ids, size_t n,
    long long next, int due, struct store_rcpt **out, size_t *nout,
    struct err **errp)
{
	sqlite3_stmt	*s = NULL;
	size_t		 i;
	int		 rv = -1, claimed = 0;

	if (out != NULL) {
		*out = NULL;
		*nout = 0;
	}
	pthread_mutex_lock(&st->lock);
	if (st_begin(st, errp) == -1)
		goto fail;
	if ((s = st_prep(st, "UPDATE recipients SET status = :uncertain WHERE "
	    "id = @id", errp)) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, st_arg(s, "@id"), ids[i]);
		if (sqlite3_step(s) != SQLITE_DONE) {
			st_fail(st, errp, "mark a recipient as being sent");
			goto fail;
		}
	}
	st_done(st, s);
	s = NULL;
	if (next != 0 && out != NULL) {
		if (st_claim(st, next, due, out, nout, errp) == -1)
			goto fail;
		claimed = 1;
	}
	if (st_commit(st, errp) == -1)
		goto fail;
	rv = 0;
fail:
	if (rv == -1 && claimed) {
		store_rcpts_free(*out, *nout);
		*out = NULL;
		*nout = 0;
	}
	st_done(st, s);
	st_rollback(st);
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Free an array of recipients. */
void
store_rcpts_free(struct store_rcpt *v, size_t n)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].address);
		free(v[i].reason);
	}
	free(v);
}
