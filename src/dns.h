/*
 * dns: where mail for a domain goes (RFC 5321 section 5).  MX records in
 * preference order (ties in random order); no MX: the domain itself
 * (implicit MX, its A/AAAA records); a null MX ("0 .", RFC 7505): mail is
 * not accepted, a permanent failure.  Queries go to the system resolver, or
 * to host:port when given (tests, split horizon), with libc's resolver.
 */
#ifndef TERN_DNS_H
#define TERN_DNS_H

#include <stddef.h>

struct err;

struct dns_mx {
	char	*host;		/* host name, lower case, no trailing dot */
	int	 pref;
};

struct dns_mxlist {
	struct dns_mx	*v;
	size_t		 n;
	int		 implicit;	/* 1: no MX record, v[0] is the domain */
};

/*
 * Look up the mail exchangers of domain.  resolver_host may be NULL (the
 * system's, /etc/resolv.conf) or an IPv4/IPv6 address literal with
 * resolver_port.  timeout is in seconds.  Returns 0 and fills *l (free
 * with dns_mxlist_clear), or -1 with *errp: ERR_REJECTED permanent for a
 * null MX or a domain that does not exist (NXDOMAIN), ERR_CONNECTION
 * temporary when the resolver fails or times out.
 */
int	dns_mx_lookup(const char *, const char *, int, int,
	    struct dns_mxlist *, struct err **);
/*
 * The addresses of host, IPv6 and IPv4, as numeric strings into *addrs
 * (a new array of *n new strings: free with dns_addrs_free).  Uses the
 * given resolver for A/AAAA when set, else getaddrinfo().  A literal
 * ("127.0.0.1", "::1", "[::1]") is returned as it is.  0 or -1 with *errp.
 */
int	dns_host_addrs(const char *, const char *, int, int, char ***,
	    size_t *, struct err **);
void	dns_addrs_free(char **, size_t);

/* A TLSA record (RFC 6698): its fields and association data. */
struct dns_tlsa {
	unsigned char	 usage, selector, mtype;
	unsigned char	*data;		/* the association data, len bytes */
	size_t		 len;
};

struct dns_tlsalist {
	struct dns_tlsa	*v;
	size_t		 n;
	int		 secure;	/* the answer was DNSSEC-validated */
};
void	dns_mxlist_clear(struct dns_mxlist *);
/*
 * The TXT records of name: each record's strings concatenated, one new
 * string per record (records holding a NUL byte are skipped), into *txts
 * (free with dns_txt_free).  *secure is 1 when the resolver set the AD bit
 * (a validating resolver says the answer is DNSSEC-signed), else 0.  A
 * name that does not exist or has no TXT record: 0 with *n = 0.  -1 with
 * *errp: ERR_INPUT for a bad name, ERR_CONFIG for a bad resolver,
 * ERR_CONNECTION temporary when the resolver fails or times out.
 */
int	dns_txt_lookup(const char *, const char *, int, int, char ***,
	    size_t *, int *, struct err **);
void	dns_txt_free(char **, size_t);

#endif
