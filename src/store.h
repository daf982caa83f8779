/*
 * store: tern's memory, one SQLite file under $XDG_DATA_HOME/tern/
 * (mode 0600, directory 0700, WAL, foreign keys, schema versioned with
 * PRAGMA user_version and migrated forward on open).
 *
 * It keeps contacts with their policy, messages (draft, outbox, sent) with
 * their RFC 5322 text, one queue row per recipient of a message, one
 * delivery record per recipient per attempt, and what each server offered.
 *
 * The outbox rule: a message is committed before the first connection;
 * a recipient is claimed in a transaction before it is sent (so two tern
 * processes never send it twice), marked delivered only after the server
 * accepted the message, and released back to the queue when held or
 * deferred.  Claims of a process that died are taken back.
 *
 * A store may be used from several threads: every call is serialized.
 * Strings returned in structs are owned by the struct (free with its
 * _clear function).
 *
 * Errors: a function that fails returns -1 (or NULL) with *errp set, and
 * a write that fails leaves the store as it was.  The class is ERR_STORE
 * (the file, the disk or SQLite, the file named) except ERR_INPUT where a
 * comment below says the caller named a contact, message or draft that is
 * not there, and ERR_INTERNAL for a fault in the store's own SQL (a bug).
 * The functions without a struct err ** are best effort and say what
 * they return on a failure.
 *
 * The code: store.c (the file, migrations, statements, transactions),
 * store-queue.c, store-msg.c, store-contacts.c, store-servers.c,
 * store-sts.c.
 */
#ifndef TERN_STORE_H
#define TERN_STORE_H

#include <stddef.h>

#include "policy.h"
#include "record.h"

struct err;

struct store;

#define STORE_VERSION	12

/* Stored as numbers in messages.state: add at the end, never renumber. */
enum store_state {
	STORE_DRAFT,
	STORE_OUTBOX,
	STORE_SENT,
	STORE_STATE_LAST
};

struct store_contact {
	long long	 id;
	char		*address;
	char		*name;
	enum policy	 policy;	/* POLICY_UNSET: follow domain/default */
	char		*notes;
	char		*alias;		/* mutt alias key, or NULL */
	char		*groups;	/* "a\nb" (read only), or NULL */
};

/* One row of a message list (no text: lists never load bodies). */
struct store_msg {
	long long		 id;
	enum store_state	 state;
	long long		 created, updated;
	char			*from;
	char			*rcpts;		/* "a@b, c@d" */
	char			*subject;
	int			 has_outcome;
	enum outcome		 worst;		/* of the latest outcomes */
	int			 queued;	/* recipients still to send */
	int			 delivered;	/* recipients delivered */
	int			 failed;	/* recipients failed for good */
};

/* A recipient of a message in the queue. */
struct store_rcpt {
	long long	 id;
	long long	 message_id;
	char		*address;
	int		 delivered;
	int		 failed;
	int		 has_outcome;
	enum outcome	 last;		/* latest outcome */
	char		*reason;	/* latest reason */
	enum reason_kind kind;		/* and its kind */
	int		 attempts;	/* tries recorded */
	long long	 first_try;	/* unix time, 0 before the first */
	long long	 next_try;	/* due from then; 0: at once */
	int		 uncertain;	/* a resend after an interrupted one */
};

/* What a server offered (store_server_get). */
struct store_server {
	int	 starttls;		/* offered STARTTLS */
	int	 tls;			/* TLS was established */
	char	*issuer;		/* certificate issuer DN, or NULL */
	char	*fingerprint;		/* its SHA-256, or NULL */
};

/*
 * A cached MTA-STS policy (table mta_sts): the store keeps it as text;
 * mtasts.c says what it means.
 */
struct store_sts {
	char		*id;		/* the TXT id it was fetched for */
	char		*mode;		/* "enforce", "testing", "none" */
	char		*mx;		/* patterns, one per line, or NULL */
	long long	 max_age;	/* seconds */
	long long	 fetched;	/* unix time of the fetch */
	long long	 checked;	/* unix time the TXT id last matched */
};

/* A draft as the composer edits it. */
struct store_draft {
	long long	 id;		/* 0: new */
	char		*to, *cc, *bcc, *subject, *body;
	char		*headers;	/* more fields (Reply-To, ...) as
					   "Name: value" lines, or NULL */
	char		*attach;	/* attached files' paths, one per
					   line, or NULL */
	long long	 updated;
};

/* The path of the store file (caller frees): conf_data_dir()/tern.db. */
char	*store_default_path(void);
/*
 * Open (creating if needed) the store at path; NULL with *errp if the file
 * is not a tern store, is corrupt, or cannot be written.  A file that is
 * not ours is never modified.
 */
struct store *store_open(const char *, struct err **);
void	 store_close(struct store *);
/* The schema version of an open store, -1 on error. */
int	 store_version(struct store *);
/* The file. */
const char *store_path(struct store *);

/* Contacts. */
int	 store_contact_get(struct store *, const char *, struct store_contact *,
	    struct err **);		/* 1 found, 0 not, -1 error */
int	 store_contact_put(struct store *, const struct store_contact *,
	    struct err **);		/* insert or update by address */
int	 store_contact_set_policy(struct store *, const char *, enum policy,
	    struct err **);		/* 0, -1; ERR_INPUT if unknown */
int	 store_contact_remove(struct store *, const char *,
	    struct err **);		/* 0, -1; ERR_INPUT if unknown */
/* Call fn for each contact matching the search (NULL: all), by address. */
int	 store_contact_each(struct store *, const char *, size_t, size_t,
	    int (*)(const struct store_contact *, void *), void *,
	    struct err **);
int	 store_contact_count(struct store *, long long *, struct err **);
/* The contact's policy; POLICY_UNSET: none, no such contact, or error. */
enum policy store_contact_policy(struct store *, const char *);
void	 store_contact_clear(struct store_contact *);
/*
 * Groups of contacts (mutt's -group, an alias of several addresses).
 * store_contact_group_add puts the contact addr in group (created by its
 * first member); adding twice is not an error.  0, or -1 with *errp
 * (ERR_INPUT when there is no such contact).  store_contact_put keeps a
 * contact's alias key when c->alias is NULL and removes it when "".
 */
int	 store_contact_group_add(struct store *, const char *, const char *,
	    struct err **);
/*
 * Call fn for each contact a name stands for: the contacts whose alias key
 * it is and the members of the group of that name (case-insensitive), by
 * address; fn returning non-zero stops.  0, or -1 with *errp.
 */
int	 store_contact_members(struct store *, const char *,
	    int (*)(const struct store_contact *, void *), void *,
	    struct err **);
/*
 * Call fn(name, members, arg) for each group whose name begins with the
 * prefix (NULL: all), by name, at most limit (0: all).  0 or -1.
 */
int	 store_contact_groups(struct store *, const char *, size_t,
	    int (*)(const char *, long long, void *), void *,
	    struct err **);

/*
 * Put a message (from, subject, text, len, recipients) in the outbox with
 * its recipients queued, in one transaction, before anything is sent,
 * with its account name and Message-ID (either may be NULL).  *id gets
 * its id.  A Message-ID tern already holds in the outbox or sent mail is
 * joined instead (*joined = 1, when joined is not NULL): recipients it
 * lacks are queued, those it has keep their state.  A draft id other
 * than 0 (the draft it was composed in) is removed in the same commit.
 */
int	 store_outbox_add(struct store *, const char *, const char *,
	    const char *, size_t, const char **, size_t, const char *,
	    const char *, long long, long long *, int *, struct err **);
/* How store_outbox_fill's filler hands on each piece: 0, or -1 to stop. */
typedef int	(*store_put_fn)(void *, const char *, size_t);
/*
 * store_outbox_add with a text of len bytes that fill writes in order,
 * calling put(putarg, piece, size) for each piece, straight into the
 * message's row (incremental BLOB I/O): a big text is never copied whole.
 * fill returns 0, or -1 (the filler's error, or put's) to give up; a
 * text other than len bytes long is refused (ERR_INTERNAL).
 */
int	 store_outbox_fill(struct store *, const char *, const char *, size_t,
	    int (*)(void *, store_put_fn, void *), void *, const char **,
	    size_t, const char *, const char *, long long, long long *, int *,
	    struct err **);
/*
 * Claim queued recipients for sending, in one transaction: of message id
 * (or of every outbox message when id is 0); with due, only those whose
 * next try (the backoff store_record sets) has come.  Recipients claimed by a
 * process that no longer runs are claimed again.  Fills a new array
 * (free with store_rcpts_free).
 */
int	 store_claim(struct store *, long long, int, struct store_rcpt **,
	    size_t *, struct err **);
/*
 * Record one attempt for a claimed recipient and settle it: delivered or
 * failed ends its queue life; held and deferred put it back in the queue.
 * The message moves to sent when no recipient is left queued.
 */
/*
 * Put next-hop facts (relay mode) into the recipient's latest record,
 * when they came after it was stored (the record is never made to wait
 * for DNS).  0, or -1 with *errp; a failure loses only those facts.
 */
struct next_hop;
int	 store_record_next_hop(struct store *, long long,
	    const struct next_hop *, struct err **);
int	 store_record(struct store *, long long, const struct record *,
	    struct err **);
/*
 * The same for n recipients (ids[i] with recs[i]) in one commit, each
 * message's glyph and state updated once: all or none is stored.
 */
int	 store_record_batch(struct store *, const long long *,
	    const struct record *const *, size_t, struct err **);
/* Put claimed recipients back without an attempt (interrupted send). */
int	 store_release(struct store *, long long, struct err **);
/*
 * The outbox messages with a recipient whose retry is due at time now
 * (tried before, next try come, not claimed): fn(id, arg) for each,
 * oldest first; fn returning non-zero stops.  0 or -1 with *errp.
 */
int	 store_due_each(struct store *, long long, int (*)(long long, void *),
	    void *, struct err **);
/* The account message id was queued with (new string); NULL: none, error. */
char	*store_message_account(struct store *, long long);
/*
 * Mark n claimed recipients (by id) uncertain, in one commit, just before
 * their final dot goes out: 0, or -1 with *errp (ERR_STORE) and nothing
 * changed; then the dot must not be sent.
 */
int	 store_mark_uncertain(struct store *, const long long *, size_t,
	    struct err **);
/*
 * The same, and in that commit claim message next's recipients (next
 * not 0) as store_claim does, into *out and *nout: a flush claims its
 * next message ahead without a commit of its own.  All or nothing.
 */
int	 store_mark_uncertain_claim(struct store *, const long long *,
	    size_t, long long, int, struct store_rcpt **, size_t *,
	    struct err **);
/*
 * The text of message id (caller frees), its length in *len and, when
 * from is not NULL, its envelope sender in *from (caller frees); NULL with
 * *errp: ERR_INPUT when there is no such message (or it has no text).
 */
char	*store_message_text(struct store *, long long, size_t *, char **,
	    struct err **);
/*
 * As store_message_text, and *account (new string, NULL for the default
 * account): what a flush needs of a message, in one read.
 */
char	*store_message_out(struct store *, long long, size_t *, char **,
	    char **, struct err **);
/* Messages in a state, newest first, offset/limit; fn called per row. */
int	 store_message_each(struct store *, enum store_state, size_t, size_t,
	    int (*)(const struct store_msg *, void *), void *, struct err **);
int	 store_message_count(struct store *, enum store_state, long long *,
	    struct err **);
/*
 * As store_message_each and store_message_count, restricted to messages
 * whose recipients or subject contain the search text (case-insensitive
 * for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic letters; NULL
 * or "": all).  Only the requested window is read, so a
 * search never loads the whole history into memory.
 */
int	 store_message_find(struct store *, enum store_state, const char *,
	    size_t, size_t, int (*)(const struct store_msg *, void *), void *,
	    struct err **);
int	 store_message_find_count(struct store *, enum store_state,
	    const char *, long long *, struct err **);
/*
 * As store_message_find(_count) for STORE_SENT, with the outbox messages
 * already delivered to some recipient (partly delivered: the Outbox lists
 * them too); a row's state says which.
 */
int	 store_sent_find(struct store *, const char *, size_t, size_t,
	    int (*)(const struct store_msg *, void *), void *, struct err **);
int	 store_sent_find_count(struct store *, const char *, long long *,
	    struct err **);
/* Delete a message with its queue and records; ERR_INPUT if unknown. */
int	 store_message_delete(struct store *, long long, struct err **);
/* The recipients of a message (new array). */
int	 store_message_rcpts(struct store *, long long, struct store_rcpt **,
	    size_t *, struct err **);
/* Every attempt for a message, oldest first (new array of records). */
int	 store_attempts(struct store *, long long, struct record **, size_t *,
	    struct err **);
/* Every attempt, newest first, at most n (0: all); fn per record. */
int	 store_log_each(struct store *, size_t, int (*)(long long,
	    const struct record *, void *), void *, struct err **);
void	 store_rcpts_free(struct store_rcpt *, size_t);
void	 store_msg_clear(struct store_msg *);

/*
 * Drafts: save (insert when d->id is 0 and set it; else update that
 * draft), load; ERR_INPUT when d->id or id is no draft.  A draft is
 * deleted with store_message_delete.
 */
int	 store_draft_save(struct store *, struct store_draft *, struct err **);
int	 store_draft_load(struct store *, long long, struct store_draft *,
	    struct err **);
void	 store_draft_clear(struct store_draft *);

/*
 * Server memory for the downgrade rule: what a server (host, port) gave.
 * store_server_get fills *sv (free with store_server_clear) and returns 1
 * when the server is known, 0 when not or when the store fails (*sv
 * zeroed).  store_server_note keeps the best seen: STARTTLS and TLS once
 * seen stay seen; the issuer and fingerprint are those of the latest TLS
 * session (NULL keeps the one stored).  Best effort: a failure is ignored.
 */
int	 store_server_get(struct store *, const char *, int,
	    struct store_server *);
void	 store_server_note(struct store *, const char *, int,
	    const struct store_server *);
void	 store_server_clear(struct store_server *);

/*
 * MTA-STS policies by domain (lower case, no final dot).  store_sts_get
 * fills *p (free with store_sts_clear): 1 found, 0 not (*p zeroed), -1
 * with *errp.  store_sts_put inserts or replaces the domain's policy;
 * store_sts_checked sets only its checked time (nothing when the domain
 * has none).  0 or -1 with *errp.
 */
int	 store_sts_get(struct store *, const char *, struct store_sts *,
	    struct err **);
int	 store_sts_put(struct store *, const char *, const struct store_sts *,
	    struct err **);
int	 store_sts_checked(struct store *, const char *, long long,
	    struct err **);
void	 store_sts_clear(struct store_sts *);

/*
 * Relay mode's next hop facts by domain (lower case, no final dot), as
 * nexthop.c learned them at unix time *checked.  store_hop_get fills *h
 * (known 1; free with next_hop_clear) and *checked: 1 found, 0 not (*h
 * zeroed), -1 with *errp.  store_hop_put inserts or replaces: 0 or -1.
 */
int	 store_hop_get(struct store *, const char *, struct next_hop *,
	    long long *, struct err **);
int	 store_hop_put(struct store *, const char *, const struct next_hop *,
	    long long, struct err **);

/*
 * TLS session tickets (record.h), per server: host, port and key (the
 * address and trust anchors, tls_ticket_key).  store_ticket_get fills *tk
 * (tls_ticket_clear) with the one kept there that has not expired and
 * returns 1, else 0 (*tk zeroed).  store_ticket_put keeps tk there (NULL:
 * forgets the one there, an expired one goes too); shown, when not NULL,
 * is the certificate (SHA-256) a full handshake showed now: the server's
 * tickets of any other certificate are forgotten.  Best effort: a store
 * error costs a resumption, nothing else.
 */
int	 store_ticket_get(struct store *, const char *, int, const char *,
	    struct tls_ticket *);
void	 store_ticket_put(struct store *, const char *, int, const char *,
	    const struct tls_ticket *, const char *);

const char *store_state_name(enum store_state);

#endif
