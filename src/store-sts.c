/* The store's MTA-STS policy cache (mta_sts), one row per domain. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "err.h"
#include "store.h"
#include "store-private.h"

/* The cached policy of a domain; 1 found, 0 not, -1 error. */
int
store_sts_get(struct store *st, const char *domain, struct store_sts *p,
    struct err **errp)
{
	sqlite3_stmt	*s;
	int		 rv = -1, r;

	memset(p, 0, sizeof *p);
	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "SELECT id, mode, mx, max_age, fetched, checked "
	    "FROM mta_sts WHERE domain = ?", errp)) == NULL)
		goto fail;
	st_bind_text(s, 1, domain);
	r = sqlite3_step(s);
	if (r == SQLITE_DONE) {
		rv = 0;
		goto fail;
	}
	if (r != SQLITE_ROW) {
		st_fail(st, errp, "reading the MTA-STS policy");
		goto fail;
	}
	p->id = st_col_clean(s, 0);
	p->mode = st_col_clean(s, 1);
	p->mx = st_col(s, 2);
	p->max_age = sqlite3_column_int64(s, 3);
	p->fetched = sqlite3_column_int64(s, 4);
	p->checked = sqlite3_column_int64(s, 5);
	if (p->id == NULL || p->mode == NULL) {
		store_sts_clear(p);
		rv = 0;
		goto fail;
	}
	rv = 1;

fail:
	st_done(st, s);
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Insert or replace the policy of a domain. */
int
store_sts_put(struct store *st, const char *domain,
    const struct store_sts *p, struct err **errp)
{
	sqlite3_stmt	*s;
	int		 rv = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "INSERT OR REPLACE INTO mta_sts (domain, id, "
	    "mode, mx, max_age, fetched, checked) VALUES (?, ?, ?, ?, ?, ?, "
	    "?)", errp)) == NULL)
		goto fail;
	st_bind_text(s, 1, domain);
	st_bind_text(s, 2, p->id);
	st_bind_text(s, 3, p->mode);
	st_bind_text(s, 4, p->mx);
	sqlite3_bind_int64(s, 5, p->max_age);
	sqlite3_bind_int64(s, 6, p->fetched);
	sqlite3_bind_int64(s, 7, p->checked);
	if (sqlite3_step(s) != SQLITE_DONE) {
		st_fail(st, errp, "saving the MTA-STS policy");
		goto fail;
	}
	rv = 0;

fail:
	st_done(st, s);
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* The TXT id of a domain matched its cached policy at time t. */
int
store_sts_checked(struct store *st, const char *domain, long long t,
    struct err **errp)
{
	sqlite3_stmt	*s;
	int		 rv = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "UPDATE mta_sts SET checked = ? WHERE domain = "
	    "?", errp)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, t);
	st_bind_text(s, 2, domain);
	if (sqlite3_step(s) != SQLITE_DONE) {
		st_fail(st, errp, "saving the MTA-STS policy");
		goto fail;
	}
	rv = 0;

fail:
	st_done(st, s);
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Free what store_sts_get filled. */
void
store_sts_clear(struct store_sts *p)
{
	free(p->id);
	free(p->mode);
	free(p->mx);
	memset(p, 0, sizeof *p);
}
