/*
 * conf: the configuration file of tern(5), tern.conf.
 *
 *   key = value            # comment (the default account)
 *   [domain NAME]          policy for a whole domain (key: tls)
 *   [route NAME]           deliver NAME to a fixed host (keys: host, tls)
 *   [account NAME]         another account: the same keys as the top
 *
 * A config is a plain value: the caller reads its fields, conf_free()
 * releases it.  Every string field is owned by the config.
 */
#ifndef TERN_CONF_H
#define TERN_CONF_H

#include "policy.h"

struct err;

/*
 * Domains delivered at once in direct mode by default: each waits on the
 * network, not on the CPU, so a send to 50 slow domains should not queue.
 */
#define CONF_CONCURRENCY	64

enum relay_mode {
	RELAY_DIRECT,		/* MX lookup per domain, port 25 */
	RELAY_SMTP,		/* smtp://host:port, STARTTLS */
	RELAY_SMTPS		/* smtps://host:port, implicit TLS */
};

enum downgrade_action {
	DOWNGRADE_WARN,
	DOWNGRADE_HOLD
};

/* auth = ...: the SASL mechanism (auto: the best both sides have). */
enum conf_auth {
	CONF_AUTH_AUTO,		/* PLAIN or LOGIN; never a token unless asked */
	CONF_AUTH_PLAIN,
	CONF_AUTH_LOGIN,
	CONF_AUTH_OAUTHBEARER,	/* RFC 7628: passcmd prints a token */
	CONF_AUTH_XOAUTH2	/* Google's, Microsoft's: the same */
};

struct conf_domain {
	char		*name;		/* lower case */
	enum policy	 tls;		/* POLICY_UNSET when not given */
	int		 line;
};

struct conf_route {
	char		*name;		/* domain, lower case */
	char		*host;		/* host name or address literal */
	int		 port;		/* default 25 */
	enum policy	 tls;		/* POLICY_UNSET when not given */
	int		 line;
};

/* Seconds a deferred recipient is retried before it fails: 5 days. */
#define CONF_QUEUE_LIFETIME	(5L * 24 * 3600)

struct conf {
	char			*path;		/* file it came from, or NULL */
	char			*name;		/* account: "default" at the top */
	int			 line;		/* of its [account] line */
	char			*from;		/* "Name <addr>" as written */
	char			*maildomain;	/* maildomain =, or NULL */
	char			*from_domain;	/* the domain of from, or NULL */
	enum relay_mode		 relay_mode;
	char			*relay_host;	/* NULL in direct mode */
	int			 relay_port;	/* 587 / 465 by default */
	char			*user;
	char			*passcmd;
	enum policy		 tls;		/* account default, POLICY_MAY */
	char			*ca_file;	/* ~ expanded */
	char			*helo;
	int			 timeout;	/* seconds, default 30 */
	char			*fcc;		/* ~ expanded */
	enum downgrade_action	 downgrade;
	char			*resolver_host;	/* NULL: the system's */
	int			 resolver_port;	/* default 53 */
	int			 allow_plain_auth; /* auth_plaintext = yes */
	enum conf_auth		 auth;		/* auth =, CONF_AUTH_AUTO */
	int			 concurrency;	/* direct mode, CONF_CONCURRENCY */
	char			*ascii;		/* glyphs = auto|ascii|utf-8 */
	struct conf_domain	*domains;
	size_t			 ndomains;
	struct conf_route	*routes;
	size_t			 nroutes;
	long			 queue_lifetime; /* seconds */
	char			*logfile;	/* ~ expanded, or NULL */
	char			*syslog;	/* facility name, or NULL */
	char			*signature;	/* file, ~ expanded, or NULL */
	int			 edit_headers;	/* edit_headers = yes: headers
						   in the $EDITOR file */
	int			 next_hop;	/* next_hop = yes (default):
						   relay mode looks up what
						   each recipient's domain
						   promises (nexthop.h) */
	char			*from_addr;	/* the bare address of from */

	/*
	 * Accounts: the top-level config is the account "default" and holds
	 * the others; each account has the top's [domain] and [route] rules
	 * (borrowed) and inherits its settings (tls, ca_file, helo, timeout,
	 * downgrade, resolver, concurrency, glyphs, queue_lifetime, logfile,
	 * syslog, next_hop) unless it sets them; never its identity or credentials
	 * (from, relay, user, passcmd, auth, auth_plaintext, fcc, signature).
	 */
	struct conf		**accounts;
	size_t			 naccounts;
	const struct conf	*root;		/* the top; itself at the top */
	int			 rules_borrowed;
	unsigned int		 keys_set;	/* inheritable keys given here */
};

/* A config with every default set and no file; free with conf_free(). */
struct conf	*conf_new(void);
/*
 * Read the file at path into a new config.  On a broken line, returns NULL
 * and sets *errp (ERR_CONFIG) to "FILE:LINE: what is wrong"; a file that
 * cannot be read gives "FILE: cannot read: REASON" (a NULL path, as from
 * conf_default_path() without a home, is an ERR_CONFIG too).  A file
 * readable by group or others that sets passcmd is refused.
 */
struct conf	*conf_load(const char *, struct err **);
/* Parse text (as if read from the file named path) into a new config. */
struct conf	*conf_parse(const char *, const char *, struct err **);
/*
 * The default path: $XDG_CONFIG_HOME/tern/config (when absolute) or
 * ~/.config/tern/config.  Caller frees; NULL when no home is known.
 */
char		*conf_default_path(void);
/*
 * The data directory: $XDG_DATA_HOME/tern (when absolute) or
 * ~/.local/share/tern.  Caller frees; NULL when no home is known.
 */
char		*conf_data_dir(void);
/* The domain rule for a domain (case-insensitive), or NULL. */
const struct conf_domain *conf_find_domain(const struct conf *,
		    const char *);
/* The route for a domain (case-insensitive), or NULL. */
const struct conf_route *conf_find_route(const struct conf *,
		    const char *);
/*
 * The domain that qualifies a bare local part ("root"): maildomain when
 * set, else the domain of from; NULL when neither is known.  Borrowed.
 */
const char	*conf_maildomain(const struct conf *);
/*
 * The account called name (NULL or "default": the top), from any account
 * of a config; NULL when there is none.  Borrowed.
 */
const struct conf *conf_account(const struct conf *, const char *);
/*
 * The account whose from address is addr (a bare address, compared
 * without case), else the top.  Borrowed.
 */
const struct conf *conf_account_for(const struct conf *, const char *);
/*
 * The rule for a domain: its [domain]'s tls, else its [route]'s, else
 * POLICY_UNSET.
 */
enum policy	 conf_domain_policy(const struct conf *, const char *);
/*
 * The policy of a recipient address (or a bare domain) under this
 * account: contact (its contact's setting, or POLICY_UNSET), else the
 * domain rule, else the account's tls; *src (may be NULL) says which.
 */
enum policy	 conf_policy(const struct conf *, const char *, enum policy,
		    enum policy_source *);
/* Free a config; NULL-safe. */
void		 conf_free(struct conf *);

#endif
