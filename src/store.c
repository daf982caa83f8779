/*
 * The store's file: open (checks, WAL), migrations, the statement cache,
 * the transaction shape and the helpers the table files share.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "conf.h"
#include "err.h"
#include "safefile.h"
#include "store.h"
#include "store-private.h"
#include "text.h"
#include "xmalloc.h"

#define STORE_APP_ID	0x7465726e	/* "tern" */

/* Schema migrations: migrations[v] takes version v to v + 1. */
static const char *store_migrations[STORE_VERSION] = {
	/* 0 -> 1 */
	"CREATE TABLE contacts ("
	"  id INTEGER PRIMARY KEY,"
	"  address TEXT NOT NULL,"
	"  akey TEXT NOT NULL UNIQUE,"
	"  name TEXT, policy TEXT, notes TEXT,"
	"  created INTEGER NOT NULL, updated INTEGER NOT NULL);"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  state INTEGER NOT NULL,"
	"  created INTEGER NOT NULL, updated INTEGER NOT NULL,"
	"  env_from TEXT, rcpts TEXT, subject TEXT, text BLOB,"
	"  d_to TEXT, d_cc TEXT, d_bcc TEXT, d_body TEXT);"
	"CREATE INDEX messages_by_state ON messages(state, updated);"
	"CREATE TABLE recipients ("
	"  id INTEGER PRIMARY KEY,"
	"  message_id INTEGER NOT NULL REFERENCES messages(id)"
	"    ON DELETE CASCADE,"
	"  address TEXT NOT NULL,"
	"  status INTEGER NOT NULL,"
	"  claim_pid INTEGER, claim_host TEXT, claim_time INTEGER,"
	"  UNIQUE(message_id, address));"
	"CREATE INDEX recipients_by_status ON recipients(status, message_id);"
	"CREATE TABLE deliveries ("
	"  id INTEGER PRIMARY KEY,"
	"  recipient_id INTEGER NOT NULL REFERENCES recipients(id)"
	"    ON DELETE CASCADE,"
	"  message_id INTEGER NOT NULL,"
	"  time INTEGER NOT NULL, outcome TEXT NOT NULL,"
	"  policy TEXT, policy_source TEXT, reason TEXT,"
	"  server TEXT, address TEXT, port INTEGER,"
	"  tls_version TEXT, cipher TEXT, cert_subject TEXT,"
	"  cert_issuer TEXT, cert_sha256 TEXT, cert_expires TEXT,"
	"  verified INTEGER, verify TEXT, code INTEGER, reply TEXT);"
	"CREATE INDEX deliveries_by_message ON deliveries(message_id);",
	/*
	 * 1 -> 2: REQUIRETLS and downgrade facts, list glyph (filled by
	 * st_migrate_worst), servers.
	 */
	"ALTER TABLE deliveries ADD COLUMN requiretls INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE deliveries ADD COLUMN downgrade INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE messages ADD COLUMN worst INTEGER;"
	"CREATE TABLE servers ("
	"  host TEXT NOT NULL, port INTEGER NOT NULL,"
	"  starttls INTEGER NOT NULL DEFAULT 0,"
	"  tls INTEGER NOT NULL DEFAULT 0,"
	"  issuer TEXT, fingerprint TEXT,"
	"  first_seen INTEGER, last_seen INTEGER,"
	"  PRIMARY KEY(host, port));",
	/*
	 * 2 -> 3: the latest attempt of a recipient without a scan; message
	 * texts in a table of their own, so that updating a message's state
	 * never rewrites (and reads back) a big text.
	 */
	"CREATE INDEX deliveries_by_recipient ON deliveries(recipient_id, id);"
	"CREATE TABLE bodies ("
	"  id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,"
	"  text BLOB NOT NULL);"
	"INSERT INTO bodies (id, text) SELECT id, text FROM messages"
	"  WHERE text IS NOT NULL;"
	"UPDATE messages SET text = NULL;",
	/* 3 -> 4: reason kinds; resends after an interrupted delivery. */
	"ALTER TABLE deliveries ADD COLUMN reason_kind TEXT;"
	"ALTER TABLE deliveries ADD COLUMN resent INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE deliveries ADD COLUMN uncertain INTEGER NOT NULL"
	"  DEFAULT 0;",
	/*
	 * 4 -> 5: each message keeps its account and its Message-ID (a
	 * resubmission joins the queued one); each recipient its retry
	 * schedule; contacts their alias key, and groups of contacts.
	 */
	"ALTER TABLE messages ADD COLUMN account TEXT;"
	"ALTER TABLE messages ADD COLUMN msgid TEXT;"
	"CREATE INDEX messages_by_msgid ON messages(msgid);"
	"ALTER TABLE recipients ADD COLUMN attempts INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE recipients ADD COLUMN next_try INTEGER;"
	"ALTER TABLE recipients ADD COLUMN first_try INTEGER;"
	"ALTER TABLE contacts ADD COLUMN alias TEXT;"
	"CREATE TABLE groups ("
	"  name TEXT NOT NULL,"
	"  contact_id INTEGER NOT NULL REFERENCES contacts(id)"
	"    ON DELETE CASCADE,"
	"  PRIMARY KEY(name, contact_id));",
	/* 5 -> 6: a draft's other header fields (Reply-To, edit_headers). */
	"ALTER TABLE messages ADD COLUMN d_headers TEXT;",
	/* 6 -> 7: a draft's attached files (their paths). */
	"ALTER TABLE messages ADD COLUMN d_attach TEXT;",
	/* 7 -> 8: how a certificate was verified (pkix, dane, mta-sts). */
	"ALTER TABLE deliveries ADD COLUMN verify_method TEXT;",
	/*
	 * 8 -> 9: how many messages each state holds, kept by triggers, so
	 * that the interface's counts do not walk 100,000 index entries.
	 */
	"CREATE TABLE msg_counts (state INTEGER PRIMARY KEY,"
	"  n INTEGER NOT NULL);"
	"INSERT INTO msg_counts VALUES (0, 0), (1, 0), (2, 0);"
	"UPDATE msg_counts SET n = (SELECT count(*) FROM messages"
	"  WHERE messages.state = msg_counts.state);"
	"CREATE TRIGGER msg_counts_ins AFTER INSERT ON messages BEGIN"
	"  UPDATE msg_counts SET n = n + 1 WHERE state = NEW.state; END;"
	"CREATE TRIGGER msg_counts_del AFTER DELETE ON messages BEGIN"
	"  UPDATE msg_counts SET n = n - 1 WHERE state = OLD.state; END;"
	"CREATE TRIGGER msg_counts_upd AFTER UPDATE OF state ON messages"
	"  WHEN OLD.state <> NEW.state BEGIN"
	"  UPDATE msg_counts SET n = n - 1 WHERE state = OLD.state;"
	"  UPDATE msg_counts SET n = n + 1 WHERE state = NEW.state; END;",
	/*
	 * 9 -> 10: MTA-STS policies (RFC 8461) by domain: the TXT id they
	 * were fetched for, mode, mx patterns (one per line), max_age, when
	 * fetched and when last confirmed by the TXT record.
	 */
	"CREATE TABLE mta_sts ("
	"  domain TEXT PRIMARY KEY,"
	"  id TEXT NOT NULL,"
	"  mode TEXT NOT NULL,"
	"  mx TEXT,"
	"  max_age INTEGER NOT NULL,"
	"  fetched INTEGER NOT NULL,"
	"  checked INTEGER NOT NULL);",
	/*
	 * 10 -> 11: TLS session tickets per server (host, port, and the key of
	 * tls_ticket_key: address and trust anchors), each with the facts of
	 * its full handshake; an attempt says whether its session resumed.
	 */
	"ALTER TABLE deliveries ADD COLUMN tls_resumed INTEGER NOT NULL"
	"  DEFAULT 0;"
	"CREATE TABLE tickets ("
	"  host TEXT NOT NULL, port INTEGER NOT NULL, key TEXT NOT NULL,"
	"  ticket BLOB NOT NULL,"
	"  since INTEGER NOT NULL, expires INTEGER NOT NULL,"
	"  cert_subject TEXT, cert_issuer TEXT, cert_sha256 TEXT,"
	"  cert_expires TEXT, verified INTEGER NOT NULL, verify TEXT,"
	"  cert_problem INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY(host, port, key));",
	/*
	 * 11 -> 12: relay mode's next hop.  What a domain promises (nexthop.c)
	 * cached by domain: MX hosts (space-separated, in order), whether the
	 * MX answer was DNSSEC-validated, the MTA-STS mode, usable DANE; NULL:
	 * not learned.  An attempt keeps the facts as next_hop_json's text.
	 */
	"ALTER TABLE deliveries ADD COLUMN next_hop TEXT;"
	"CREATE TABLE next_hop ("
	"  domain TEXT PRIMARY KEY,"
	"  mx TEXT,"
	"  dnssec INTEGER,"
	"  mta_sts TEXT,"
	"  dane INTEGER,"
	"  checked INTEGER NOT NULL);",
};

static const char *store_state_names[STORE_STATE_LAST] = {
	"draft", "outbox", "sent"
};

/* The names SQL gives state values (store-private.h). */
static const struct {
	const char	*name;
	int		 value;
} st_names[] = {
	{ ":queued", RS_QUEUED },
	{ ":claimed", RS_CLAIMED },
	{ ":delivered", RS_DELIVERED },
	{ ":failed", RS_FAILED },
	{ ":uncertain", RS_UNCERTAIN },
	{ ":draft", STORE_DRAFT },
	{ ":outbox", STORE_OUTBOX },
	{ ":sent", STORE_SENT },
	{ ":o_verified", OUTCOME_VERIFIED },
	{ ":o_encrypted", OUTCOME_ENCRYPTED },
	{ ":o_plaintext", OUTCOME_PLAINTEXT },
	{ ":o_deferred", OUTCOME_DEFERRED },
	{ ":o_held", OUTCOME_HELD },
	{ ":o_failed", OUTCOME_FAILED }
};

static int	 st_state(const char *);
static int	 st_check_names(struct store *, sqlite3_stmt *, const char *,
		    struct err **);
static void	 st_bind_names(sqlite3_stmt *, const char *);
static int	 st_check_file(const char *, struct err **);
static int	 st_mkdirs(const char *, struct err **);
static int	 st_migrate(struct store *, struct err **);
static int	 st_migrate_worst(struct store *, struct err **);
static void	*st_ckpt_thread(void *);
static int	 st_wal_hook(void *, sqlite3 *, const char *, int);

/* Name of a message state. */
const char *
store_state_name(enum store_state s)
{
	return s < STORE_STATE_LAST ? store_state_names[s] : "unknown";
}

/* $XDG_DATA_HOME/tern/tern.db. */
char *
store_default_path(void)
{
	char	*dir, *p;

	dir = conf_data_dir();
	p = xasprintf("%s/tern.db", dir);
	free(dir);
	return p;
}

/* Turn the current SQLite error into an ERR_STORE; returns -1. */
int
st_fail(struct store *st, struct err **errp, const char *what)
{
	int	code = sqlite3_extended_errcode(st->db);

	if ((code & 0xff) == SQLITE_FULL)
		return err_set(errp, ERR_STORE, 1, "%s: %s: the disk is full",
		    st->path, what);
	if ((code & 0xff) == SQLITE_READONLY || (code & 0xff) ==
	    SQLITE_CANTOPEN || (code & 0xff) == SQLITE_PERM)
		return err_set(errp, ERR_STORE, 1, "%s: %s: cannot write the "
		    "store (%s); check its permissions and the disk",
		    st->path, what, sqlite3_errmsg(st->db));
	if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) ==
	    SQLITE_NOTADB)
		return err_set(errp, ERR_STORE, 0, "%s: %s: the store is "
		    "damaged (%s); tern will not touch it: move it aside and "
		    "start again, or repair it with sqlite3 .recover",
		    st->path, what, sqlite3_errmsg(st->db));
	return err_set(errp, ERR_STORE, 1, "%s: %s: %s", st->path, what,
	    sqlite3_errmsg(st->db));
}

/* Run SQL without results. */
int
st_exec(struct store *st, const char *sql, struct err **errp)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return st_fail(st, errp, "update");
	return 0;
}

/* SQLite's autocheckpoint: a passive checkpoint at 1000 WAL pages. */
#define ST_CKPT_FRAMES	1000

/* A small page cache while a big text is written or read. */
void
st_big(struct store *st, size_t len, int on)
{
	sqlite3_stmt	*s;
	char		 sql[48];

	if (len < ST_BIG)
		return;
	if (on && st->cache_saved == 0) {
		if (sqlite3_prepare_v2(st->db, "PRAGMA cache_size", -1, &s,
		    NULL) != SQLITE_OK)
			return;
		if (sqlite3_step(s) == SQLITE_ROW)
			st->cache_saved = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
		if (st->cache_saved != 0)
			(void)sqlite3_exec(st->db, "PRAGMA cache_size = -256",
			    NULL, NULL, NULL);
	} else if (!on && st->cache_saved != 0) {
		snprintf(sql, sizeof sql, "PRAGMA cache_size = %d",
		    st->cache_saved);
		(void)sqlite3_exec(st->db, sql, NULL, NULL, NULL);
		st->cache_saved = 0;
	}
}

/* A checkpoint on a connection of its own (the thread st_wal_hook starts). */
static void *
st_ckpt_thread(void *arg)
{
	struct store	*st = arg;
	sqlite3		*db = NULL;

	int		 flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

#ifdef SQLITE_OPEN_NOFOLLOW
	flags |= SQLITE_OPEN_NOFOLLOW;
#endif
	if (sqlite3_open_v2(st->path, &db, flags, NULL) == SQLITE_OK) {
		(void)sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
		    NULL);
		(void)sqlite3_exec(db, "PRAGMA synchronous = NORMAL", NULL,
		    NULL, NULL);
		/* Passive: the sender's commits go on meanwhile. */
		(void)sqlite3_wal_checkpoint_v2(db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	}
	sqlite3_close(db);
	atomic_store(&st->ckpt_running, 0);
	return NULL;
}

/* Wait for the checkpoint thread, if one was started. */
void
st_ckpt_join(struct store *st)
{
	if (!st->ckpt_started)
		return;
	pthread_join(st->ckpt, NULL);
	st->ckpt_started = 0;
}

/* After each commit (SQLite's WAL hook): when and how to checkpoint. */
static int
st_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store	*st = arg;

	if (atomic_load(&st->ckpt_running))
		return SQLITE_OK;
	st_ckpt_join(st);		/* finished: only reaped */
	if (st->big_commit) {
		sigset_t	all, old;
		int		r;

		/* Signals stay the caller's threads' (the stop handlers). */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		atomic_store(&st->ckpt_running, 1);
		r = pthread_create(&st->ckpt, NULL, st_ckpt_thread, st);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (r == 0) {
			st->ckpt_started = 1;
			return SQLITE_OK;
		}
		atomic_store(&st->ckpt_running, 0);
	}
	if (frames >= ST_CKPT_FRAMES)
		(void)sqlite3_wal_checkpoint_v2(db, name,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

/* The index of a state name in st_names; -1 when it names none. */
static int
st_state(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof st_names / sizeof st_names[0]; i++)
		if (strcmp(name, st_names[i].name) == 0)
			return (int)i;
	return -1;
}

/*
 * Refuse a statement whose :name is no state, or that has names and ?N
 * (a ?N after a name may share its slot: store-private.h).
 */
static int
st_check_names(struct store *st, sqlite3_stmt *s, const char *sql,
    struct err **errp)
{
	const char	*name;
	int		 i, named = 0;

	for (i = 1; i <= sqlite3_bind_parameter_count(s); i++) {
		if ((name = sqlite3_bind_parameter_name(s, i)) == NULL ||
		    *name == '?')
			continue;
		named = 1;
		if (*name == ':' && st_state(name) == -1)
			return err_set(errp, ERR_INTERNAL, 0, "%s: a query names "
			    "no state %s: %s", st->path, name, sql);
	}
	if (named && strchr(sql, '?') != NULL)
		return err_set(errp, ERR_INTERNAL, 0, "%s: a query has both "
		    "named and numbered parameters: %s", st->path, sql);
	return 0;
}

/* Bind the state names a statement uses to their values. */
static void
st_bind_names(sqlite3_stmt *s, const char *sql)
{
	size_t	i;
	int	k;

	if (strchr(sql, ':') == NULL)
		return;
	for (i = 0; i < sizeof st_names / sizeof st_names[0]; i++)
		if ((k = sqlite3_bind_parameter_index(s, st_names[i].name)) > 0)
			sqlite3_bind_int(s, k, st_names[i].value);
}

/*
 * A prepared statement for sql (a string literal), from the cache when
 * it is there and not in use, its state names bound; give it back with
 * st_done().
 */
sqlite3_stmt *
st_prep(struct store *st, const char *sql, struct err **errp)
{
	sqlite3_stmt	*s = NULL;
	size_t		 i;

	for (i = 0; i < st->ncache; i++) {
		if (st->cache[i].sql == sql && !sqlite3_stmt_busy(
		    st->cache[i].stmt)) {
			s = st->cache[i].stmt;
			goto bind;
		}
	}
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		st_fail(st, errp, "query");
		return NULL;
	}
	if (st_check_names(st, s, sql, errp) == -1) {
		sqlite3_finalize(s);
		return NULL;
	}
	for (i = 0; i < st->ncache; i++)
		if (st->cache[i].sql == sql)
			goto bind;	/* in use: this copy is not kept */
	if (st->ncache < ST_CACHE) {
		st->cache[st->ncache].sql = sql;
		st->cache[st->ncache].stmt = s;
		st->ncache++;
	}
bind:
	st_bind_names(s, sql);
	return s;
}

/* The slot of a caller's named value. */
int
st_arg(sqlite3_stmt *s, const char *name)
{
	return sqlite3_bind_parameter_index(s, name);
}

/* Give a statement back: reset when cached, finalized otherwise. */
void
st_done(struct store *st, sqlite3_stmt *s)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < st->ncache; i++) {
		if (st->cache[i].stmt == s) {
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return;
		}
	}
	sqlite3_finalize(s);
}

/* Begin a write transaction, taking the write lock at once. */
int
st_begin(struct store *st, struct err **errp)
{
	return st_exec(st, "BEGIN IMMEDIATE", errp);
}

/* Commit the open transaction. */
int
st_commit(struct store *st, struct err **errp)
{
	return st_exec(st, "COMMIT", errp);
}

/* Undo the open transaction, if there is one. */
void
st_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* A copy of a text column, or NULL. */
char *
st_col(sqlite3_stmt *s, int i)
{
	const unsigned char	*t = sqlite3_column_text(s, i);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

/* A text column from the server, sanitized (one line, no controls). */
char *
st_col_clean(sqlite3_stmt *s, int i)
{
	const unsigned char	*t = sqlite3_column_text(s, i);

	return t != NULL ? text_sanitize_line((const char *)t,
	    strlen((const char *)t)) : NULL;
}

/* Bind text or NULL. */
void
st_bind_text(sqlite3_stmt *s, int i, const char *t)
{
	if (t == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
}

/* The code point at s (its length in *len); -1 for a bad byte (len 1). */
static long
st_utf8(const char *s, size_t *len)
{
	const unsigned char	*u = (const unsigned char *)s;
	long			 cp;
	size_t			 n, i;

	*len = 1;
	if (u[0] < 0x80)
		return u[0];
	if (u[0] >= 0xc2 && u[0] < 0xe0) {
		n = 2;
		cp = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] < 0xf0) {
		n = 3;
		cp = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] < 0xf5) {
		n = 4;
		cp = u[0] & 0x07;
	} else
		return -1;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (u[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp < 0xe000))
		return -1;
	*len = n;
	return cp;
}

/*
 * The other case of a letter of ASCII, Latin-1 Supplement, Latin
 * Extended-A, Greek or Cyrillic; 0 when it has none.
 */
static long
st_other_case(long c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7) ||
	    (c >= 0x391 && c <= 0x3ab && c != 0x3a2) ||
	    (c >= 0x410 && c <= 0x42f))
		return c + 0x20;
	if ((c >= 'a' && c <= 'z') || (c >= 0xe0 && c <= 0xfe && c != 0xf7) ||
	    (c >= 0x3b1 && c <= 0x3cb && c != 0x3c2) ||
	    (c >= 0x430 && c <= 0x44f))
		return c - 0x20;
	if (c >= 0x400 && c <= 0x40f)
		return c + 0x50;
	if (c >= 0x450 && c <= 0x45f)
		return c - 0x50;
	if (c == 0xff)
		return 0x178;
	if (c == 0x178)
		return 0xff;
	/* Latin Extended-A: pairs, upper first, but for 0x139-0x148, 0x179-. */
	if ((c >= 0x100 && c <= 0x12f) || (c >= 0x132 && c <= 0x137) ||
	    (c >= 0x14a && c <= 0x177))
		return c % 2 == 0 ? c + 1 : c - 1;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
		return c % 2 == 1 ? c + 1 : c - 1;
	return 0;
}

/* Append code point c as UTF-8. */
static void
st_add_cp(struct buf *b, long c)
{
	if (c < 0x80)
		buf_addc(b, (char)c);
	else if (c < 0x800) {
		buf_addc(b, (char)(0xc0 | c >> 6));
		buf_addc(b, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		buf_addc(b, (char)(0xe0 | c >> 12));
		buf_addc(b, (char)(0x80 | (c >> 6 & 0x3f)));
		buf_addc(b, (char)(0x80 | (c & 0x3f)));
	} else {
		buf_addc(b, (char)(0xf0 | c >> 18));
		buf_addc(b, (char)(0x80 | (c >> 12 & 0x3f)));
		buf_addc(b, (char)(0x80 | (c >> 6 & 0x3f)));
		buf_addc(b, (char)(0x80 | (c & 0x3f)));
	}
}

/*
 * The one search pattern of the store (messages and contacts alike): a
 * GLOB pattern for "contains search" (prefix: "starts with search"), in
 * either case: each letter with another case becomes [xX] (SQLite's LIKE
 * folds ASCII only, its GLOB classes take any character), * ? [ are
 * quoted as [*] [?] [[]; NULL for no search (unless prefix).  A bad
 * UTF-8 byte stands for itself.
 */
char *
st_glob(const char *search, int prefix)
{
	struct buf	 b = BUF_INIT;
	size_t		 i, n;
	long		 c, o;

	if (!prefix && (search == NULL || *search == '\0'))
		return NULL;
	if (search == NULL)
		search = "";
	if (!prefix)
		buf_addc(&b, '*');
	for (i = 0; search[i] != '\0'; i += n) {
		c = st_utf8(search + i, &n);
		if (c == -1) {
			buf_addc(&b, search[i]);
			continue;
		}
		o = st_other_case(c);
		if (o != 0 || c == '*' || c == '?' || c == '[') {
			buf_addc(&b, '[');
			st_add_cp(&b, c);
			if (o != 0)
				st_add_cp(&b, o);
			buf_addc(&b, ']');
		} else
			st_add_cp(&b, c);
	}
	buf_addc(&b, '*');
	return buf_steal(&b);
}


/*
 * The file must be ours (safefile.h: no link, no other owner, nobody else
 * may write it) and an SQLite database (or empty, or absent).
 */
static int
st_check_file(const char *path, struct err **errp)
{
	char	 head[16];
	ssize_t	 n;
	int	 fd, r;

	if ((r = safefile_check_file(path, "the store", NULL, errp)) != 0)
		return r == 1 ? 0 : -1;
	if ((fd = safefile_open(path, O_RDONLY, 0, "the store", errp)) == -1)
		return -1;
	n = read(fd, head, sizeof head);
	close(fd);
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof head ||
	    memcmp(head, "SQLite format 3", 16) != 0)
		return err_set(errp, ERR_STORE, 0, "%s is not a tern store "
		    "(not an SQLite database); tern leaves it alone: move it "
		    "aside or point XDG_DATA_HOME elsewhere", path);
	return 0;
}

/*
 * mkdir -p the directory of path, mode 0700; the store's own directory
 * must be ours and writable by nobody else (safefile.h), and is made 0700.
 */
static int
st_mkdirs(const char *path, struct err **errp)
{
	struct stat	 sb;
	char		*d, *p;

	d = xstrdup(path);
	if ((p = strrchr(d, '/')) == NULL || p == d) {
		free(d);
		return 0;
	}
	*p = '\0';
	for (p = d + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0700) == -1 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(d, 0700) == -1 && errno != EEXIST)
		goto fail;
	if (safefile_check_dir(d, "the store directory", errp) == -1) {
		free(d);
		return -1;
	}
	if (lstat(d, &sb) == 0 && (sb.st_mode & 077) != 0)
		(void)chmod(d, 0700);
	free(d);
	return 0;
fail:
	err_set(errp, ERR_STORE, 0, "cannot create directory %s: %s", d,
	    strerror(errno));
	free(d);
	return -1;
}

/* Open or create the store. */
struct store *
store_open(const char *path, struct err **errp)
{
	static const char	*sides[] = { "-wal", "-shm", "-journal" };
	struct store		*st;
	struct stat		 had, now;
	char			*side;
	size_t			 i;
	int			 fd, flags, r;

	if (st_mkdirs(path, errp) == -1 || st_check_file(path, errp) == -1)
		return NULL;
	/*
	 * Create the file ourselves so that it is 0600 from the start; never
	 * through a link, never someone else's file (safefile.h).
	 */
	if ((fd = safefile_open(path, O_RDWR | O_CREAT, 0600, "the store",
	    errp)) == -1)
		return NULL;
	/* Mail and contacts are private: only our own file gets here. */
	(void)fchmod(fd, 0600);
	if (fstat(fd, &had) == -1) {
		err_set(errp, ERR_STORE, 1, "%s: cannot open for writing: %s",
		    path, strerror(errno));
		close(fd);
		return NULL;
	}
	/*
	 * SQLite opens the file by its name: check the name once more right
	 * before (still the file we opened) and the names SQLite adds.
	 */
	r = safefile_check_file(path, "the store", &now, errp);
	if (r == 0 && (now.st_dev != had.st_dev || now.st_ino != had.st_ino))
		r = err_set(errp, ERR_STORE, 0, "refusing the store %s: it "
		    "was replaced while tern opened it; try again", path);
	else if (r == 1)
		r = err_set(errp, ERR_STORE, 1, "the store %s disappeared "
		    "while tern opened it; try again", path);
	for (i = 0; r == 0 && i < sizeof sides / sizeof sides[0]; i++) {
		side = xasprintf("%s%s", path, sides[i]);
		if (safefile_check_file(side, "the store's journal", NULL,
		    errp) == -1)
			r = -1;
		free(side);
	}
	if (r != 0) {
		close(fd);
		return NULL;
	}
	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	/* Recursive: a listing's callback may read more of the store. */
	{
		pthread_mutexattr_t	a;

		pthread_mutexattr_init(&a);
		pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
		pthread_mutex_init(&st->lock, &a);
		pthread_mutexattr_destroy(&a);
	}
	if (gethostname(st->host, sizeof st->host - 1) == -1)
		strcpy(st->host, "localhost");
	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
#ifdef SQLITE_OPEN_NOFOLLOW
	flags |= SQLITE_OPEN_NOFOLLOW;	/* SQLite >= 3.31 */
#endif
	r = sqlite3_open_v2(path, &st->db, flags, NULL);
	close(fd);
	if (r != SQLITE_OK) {
		st_fail(st, errp, "open");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 15000);
	/*
	 * No checkpoint when the store closes: the WAL is kept (every commit
	 * is in it, and the outbox commit is synced), so a send's exit does
	 * not sync the database file again; SQLite checkpoints as the WAL
	 * grows.
	 */
	(void)sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
	    NULL);
	/* SQLite's autocheckpoint, but a big text's off the sender's path. */
	sqlite3_wal_hook(st->db, st_wal_hook, st);
	sqlite3_extended_result_codes(st->db, 1);
	if (st_exec(st, "PRAGMA foreign_keys = ON", errp) == -1 ||
	    st_msg_functions(st, errp) == -1 || st_migrate(st, errp) == -1)
		goto fail;
	return st;
fail:
	store_close(st);
	return NULL;
}

/* Bring the schema to STORE_VERSION; refuse foreign or newer files. */
static int
st_migrate(struct store *st, struct err **errp)
{
	sqlite3_stmt	*s;
	int		 v, app, tables, i;
	char		 sql[96];

	if ((s = st_prep(st, "SELECT (SELECT user_version FROM "
	    "pragma_user_version), (SELECT application_id FROM "
	    "pragma_application_id), (SELECT count(*) FROM sqlite_master)",
	    errp)) == NULL)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		st_done(st, s);
		return st_fail(st, errp, "read the schema");
	}
	v = sqlite3_column_int(s, 0);
	app = sqlite3_column_int(s, 1);
	tables = sqlite3_column_int(s, 2);
	st_done(st, s);
	if (tables > 0 && app != STORE_APP_ID)
		return err_set(errp, ERR_STORE, 0, "%s is an SQLite database "
		    "of another program, not a tern store; tern leaves it "
		    "alone", st->path);
	if (v > STORE_VERSION)
		return err_set(errp, ERR_STORE, 0, "%s was made by a newer "
		    "tern (schema %d, this one knows %d); upgrade tern",
		    st->path, v, STORE_VERSION);
	/* WAL survives in the file; set it outside a transaction. */
	if (st_exec(st, "PRAGMA journal_mode = WAL", errp) == -1 ||
	    st_exec(st, "PRAGMA synchronous = NORMAL", errp) == -1)
		return -1;
	if (v == STORE_VERSION)
		return 0;
	if (st_begin(st, errp) == -1)
		return -1;
	/* Another process may have migrated meanwhile: read again. */
	if ((s = st_prep(st, "PRAGMA user_version", errp)) == NULL)
		goto fail;
	v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : v;
	st_done(st, s);
	for (i = v; i < STORE_VERSION; i++) {
		if (st_exec(st, store_migrations[i], errp) == -1)
			goto fail;
		if (i == 1 && st_migrate_worst(st, errp) == -1)
			goto fail;
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d; "
	    "PRAGMA application_id = %d", STORE_VERSION, STORE_APP_ID);
	if (st_exec(st, sql, errp) == -1 || st_commit(st, errp) == -1)
		goto fail;
	return 0;
fail:
	st_rollback(st);
	return -1;
}

/* 1 -> 2, after the new columns: each message's glyph from its records. */
static int
st_migrate_worst(struct store *st, struct err **errp)
{
	sqlite3_stmt	*s;
	int		 rv = -1;

	if ((s = st_prep(st, "UPDATE messages SET worst = (SELECT MAX("
	    ST_SEVERITY ") FROM deliveries WHERE id IN (SELECT MAX(id) FROM "
	    "deliveries WHERE message_id = messages.id GROUP BY "
	    "recipient_id))", errp)) == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_DONE)
		rv = 0;
	else
		st_fail(st, errp, "migrate the messages");
	st_done(st, s);
	return rv;
}

/* Close the store; NULL-safe. */
void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	st_ckpt_join(st);
	while (st->ncache > 0)
		sqlite3_finalize(st->cache[--st->ncache].stmt);
	if (st->db != NULL)
		sqlite3_close_v2(st->db);
	pthread_mutex_destroy(&st->lock);
	free(st->path);
	free(st);
}

/* The schema version. */
int
store_version(struct store *st)
{
	sqlite3_stmt	*s;
	int		 v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	st_done(st, s);
	return v;
}

/* The file of the store. */
const char *
store_path(struct store *st)
{
	return st->path;
}
