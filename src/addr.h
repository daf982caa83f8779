/*
 * addr: e-mail addresses.  Parsing goes through libetpan's mailimf; the
 * checks that keep an address from injecting SMTP commands (no control
 * characters, no '<' '>' in the envelope form, RFC 5321 limits: 64 octets
 * local part, 255 domain, 254 path) are ours.
 */
#ifndef TERN_ADDR_H
#define TERN_ADDR_H

#include <stddef.h>

struct err;

struct addr {
	char	*name;		/* display name (UTF-8, decoded), or NULL */
	char	*mailbox;	/* local@domain, domain lower-cased */
};

struct addr_list {
	struct addr	*v;
	size_t		 n;
};

/*
 * Check that s is a bare address usable in MAIL FROM/RCPT TO: 0, or -1
 * with *errp set (ERR_INPUT) saying what is wrong.
 */
int	 addr_check(const char *, struct err **);
/*
 * Parse one address as a user writes it ("Name <a@b>", "a@b"); fills a
 * (caller frees with addr_clear).  0 or -1 with *errp (ERR_INPUT).
 */
int	 addr_parse(const char *, struct addr *, struct err **);
/*
 * As addr_parse, and a bare local part ("root", as cron writes it) is
 * qualified: it becomes "root@DOMAIN" (the account's maildomain).  A NULL
 * or empty domain makes it addr_parse.  Comments anywhere RFC 5322 puts
 * CFWS around an address ("root (Cron Daemon)", "<bob@x (c)>") are
 * skipped.
 */
int	 addr_parse_in(const char *, const char *, struct addr *,
	    struct err **);
/*
 * Parse a comma-separated list (a header value, RFC 2047 words decoded,
 * groups flattened) and append to l.  0 or -1 with *errp.
 */
int	 addr_parse_list(const char *, struct addr_list *, struct err **);
/*
 * As addr_parse_list, with bare local parts qualified with the domain
 * (second argument; NULL: refused as by addr_parse_list).  Group syntax
 * ("team: a@x, b@y;", "undisclosed-recipients:;") gives its members.
 */
int	 addr_parse_list_in(const char *, const char *, struct addr_list *,
	    struct err **);
/*
 * The domain part of a bare address (borrowed pointer into it, after the
 * last '@'); "" (the end of the string) when there is no '@'.
 */
const char *addr_domain(const char *);
/* Free the strings of one address. */
void	 addr_clear(struct addr *);
/* Free every address of a list and empty it. */
void	 addr_list_clear(struct addr_list *);
/* Append a copy of an address. */
void	 addr_list_add(struct addr_list *, const char *, const char *);

#endif
