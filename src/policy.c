/* Transport security policy of a recipient. */
#include "config.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "conf.h"
#include "policy.h"

static const char *policy_names[POLICY_LAST] = { "may", "encrypt", "verify" };
static const char *policy_source_names[POLICY_FROM_LAST] = {
	"default", "domain", "contact"
};

static enum policy	policy_domain_rule(const struct conf *, const char *);

/* Name of a policy. */
const char *
policy_name(enum policy p)
{
	if (p == POLICY_UNSET)
		return "default";
	if ((int)p < 0 || p >= POLICY_LAST)
		return "unknown";
	return policy_names[p];
}

/* Name of the place a policy came from. */
const char *
policy_source_name(enum policy_source src)
{
	if ((int)src < 0 || src >= POLICY_FROM_LAST)
		return "unknown";
	return policy_source_names[src];
}

/* Parse a policy name (case-insensitive). */
int
policy_parse(const char *s, enum policy *p)
{
	int	i;

	if (s == NULL)
		return -1;
	for (i = 0; i < POLICY_LAST; i++) {
		if (strcasecmp(s, policy_names[i]) == 0) {
			*p = (enum policy)i;
			return 0;
		}
	}
	return -1;
}

/* The rule for a domain: [domain] first, then a [route]'s tls. */
static enum policy
policy_domain_rule(const struct conf *conf, const char *domain)
{
	const struct conf_domain	*d;
	const struct conf_route		*r;

	if (conf == NULL || *domain == '\0')
		return POLICY_UNSET;
	if ((d = conf_find_domain(conf, domain)) != NULL &&
	    d->tls != POLICY_UNSET)
		return d->tls;
	if ((r = conf_find_route(conf, domain)) != NULL &&
	    r->tls != POLICY_UNSET)
		return r->tls;
	return POLICY_UNSET;
}

/* The most specific policy for a recipient. */
enum policy
policy_resolve(const struct conf *conf, const char *addr, enum policy contact,
    enum policy_source *src)
{
	const char	*domain;
	enum policy	 p;

	if (contact != POLICY_UNSET) {
		if (src != NULL)
			*src = POLICY_FROM_CONTACT;
		return contact;
	}
	domain = "";
	if (addr != NULL)
		domain = strchr(addr, '@') != NULL ? addr_domain(addr) : addr;
	if ((p = policy_domain_rule(conf, domain)) != POLICY_UNSET) {
		if (src != NULL)
			*src = POLICY_FROM_DOMAIN;
		return p;
	}
	if (src != NULL)
		*src = POLICY_FROM_DEFAULT;
	if (conf == NULL || conf->tls == POLICY_UNSET)
		return POLICY_MAY;
	return conf->tls;
}

/* Does the policy forbid plaintext? */
int
policy_needs_tls(enum policy p)
{
	return p == POLICY_ENCRYPT || p == POLICY_VERIFY;
}
