/*
 * policy: how much transport security a recipient needs, and where that
 * requirement came from.  The most specific setting wins: contact, then
 * domain rule, then the account default (as Postfix's policy maps do).
 */
#ifndef TERN_POLICY_H
#define TERN_POLICY_H

enum policy {
	POLICY_UNSET = -1,	/* no setting at this level */
	POLICY_MAY = 0,		/* opportunistic TLS, plaintext allowed */
	POLICY_ENCRYPT,		/* TLS required, certificate need not verify */
	POLICY_VERIFY,		/* TLS required with a verified certificate */
	POLICY_LAST
};

enum policy_source {
	POLICY_FROM_DEFAULT,
	POLICY_FROM_DOMAIN,
	POLICY_FROM_CONTACT,
	POLICY_FROM_LAST
};

struct conf;

/* "may", "encrypt", "verify" (static strings); "default" for UNSET. */
const char	*policy_name(enum policy);
/* "default", "domain", "contact". */
const char	*policy_source_name(enum policy_source);
/* Parse a policy name; 0 on success, -1 if unknown. */
int		 policy_parse(const char *, enum policy *);
/*
 * Resolve the policy of a recipient address: contact (the given contact
 * setting, POLICY_UNSET when the address has none), else the config's
 * domain rule, else the config default.  *src (if not NULL) tells which.
 */
enum policy	 policy_resolve(const struct conf *, const char *,
		    enum policy, enum policy_source *);
/* 1 when the policy forbids plaintext. */
int		 policy_needs_tls(enum policy);

#endif
