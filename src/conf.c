/* The configuration file. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"
#include "conf-private.h"
#include "err.h"
#include "policy.h"
#include "text.h"
#include "xmalloc.h"

enum conf_section {
	SECTION_TOP,
	SECTION_DOMAIN,
	SECTION_ROUTE,
	SECTION_ACCOUNT
};

/* The state of one parse. */
struct conf_parser {
	struct conf		*conf;
	const char		*path;
	int			 line;
	enum conf_section	 section;
	size_t			 index;	/* of the current section */
	struct conf		*target; /* where top-level keys go */
	struct err		**errp;
};

static const char	*conf_home(void);
static void		 conf_lower(char *);
static int		 conf_fail(struct conf_parser *, const char *, ...)
			    __attribute__((format(printf, 2, 3)));
static int		 conf_hostport(const char *, int, char **, int *,
			    const char **);
static int		 conf_int(const char *, int, int, int *);
static char		*conf_expand(const char *);
static int		 conf_section_line(struct conf_parser *, char *);
static int		 conf_route_done(struct conf_parser *);
static int		 conf_key_top(struct conf_parser *, const char *,
			    const char *);
static int		 conf_key_domain(struct conf_parser *, const char *,
			    const char *);
static int		 conf_key_route(struct conf_parser *, const char *,
			    const char *);
static int		 conf_line(struct conf_parser *, char *);
static int		 conf_duration(const char *, long *);

/* A config with every default set. */
struct conf *
conf_new(void)
{
	struct conf	*c;

	c = xcalloc(1, sizeof *c);
	c->relay_mode = RELAY_DIRECT;
	c->relay_port = 0;
	c->tls = POLICY_MAY;
	c->timeout = 30;
	c->downgrade = DOWNGRADE_WARN;
	c->resolver_port = 53;
	c->allow_plain_auth = 0;
	c->concurrency = CONF_CONCURRENCY;
	c->next_hop = 1;
	c->ascii = xstrdup("auto");
	c->name = xstrdup("default");
	c->queue_lifetime = CONF_QUEUE_LIFETIME;
	c->root = c;
	return c;
}

/* Free a config. */
void
conf_free(struct conf *c)
{
	size_t	i;

	if (c == NULL)
		return;
	free(c->path);
	free(c->from);
	free(c->from_domain);
	free(c->maildomain);
	free(c->relay_host);
	free(c->user);
	free(c->passcmd);
	free(c->ca_file);
	free(c->helo);
	free(c->fcc);
	free(c->resolver_host);
	free(c->ascii);
	free(c->name);
	free(c->logfile);
	free(c->syslog);
	free(c->signature);
	free(c->from_addr);
	for (i = 0; i < c->naccounts; i++)
		conf_free(c->accounts[i]);
	free(c->accounts);
	if (!c->rules_borrowed) {
		for (i = 0; i < c->ndomains; i++)
			free(c->domains[i].name);
		free(c->domains);
		for (i = 0; i < c->nroutes; i++) {
			free(c->routes[i].name);
			free(c->routes[i].host);
		}
		free(c->routes);
	}
	free(c);
}

/* The user's home directory, or NULL. */
static const char *
conf_home(void)
{
	const char	*home;
	struct passwd	*pw;

	if ((home = getenv("HOME")) != NULL && *home != '\0')
		return home;
	if ((pw = getpwuid(getuid())) != NULL && pw->pw_dir != NULL &&
	    *pw->pw_dir != '\0')
		return pw->pw_dir;
	return NULL;
}

/* $XDG_CONFIG_HOME/tern/config or ~/.config/tern/config. */
char *
conf_default_path(void)
{
	const char	*xdg, *home;

	if ((xdg = getenv("XDG_CONFIG_HOME")) != NULL && *xdg == '/')
		return xasprintf("%s/tern/config", xdg);
	if ((home = conf_home()) == NULL)
		return NULL;
	return xasprintf("%s/.config/tern/config", home);
}

/* $XDG_DATA_HOME/tern or ~/.local/share/tern. */
char *
conf_data_dir(void)
{
	const char	*xdg, *home;

	if ((xdg = getenv("XDG_DATA_HOME")) != NULL && *xdg == '/')
		return xasprintf("%s/tern", xdg);
	if ((home = conf_home()) == NULL)
		return NULL;
	return xasprintf("%s/.local/share/tern", home);
}

/* Find a domain rule. */
const struct conf_domain *
conf_find_domain(const struct conf *c, const char *name)
{
	size_t	i;

	if (c == NULL || name == NULL)
		return NULL;
	for (i = 0; i < c->ndomains; i++)
		if (strcasecmp(c->domains[i].name, name) == 0)
			return &c->domains[i];
	return NULL;
}

/* Find a route. */
const struct conf_route *
conf_find_route(const struct conf *c, const char *name)
{
	size_t	i;

	if (c == NULL || name == NULL)
		return NULL;
	for (i = 0; i < c->nroutes; i++)
		if (strcasecmp(c->routes[i].name, name) == 0)
			return &c->routes[i];
	return NULL;
}

/* The domain for bare local parts. */
const char *
conf_maildomain(const struct conf *c)
{
	if (c == NULL)
		return NULL;
	if (c->maildomain != NULL)
		return c->maildomain;
	return c->from_domain;
}

/* Lower-case ASCII in place. */
static void
conf_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Replace a string field. */
void
conf_set(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

/*
 * Set the error "FILE:LINE: message".  The message echoes what the file
 * says: control bytes in it are shown escaped (\x1b), never sent to the
 * terminal.
 */
static int
conf_fail(struct conf_parser *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *safe, *path;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	safe = text_escape(msg);
	path = text_escape(p->path);
	err_set(p->errp, ERR_CONFIG, 0, "%s:%d: %s", path, p->line, safe);
	free(path);
	free(safe);
	free(msg);
	return -1;
}

/*
 * Split "host", "host:port", "[v6]" or "[v6]:port".  The host is returned
 * without brackets.  On error, *why says what is wrong.
 */
static int
conf_hostport(const char *s, int defport, char **host, int *port,
    const char **why)
{
	const char	*end, *colon;
	char		*h;

	*host = NULL;
	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL) {
			*why = "a '[' without ']'";
			return -1;
		}
		h = xstrndup(s + 1, (size_t)(end - s - 1));
		colon = end[1] == ':' ? end + 1 : NULL;
		if (colon == NULL && end[1] != '\0') {
			free(h);
			*why = "text after ']' (write [ADDRESS]:PORT)";
			return -1;
		}
	} else {
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			*why = "an IPv6 address must be written in brackets, "
			    "like [::1]:2525";
			return -1;
		}
		h = colon != NULL ? xstrndup(s, (size_t)(colon - s)) :
		    xstrdup(s);
	}
	if (*h == '\0' || strpbrk(h, " \t/@[]") != NULL) {
		free(h);
		*why = "a missing or invalid host name";
		return -1;
	}
	*port = defport;
	if (colon != NULL && conf_int(colon + 1, 1, 65535, port) != 0) {
		free(h);
		*why = "the port must be a number from 1 to 65535";
		return -1;
	}
	*host = h;
	return 0;
}

/* Parse a decimal integer in [min, max]. */
static int
conf_int(const char *s, int min, int max, int *out)
{
	char	*end;
	long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

/* Expand a leading ~ or ~/ to the home directory. */
static char *
conf_expand(const char *s)
{
	const char	*home;

	if (s[0] != '~' || (s[1] != '\0' && s[1] != '/'))
		return xstrdup(s);
	if ((home = conf_home()) == NULL)
		return NULL;
	return xasprintf("%s%s", home, s + 1);
}

/* Check the route just finished. */
static int
conf_route_done(struct conf_parser *p)
{
	struct conf_route	*r;
	int			 line;

	if (p->section != SECTION_ROUTE)
		return 0;
	r = &p->conf->routes[p->index];
	if (r->host != NULL)
		return 0;
	line = p->line;
	p->line = r->line;
	conf_fail(p, "[route %s] has no host (add: host = HOST:PORT)",
	    r->name);
	p->line = line;
	return -1;
}

/* A "[kind NAME]" line. */
static int
conf_section_line(struct conf_parser *p, char *s)
{
	struct conf		*c = p->conf;
	struct conf_domain	*d;
	struct conf_route	*r;
	const struct conf_domain *od;
	const struct conf_route	*orr;
	char			*end, *kind, *name;

	if ((end = strchr(s, ']')) == NULL || text_trim(end + 1)[0] != '\0')
		return conf_fail(p, "a section line must be [domain NAME], "
		    "[route NAME] or [account NAME], with nothing after the "
		    "']'");
	*end = '\0';
	kind = text_trim(s + 1);
	name = kind + strcspn(kind, " \t");
	if (*name != '\0')
		*name++ = '\0';
	name = text_trim(name);
	if (strcmp(kind, "account") == 0) {
		struct conf	*a;
		size_t		 i;

		if (conf_route_done(p) != 0)
			return -1;
		if (*name == '\0' || strspn(name, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(name))
			return conf_fail(p, "[account] needs one name of letters, "
			    "digits, '-', '_' or '.', like [account work]");
		if (strcmp(name, "default") == 0)
			return conf_fail(p, "[account default] is the top of the "
			    "file: put its keys before the first section");
		for (i = 0; i < c->naccounts; i++)
			if (strcmp(c->accounts[i]->name, name) == 0)
				return conf_fail(p, "duplicate section [account "
				    "%s] (first at line %d)", name,
				    c->accounts[i]->line);
		a = conf_new();
		free(a->name);
		a->name = xstrdup(name);
		a->line = p->line;
		a->path = xstrdup(c->path);
		c->accounts = xreallocarray(c->accounts, c->naccounts + 1,
		    sizeof *c->accounts);
		c->accounts[c->naccounts++] = a;
		p->section = SECTION_ACCOUNT;
		p->target = a;
		return 0;
	}
	if (strcmp(kind, "domain") != 0 && strcmp(kind, "route") != 0)
		return conf_fail(p, "unknown section [%s]: sections are "
		    "[domain NAME], [route NAME] and [account NAME]", kind);
	if (*name == '\0' || strpbrk(name, " \t@[]") != NULL)
		return conf_fail(p, "[%s] needs one domain name, like "
		    "[%s example.org]", kind, kind);
	if (conf_route_done(p) != 0)
		return -1;
	conf_lower(name);
	if (strcmp(kind, "domain") == 0) {
		if ((od = conf_find_domain(c, name)) != NULL)
			return conf_fail(p, "duplicate section [domain %s] "
			    "(first at line %d)", name, od->line);
		c->domains = xreallocarray(c->domains, c->ndomains + 1,
		    sizeof *c->domains);
		d = &c->domains[c->ndomains];
		d->name = xstrdup(name);
		d->tls = POLICY_UNSET;
		d->line = p->line;
		p->section = SECTION_DOMAIN;
		p->index = c->ndomains++;
		return 0;
	}
	if ((orr = conf_find_route(c, name)) != NULL)
		return conf_fail(p, "duplicate section [route %s] (first at "
		    "line %d)", name, orr->line);
	c->routes = xreallocarray(c->routes, c->nroutes + 1,
	    sizeof *c->routes);
	r = &c->routes[c->nroutes];
	r->name = xstrdup(name);
	r->host = NULL;
	r->port = 25;
	r->tls = POLICY_UNSET;
	r->line = p->line;
	p->section = SECTION_ROUTE;
	p->index = c->nroutes++;
	return 0;
}

/* A key of a [domain] section. */
static int
conf_key_domain(struct conf_parser *p, const char *key, const char *value)
{
	struct conf_domain	*d = &p->conf->domains[p->index];

	if (strcmp(key, "tls") != 0)
		return conf_fail(p, "unknown key \"%s\" in [domain %s] (the "
		    "only key here is tls; top-level keys go before the "
		    "first section)", key, d->name);
	if (policy_parse(value, &d->tls) != 0)
		return conf_fail(p, "tls must be may, encrypt or verify, "
		    "not \"%s\"", value);
	return 0;
}

/* A key of a [route] section. */
static int
conf_key_route(struct conf_parser *p, const char *key, const char *value)
{
	struct conf_route	*r = &p->conf->routes[p->index];
	const char		*why;
	char			*host;
	int			 port;

	if (strcmp(key, "tls") == 0) {
		if (policy_parse(value, &r->tls) != 0)
			return conf_fail(p, "tls must be may, encrypt or "
			    "verify, not \"%s\"", value);
		return 0;
	}
	if (strcmp(key, "host") != 0)
		return conf_fail(p, "unknown key \"%s\" in [route %s] (keys "
		    "here are host and tls; top-level keys go before the "
		    "first section)", key, r->name);
	if (conf_hostport(value, 25, &host, &port, &why) != 0)
		return conf_fail(p, "host \"%s\": %s (write HOST:PORT, or "
		    "[IPv6]:PORT)", value, why);
	free(r->host);
	r->host = host;
	r->port = port;
	return 0;
}

/* A top-level key. */
static int
conf_key_top(struct conf_parser *p, const char *key, const char *value)
{
	struct conf	*c = p->target;
	struct addr	 a;
	struct err	*e = NULL;
	const char	*why, *rest;
	char		*host, *s;
	int		 port;
	size_t		 i;

	conf_key_set(c, key);
	if (strcmp(key, "from") == 0) {
		if (addr_parse(value, &a, &e) != 0) {
			conf_fail(p, "from: %s", e->msg);
			err_free(e);
			return -1;
		}
		conf_set(&c->from, value);
		conf_set(&c->from_domain, addr_domain(a.mailbox));
		conf_set(&c->from_addr, a.mailbox);
		addr_clear(&a);
	} else if (strcmp(key, "maildomain") == 0) {
		if (strpbrk(value, " \t@<>[]()\",;:") != NULL ||
		    *value == '.' || value[strlen(value) - 1] == '.')
			return conf_fail(p, "maildomain must be one domain name, "
			    "like example.org, not \"%s\"", value);
		conf_set(&c->maildomain, value);
		conf_lower(c->maildomain);
	} else if (strcmp(key, "relay") == 0) {
		if (strcasecmp(value, "direct") == 0) {
			c->relay_mode = RELAY_DIRECT;
			free(c->relay_host);
			c->relay_host = NULL;
			c->relay_port = 0;
			return 0;
		}
		if (strncasecmp(value, "smtp://", 7) == 0) {
			c->relay_mode = RELAY_SMTP;
			port = 587;
			rest = value + 7;
		} else if (strncasecmp(value, "smtps://", 8) == 0) {
			c->relay_mode = RELAY_SMTPS;
			port = 465;
			rest = value + 8;
		} else
			return conf_fail(p, "relay must be smtp://HOST[:PORT], "
			    "smtps://HOST[:PORT] or direct, not \"%s\"", value);
		s = xstrdup(rest);
		if (*s != '\0' && s[strlen(s) - 1] == '/')
			s[strlen(s) - 1] = '\0';
		if (conf_hostport(s, port, &host, &port, &why) != 0) {
			free(s);
			return conf_fail(p, "relay \"%s\": %s", value, why);
		}
		free(s);
		free(c->relay_host);
		c->relay_host = host;
		c->relay_port = port;
	} else if (strcmp(key, "user") == 0)
		conf_set(&c->user, value);
	else if (strcmp(key, "passcmd") == 0)
		conf_set(&c->passcmd, value);
	else if (strcmp(key, "tls") == 0) {
		if (policy_parse(value, &c->tls) != 0)
			return conf_fail(p, "tls must be may, encrypt or "
			    "verify, not \"%s\"", value);
	} else if (strcmp(key, "ca_file") == 0 || strcmp(key, "fcc") == 0) {
		if ((s = conf_expand(value)) == NULL)
			return conf_fail(p, "%s: cannot expand ~ (HOME is not "
			    "set)", key);
		free(*key == 'c' ? c->ca_file : c->fcc);
		*(*key == 'c' ? &c->ca_file : &c->fcc) = s;
	} else if (strcmp(key, "helo") == 0) {
		if (strpbrk(value, " \t") != NULL)
			return conf_fail(p, "helo must be one host name, not "
			    "\"%s\"", value);
		conf_set(&c->helo, value);
	} else if (strcmp(key, "timeout") == 0) {
		if (conf_int(value, 1, 86400, &c->timeout) != 0)
			return conf_fail(p, "timeout must be a number of "
			    "seconds from 1 to 86400, not \"%s\"", value);
	} else if (strcmp(key, "downgrade") == 0) {
		if (strcmp(value, "warn") == 0)
			c->downgrade = DOWNGRADE_WARN;
		else if (strcmp(value, "hold") == 0)
			c->downgrade = DOWNGRADE_HOLD;
		else
			return conf_fail(p, "downgrade must be warn or hold, "
			    "not \"%s\"", value);
	} else if (strcmp(key, "resolver") == 0) {
		if (conf_hostport(value, 53, &host, &port, &why) != 0)
			return conf_fail(p, "resolver \"%s\": %s (write HOST, "
			    "HOST:PORT or [IPv6]:PORT)", value, why);
		free(c->resolver_host);
		c->resolver_host = host;
		c->resolver_port = port;
	} else if (strcmp(key, "auth_plaintext") == 0) {
		if (strcmp(value, "yes") == 0)
			c->allow_plain_auth = 1;
		else if (strcmp(value, "no") == 0)
			c->allow_plain_auth = 0;
		else
			return conf_fail(p, "auth_plaintext must be yes or no, "
			    "not \"%s\"", value);
	} else if (strcmp(key, "auth") == 0) {
		static const char *const mech[] = {
			"auto", "plain", "login", "oauthbearer", "xoauth2", NULL
		};

		for (i = 0; mech[i] != NULL; i++)
			if (strcasecmp(value, mech[i]) == 0)
				break;
		if (mech[i] == NULL)
			return conf_fail(p, "auth must be auto, plain, login, "
			    "oauthbearer or xoauth2, not \"%s\"", value);
		c->auth = (enum conf_auth)i;
	} else if (strcmp(key, "concurrency") == 0) {
		if (conf_int(value, 1, 256, &c->concurrency) != 0)
			return conf_fail(p, "concurrency must be a number from "
			    "1 to 256, not \"%s\"", value);
	} else if (strcmp(key, "queue_lifetime") == 0) {
		if (conf_duration(value, &c->queue_lifetime) != 0)
			return conf_fail(p, "queue_lifetime must be a time like "
			    "5d, 12h, 30m or 3600 (seconds), not \"%s\"", value);
	} else if (strcmp(key, "logfile") == 0 ||
	    strcmp(key, "signature") == 0) {
		if ((s = conf_expand(value)) == NULL)
			return conf_fail(p, "%s: cannot expand ~ (HOME is not "
			    "set)", key);
		free(*key == 'l' ? c->logfile : c->signature);
		*(*key == 'l' ? &c->logfile : &c->signature) = s;
	} else if (strcmp(key, "syslog") == 0) {
		static const char *const fac[] = {
			"user", "mail", "local0", "local1", "local2", "local3",
			"local4", "local5", "local6", "local7", NULL
		};

		free(c->syslog);
		c->syslog = NULL;
		if (strcmp(value, "no") == 0 || strcmp(value, "off") == 0)
			return 0;
		if (strcmp(value, "yes") == 0 || strcmp(value, "on") == 0) {
			c->syslog = xstrdup("mail");
			return 0;
		}
		for (i = 0; fac[i] != NULL; i++)
			if (strcasecmp(value, fac[i]) == 0)
				break;
		if (fac[i] == NULL)
			return conf_fail(p, "syslog must be yes, no or a facility "
			    "(mail, user, local0 ... local7), not \"%s\"", value);
		c->syslog = xstrdup(fac[i]);
	} else if (strcmp(key, "edit_headers") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return conf_fail(p, "edit_headers must be yes or no, "
			    "not \"%s\"", value);
		c->edit_headers = strcmp(value, "yes") == 0;
	} else if (strcmp(key, "next_hop") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return conf_fail(p, "next_hop must be yes or no, "
			    "not \"%s\"", value);
		c->next_hop = strcmp(value, "yes") == 0;
	} else if (strcmp(key, "glyphs") == 0) {
		if (strcmp(value, "auto") != 0 && strcmp(value, "ascii") != 0 &&
		    strcmp(value, "utf-8") != 0)
			return conf_fail(p, "glyphs must be auto, ascii or "
			    "utf-8, not \"%s\"", value);
		conf_set(&c->ascii, value);
	} else
		return conf_fail(p, "unknown key \"%s\"", key);
	return 0;
}

/* One line of the file (modified in place). */
static int
conf_line(struct conf_parser *p, char *s)
{
	char	*eq, *key, *value, *hash;

	/* A comment starts at '#' at the line's start or after a blank. */
	for (hash = s; (hash = strchr(hash, '#')) != NULL; hash++) {
		if (hash == s || hash[-1] == ' ' || hash[-1] == '\t') {
			*hash = '\0';
			break;
		}
	}
	s = text_trim(s);
	if (*s == '\0')
		return 0;
	if (*s == '[')
		return conf_section_line(p, s);
	if ((eq = strchr(s, '=')) == NULL)
		return conf_fail(p, "expected \"key = value\" or a section "
		    "like [domain NAME], not \"%s\"", s);
	*eq = '\0';
	key = text_trim(s);
	value = text_trim(eq + 1);
	if (*key == '\0')
		return conf_fail(p, "a line starts with '=' (expected "
		    "\"key = value\")");
	if (*value == '\0')
		return conf_fail(p, "%s needs a value (\"%s = ...\")", key,
		    key);
	switch (p->section) {
	case SECTION_DOMAIN:
		return conf_key_domain(p, key, value);
	case SECTION_ROUTE:
		return conf_key_route(p, key, value);
	default:
		/* The top, or an [account] (p->target). */
		return conf_key_top(p, key, value);
	}
}

/* Parse config text. */
struct conf *
conf_parse(const char *text, const char *path, struct err **errp)
{
	struct conf_parser	 p;
	char			*copy, *line, *next;
	int			 rv = -1;

	memset(&p, 0, sizeof p);
	p.conf = conf_new();
	p.path = path != NULL ? path : "(config)";
	p.section = SECTION_TOP;
	p.errp = errp;
	p.conf->path = xstrdup(path);
	p.target = p.conf;
	copy = xstrdup(text);
	for (line = copy; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		p.line++;
		if (conf_line(&p, line) != 0)
			goto fail;
	}
	if (conf_route_done(&p) != 0)
		goto fail;
	conf_accounts_done(p.conf);
	rv = 0;
fail:
	free(copy);
	if (rv != 0) {
		conf_free(p.conf);
		return NULL;
	}
	return p.conf;
}

/* Read and parse the config file. */
struct conf *
conf_load(const char *path, struct err **errp)
{
	struct conf	*c = NULL;
	struct buf	 b = BUF_INIT;
	struct stat	 st;
	char		 chunk[4096], *shown = NULL;
	ssize_t		 n;
	int		 fd = -1;

	if (path == NULL) {
		err_set(errp, ERR_CONFIG, 0, "no config file: neither HOME nor "
		    "XDG_CONFIG_HOME is set (use -F FILE)");
		goto fail;
	}
	/* For messages: the path as the user can read it, escaped. */
	shown = text_escape(path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		err_set(errp, ERR_CONFIG, 0, "%s: cannot read: %s", shown,
		    strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) == -1) {
		err_set(errp, ERR_CONFIG, 0, "%s: cannot read: %s", shown,
		    strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		err_set(errp, ERR_CONFIG, 0, "%s: cannot read: %s", shown,
		    strerror(EISDIR));
		goto fail;
	}
	buf_add(&b, "", 0);
	for (;;) {
		if ((n = read(fd, chunk, sizeof chunk)) == -1) {
			if (errno == EINTR)
				continue;
			err_set(errp, ERR_CONFIG, 0, "%s: cannot read: %s",
			    shown, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		buf_add(&b, chunk, (size_t)n);
	}
	if (strlen(b.s) != b.len) {
		err_set(errp, ERR_CONFIG, 0, "%s: the file contains a NUL "
		    "byte; is it really a tern config?", shown);
		goto fail;
	}
	if ((c = conf_parse(b.s, path, errp)) == NULL)
		goto fail;
	if (conf_names_secret(c) && (st.st_mode & 077) != 0) {
		err_set(errp, ERR_CONFIG, 0, "%s: permissions %04o are too "
		    "open for a file that names a password command; chmod 600 %s",
		    shown, (unsigned int)(st.st_mode & 07777), shown);
		conf_free(c);
		c = NULL;
		goto fail;
	}
fail:
	if (fd != -1)
		close(fd);
	free(shown);
	buf_free(&b);
	return c;
}

/* A time: N, Ns, Nm, Nh, Nd or Nw; 0 or -1. */
static int
conf_duration(const char *s, long *out)
{
	char	*end;
	long	 n, mul = 1;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || n <= 0)
		return -1;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		mul = 60;
		break;
	case 'h':
		mul = 3600;
		break;
	case 'd':
		mul = 86400;
		break;
	case 'w':
		mul = 7 * 86400;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (n > 366L * 86400 / mul)
		return -1;
	*out = n * mul;
	return 0;
}
