/* The store's contacts, their alias keys and groups (contacts, groups). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "err.h"
#include "policy.h"
#include "store.h"
#include "store-private.h"
#include "xmalloc.h"

/* The columns st_row_contact reads: groups one a line, by name. */
#define ST_CONTACT_COLS							\
	"id, address, name, policy, notes, alias, (SELECT "		\
	"group_concat(name, char(10)) FROM (SELECT name FROM groups WHERE "	\
	"contact_id = contacts.id ORDER BY name))"

static char	*st_akey(const char *);
static void	 st_row_contact(sqlite3_stmt *, struct store_contact *);

/* The unique key of an address: the domain in lower case. */
static char *
st_akey(const char *addr)
{
	char	*k, *at;

	k = xstrdup(addr);
	if ((at = strrchr(k, '@')) != NULL)
		for (; *at != '\0'; at++)
			if (*at >= 'A' && *at <= 'Z')
				*at = (char)(*at - 'A' + 'a');
	return k;
}

/* A contact from a row (ST_CONTACT_COLS). */
static void
st_row_contact(sqlite3_stmt *s, struct store_contact *c)
{
	const unsigned char	*p;

	c->id = sqlite3_column_int64(s, 0);
	c->address = st_col(s, 1);
	c->name = st_col(s, 2);
	p = sqlite3_column_text(s, 3);
	if (p == NULL || policy_parse((const char *)p, &c->policy) == -1)
		c->policy = POLICY_UNSET;
	c->notes = st_col(s, 4);
	c->alias = st_col(s, 5);
	c->groups = st_col(s, 6);
}

/* Look up a contact by address. */
int
store_contact_get(struct store *st, const char *addr,
    struct store_contact *c, struct err **errp)
{
	sqlite3_stmt	*s;
	char		*key;
	int		 r, rv = -1;

	memset(c, 0, sizeof *c);
	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "SELECT " ST_CONTACT_COLS " FROM contacts "
	    "WHERE akey = ?", errp)) == NULL)
		goto out;
	key = st_akey(addr);
	st_bind_text(s, 1, key);
	free(key);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		st_row_contact(s, c);
		rv = 1;
	} else if (r == SQLITE_DONE)
		rv = 0;
	else
		st_fail(st, errp, "read contact");
	st_done(st, s);
out:
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Insert or update a contact. */
int
store_contact_put(struct store *st, const struct store_contact *c,
    struct err **errp)
{
	sqlite3_stmt	*s;
	char		*key;
	long long	 now = (long long)time(NULL);
	int		 rv = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "INSERT INTO contacts (address, akey, name, "
	    "policy, notes, alias, created, updated) VALUES (?1, ?2, ?3, ?4, "
	    "?5, nullif(?7, ''), ?6, ?6) ON CONFLICT(akey) DO UPDATE SET "
	    "address = ?1, name = coalesce(?3, name), policy = ?4, notes = "
	    "coalesce(?5, notes), alias = nullif(coalesce(?7, alias), ''), "
	    "updated = ?6", errp)) == NULL)
		goto out;
	key = st_akey(c->address);
	st_bind_text(s, 1, key);
	st_bind_text(s, 2, key);
	st_bind_text(s, 3, c->name);
	st_bind_text(s, 4, c->policy == POLICY_UNSET ? NULL :
	    policy_name(c->policy));
	st_bind_text(s, 5, c->notes);
	sqlite3_bind_int64(s, 6, now);
	st_bind_text(s, 7, c->alias);
	free(key);
	if (sqlite3_step(s) == SQLITE_DONE)
		rv = 0;
	else
		st_fail(st, errp, "save contact");
	st_done(st, s);
out:
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Set only the policy of an existing contact. */
int
store_contact_set_policy(struct store *st, const char *addr, enum policy p,
    struct err **errp)
{
	sqlite3_stmt	*s;
	char		*key;
	int		 rv = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "UPDATE contacts SET policy = ?, updated = ? "
	    "WHERE akey = ?", errp)) == NULL)
		goto out;
	key = st_akey(addr);
	st_bind_text(s, 1, p == POLICY_UNSET ? NULL : policy_name(p));
	sqlite3_bind_int64(s, 2, (long long)time(NULL));
	st_bind_text(s, 3, key);
	free(key);
	if (sqlite3_step(s) != SQLITE_DONE)
		st_fail(st, errp, "save contact");
	else if (sqlite3_changes(st->db) == 0)
		err_set(errp, ERR_INPUT, 0, "no contact %s (add it with: tern "
		    "contacts add %s)", addr, addr);
	else
		rv = 0;
	st_done(st, s);
out:
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Remove a contact. */
int
store_contact_remove(struct store *st, const char *addr, struct err **errp)
{
	sqlite3_stmt	*s;
	char		*key;
	int		 rv = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "DELETE FROM contacts WHERE akey = ?", errp)) ==
	    NULL)
		goto out;
	key = st_akey(addr);
	st_bind_text(s, 1, key);
	free(key);
	if (sqlite3_step(s) != SQLITE_DONE)
		st_fail(st, errp, "remove contact");
	else if (sqlite3_changes(st->db) == 0)
		err_set(errp, ERR_INPUT, 0, "no contact %s", addr);
	else
		rv = 0;
	st_done(st, s);
out:
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Walk contacts matching a search, ordered by address, paged. */
int
store_contact_each(struct store *st, const char *search, size_t offset,
    size_t limit, int (*fn)(const struct store_contact *, void *), void *arg,
    struct err **errp)
{
	struct store_contact	 c;
	sqlite3_stmt		*s;
	char			*pat = NULL;
	int			 r, rv = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "SELECT " ST_CONTACT_COLS " FROM contacts "
	    "WHERE ?1 IS NULL OR akey GLOB ?1 OR name GLOB ?1 OR "
	    "alias GLOB ?1 "
	    "ORDER BY akey LIMIT ?2 OFFSET ?3", errp)) == NULL)
		goto out;
	pat = st_glob(search, 0);
	st_bind_text(s, 1, pat);
	sqlite3_bind_int64(s, 2, limit == 0 ? -1 : (long long)limit);
	sqlite3_bind_int64(s, 3, (long long)offset);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		st_row_contact(s, &c);
		r = fn(&c, arg);
		store_contact_clear(&c);
		if (r != 0)
			break;
	}
	if (r == SQLITE_DONE || r == 0 || r == 1)
		rv = 0;
	else
		st_fail(st, errp, "list contacts");
	st_done(st, s);
out:
	free(pat);
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* How many contacts. */
int
store_contact_count(struct store *st, long long *n, struct err **errp)
{
	sqlite3_stmt	*s;
	int		 rv = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "SELECT count(*) FROM contacts", errp)) != NULL) {
		if (sqlite3_step(s) == SQLITE_ROW) {
			*n = sqlite3_column_int64(s, 0);
			rv = 0;
		} else
			st_fail(st, errp, "count contacts");
		st_done(st, s);
	}
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* The policy of a contact, POLICY_UNSET if none. */
enum policy
store_contact_policy(struct store *st, const char *addr)
{
	struct store_contact	c;
	enum policy		p = POLICY_UNSET;

	if (store_contact_get(st, addr, &c, NULL) == 1)
		p = c.policy;
	store_contact_clear(&c);
	return p;
}

/* Put a contact in a group (made by its first member). */
int
store_contact_group_add(struct store *st, const char *group,
    const char *addr, struct err **errp)
{
	struct store_contact	 c;
	sqlite3_stmt		*s;
	char			*key;
	int			 found, rv = -1;

	memset(&c, 0, sizeof c);

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "INSERT OR IGNORE INTO groups (name, contact_id) "
	    "SELECT ?1, id FROM contacts WHERE akey = ?2", errp)) == NULL)
		goto out;
	key = st_akey(addr);
	st_bind_text(s, 1, group);
	st_bind_text(s, 2, key);
	free(key);
	if (sqlite3_step(s) != SQLITE_DONE)
		st_fail(st, errp, "save group");
	else if (sqlite3_changes(st->db) == 0 &&
	    (found = store_contact_get(st, addr, &c, errp)) != 1) {
		if (found == 0)
			err_set(errp, ERR_INPUT, 0, "no contact %s", addr);
	} else
		rv = 0;
	store_contact_clear(&c);
	st_done(st, s);
out:
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Walk the contacts an alias key or group name stands for. */
int
store_contact_members(struct store *st, const char *name,
    int (*fn)(const struct store_contact *, void *), void *arg,
    struct err **errp)
{
	struct store_contact	 c;
	sqlite3_stmt		*s;
	int			 r, rv = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "SELECT " ST_CONTACT_COLS " FROM contacts "
	    "WHERE alias = ?1 COLLATE NOCASE OR id IN (SELECT contact_id FROM "
	    "groups WHERE name = ?1 COLLATE NOCASE) ORDER BY akey", errp)) ==
	    NULL)
		goto out;
	st_bind_text(s, 1, name);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		st_row_contact(s, &c);
		r = fn(&c, arg);
		store_contact_clear(&c);
		if (r != 0)
			break;
	}
	if (r == SQLITE_DONE || r == 0 || r == 1)
		rv = 0;
	else
		st_fail(st, errp, "list group");
	st_done(st, s);
out:
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Walk group names beginning with a prefix, by name. */
int
store_contact_groups(struct store *st, const char *prefix, size_t limit,
    int (*fn)(const char *, long long, void *), void *arg,
    struct err **errp)
{
	sqlite3_stmt	*s;
	char		*pat = NULL;
	int		 r, rv = -1;

	pthread_mutex_lock(&st->lock);
	if ((s = st_prep(st, "SELECT name, count(*) FROM groups WHERE name "
	    "GLOB ?1 GROUP BY name COLLATE NOCASE ORDER BY name "
	    "COLLATE NOCASE LIMIT ?2", errp)) == NULL)
		goto out;
	pat = st_glob(prefix, 1);
	st_bind_text(s, 1, pat);
	sqlite3_bind_int64(s, 2, limit == 0 ? -1 : (long long)limit);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		r = fn((const char *)sqlite3_column_text(s, 0),
		    sqlite3_column_int64(s, 1), arg);
		if (r != 0)
			break;
	}
	if (r == SQLITE_DONE || r == 0 || r == 1)
		rv = 0;
	else
		st_fail(st, errp, "list groups");
	st_done(st, s);
out:
	free(pat);
	pthread_mutex_unlock(&st->lock);
	return rv;
}

/* Free a contact's strings. */
void
store_contact_clear(struct store_contact *c)
{
	free(c->address);
	free(c->name);
	free(c->notes);
	free(c->alias);
	free(c->groups);
	memset(c, 0, sizeof *c);
	c->policy = POLICY_UNSET;
}
