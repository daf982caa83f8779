/* The store's server memory for the downgrade rule (servers). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "store.h"
#include "store-private.h"

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
