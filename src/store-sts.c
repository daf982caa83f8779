/*
 * What domains publish, one row per domain: the MTA-STS policy cache
 * (mta_sts) and relay mode's next hop facts (next_hop).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "err.h"
#include "record.h"
#include "store.h"
#include "store-private.h"
#include "xmalloc.h"

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

/* Split space-separated host names into h->mx. */
static void
st_hop_mx(struct next_hop *h, const char *s)
{
	const char	*p, *e;

	for (p = s; p != NULL && *p != '\0'; p = e) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && *e != ' '; e++)
			;
		h->mx = xreallocarray(h->mx, h->nmx + 1, sizeof *h->mx);
		h->mx[h->nmx++] = xstrndup(p, (size_t)(e - p));
	}
}

/* A tri-state column: NULL is -1. */
static int
st_hop_int(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return -1;
	return sqlite3_column_int(s, col) != 0;
}

/* The cached next hop facts of a domain; 1 found, 0 not, -1 error. */
int
store_hop_get(struct store *st, const char *domain, struct next_hop *h,
    long long *checked, struct err **errp)
{
	sqlite3_stmt	*s;
	char		*mx;
	int		 rv = -1, r;

	memset(h, 0, sizeof *h);
	*checked = 0;
	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "SELECT mx, dnssec, mta_sts, dane, checked "
	    "FROM next_hop WHERE domain = ?", errp)) == NULL)
		goto fail;
	st_bind_text(s, 1, domain);
	r = sqlite3_step(s);
	if (r == SQLITE_DONE) {
		rv = 0;
		goto fail;
	}
	if (r != SQLITE_ROW) {
		st_fail(st, errp, "reading the next hop");
		goto fail;
	}
	h->known = 1;
	mx = st_col_clean(s, 0);
	st_hop_mx(h, mx);
	free(mx);
	h->dnssec = st_hop_int(s, 1);
	h->mta_sts = NEXT_HOP_STS_UNKNOWN;
	if (sqlite3_column_type(s, 2) != SQLITE_NULL &&
	    next_hop_sts_parse((const char *)sqlite3_column_text(s, 2),
	    &h->mta_sts) == -1)
		h->mta_sts = NEXT_HOP_STS_UNKNOWN;
	h->dane = st_hop_int(s, 3);
	*checked = sqlite3_column_int64(s, 4);
	rv = 1;

fail:
	st_done(st, s);
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Insert or replace the next hop facts of a domain. */
int
store_hop_put(struct store *st, const char *domain, const struct next_hop *h,
    long long checked, struct err **errp)
{
	sqlite3_stmt	*s;
	char		*mx = NULL;
	size_t		 i;
	int		 rv = -1;

	for (i = 0; i < h->nmx; i++) {
		char	*t = xasprintf("%s%s%s", mx != NULL ? mx : "",
		    i > 0 ? " " : "", h->mx[i]);

		free(mx);
		mx = t;
	}
	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "INSERT OR REPLACE INTO next_hop (domain, mx, "
	    "dnssec, mta_sts, dane, checked) VALUES (?, ?, ?, ?, ?, ?)",
	    errp)) == NULL)
		goto fail;
	st_bind_text(s, 1, domain);
	st_bind_text(s, 2, mx);
	if (h->dnssec >= 0)
		sqlite3_bind_int(s, 3, h->dnssec);
	st_bind_text(s, 4, next_hop_sts_name(h->mta_sts));
	if (h->dane >= 0)
		sqlite3_bind_int(s, 5, h->dane);
	sqlite3_bind_int64(s, 6, checked);
	if (sqlite3_step(s) != SQLITE_DONE) {
		st_fail(st, errp, "saving the next hop");
		goto fail;
	}
	rv = 0;

fail:
	st_done(st, s);
	pthread_mutex_unlock(&st->lock);
	free(mx);
	return rv;
}
