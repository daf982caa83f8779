/*
 * What the config parser (conf.c) and the accounts and policy lookups
 * (conf-account.c) share; included by those two files only.  The public
 * contract is conf.h.
 */
#ifndef CONF_PRIVATE_H
#define CONF_PRIVATE_H

struct conf;

/* Replace a string field with a copy of value (NULL clears it). */
void	conf_set(char **, const char *);

/* Note in c->keys_set that key, if an account inherits it, was given. */
void	conf_key_set(struct conf *, const char *);

/* After a parse: give every [account] the top's rules and settings. */
void	conf_accounts_done(struct conf *);

/* Does the top or any account name a password command? */
int	conf_names_secret(const struct conf *);

#endif
