/*
 * store-private: what the files of the store share (store.c: open,
 * migrations, statements, transactions; store-queue.c, store-msg.c,
 * store-contacts.c, store-servers.c, store-sts.c: one table each).
 * Included by those files only: nothing outside the store sees SQLite.
 *
 * Every public function takes st->lock (recursive: a listing's callback
 * may read more of the store) around its statements.  A write of more than
 * one statement is one transaction:
 *
 *	if (st_begin(st, errp) == -1)
 *		goto fail;
 *	... statements, goto fail on error ...
 *	if (st_commit(st, errp) == -1)
 *		goto fail;
 *	rv = 0;
 * fail:
 *	st_done(st, s);
 *	st_rollback(st);	(nothing when committed)
 */
#ifndef TERN_STORE_PRIVATE_H
#define TERN_STORE_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include <sqlite3.h>

struct err;

/*
 * Recipient states (recipients.status).  UNCERTAIN: the final dot went
 * out (or was about to) and no reply was recorded: the next flush resends
 * it, flagged; a claim on it keeps the state (claim_pid tells whether it
 * is taken).  The numbers are in every store file: never renumber them.
 *
 * SQL never spells a state's number.  It names it: :queued, :claimed,
 * :delivered, :failed, :uncertain (recipients.status), :draft, :outbox,
 * :sent (messages.state, enum store_state), :o_verified ... :o_failed
 * (enum outcome, messages.worst), and st_prep binds the names.  The
 * caller's values in such a statement are named too, @like_this, bound
 * with st_arg: SQLite numbers a name one past the largest ?N before it, so
 * a ?N written after a name could share its slot.
 */
enum {
	RS_QUEUED = 0,
	RS_CLAIMED = 1,
	RS_DELIVERED = 2,
	RS_FAILED = 3,
	RS_UNCERTAIN = 4
};

/* An outcome's severity (enum outcome) from its name in deliveries. */
#define ST_SEVERITY							\
	"CASE outcome WHEN 'verified' THEN :o_verified WHEN 'encrypted' "	\
	"THEN :o_encrypted WHEN 'plaintext' THEN :o_plaintext WHEN "	\
	"'deferred' THEN :o_deferred WHEN 'held' THEN :o_held WHEN "	\
	"'failed' THEN :o_failed END"

#define ST_CACHE	48

/*
 * Prepared statements are kept by their SQL text's address (every query
 * is a string literal): parsing SQL was half of a flush's CPU.
 */
struct st_cached {
	const char	*sql;
	sqlite3_stmt	*stmt;
};

struct store {
	sqlite3		*db;
	char		*path;
	pthread_mutex_t	 lock;
	char		 host[256];
	struct st_cached cache[ST_CACHE];
	size_t		 ncache;
	int		 cache_saved;	/* cache_size before st_big, or 0 */
	int		 big_commit;	/* the open transaction has a big text */
	pthread_t	 ckpt;		/* the checkpoint after a big text */
	int		 ckpt_started;	/* ckpt is to be joined */
	atomic_int	 ckpt_running;	/* ckpt has not finished */
};

/* A text this big keeps SQLite's page cache small while it is handled. */
#define ST_BIG		(1024 * 1024)

/* The current SQLite error as ERR_STORE naming the file and what; -1. */
int		 st_fail(struct store *, struct err **, const char *);
/*
 * A text of len bytes passes through SQLite's page cache one page at a
 * time, so that the cache would fill (2 MiB) with a part of it beside the
 * caller's copy: st_big(st, len, 1) before a big one is written or read
 * keeps the cache at 256 KiB, st_big(st, len, 0) after gives it back.
 * Nothing for a small text.
 */
void		 st_big(struct store *, size_t, int);
/*
 * The checkpoints (st_wal_hook, the commit hook of every connection):
 * SQLite's own rule (a passive checkpoint once the WAL holds 1000 pages)
 * but after a commit with a big text (st->big_commit).  That one is
 * checkpointed by a thread on a connection of its own while the caller
 * goes on (sends it): copying 20 MiB into the database file and syncing
 * it is not waited for before the first byte goes out.  No checkpoint
 * starts on this connection while it runs; st_ckpt_join waits for it
 * (store_close).
 */
void		 st_ckpt_join(struct store *);
/* Run SQL without results and without parameters; 0 or -1. */
int		 st_exec(struct store *, const char *, struct err **);
/*
 * A statement for sql (a string literal), cached, its state names bound;
 * NULL with *errp: ERR_STORE, or ERR_INTERNAL for SQL that names no state
 * (":typo") or has both names and ?N.  Give it back with st_done
 * (NULL-safe).
 */
sqlite3_stmt	*st_prep(struct store *, const char *, struct err **);
/* The slot of the caller's value @name in a statement (0: none). */
int		 st_arg(sqlite3_stmt *, const char *);
void		 st_done(struct store *, sqlite3_stmt *);
/*
 * The one transaction shape: st_begin takes the write lock at once
 * (BEGIN IMMEDIATE: two processes never read the same queue state to
 * change it); st_commit; st_rollback undoes an open transaction, and does
 * nothing when there is none (committed, or never begun).
 */
int		 st_begin(struct store *, struct err **);
int		 st_commit(struct store *, struct err **);
void		 st_rollback(struct store *);
/* A copy of a text column, or NULL; _clean: one line, no controls. */
char		*st_col(sqlite3_stmt *, int);
char		*st_col_clean(sqlite3_stmt *, int);
/* Bind text, or NULL. */
void		 st_bind_text(sqlite3_stmt *, int, const char *);
/*
 * The store's one search pattern: GLOB, either case beyond ASCII, for
 * text anywhere (NULL for a NULL or empty text: all); with prefix, for
 * text at the start (never NULL).  New string.
 */
char		*st_glob(const char *, int);
/*
 * Register the SQL functions of the message search on the connection:
 * tern_body(text, pre), the decoded plain text of a stored message (NULL
 * when it has none, or lacks pre in any case).  0, or -1 and *errp.
 */
int		 st_msg_functions(struct store *, struct err **);

#endif
