/* The store's messages: lists, texts, attempts, the log, drafts (messages). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sqlite3.h>

#include "buf.h"
#include "err.h"
#include "msg.h"
#include "policy.h"
#include "record.h"
#include "store.h"
#include "store-private.h"
#include "xmalloc.h"

/* The columns st_row_record reads. */
#define ST_RECORD_COLS							\
	"r.address, d.outcome, d.policy, d.policy_source, d.reason, "	\
	"d.server, d.address, d.port, d.tls_version, d.cipher, "	\
	"d.cert_subject, d.cert_issuer, d.cert_sha256, d.cert_expires, " \
	"d.verified, d.verify, d.code, d.reply, d.requiretls, "		\
	"d.downgrade, d.time, d.message_id, d.reason_kind, d.resent, "	\
	"d.uncertain, d.verify_method, d.tls_resumed, d.next_hop, "	\
	"(SELECT group_concat(value, ' ') FROM json_each(d.next_hop, "	\
	"'$.mx')), json_extract(d.next_hop, '$.mta_sts'), "		\
	"json_extract(d.next_hop, '$.dane'), "				\
	"json_extract(d.next_hop, '$.dnssec')"

static void	 st_row_record(sqlite3_stmt *, struct record *);
static void	 st_row_hop(sqlite3_stmt *, int, struct next_hop *);
static const char *st_body_plain(const char *, size_t);
static int	 st_has_word(const char *, const char *, const char *);
static char	*st_search_pre(const char *);
static void	 st_body_fn(sqlite3_context *, int, sqlite3_value **);
static int	 st_find(struct store *, enum store_state, int, const char *,
		    size_t, size_t, int (*)(const struct store_msg *, void *),
		    void *, struct err **);
static int	 st_find_count(struct store *, enum store_state, int,
		    const char *, long long *, struct err **);

/* The text and envelope sender of a message. */
char *
store_message_text(struct store *st, long long id, size_t *len, char **from,
    struct err **errp)
{
	return store_message_out(st, id, len, from, NULL, errp);
}

/* The text, envelope sender and account of a message, in one read. */
char *
store_message_out(struct store *st, long long id, size_t *len, char **from,
    char **account, struct err **errp)
{
	sqlite3_stmt	*s;
	char		*t = NULL;
	int		 r;

	if (account != NULL)
		*account = NULL;
	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "SELECT length(b.text), m.env_from, b.text IS "
	    "NULL, m.account FROM messages m JOIN bodies b ON b.id = m.id "
	    "WHERE m.id = ?", errp)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW && sqlite3_column_int(s, 2) == 0) {
		sqlite3_blob	*b = NULL;

		/* Read straight into our buffer: one copy of a big text. */
		*len = (size_t)sqlite3_column_int64(s, 0);
		t = xmalloc(*len + 1);
		t[*len] = '\0';
		st_big(st, *len, 1);
		if (*len > 0 && (sqlite3_blob_open(st->db, "main", "bodies",
		    "text", id, 0, &b) != SQLITE_OK ||
		    sqlite3_blob_read(b, t, (int)*len, 0) != SQLITE_OK)) {
			st_fail(st, errp, "read a message");
			free(t);
			t = NULL;
		} else {
			if (from != NULL)
				*from = st_col(s, 1);
			if (account != NULL)
				*account = st_col(s, 3);
		}
		sqlite3_blob_close(b);
		st_big(st, *len, 0);
	} else if (r == SQLITE_ROW || r == SQLITE_DONE)
		err_set(errp, ERR_INPUT, 0, "no message %lld", id);
	else
		st_fail(st, errp, "read a message");
	st_done(st, s);
out:
	pthread_mutex_unlock(&st->lock);
	return t;
}

/* Walk the messages of a state, newest first. */
int
store_message_each(struct store *st, enum store_state state, size_t offset,
    size_t limit, int (*fn)(const struct store_msg *, void *), void *arg,
    struct err **errp)
{
	return store_message_find(st, state, NULL, offset, limit, fn, arg,
	    errp);
}

/* How many messages in a state. */
int
store_message_count(struct store *st, enum store_state state, long long *n,
    struct err **errp)
{
	return store_message_find_count(st, state, NULL, n, errp);
}

/* Walk the messages of a state matching a search, newest first. */
int
store_message_find(struct store *st, enum store_state state,
    const char *search, size_t offset, size_t limit,
    int (*fn)(const struct store_msg *, void *), void *arg,
    struct err **errp)
{
	return st_find(st, state, 0, search, offset, limit, fn, arg, errp);
}

/* How many messages of a state match a search. */
int
store_message_find_count(struct store *st, enum store_state state,
    const char *search, long long *n, struct err **errp)
{
	return st_find_count(st, state, 0, search, n, errp);
}

/* The sent messages and the partly delivered ones, newest first. */
int
store_sent_find(struct store *st, const char *search, size_t offset,
    size_t limit, int (*fn)(const struct store_msg *, void *), void *arg,
    struct err **errp)
{
	return st_find(st, STORE_SENT, 1, search, offset, limit, fn, arg,
	    errp);
}

/* How many of them match a search. */
int
store_sent_find_count(struct store *st, const char *search, long long *n,
    struct err **errp)
{
	return st_find_count(st, STORE_SENT, 1, search, n, errp);
}

/*
 * The rows of a state, with partial also the outbox messages delivered to
 * some recipient (@also: STORE_OUTBOX, else -1 for none), matching a
 * search: two legs, each read in the order of messages_by_state and merged
 * (no sort of the whole history), the delivered test by
 * recipients_by_status.
 */
/*
 * The one search pattern (st_glob) over the recipients, the subject, then
 * the body: a draft's as written, a queued or sent message's decoded from
 * its MIME text in bodies (tern_body), read only when a search is on and
 * neither recipients nor subject matched.  A pattern that starts with '*'
 * can use no index, and GLOB with a class per letter is slow over long
 * bodies (4 s for 100,000), so a body is first tested for @pre, the
 * longest ASCII run of the search in lower case (st_search_pre), which
 * every match contains in some case: only bodies that pass meet GLOB.
 */
#define ST_FIND_SEARCH							\
	"AND (@pat IS NULL OR rcpts GLOB @pat OR subject GLOB @pat OR "	\
	"(instr(lower(d_body), @pre) > 0 AND d_body GLOB @pat) OR "	\
	"tern_body((SELECT text FROM bodies WHERE id = messages.id), "	\
	"@pre) GLOB @pat)"
#define ST_FIND_PARTIAL							\
	"state = @also AND EXISTS (SELECT 1 FROM recipients WHERE status = " \
	":delivered AND message_id = messages.id) " ST_FIND_SEARCH
#define ST_FIND_COLS							\
	"SELECT id, state, created, updated, env_from, rcpts, subject, "	\
	"worst, (SELECT count(*) FROM recipients WHERE message_id = "	\
	"messages.id AND status IN (:queued, :claimed, :uncertain)), "	\
	"(SELECT count(*) FROM recipients WHERE message_id = messages.id " \
	"AND status = :delivered), (SELECT count(*) FROM recipients WHERE " \
	"message_id = messages.id AND status = :failed) FROM messages "

/*
 * The body of a message whose header names no transfer encoding but 7bit
 * or 8bit, no type but text and no charset but UTF-8 or US-ASCII: where
 * it starts in text (searched as it is); NULL when it must be decoded.
 */
static const char *
st_body_plain(const char *text, size_t len)
{
	const char	*p = text, *end = text + len, *nl;
	int		 ct = 0;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return NULL;
		if (nl == p || (nl == p + 1 && *p == '\r'))
			return nl + 1;		/* the blank line */
		if ((size_t)(nl - p) > 26 && strncasecmp(p,
		    "Content-Transfer-Encoding:", 26) == 0) {
			if (st_has_word(p + 26, nl, "quoted-printable") ||
			    st_has_word(p + 26, nl, "base64"))
				return NULL;
		} else if (((size_t)(nl - p) > 13 && strncasecmp(p,
		    "Content-Type:", 13) == 0) || (ct && (*p == ' ' ||
		    *p == '\t'))) {
			/* The type's line and the lines it is folded onto. */
			if (!ct) {
				p += 13;
				if (!st_has_word(p, nl, "text"))
					return NULL;
			}
			ct = 1;
			if (st_has_word(p, nl, "charset") &&
			    !st_has_word(p, nl, "utf-8") &&
			    !st_has_word(p, nl, "us-ascii"))
				return NULL;
			if (st_has_word(p, nl, "multipart"))
				return NULL;
			p = nl + 1;
			continue;
		}
		ct = 0;
		p = nl + 1;
	}
	return NULL;
}

/*
 * The longest run of ASCII characters of a search, in lower case: every
 * text the search's pattern matches holds it in some case (the pattern
 * folds an ASCII letter to its ASCII other case only).  A new string, ""
 * when the search has no ASCII; NULL for no search.
 */
static char *
st_search_pre(const char *search)
{
	size_t	i, start = 0, best = 0, bestlen = 0;
	char	*pre;

	if (search == NULL || *search == '\0')
		return NULL;
	for (i = 0;; i++) {
		if (search[i] == '\0' || (unsigned char)search[i] >= 0x80) {
			if (i - start > bestlen) {
				best = start;
				bestlen = i - start;
			}
			start = i + 1;
			if (search[i] == '\0')
				break;
		}
	}
	pre = xstrndup(search + best, bestlen);
	for (i = 0; pre[i] != '\0'; i++)
		if (pre[i] >= 'A' && pre[i] <= 'Z')
			pre[i] = (char)(pre[i] - 'A' + 'a');
	return pre;
}

/* Is word in [p, end), in either case? */
static int
st_has_word(const char *p, const char *end, const char *word)
{
	size_t	n = strlen(word);
	char	lo, up;

	if (n == 0)
		return 1;
	lo = word[0] >= 'A' && word[0] <= 'Z' ? (char)(word[0] + 32) : word[0];
	up = lo >= 'a' && lo <= 'z' ? (char)(lo - 32) : lo;
	for (; p + n <= end; p++)
		if ((*p == lo || *p == up) && strncasecmp(p, word, n) == 0)
			return 1;
	return 0;
}

/*
 * tern_body(text, pre): the decoded plain text of a message, or NULL when
 * it has none or does not hold pre (any case; NULL or "": no test).
 */
static void
st_body_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char	*text, *plain, *pre = NULL;
	char		*body;
	size_t		 len;
	int		 n;

	if (argc > 1)
		pre = (const char *)sqlite3_value_text(argv[1]);
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	text = sqlite3_value_blob(argv[0]);
	n = sqlite3_value_bytes(argv[0]);
	if (text == NULL || n <= 0) {
		sqlite3_result_null(ctx);
		return;
	}
	/* A plain body as it is: no MIME parse for most messages. */
	if ((plain = st_body_plain(text, (size_t)n)) != NULL) {
		if (pre != NULL && *pre != '\0' && !st_has_word(plain,
		    text + n, pre))
			sqlite3_result_null(ctx);	/* cannot match */
		else
			sqlite3_result_text(ctx, plain, (int)(text + n -
			    plain), SQLITE_TRANSIENT);
		return;
	}
	if ((body = msg_body_text(text, (size_t)n, &len)) == NULL ||
	    (pre != NULL && *pre != '\0' && !st_has_word(body, body + len,
	    pre))) {
		free(body);
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_text(ctx, body, (int)len, free);
}

/* The search's SQL functions on this connection. */
int
st_msg_functions(struct store *st, struct err **errp)
{
	if (sqlite3_create_function(st->db, "tern_body", 2, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, st_body_fn, NULL, NULL) != SQLITE_OK)
		return st_fail(st, errp, "register the body search");
	return 0;
}

static int
st_find(struct store *st, enum store_state state, int partial,
    const char *search, size_t offset, size_t limit,
    int (*fn)(const struct store_msg *, void *), void *arg,
    struct err **errp)
{
	struct store_msg	 m;
	sqlite3_stmt		*s;
	char			*pat = st_glob(search, 0);
	char			*pre = st_search_pre(search);
	int			 r, rv = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, ST_FIND_COLS "WHERE state = @state "
	    ST_FIND_SEARCH " UNION ALL " ST_FIND_COLS "WHERE " ST_FIND_PARTIAL
	    " ORDER BY updated DESC, id DESC LIMIT @limit OFFSET @offset",
	    errp)) == NULL)
		goto out;
	sqlite3_bind_int(s, st_arg(s, "@state"), state);
	sqlite3_bind_int(s, st_arg(s, "@also"), partial && state !=
	    STORE_OUTBOX ? STORE_OUTBOX : -1);
	sqlite3_bind_int64(s, st_arg(s, "@limit"), limit == 0 ? -1 :
	    (long long)limit);
	sqlite3_bind_int64(s, st_arg(s, "@offset"), (long long)offset);
	st_bind_text(s, st_arg(s, "@pat"), pat);
	st_bind_text(s, st_arg(s, "@pre"), pre);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&m, 0, sizeof m);
		m.id = sqlite3_column_int64(s, 0);
		m.state = (enum store_state)sqlite3_column_int(s, 1);
		m.created = sqlite3_column_int64(s, 2);
		m.updated = sqlite3_column_int64(s, 3);
		m.from = st_col(s, 4);
		m.rcpts = st_col(s, 5);
		m.subject = st_col(s, 6);
		if (sqlite3_column_type(s, 7) != SQLITE_NULL) {
			m.has_outcome = 1;
			m.worst = (enum outcome)sqlite3_column_int(s, 7);
		}
		m.queued = sqlite3_column_int(s, 8);
		m.delivered = sqlite3_column_int(s, 9);
		m.failed = sqlite3_column_int(s, 10);
		r = fn(&m, arg);
		store_msg_clear(&m);
		if (r != 0)
			break;
	}
	if (r == SQLITE_DONE || r == 0 || r == 1)
		rv = 0;
	else
		st_fail(st, errp, "list messages");
	st_done(st, s);
out:
	pthread_mutex_unlock(&st->lock);
	free(pat);
	free(pre);
	return rv;
}

/* How many rows st_find would walk. */
static int
st_find_count(struct store *st, enum store_state state, int partial,
    const char *search, long long *n, struct err **errp)
{
	sqlite3_stmt	*s;
	char		*pat = st_glob(search, 0);
	char		*pre = st_search_pre(search);
	int		 rv = -1;

	pthread_mutex_lock(&st->lock);
	/* No search: the state's count is kept by triggers (msg_counts). */
	if ((s = st_prep(st, pat == NULL ? "SELECT (SELECT n FROM msg_counts "
	    "WHERE state = @state) + (SELECT count(*) FROM messages WHERE "
	    ST_FIND_PARTIAL ")" : "SELECT (SELECT count(*) FROM messages "
	    "WHERE state = @state " ST_FIND_SEARCH ") + (SELECT count(*) FROM "
	    "messages WHERE " ST_FIND_PARTIAL ")", errp)) != NULL) {
		sqlite3_bind_int(s, st_arg(s, "@state"), state);
		sqlite3_bind_int(s, st_arg(s, "@also"), partial && state !=
		    STORE_OUTBOX ? STORE_OUTBOX : -1);
		st_bind_text(s, st_arg(s, "@pat"), pat);
		st_bind_text(s, st_arg(s, "@pre"), pre);
		if (sqlite3_step(s) == SQLITE_ROW) {
			*n = sqlite3_column_int64(s, 0);
			rv = 0;
		} else
			st_fail(st, errp, "count messages");
		st_done(st, s);
	}
	pthread_mutex_unlock(&st->lock);
	free(pat);
	free(pre);
	return rv;
}

/* Delete a message with its recipients and records. */
int
store_message_delete(struct store *st, long long id, struct err **errp)
{
	sqlite3_stmt	*s;
	int		 rv = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "DELETE FROM messages WHERE id = ?", errp)) !=
	    NULL) {
		sqlite3_bind_int64(s, 1, id);
		if (sqlite3_step(s) != SQLITE_DONE)
			st_fail(st, errp, "delete a message");
		else if (sqlite3_changes(st->db) == 0)
			err_set(errp, ERR_INPUT, 0, "no message %lld", id);
		else
			rv = 0;
		st_done(st, s);
	}
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* A record from a row of ST_RECORD_COLS. */
static void
st_row_record(sqlite3_stmt *s, struct record *r)
{
	const unsigned char	*t;
	int			 i;

	memset(r, 0, sizeof *r);
	r->recipient = st_col(s, 0);
	t = sqlite3_column_text(s, 1);
	if (t == NULL || outcome_parse((const char *)t, &r->outcome) == -1)
		r->outcome = OUTCOME_DEFERRED;
	t = sqlite3_column_text(s, 2);
	if (t == NULL || policy_parse((const char *)t, &r->policy) == -1)
		r->policy = POLICY_MAY;
	t = sqlite3_column_text(s, 3);
	r->policy_source = POLICY_FROM_DEFAULT;
	for (i = 0; t != NULL && i < POLICY_FROM_LAST; i++)
		if (strcmp((const char *)t, policy_source_name(
		    (enum policy_source)i)) == 0)
			r->policy_source = (enum policy_source)i;
	r->reason = st_col_clean(s, 4);
	r->server = st_col(s, 5);
	r->address = st_col(s, 6);
	r->port = sqlite3_column_int(s, 7);
	if (sqlite3_column_type(s, 8) != SQLITE_NULL) {
		r->tls.used = 1;
		r->tls.version = st_col(s, 8);
		r->tls.cipher = st_col(s, 9);
		/* Rows of an older tern may hold raw names: clean them on the way out. */
		r->tls.cert_subject = st_col_clean(s, 10);
		r->tls.cert_issuer = st_col_clean(s, 11);
		r->tls.cert_sha256 = st_col(s, 12);
		r->tls.cert_expires = st_col(s, 13);
		r->tls.verified = sqlite3_column_int(s, 14);
		r->tls.verify = st_col(s, 15);
		r->tls.resumed = sqlite3_column_int(s, 26);
	}
	r->code = sqlite3_column_int(s, 16);
	r->reply = st_col_clean(s, 17);
	r->requiretls = sqlite3_column_int(s, 18);
	r->downgrade = sqlite3_column_int(s, 19);
	r->when = sqlite3_column_int64(s, 20);
	t = sqlite3_column_text(s, 22);
	if (t == NULL || reason_kind_parse((const char *)t, &r->kind) == -1)
		r->kind = REASON_NONE;
	r->resent = sqlite3_column_int(s, 23);
	r->uncertain = sqlite3_column_int(s, 24);
	/* Rows before schema 8 have no method: a verified one was PKIX. */
	t = sqlite3_column_text(s, 25);
	if (r->tls.used && (t == NULL ||
	    verify_method_parse((const char *)t, &r->tls.method) == -1))
		r->tls.method = r->tls.verified && r->outcome ==
		    OUTCOME_VERIFIED ? VERIFY_PKIX : VERIFY_NONE;
	/* The next hop facts, as next_hop_json wrote them (schema 12). */
	t = sqlite3_column_text(s, 27);
	if (t != NULL && strcmp((const char *)t, "null") != 0)
		st_row_hop(s, 28, &r->next_hop);
}

/* Next hop facts from the columns at col (mx, mta_sts, dane, dnssec). */
static void
st_row_hop(sqlite3_stmt *s, int col, struct next_hop *h)
{
	const unsigned char	*t;
	char			*mx, *p, *sp;

	h->known = 1;
	mx = st_col_clean(s, col);
	for (p = mx; p != NULL && *p != '\0'; p = sp) {
		if ((sp = strchr(p, ' ')) != NULL)
			*sp++ = '\0';
		else
			sp = p + strlen(p);
		if (*p == '\0')
			continue;
		h->mx = xreallocarray(h->mx, h->nmx + 1, sizeof *h->mx);
		h->mx[h->nmx++] = xstrdup(p);
	}
	free(mx);
	t = sqlite3_column_text(s, col + 1);
	h->mta_sts = NEXT_HOP_STS_UNKNOWN;
	if (t != NULL && next_hop_sts_parse((const char *)t, &h->mta_sts) ==
	    -1)
		h->mta_sts = NEXT_HOP_STS_UNKNOWN;
	h->dane = sqlite3_column_type(s, col + 2) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(s, col + 2) != 0;
	h->dnssec = sqlite3_column_type(s, col + 3) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(s, col + 3) != 0;
}

/* Every attempt for one message, oldest first. */
int
store_attempts(struct store *st, long long id, struct record **out,
    size_t *n, struct err **errp)
{
	sqlite3_stmt	*s;
	struct record	*v = NULL;
	size_t		 cnt = 0;
	int		 r, rv = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "SELECT " ST_RECORD_COLS " FROM deliveries d "
	    "JOIN recipients r ON r.id = d.recipient_id WHERE d.message_id = "
	    "? ORDER BY d.id", errp)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		v = xreallocarray(v, cnt + 1, sizeof *v);
		st_row_record(s, &v[cnt++]);
	}
	if (r == SQLITE_DONE) {
		*out = v;
		*n = cnt;
		rv = 0;
	} else {
		record_free_array(v, cnt);
		st_fail(st, errp, "read attempts");
	}
	st_done(st, s);
out:
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Walk every attempt, newest first; the store is not locked during fn. */
int
store_log_each(struct store *st, size_t limit, int (*fn)(long long,
    const struct record *, void *), void *arg, struct err **errp)
{
	struct record	 rec;
	sqlite3_stmt	*s;
	int		 r, rv = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "SELECT " ST_RECORD_COLS " FROM deliveries d "
	    "JOIN recipients r ON r.id = d.recipient_id ORDER BY d.id DESC "
	    "LIMIT ?", errp)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, limit == 0 ? -1 : (long long)limit);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		st_row_record(s, &rec);
		r = fn(sqlite3_column_int64(s, 21), &rec, arg);
		record_clear(&rec);
		if (r != 0)
			break;
	}
	if (r == SQLITE_DONE || r == 0 || r == 1)
		rv = 0;
	else
		st_fail(st, errp, "read the log");
	st_done(st, s);
out:
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Free a message row's strings. */
void
store_msg_clear(struct store_msg *m)
{
	free(m->from);
	free(m->rcpts);
	free(m->subject);
	memset(m, 0, sizeof *m);
}

/* Save a draft in one statement (atomic: an autosave never half-writes). */
int
store_draft_save(struct store *st, struct store_draft *d, struct err **errp)
{
	sqlite3_stmt	*s;
	long long	 now = (long long)time(NULL);
	int		 rv = -1;

	pthread_mutex_lock(&st->lock);
	if (d->id == 0)
		s = st_prep(st, "INSERT INTO messages (state, created, "
		    "updated, d_to, d_cc, d_bcc, subject, d_body, rcpts, "
		    "d_headers, d_attach) VALUES (:draft, @now, @now, @to, "
		    "@cc, @bcc, @subject, @body, @to, @headers, @attach)",
		    errp);
	else
		s = st_prep(st, "UPDATE messages SET updated = @now, d_to = "
		    "@to, d_cc = @cc, d_bcc = @bcc, subject = @subject, d_body = "
		    "@body, rcpts = @to, d_headers = @headers, d_attach = @attach "
		    "WHERE id = @id AND "
		    "state = :draft", errp);
	if (s == NULL)
		goto out;
	sqlite3_bind_int64(s, st_arg(s, "@now"), now);
	st_bind_text(s, st_arg(s, "@to"), d->to);
	st_bind_text(s, st_arg(s, "@cc"), d->cc);
	st_bind_text(s, st_arg(s, "@bcc"), d->bcc);
	st_bind_text(s, st_arg(s, "@subject"), d->subject);
	st_bind_text(s, st_arg(s, "@body"), d->body);
	st_bind_text(s, st_arg(s, "@headers"), d->headers);
	st_bind_text(s, st_arg(s, "@attach"), d->attach);
	if (d->id != 0)
		sqlite3_bind_int64(s, st_arg(s, "@id"), d->id);
	if (sqlite3_step(s) != SQLITE_DONE)
		st_fail(st, errp, "save the draft");
	else if (d->id != 0 && sqlite3_changes(st->db) == 0)
		err_set(errp, ERR_INPUT, 0, "no draft %lld", d->id);
	else {
		if (d->id == 0)
			d->id = sqlite3_last_insert_rowid(st->db);
		d->updated = now;
		rv = 0;
	}
	st_done(st, s);
out:
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Load a draft. */
int
store_draft_load(struct store *st, long long id, struct store_draft *d,
    struct err **errp)
{
	sqlite3_stmt	*s;
	int		 r, rv = -1;

	memset(d, 0, sizeof *d);
	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "SELECT d_to, d_cc, d_bcc, subject, d_body, "
	    "updated, d_headers, d_attach FROM messages WHERE id = @id AND state = :draft", errp)) ==
	    NULL)
		goto out;
	sqlite3_bind_int64(s, st_arg(s, "@id"), id);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		d->id = id;
		d->to = st_col(s, 0);
		d->cc = st_col(s, 1);
		d->bcc = st_col(s, 2);
		d->subject = st_col(s, 3);
		d->body = st_col(s, 4);
		d->updated = sqlite3_column_int64(s, 5);
		d->headers = st_col(s, 6);
		d->attach = st_col(s, 7);
		rv = 0;
	} else if (r == SQLITE_DONE)
		err_set(errp, ERR_INPUT, 0, "no draft %lld", id);
	else
		st_fail(st, errp, "read a draft");
	st_done(st, s);
out:
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Free a draft's strings. */
void
store_draft_clear(struct store_draft *d)
{
	free(d->to);
	free(d->cc);
	free(d->bcc);
	free(d->subject);
	free(d->body);
	free(d->headers);
	free(d->attach);
	memset(d, 0, sizeof *d);
}
