/*
 * dns: where mail for a domain goes (RFC 5321 section 5).  MX records in
 * preference order (ties in random order); no MX: the domain itself
 * (implicit MX, its A/AAAA records); a null MX ("0 .", RFC 7505): mail is
 * not accepted, a permanent failure.  Queries go to the system resolver, or
 * to host:port when given (tests, split horizon), with libc's resolver.
 *
 * DNSSEC: tern trusts the AD bit of its resolver, which must validate (a
 * validating resolver on loopback, as Postfix's smtp_dns_support_level =
 * dnssec expects).  AD counts only from a resolver on loopback, or from
 * the system's where /etc/resolv.conf has "options trust-ad"; from any
 * other, nothing is secure.  "secure" below means the resolver set AD: the answer,
 * or the denial that there is none, was authenticated.  A bogus answer is
 * a SERVFAIL from a validating resolver: a temporary ERR_CONNECTION whose
 * message says DNSSEC validation failed (when the resolver says so with an
 * Extended DNS Error) or that the resolver failed.
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
	int		 secure;	/* 1: the MX answer (for an implicit MX,
					   the denial of MX and the A/AAAA
					   answer), CNAMEs included, was
					   authenticated */
};

/* One TLSA record (RFC 6698 2.1), as the zone has it. */
struct dns_tlsa {
	unsigned char	 usage, selector, mtype;
	unsigned char	*data;		/* the association data, len bytes */
	size_t		 len;
};

struct dns_tlsalist {
	struct dns_tlsa	*v;
	size_t		 n;
	int		 secure;	/* 1: the answer or denial was
					   authenticated */
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
/*
 * As dns_host_addrs, and *secure: 1 when the AAAA and A replies (records
 * or denials) were both authenticated, else 0 (a literal is 0: DNS did not
 * say it).  Always asks DNS, the system's resolver when resolver_host is
 * NULL, so the AD bit can be seen; addresses IPv6 first, then IPv4.
 */
int	dns_host_addrs_secure(const char *, const char *, int, int, char ***,
	    size_t *, int *, struct err **);
void	dns_addrs_free(char **, size_t);
void	dns_mxlist_clear(struct dns_mxlist *);

/*
 * The TLSA records of name ("_25._tcp.mx.example"), through the resolver
 * as for dns_mx_lookup.  0 and *l (new: free with dns_tlsalist_clear;
 * each data is a new array of len bytes) with l->n = 0 for NXDOMAIN or
 * NODATA, l->secure telling whether the answer or the denial was
 * authenticated; -1 with *errp: ERR_INPUT for a bad name, ERR_CONFIG for
 * a bad resolver, ERR_CONNECTION temporary when the resolver fails (a
 * bogus answer included) or the answer is malformed.
 */
int	dns_tlsa_lookup(const char *name, const char *resolver_host,
	    int resolver_port, int timeout, struct dns_tlsalist *l,
	    struct err **errp);
void	dns_tlsalist_clear(struct dns_tlsalist *);

/*
 * The TXT records of name (for MTA-STS, "_mta-sts.example"): *txts a new
 * array of *n new strings, each record's strings joined (a record with a
 * NUL byte is left out); free with dns_txt_free.  Not sanitized: the
 * caller parses them.  NXDOMAIN or NODATA: 0 with *n = 0.  *secure (may
 * be NULL) as for dns_tlsa_lookup; errors as dns_tlsa_lookup.
 */
int	dns_txt_lookup(const char *name, const char *resolver_host,
	    int resolver_port, int timeout, char ***txts, size_t *n,
	    int *secure, struct err **errp);
void	dns_txt_free(char **, size_t);

#endif
