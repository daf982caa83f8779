/*
 * dns: MX and address lookups with libc's resolver.
 *
 * Each call has its own struct __res_state (res_ninit/res_nclose), so
 * deliveries to different domains can look up in parallel threads.  A
 * custom resolver replaces the name servers of that state: an IPv4 one
 * through nsaddr_list, an IPv6 one through glibc's _u._ext.nsaddrs (the
 * way res_init itself stores IPv6 servers); without glibc only IPv4
 * resolvers can be set.
 *
 * The resolver's timeout and retries are set so that one query gives up
 * after about timeout seconds (an address lookup makes two: AAAA, A).
 * Addresses come IPv6 first, then IPv4, each in the resolver's order, when
 * a resolver is given; else in getaddrinfo()'s (RFC 6724) order, where the
 * timeout is the system's.  An MX "." beside real MX records is ignored
 * (RFC 7505 forbids the mix); only "." alone is a null MX.  A domain that
 * is an address literal ("[192.0.2.1]") is its own implicit MX.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <resolv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dns.h"
#include "err.h"
#include "xmalloc.h"

#define DNS_ANSWER_MAX	65536
#define DNS_LITERAL_MAX	(INET6_ADDRSTRLEN + 16)

/* What one query gave. */
enum dns_status {
	DNS_OK,		/* an answer with records */
	DNS_NXDOMAIN,	/* the name does not exist */
	DNS_NODATA,	/* the name exists, no records of that type */
	DNS_TEMP	/* resolver failure or timeout: try later */
};

/* One lookup: the resolver state and the answer buffer. */
struct dns_ctx {
	struct __res_state	 st;
	int			 open;
	unsigned char		*ans;
	int			 len;
	int			 timeout;
	char			 why[128];	/* for DNS_TEMP */
};

static int	dns_literal(const char *, char *, size_t);
static int	dns_check_name(const char *, char *, size_t, struct err **);
static int	dns_open(struct dns_ctx *, const char *, int, int,
		    struct err **);
static void	dns_close(struct dns_ctx *);
static enum dns_status dns_query(struct dns_ctx *, const char *, int);
static int	dns_parse_mx(struct dns_ctx *, struct dns_mxlist *, size_t *);
static int	dns_parse_addrs(struct dns_ctx *, int, char ***, size_t *);
static int	dns_parse_txt(struct dns_ctx *, char ***, size_t *);
static void	dns_addrs_add(char ***, size_t *, const char *);
static int	dns_mx_cmp(const void *, const void *);
static uint32_t	dns_random(uint32_t);
static void	dns_mx_shuffle(struct dns_mxlist *);
static int	dns_addrs_res(const char *, const char *, int, int, char ***,
		    size_t *, struct err **);
static int	dns_addrs_gai(const char *, char ***, size_t *,
		    struct err **);

/*
 * If s is an IP address literal ("192.0.2.1", "::1", "[::1]",
 * "[IPv6:::1]"), copy it without brackets into buf and return its family;
 * else 0.
 */
static int
dns_literal(const char *s, char *buf, size_t size)
{
	unsigned char	 a[sizeof(struct in6_addr)];
	size_t		 len;

	len = strlen(s);
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
		if (len > 5 && strncasecmp(s, "IPv6:", 5) == 0) {
			s += 5;
			len -= 5;
		}
	}
	if (len == 0 || len >= size)
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, a) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, buf, a) == 1)
		return AF_INET6;
	return 0;
}

/* Check a domain name and copy it, lower case, without a final dot. */
static int
dns_check_name(const char *name, char *buf, size_t size, struct err **errp)
{
	size_t	 i, len, label;
	char	 c;

	if (name == NULL || *name == '\0')
		return err_set(errp, ERR_INPUT, 0, "no domain name given");
	len = strlen(name);
	if (len > 1 && name[len - 1] == '.')
		len--;
	if (len > 253 || len >= size)
		return err_set(errp, ERR_INPUT, 0,
		    "domain name is longer than 253 characters");
	label = 0;
	for (i = 0; i < len; i++) {
		c = name[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c == '.') {
			if (label == 0)
				goto fail;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_') {
			if (++label > 63)
				goto fail;
		} else
			goto fail;
		buf[i] = c;
	}
	if (label == 0)
		goto fail;
	buf[len] = '\0';
	return 0;

fail:
	/* Not echoed: it may hold anything, control characters included. */
	return err_set(errp, ERR_INPUT, 0,
	    "invalid domain name (letters, digits, '-', '_' and dots only)");
}

/*
 * Start a resolver state, pointed at resolver_host:resolver_port when
 * given, with retransmissions fitted into about timeout seconds.
 */
static int
dns_open(struct dns_ctx *c, const char *rhost, int rport, int timeout,
    struct err **errp)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	char			 bare[DNS_LITERAL_MAX];
	int			 af = 0, i;

	memset(c, 0, sizeof *c);
	c->timeout = timeout > 0 ? timeout : 30;
	if (rhost != NULL) {
		if ((af = dns_literal(rhost, bare, sizeof bare)) == 0)
			return err_set(errp, ERR_CONFIG, 0,
			    "resolver must be an IP address, not \"%.64s\"",
			    rhost);
		if (rport == 0)
			rport = NS_DEFAULTPORT;
		if (rport < 0 || rport > 65535)
			return err_set(errp, ERR_CONFIG, 0,
			    "resolver port %d is out of range", rport);
#ifndef __GLIBC__
		if (af == AF_INET6)
			return err_set(errp, ERR_CONFIG, 0,
			    "an IPv6 resolver is not supported on this system:"
			    " use an IPv4 address");
#endif
	}

	if (res_ninit(&c->st) == -1)
		return err_set(errp, ERR_INTERNAL, 1,
		    "cannot initialise the DNS resolver");
	c->open = 1;
	if (c->timeout < 2) {
		c->st.retry = 1;
		c->st.retrans = 1;
	} else {
		c->st.retry = 2;
		c->st.retrans = c->timeout / 2;
	}
	c->st.options &= ~(RES_DNSRCH | RES_DEFNAMES);

	if (af == AF_INET) {
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_port = htons(rport);
		inet_pton(AF_INET, bare, &sin.sin_addr);
	} else if (af == AF_INET6) {
		memset(&sin6, 0, sizeof sin6);
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(rport);
		inet_pton(AF_INET6, bare, &sin6.sin6_addr);
	}
	if (af != 0) {
#ifdef __GLIBC__
		/* Free res_ninit's IPv6 servers: res_nclose frees 1 only. */
		for (i = 0; i < MAXNS; i++) {
			free(c->st._u._ext.nsaddrs[i]);
			c->st._u._ext.nsaddrs[i] = NULL;
			c->st._u._ext.nssocks[i] = -1;
		}
		c->st._u._ext.nscount = 0;
#endif
		for (i = 0; i < MAXNS; i++)
			memset(&c->st.nsaddr_list[i], 0,
			    sizeof c->st.nsaddr_list[i]);
		c->st.nscount = 1;
		if (af == AF_INET)
			c->st.nsaddr_list[0] = sin;
#ifdef __GLIBC__
		else {
			/* sin_family 0: res_send uses nsaddrs[0]. */
			c->st._u._ext.nsaddrs[0] = xmalloc(sizeof sin6);
			memcpy(c->st._u._ext.nsaddrs[0], &sin6, sizeof sin6);
		}
#endif
	}
	c->ans = xmalloc(DNS_ANSWER_MAX);
	return 0;
}

/* Free a resolver state; safe on one that failed to open. */
static void
dns_close(struct dns_ctx *c)
{
	if (c->open)
		res_nclose(&c->st);
	c->open = 0;
	free(c->ans);
	c->ans = NULL;
}

/* Ask for records of one type; on DNS_OK the answer is in c->ans. */
static enum dns_status
dns_query(struct dns_ctx *c, const char *name, int type)
{
	HEADER	*hp = (HEADER *)c->ans;
	int	 n, rcode;

	memset(c->ans, 0, HFIXEDSZ);
	c->why[0] = '\0';
	errno = 0;
	n = res_nquery(&c->st, name, ns_c_in, type, c->ans, DNS_ANSWER_MAX);
	if (n >= 0) {
		/* A DNS message is under 64 KiB: never truncated here. */
		if (n > DNS_ANSWER_MAX)
			n = DNS_ANSWER_MAX;
		c->len = n;
		return DNS_OK;
	}
	rcode = hp->qr ? hp->rcode : -1;
	switch (c->st.res_h_errno) {
	case HOST_NOT_FOUND:
		return DNS_NXDOMAIN;
	case NO_DATA:
		return DNS_NODATA;
	default:
		break;
	}
	if (rcode == ns_r_servfail)
		snprintf(c->why, sizeof c->why, "the DNS server failed"
		    " (SERVFAIL)");
	else if (rcode == ns_r_refused)
		snprintf(c->why, sizeof c->why, "the DNS server refused the"
		    " query (REFUSED)");
	else if (rcode > 0)
		snprintf(c->why, sizeof c->why, "the DNS server answered with"
		    " error code %d", rcode);
	else if (errno == ECONNREFUSED)
		snprintf(c->why, sizeof c->why, "no DNS server is listening");
	else
		snprintf(c->why, sizeof c->why, "no answer from the DNS server"
		    " within %d seconds", c->timeout);
	return DNS_TEMP;
}

/* Parse the MX records of c's answer into l; *nroot counts "." hosts. */
static int
dns_parse_mx(struct dns_ctx *c, struct dns_mxlist *l, size_t *nroot)
{
	ns_msg			 msg;
	ns_rr			 rr;
	const unsigned char	*rd;
	char			 name[NS_MAXDNAME], host[NS_MAXDNAME];
	int			 i, count, pref;

	if (ns_initparse(c->ans, c->len, &msg) == -1)
		return -1;
	count = ns_msg_count(msg, ns_s_an);
	for (i = 0; i < count; i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) == -1)
			return -1;
		if (ns_rr_type(rr) != ns_t_mx || ns_rr_class(rr) != ns_c_in)
			continue;
		if (ns_rr_rdlen(rr) < 3)
			return -1;
		rd = ns_rr_rdata(rr);
		pref = ns_get16(rd);
		if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 2, name,
		    sizeof name) == -1)
			return -1;
		if (name[0] == '\0' || strcmp(name, ".") == 0) {
			(*nroot)++;
			continue;
		}
		/* A name we could not connect to is skipped, as if absent. */
		if (dns_check_name(name, host, sizeof host, NULL) == -1)
			continue;
		l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
		l->v[l->n].host = xstrdup(host);
		l->v[l->n].pref = pref;
		l->n++;
	}
	return 0;
}

/* Append the A (AF_INET) or AAAA records of c's answer to *addrs. */
static int
dns_parse_addrs(struct dns_ctx *c, int af, char ***addrs, size_t *n)
{
	ns_msg	 msg;
	ns_rr	 rr;
	char	 buf[INET6_ADDRSTRLEN];
	int	 i, count, type;
	size_t	 size;

	type = af == AF_INET ? ns_t_a : ns_t_aaaa;
	size = af == AF_INET ? 4 : 16;
	if (ns_initparse(c->ans, c->len, &msg) == -1)
		return -1;
	count = ns_msg_count(msg, ns_s_an);
	for (i = 0; i < count; i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) == -1)
			return -1;
		if ((int)ns_rr_type(rr) != type || ns_rr_class(rr) != ns_c_in)
			continue;
		if (ns_rr_rdlen(rr) != size)
			return -1;
		if (inet_ntop(af, ns_rr_rdata(rr), buf, sizeof buf) == NULL)
			return -1;
		dns_addrs_add(addrs, n, buf);
	}
	return 0;
}

/* Append each TXT record of c's answer, its strings joined, to *txts. */
static int
dns_parse_txt(struct dns_ctx *c, char ***txts, size_t *n)
{
	ns_msg			 msg;
	ns_rr			 rr;
	const unsigned char	*rd;
	char			*s;
	size_t			 len, at, k, slen;
	int			 i, count;

	if (ns_initparse(c->ans, c->len, &msg) == -1)
		return -1;
	count = ns_msg_count(msg, ns_s_an);
	for (i = 0; i < count; i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) == -1)
			return -1;
		if (ns_rr_type(rr) != ns_t_txt || ns_rr_class(rr) != ns_c_in)
			continue;
		rd = ns_rr_rdata(rr);
		len = ns_rr_rdlen(rr);
		/* The joined strings are shorter than the RDATA. */
		s = xmalloc(len + 1);
		slen = 0;
		for (at = 0; at < len; at += k) {
			k = rd[at++];
			if (at + k > len) {
				free(s);
				return -1;
			}
			memcpy(s + slen, rd + at, k);
			slen += k;
		}
		s[slen] = '\0';
		if (memchr(s, '\0', slen) != NULL) {
			free(s);
			continue;
		}
		*txts = xreallocarray(*txts, *n + 1, sizeof **txts);
		(*txts)[(*n)++] = s;
	}
	return 0;
}

/* Append a copy of addr unless it is there already. */
static void
dns_addrs_add(char ***addrs, size_t *n, const char *addr)
{
	size_t	 i;

	for (i = 0; i < *n; i++)
		if (strcmp((*addrs)[i], addr) == 0)
			return;
	*addrs = xreallocarray(*addrs, *n + 1, sizeof **addrs);
	(*addrs)[(*n)++] = xstrdup(addr);
}

/* Order MX records by preference. */
static int
dns_mx_cmp(const void *a, const void *b)
{
	const struct dns_mx	*x = a, *y = b;

	return (x->pref > y->pref) - (x->pref < y->pref);
}

/* A random number below bound (> 0), from the kernel when it can. */
static uint32_t
dns_random(uint32_t bound)
{
	static _Thread_local uint32_t	 state;
	uint32_t			 r;

	if (getentropy(&r, sizeof r) == -1) {
		/* Not for security: only to spread load over equal MXs. */
		if (state == 0)
			state = (uint32_t)getpid() ^ (uint32_t)(uintptr_t)&r;
		state ^= state << 13;
		state ^= state >> 17;
		state ^= state << 5;
		r = state;
	}
	return r % bound;
}

/* Sort by preference, then shuffle each run of equal preferences. */
static void
dns_mx_shuffle(struct dns_mxlist *l)
{
	struct dns_mx	 t;
	size_t		 i, j, k, start;

	qsort(l->v, l->n, sizeof *l->v, dns_mx_cmp);
	for (start = 0; start < l->n; start = i) {
		i = start + 1;
		while (i < l->n && l->v[i].pref == l->v[start].pref)
			i++;
		for (j = i - 1; j > start; j--) {
			k = start + dns_random(j - start + 1);
			t = l->v[j];
			l->v[j] = l->v[k];
			l->v[k] = t;
		}
	}
}

/* Look up the mail exchangers of a domain. */
int
dns_mx_lookup(const char *domain, const char *rhost, int rport, int timeout,
    struct dns_mxlist *l, struct err **errp)
{
	struct dns_ctx	 c;
	enum dns_status	 s, s6, s4;
	char		 name[NS_MAXDNAME], bare[DNS_LITERAL_MAX];
	size_t		 nroot = 0;
	int		 rv = -1;

	memset(&c, 0, sizeof c);
	memset(l, 0, sizeof *l);
	if (domain != NULL && dns_literal(domain, bare, sizeof bare) != 0) {
		/* user@[192.0.2.1]: no lookup, the literal is the host. */
		l->v = xcalloc(1, sizeof *l->v);
		l->v[0].host = xstrdup(bare);
		l->n = 1;
		l->implicit = 1;
		return 0;
	}
	if (dns_check_name(domain, name, sizeof name, errp) == -1)
		goto fail;
	if (dns_open(&c, rhost, rport, timeout, errp) == -1)
		goto fail;

	s = dns_query(&c, name, ns_t_mx);
	if (s == DNS_NXDOMAIN) {
		err_set(errp, ERR_REJECTED, 0, "%s does not exist", name);
		goto fail;
	}
	if (s == DNS_TEMP) {
		err_set(errp, ERR_CONNECTION, 1,
		    "cannot look up the mail servers of %s: %s", name, c.why);
		goto fail;
	}
	if (s == DNS_OK && dns_parse_mx(&c, l, &nroot) == -1) {
		err_set(errp, ERR_CONNECTION, 1,
		    "cannot look up the mail servers of %s: malformed DNS"
		    " answer", name);
		goto fail;
	}
	if (l->n == 0 && nroot > 0) {
		err_set(errp, ERR_REJECTED, 0,
		    "%s does not accept mail (null MX, RFC 7505)", name);
		goto fail;
	}
	if (l->n > 0) {
		dns_mx_shuffle(l);
		rv = 0;
		goto fail;
	}

	/* No MX: the domain itself, if it has an address (RFC 5321 5.1). */
	s6 = dns_query(&c, name, ns_t_aaaa);
	s4 = s6 == DNS_OK ? DNS_OK : dns_query(&c, name, ns_t_a);
	if (s6 != DNS_OK && s4 != DNS_OK) {
		if (s6 == DNS_TEMP || s4 == DNS_TEMP)
			err_set(errp, ERR_CONNECTION, 1,
			    "cannot look up the address of %s: %s", name,
			    c.why);
		else if (s4 == DNS_NXDOMAIN)
			err_set(errp, ERR_REJECTED, 0, "%s does not exist",
			    name);
		else
			err_set(errp, ERR_REJECTED, 0,
			    "%s has no MX and no address", name);
		goto fail;
	}
	l->v = xcalloc(1, sizeof *l->v);
	l->v[0].host = xstrdup(name);
	l->v[0].pref = 0;
	l->n = 1;
	l->implicit = 1;
	rv = 0;

fail:
	dns_close(&c);
	if (rv == -1)
		dns_mxlist_clear(l);
	return rv;
}

/* A and AAAA records of host through the given resolver. */
static int
dns_addrs_res(const char *host, const char *rhost, int rport, int timeout,
    char ***addrs, size_t *n, struct err **errp)
{
	struct dns_ctx	 c;
	enum dns_status	 s6, s4;
	char		 name[NS_MAXDNAME], why[sizeof c.why];
	int		 rv = -1;

	memset(&c, 0, sizeof c);
	why[0] = '\0';
	if (dns_check_name(host, name, sizeof name, errp) == -1)
		goto fail;
	if (dns_open(&c, rhost, rport, timeout, errp) == -1)
		goto fail;
	s6 = dns_query(&c, name, ns_t_aaaa);
	if (s6 == DNS_TEMP)
		memcpy(why, c.why, sizeof why);
	if (s6 == DNS_OK && dns_parse_addrs(&c, AF_INET6, addrs, n) == -1)
		s6 = DNS_TEMP;
	s4 = dns_query(&c, name, ns_t_a);
	if (s4 == DNS_TEMP)
		memcpy(why, c.why, sizeof why);
	if (s4 == DNS_OK && dns_parse_addrs(&c, AF_INET, addrs, n) == -1)
		s4 = DNS_TEMP;
	if (*n > 0) {
		rv = 0;
		goto fail;
	}
	if (s6 == DNS_TEMP || s4 == DNS_TEMP)
		err_set(errp, ERR_CONNECTION, 1,
		    "cannot look up the address of %s: %s", name,
		    why[0] != '\0' ? why : "malformed DNS answer");
	else if (s4 == DNS_NXDOMAIN || s6 == DNS_NXDOMAIN)
		err_set(errp, ERR_REJECTED, 0, "%s does not exist", name);
	else
		err_set(errp, ERR_REJECTED, 0, "%s has no address", name);

fail:
	dns_close(&c);
	return rv;
}

/* Addresses of host from getaddrinfo(), in the order it sorted them. */
static int
dns_addrs_gai(const char *host, char ***addrs, size_t *n, struct err **errp)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 name[NS_MAXDNAME], buf[NI_MAXHOST];
	int		 e, rv = -1;

	if (dns_check_name(host, name, sizeof name, errp) == -1)
		goto fail;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	e = getaddrinfo(name, NULL, &hints, &res);
	switch (e) {
	case 0:
		break;
	case EAI_NONAME:
#ifdef EAI_NODATA
	case EAI_NODATA:
#endif
		err_set(errp, ERR_REJECTED, 0, "%s has no address", name);
		goto fail;
	default:
		err_set(errp, ERR_CONNECTION, 1,
		    "cannot look up the address of %s: %s", name,
		    gai_strerror(e));
		goto fail;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, sizeof buf,
		    NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		dns_addrs_add(addrs, n, buf);
	}
	if (*n == 0) {
		err_set(errp, ERR_REJECTED, 0, "%s has no address", name);
		goto fail;
	}
	rv = 0;

fail:
	if (res != NULL)
		freeaddrinfo(res);
	return rv;
}

/* Addresses of a host: a literal as it is, else from DNS. */
int
dns_host_addrs(const char *host, const char *rhost, int rport, int timeout,
    char ***addrs, size_t *n, struct err **errp)
{
	char	 bare[DNS_LITERAL_MAX];
	int	 rv;

	*addrs = NULL;
	*n = 0;
	if (host == NULL || *host == '\0')
		return err_set(errp, ERR_INPUT, 0, "no host name given");
	if (dns_literal(host, bare, sizeof bare) != 0) {
		dns_addrs_add(addrs, n, bare);
		return 0;
	}
	if (rhost != NULL)
		rv = dns_addrs_res(host, rhost, rport, timeout, addrs, n, errp);
	else
		rv = dns_addrs_gai(host, addrs, n, errp);
	if (rv == -1) {
		dns_addrs_free(*addrs, *n);
		*addrs = NULL;
		*n = 0;
	}
	return rv;
}

/* Free an address array. */
void
dns_addrs_free(char **addrs, size_t n)
{
	size_t	 i;

	if (addrs == NULL)
		return;
	for (i = 0; i < n; i++)
		free(addrs[i]);
	free(addrs);
}

/* Free the hosts of an MX list and empty it. */
void
dns_mxlist_clear(struct dns_mxlist *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i].host);
	free(l->v);
	l->v = NULL;
	l->n = 0;
	l->implicit = 0;
}

/* The TXT records of a name. */
int
dns_txt_lookup(const char *qname, const char *rhost, int rport, int timeout,
    char ***txts, size_t *n, int *secure, struct err **errp)
{
	struct dns_ctx	 c;
	enum dns_status	 s;
	char		 name[NS_MAXDNAME];
	int		 rv = -1;

	memset(&c, 0, sizeof c);
	*txts = NULL;
	*n = 0;
	*secure = 0;
	if (dns_check_name(qname, name, sizeof name, errp) == -1)
		goto fail;
	if (dns_open(&c, rhost, rport, timeout, errp) == -1)
		goto fail;
#ifdef RES_TRUSTAD
	/* Keep the AD bit of the answer (glibc clears it otherwise). */
	c.st.options |= RES_TRUSTAD;
#endif
	s = dns_query(&c, name, ns_t_txt);
	if (s == DNS_NXDOMAIN || s == DNS_NODATA) {
		rv = 0;
		goto fail;
	}
	if (s == DNS_TEMP) {
		err_set(errp, ERR_CONNECTION, 1,
		    "cannot look up the TXT records of %s: %s", name, c.why);
		goto fail;
	}
	if (dns_parse_txt(&c, txts, n) == -1) {
		err_set(errp, ERR_CONNECTION, 1,
		    "cannot look up the TXT records of %s: malformed DNS"
		    " answer", name);
		goto fail;
	}
	*secure = ((HEADER *)c.ans)->ad ? 1 : 0;
	rv = 0;

fail:
	dns_close(&c);
	if (rv == -1) {
		dns_txt_free(*txts, *n);
		*txts = NULL;
		*n = 0;
	}
	return rv;
}

/* Free what dns_txt_lookup gave. */
void
dns_txt_free(char **txts, size_t n)
{
	dns_addrs_free(txts, n);
}
