/*
 * [account] sections after the parse (the top's rules and the settings an
 * account inherits), finding an account, and a recipient's policy under
 * one.  The parser is conf.c.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "addr.h"
#include "conf.h"
#include "conf-private.h"
#include "policy.h"

/* Keys an account inherits from the top unless it sets them. */
enum {
	KEY_TLS = 1 << 0, KEY_CA_FILE = 1 << 1, KEY_HELO = 1 << 2,
	KEY_TIMEOUT = 1 << 3, KEY_DOWNGRADE = 1 << 4, KEY_RESOLVER = 1 << 5,
	KEY_CONCURRENCY = 1 << 6, KEY_GLYPHS = 1 << 7,
	KEY_QUEUE_LIFETIME = 1 << 8, KEY_LOGFILE = 1 << 9, KEY_SYSLOG = 1 << 10,
	KEY_NEXT_HOP = 1 << 11
};

static const struct {
	const char	*key;
	unsigned int	 bit;
} conf_inherited[] = {
	{ "tls", KEY_TLS }, { "ca_file", KEY_CA_FILE }, { "helo", KEY_HELO },
	{ "timeout", KEY_TIMEOUT }, { "downgrade", KEY_DOWNGRADE },
	{ "resolver", KEY_RESOLVER }, { "concurrency", KEY_CONCURRENCY },
	{ "glyphs", KEY_GLYPHS }, { "queue_lifetime", KEY_QUEUE_LIFETIME },
	{ "logfile", KEY_LOGFILE }, { "syslog", KEY_SYSLOG },
	{ "next_hop", KEY_NEXT_HOP },
};

static void	 conf_inherit(struct conf *, const struct conf *);

/* Note that an inheritable key is set in c. */
void
conf_key_set(struct conf *c, const char *key)
{
	size_t	i;

	for (i = 0; i < sizeof conf_inherited / sizeof conf_inherited[0]; i++)
		if (strcmp(key, conf_inherited[i].key) == 0)
			c->keys_set |= conf_inherited[i].bit;
}

/* Give every account the top's rules and the settings it did not set. */
void
conf_accounts_done(struct conf *top)
{
	struct conf	*a;
	size_t		 i;

	for (i = 0; i < top->naccounts; i++) {
		a = top->accounts[i];
		a->root = top;
		a->rules_borrowed = 1;
		a->domains = top->domains;
		a->ndomains = top->ndomains;
		a->routes = top->routes;
		a->nroutes = top->nroutes;
		conf_inherit(a, top);
	}
}

/* Copy the inheritable settings a did not set from top. */
static void
conf_inherit(struct conf *a, const struct conf *top)
{
	unsigned int	unset = ~a->keys_set & top->keys_set;

	if (unset & KEY_TLS)
		a->tls = top->tls;
	if (unset & KEY_CA_FILE)
		conf_set(&a->ca_file, top->ca_file);
	if (unset & KEY_HELO)
		conf_set(&a->helo, top->helo);
	if (unset & KEY_TIMEOUT)
		a->timeout = top->timeout;
	if (unset & KEY_DOWNGRADE)
		a->downgrade = top->downgrade;
	if (unset & KEY_RESOLVER) {
		conf_set(&a->resolver_host, top->resolver_host);
		a->resolver_port = top->resolver_port;
	}
	if (unset & KEY_CONCURRENCY)
		a->concurrency = top->concurrency;
	if (unset & KEY_GLYPHS)
		conf_set(&a->ascii, top->ascii);
	if (unset & KEY_QUEUE_LIFETIME)
		a->queue_lifetime = top->queue_lifetime;
	if (unset & KEY_LOGFILE)
		conf_set(&a->logfile, top->logfile);
	if (unset & KEY_SYSLOG)
		conf_set(&a->syslog, top->syslog);
	if (unset & KEY_NEXT_HOP)
		a->next_hop = top->next_hop;
}

/* An account by name. */
const struct conf *
conf_account(const struct conf *c, const char *name)
{
	const struct conf	*top = c->root != NULL ? c->root : c;
	size_t			 i;

	if (name == NULL || *name == '\0' || strcmp(name, "default") == 0)
		return top;
	for (i = 0; i < top->naccounts; i++)
		if (strcmp(top->accounts[i]->name, name) == 0)
			return top->accounts[i];
	return NULL;
}

/* The account of a sender address. */
const struct conf *
conf_account_for(const struct conf *c, const char *addr)
{
	const struct conf	*top = c->root != NULL ? c->root : c;
	size_t			 i;

	if (addr == NULL)
		return top;
	if (top->from_addr != NULL && strcasecmp(top->from_addr, addr) == 0)
		return top;
	for (i = 0; i < top->naccounts; i++)
		if (top->accounts[i]->from_addr != NULL &&
		    strcasecmp(top->accounts[i]->from_addr, addr) == 0)
			return top->accounts[i];
	return top;
}

/* Does any account name a password command? */
int
conf_names_secret(const struct conf *c)
{
	size_t	i;

	if (c->passcmd != NULL)
		return 1;
	for (i = 0; i < c->naccounts; i++)
		if (c->accounts[i]->passcmd != NULL)
			return 1;
	return 0;
}

/* The rule for a domain: [domain] first, then a [route]'s tls. */
enum policy
conf_domain_policy(const struct conf *c, const char *domain)
{
	const struct conf_domain	*d;
	const struct conf_route		*r;

	if (c == NULL || domain == NULL || *domain == '\0')
		return POLICY_UNSET;
	if ((d = conf_find_domain(c, domain)) != NULL && d->tls != POLICY_UNSET)
		return d->tls;
	if ((r = conf_find_route(c, domain)) != NULL && r->tls != POLICY_UNSET)
		return r->tls;
	return POLICY_UNSET;
}

/* A recipient's policy under this account. */
enum policy
conf_policy(const struct conf *c, const char *addr, enum policy contact,
    enum policy_source *src)
{
	const char	*domain = "";

	if (addr != NULL)
		domain = strchr(addr, '@') != NULL ? addr_domain(addr) : addr;
	return policy_pick(contact, conf_domain_policy(c, domain), c != NULL ?
	    c->tls : POLICY_UNSET, src);
}
