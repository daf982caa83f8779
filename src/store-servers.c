/*
 * The store's server memory: what each server gave, for the downgrade
 * rule (servers), and its TLS session tickets (tickets).
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "store.h"
#include "store-private.h"
#include "xmalloc.h"

/* What we remember of a server; 1 when known. */
int
store_server_get(struct store *st, const char *host, int port,
    struct store_server *seen)
{
	sqlite3_stmt	*s;
	int		 rv = 0;

	memset(seen, 0, sizeof *seen);
	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "SELECT starttls, tls, issuer, "
	    "fingerprint FROM servers WHERE host = ? AND port = ?", NULL)) !=
	    NULL) {
		st_bind_text(s, 1, host);
		sqlite3_bind_int(s, 2, port);
		if (sqlite3_step(s) == SQLITE_ROW) {
			seen->starttls = sqlite3_column_int(s, 0);
			seen->tls = sqlite3_column_int(s, 1);
			seen->issuer = st_col(s, 2);
			seen->fingerprint = st_col(s, 3);
			rv = 1;
		}
		st_done(st, s);
	}
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/*
 * Remember the best a server gave: STARTTLS and TLS once seen stay seen;
 * the issuer and fingerprint are those of the latest TLS session.
 */
void
store_server_note(struct store *st, const char *host, int port,
    const struct store_server *now)
{
	sqlite3_stmt	*s;
	long long	 t = (long long)time(NULL);

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "INSERT INTO servers (host, port, "
	    "starttls, tls, issuer, fingerprint, first_seen, last_seen) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) ON CONFLICT(host, port) DO "
	    "UPDATE SET starttls = max(starttls, ?3), tls = max(tls, ?4), "
	    "issuer = coalesce(?5, issuer), fingerprint = coalesce(?6, "
	    "fingerprint), last_seen = ?7", NULL)) != NULL) {
		st_bind_text(s, 1, host);
		sqlite3_bind_int(s, 2, port);
		sqlite3_bind_int(s, 3, now->starttls);
		sqlite3_bind_int(s, 4, now->tls);
		st_bind_text(s, 5, now->issuer);
		st_bind_text(s, 6, now->fingerprint);
		sqlite3_bind_int64(s, 7, t);
		(void)sqlite3_step(s);
		st_done(st, s);
	}
	pthread_mutex_unlock(&st->lock);
}

/* Free what store_server_get filled. */
void
store_server_clear(struct store_server *sv)
{
	free(sv->issuer);
	free(sv->fingerprint);
	memset(sv, 0, sizeof *sv);
}

/* The unexpired ticket kept for a server. */
int
store_ticket_get(struct store *st, const char *host, int port,
    const char *key, struct tls_ticket *tk)
{
	sqlite3_stmt	*s;
	const void	*blob;
	int		 n, rv = 0;

	memset(tk, 0, sizeof *tk);
	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "SELECT ticket, since, expires, cert_subject, "
	    "cert_issuer, cert_sha256, cert_expires, verified, verify, "
	    "cert_problem FROM tickets WHERE host = ? AND port = ? AND "
	    "key = ? AND expires > ?", NULL)) != NULL) {
		st_bind_text(s, 1, host);
		sqlite3_bind_int(s, 2, port);
		st_bind_text(s, 3, key);
		sqlite3_bind_int64(s, 4, (long long)time(NULL));
		if (sqlite3_step(s) == SQLITE_ROW &&
		    (blob = sqlite3_column_blob(s, 0)) != NULL &&
		    (n = sqlite3_column_bytes(s, 0)) > 0) {
			tk->data = xmalloc((size_t)n);
			memcpy(tk->data, blob, (size_t)n);
			tk->len = (size_t)n;
			tk->since = sqlite3_column_int64(s, 1);
			tk->expires = sqlite3_column_int64(s, 2);
			tk->facts.used = 1;
			tk->facts.cert_subject = st_col(s, 3);
			tk->facts.cert_issuer = st_col(s, 4);
			tk->facts.cert_sha256 = st_col(s, 5);
			tk->facts.cert_expires = st_col(s, 6);
			tk->facts.verified = sqlite3_column_int(s, 7) != 0;
			tk->facts.verify = st_col(s, 8);
			n = sqlite3_column_int(s, 9);
			tk->facts.cert = n > 0 && n < CERT_PROBLEM_LAST ?
			    (enum cert_problem)n : tk->facts.verified ?
			    CERT_OK : CERT_UNTRUSTED;
			rv = 1;
		}
		st_done(st, s);
	}
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Keep (or forget) a server's ticket; forget those of another certificate. */
void
store_ticket_put(struct store *st, const char *host, int port,
    const char *key, const struct tls_ticket *tk, const char *shown)
{
	const struct tls_facts	*f = tk != NULL ? &tk->facts : NULL;
	sqlite3_stmt		*s;

	pthread_mutex_lock(&st->lock);
	/* One commit: the old ticket never outlives the new one's write. */
	if (st_begin(st, NULL) == -1)
		goto out;
	if ((s = st_prep(st, "DELETE FROM tickets WHERE host = ?1 AND "
	    "port = ?2 AND (key = ?3 OR expires <= ?4 OR (?5 IS NOT NULL AND "
	    "cert_sha256 IS NOT ?5))", NULL)) != NULL) {
		st_bind_text(s, 1, host);
		sqlite3_bind_int(s, 2, port);
		st_bind_text(s, 3, key);
		sqlite3_bind_int64(s, 4, (long long)time(NULL));
		st_bind_text(s, 5, shown);
		(void)sqlite3_step(s);
		st_done(st, s);
	}
	if (tk != NULL && tk->data != NULL && tk->len > 0 &&
	    tk->len <= INT_MAX && (s = st_prep(st, "INSERT INTO tickets "
	    "(host, port, key, ticket, since, expires, cert_subject, "
	    "cert_issuer, cert_sha256, cert_expires, verified, verify, "
	    "cert_problem) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    NULL)) != NULL) {
		st_bind_text(s, 1, host);
		sqlite3_bind_int(s, 2, port);
		st_bind_text(s, 3, key);
		sqlite3_bind_blob(s, 4, tk->data, (int)tk->len,
		    SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 5, tk->since);
		sqlite3_bind_int64(s, 6, tk->expires);
		st_bind_text(s, 7, f->cert_subject);
		st_bind_text(s, 8, f->cert_issuer);
		st_bind_text(s, 9, f->cert_sha256);
		st_bind_text(s, 10, f->cert_expires);
		sqlite3_bind_int(s, 11, f->verified != 0);
		st_bind_text(s, 12, f->verify);
		sqlite3_bind_int(s, 13, (int)f->cert);
		(void)sqlite3_step(s);
		st_done(st, s);
	}
	if (st_commit(st, NULL) == -1)
		st_rollback(st);
out:
	pthread_mutex_unlock(&st->lock);
}
