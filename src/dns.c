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
 *
 * DNSSEC: tern does not validate; it trusts the AD bit of its resolver,
 * as Postfix does with smtp_dns_support_level = dnssec, so the resolver
 * must be a validating one it can trust: on loopback (anyone on the path
 * to another could set AD on a forged answer), or the system's servers
 * where /etc/resolv.conf says "options trust-ad"; from others AD is
 * ignored and nothing is secure.  Every query sets
 * DO (EDNS0, RES_USE_DNSSEC) and AD; glibc keeps the AD bit of answers
 * only with RES_TRUSTAD.  An answer is "secure" when its AD bit is set;
 * the validator sets it only when every RRset of the answer, a CNAME
 * chain included, and of a denial was authenticated.  A validating
 * resolver answers SERVFAIL for a bogus answer; its Extended DNS Error
 * (RFC 8914), when it sends one, tells a validation failure from others.
 * glibc's res_nquery() keeps that reply in the buffer but not its length:
 * the buffer is zeroed once and the length is found by walking the
 * records within it.
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
	int			 trust;		/* 1: AD from these servers counts */
	int			 ad;		/* AD bit of the last reply */
	char			 why[160];	/* for DNS_TEMP */
};

static int	dns_literal(const char *, char *, size_t);
static int	dns_check_name(const char *, char *, size_t, struct err **);
static int	dns_open(struct dns_ctx *, const char *, int, int,
		    struct err **);
static void	dns_close(struct dns_ctx *);
static int	dns_servers_loopback(const struct __res_state *);
static enum dns_status dns_query(struct dns_ctx *, const char *, int);
static int	dns_msg_len(const unsigned char *, size_t);
static int	dns_ede(struct dns_ctx *);
static const char *dns_ede_name(int);
static int	dns_parse_mx(struct dns_ctx *, struct dns_mxlist *, size_t *);
static int	dns_parse_tlsa(struct dns_ctx *, struct dns_tlsalist *);
static int	dns_parse_txt(struct dns_ctx *, char ***, size_t *);
static int	dns_parse_addrs(struct dns_ctx *, int, char ***, size_t *);
static void	dns_addrs_add(char ***, size_t *, const char *);
static int	dns_lookup_one(struct dns_ctx *, const char *, const char *,
		    int, int, int, const char *, enum dns_status *,
		    struct err **);
static int	dns_mx_cmp(const void *, const void *);
static uint32_t	dns_random(uint32_t);
static void	dns_mx_shuffle(struct dns_mxlist *);
static int	dns_addrs_res(const char *, const char *, int, int, char ***,
		    size_t *, int *, struct err **);
static int	dns_addrs(const char *, const char *, int, int, char ***,
		    size_t *, int *, struct err **);
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
	int			 af = 0, i, systrust = 0;

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
#ifdef RES_TRUSTAD
	/* The system's servers are trusted where resolv.conf says so. */
	systrust = af == 0 && (c->st.options & RES_TRUSTAD) != 0;
#endif
	/* DO in an EDNS0 OPT record; AD in the query, kept in the reply. */
	c->st.options |= RES_USE_EDNS0 | RES_USE_DNSSEC;
#ifdef RES_TRUSTAD
	c->st.options |= RES_TRUSTAD;
#endif

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
	c->trust = systrust || dns_servers_loopback(&c->st);
	/* Zeroed: a failed query's reply is walked without its length. */
	c->ans = xcalloc(1, DNS_ANSWER_MAX);
	return 0;
}

/*
 * 1 when every server of st is on loopback (127.0.0.0/8, ::1): only there
 * can nobody on the path set the AD bit of a forged answer.
 */
static int
dns_servers_loopback(const struct __res_state *st)
{
	const struct sockaddr_in6	*s6;
	int				 i;

	if (st->nscount <= 0)
		return 0;
	for (i = 0; i < st->nscount && i < MAXNS; i++) {
		if (st->nsaddr_list[i].sin_family == AF_INET) {
			if ((ntohl(st->nsaddr_list[i].sin_addr.s_addr) >> 24) !=
			    127)
				return 0;
			continue;
		}
#ifdef __GLIBC__
		/* glibc keeps an IPv6 server in _u._ext.nsaddrs[i]. */
		s6 = st->_u._ext.nsaddrs[i];
		if (s6 != NULL && s6->sin6_family == AF_INET6 &&
		    IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			continue;
#else
		(void)s6;
#endif
		return 0;
	}
	return 1;
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

/*
 * Ask for records of one type; on DNS_OK the answer is in c->ans.  c->ad
 * is the AD bit of the reply (of the denial for NXDOMAIN and NODATA).
 */
static enum dns_status
dns_query(struct dns_ctx *c, const char *name, int type)
{
	HEADER		*hp = (HEADER *)c->ans;
	const char	*ede;
	int		 n, rcode, code;

	memset(c->ans, 0, HFIXEDSZ);
	c->why[0] = '\0';
	c->ad = 0;
	errno = 0;
	n = res_nquery(&c->st, name, ns_c_in, type, c->ans, DNS_ANSWER_MAX);
	if (n >= 0) {
		/* A DNS message is under 64 KiB: never truncated here. */
		if (n > DNS_ANSWER_MAX)
			n = DNS_ANSWER_MAX;
		c->len = n;
		c->ad = c->trust && hp->ad;
		return DNS_OK;
	}
	rcode = hp->qr ? hp->rcode : -1;
	switch (c->st.res_h_errno) {
	case HOST_NOT_FOUND:
		c->ad = c->trust && hp->ad;
		return DNS_NXDOMAIN;
	case NO_DATA:
		c->ad = c->trust && hp->ad;
		return DNS_NODATA;
	default:
		break;
	}
	if (rcode == ns_r_servfail) {
		code = dns_ede(c);
		ede = dns_ede_name(code);
		if ((code >= 1 && code <= 2) || (code >= 5 && code <= 12))
			snprintf(c->why, sizeof c->why, "DNSSEC validation"
			    " failed at the resolver (%s; SERVFAIL): the"
			    " answer may be forged or the zone is broken",
			    ede);
		else if (code >= 0)
			snprintf(c->why, sizeof c->why, "the DNS server failed"
			    " (SERVFAIL, %s)", ede);
		else
			snprintf(c->why, sizeof c->why, "the DNS server failed"
			    " (SERVFAIL: DNSSEC validation failed or the"
			    " resolver could not get an answer)");
	} else if (rcode == ns_r_refused)
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

/*
 * The length of the DNS message at the start of buf (at most size bytes),
 * found by skipping its records, or -1 when they do not fit.
 */
static int
dns_msg_len(const unsigned char *buf, size_t size)
{
	static const ns_sect	 sect[] = { ns_s_qd, ns_s_an, ns_s_ns,
				    ns_s_ar };
	size_t			 len = HFIXEDSZ, i;
	int			 k;

	if (size < HFIXEDSZ)
		return -1;
	for (i = 0; i < sizeof sect / sizeof sect[0]; i++) {
		/* Counts at offsets 4, 6, 8, 10 of the header. */
		k = ns_skiprr(buf + len, buf + size, sect[i],
		    ns_get16(buf + 4 + 2 * i));
		if (k < 0)
			return -1;
		len += (size_t)k;
	}
	return len <= size ? (int)len : -1;
}

/*
 * The INFO-CODE of the first Extended DNS Error option (RFC 8914) in the
 * OPT record of the failed reply in c->ans, or -1 when there is none.
 */
static int
dns_ede(struct dns_ctx *c)
{
	ns_msg			 msg;
	ns_rr			 rr;
	const unsigned char	*p, *end;
	int			 i, count, len;
	unsigned		 code, olen;

	if ((len = dns_msg_len(c->ans, DNS_ANSWER_MAX)) == -1 ||
	    ns_initparse(c->ans, len, &msg) == -1)
		return -1;
	count = ns_msg_count(msg, ns_s_ar);
	for (i = 0; i < count; i++) {
		if (ns_parserr(&msg, ns_s_ar, i, &rr) == -1)
			return -1;
		if (ns_rr_type(rr) != ns_t_opt)
			continue;
		p = ns_rr_rdata(rr);
		end = p + ns_rr_rdlen(rr);
		while (end - p >= 4) {
			code = ns_get16(p);
			olen = ns_get16(p + 2);
			p += 4;
			if ((size_t)(end - p) < olen)
				return -1;
			if (code == 15 && olen >= 2)
				return (int)ns_get16(p);
			p += olen;
		}
	}
	return -1;
}

/* Words for an Extended DNS Error code (RFC 8914 section 4). */
static const char *
dns_ede_name(int code)
{
	static const char	*names[] = {
		"other error", "unsupported DNSKEY algorithm",
		"unsupported DS digest type", "stale answer",
		"forged answer", "DNSSEC indeterminate", "DNSSEC bogus",
		"signature expired", "signature not yet valid",
		"DNSKEY missing", "RRSIGs missing", "no zone key bit set",
		"NSEC missing", "cached error", "not ready", "blocked",
		"censored", "filtered", "prohibited", "stale NXDOMAIN answer",
		"not authoritative", "not supported", "no reachable authority",
		"network error", "invalid data"
	};

	if (code < 0 || (size_t)code >= sizeof names / sizeof names[0])
		return "extended error";
	return names[code];
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

/*
 * Parse the TLSA records (RFC 6698 2.1) of c's answer into l: usage,
 * selector, matching type and the association data, whatever their
 * values (the matcher decides which it can use).
 */
static int
dns_parse_tlsa(struct dns_ctx *c, struct dns_tlsalist *l)
{
	ns_msg			 msg;
	ns_rr			 rr;
	const unsigned char	*rd;
	struct dns_tlsa		*t;
	int			 i, count;
	size_t			 len;

	if (ns_initparse(c->ans, c->len, &msg) == -1)
		return -1;
	count = ns_msg_count(msg, ns_s_an);
	for (i = 0; i < count; i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) == -1)
			return -1;
		if (ns_rr_type(rr) != ns_t_tlsa || ns_rr_class(rr) != ns_c_in)
			continue;
		if (ns_rr_rdlen(rr) < 3)
			return -1;
		rd = ns_rr_rdata(rr);
		len = ns_rr_rdlen(rr) - 3;
		l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
		t = &l->v[l->n++];
		t->usage = rd[0];
		t->selector = rd[1];
		t->mtype = rd[2];
		t->len = len;
		/* One byte more: never a zero-size allocation. */
		t->data = xmalloc(len + 1);
		memcpy(t->data, rd + 3, len);
		t->data[len] = 0;
	}
	return 0;
}

/*
 * Parse the TXT records of c's answer into *txts: each record's strings
 * (RFC 1035 3.3.14) joined into one C string.  A record with a NUL byte
 * cannot be held in a C string and is left out.
 */
static int
dns_parse_txt(struct dns_ctx *c, char ***txts, size_t *n)
{
	ns_msg			 msg;
	ns_rr			 rr;
	const unsigned char	*p, *end;
	char			*t;
	int			 i, count;
	size_t			 len, k;

	if (ns_initparse(c->ans, c->len, &msg) == -1)
		return -1;
	count = ns_msg_count(msg, ns_s_an);
	for (i = 0; i < count; i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) == -1)
			return -1;
		if (ns_rr_type(rr) != ns_t_txt || ns_rr_class(rr) != ns_c_in)
			continue;
		p = ns_rr_rdata(rr);
		end = p + ns_rr_rdlen(rr);
		/* The joined strings are shorter than the RDATA. */
		t = xmalloc((size_t)ns_rr_rdlen(rr) + 1);
		len = 0;
		while (p < end) {
			k = *p++;
			if ((size_t)(end - p) < k) {
				free(t);
				return -1;
			}
			memcpy(t + len, p, k);
			len += k;
			p += k;
		}
		t[len] = '\0';
		if (memchr(t, '\0', len) != NULL) {
			free(t);
			continue;
		}
		*txts = xreallocarray(*txts, *n + 1, sizeof **txts);
		(*txts)[(*n)++] = t;
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
	int		 rv = -1, secure;

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
		l->secure = c.ad;
		rv = 0;
		goto fail;
	}

	/*
	 * No MX: the domain itself, if it has an address (RFC 5321 5.1).
	 * Secure only when the denial of the MX and the address are.
	 */
	secure = c.ad;
	s6 = dns_query(&c, name, ns_t_aaaa);
	if (s6 == DNS_OK)
		s4 = DNS_OK;
	else {
		secure &= c.ad;
		s4 = dns_query(&c, name, ns_t_a);
	}
	secure &= c.ad;
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
	l->secure = secure;
	rv = 0;

fail:
	dns_close(&c);
	if (rv == -1)
		dns_mxlist_clear(l);
	return rv;
}

/*
 * A and AAAA records of host through the given resolver (NULL: the
 * system's).  *secure: 1 when both replies, the answers and denials
 * alike, were authenticated.
 */
static int
dns_addrs_res(const char *host, const char *rhost, int rport, int timeout,
    char ***addrs, size_t *n, int *secure, struct err **errp)
{
	struct dns_ctx	 c;
	enum dns_status	 s6, s4;
	char		 name[NS_MAXDNAME], why[sizeof c.why];
	int		 rv = -1, ad;

	memset(&c, 0, sizeof c);
	why[0] = '\0';
	if (dns_check_name(host, name, sizeof name, errp) == -1)
		goto fail;
	if (dns_open(&c, rhost, rport, timeout, errp) == -1)
		goto fail;
	s6 = dns_query(&c, name, ns_t_aaaa);
	ad = c.ad;
	if (s6 == DNS_TEMP)
		memcpy(why, c.why, sizeof why);
	if (s6 == DNS_OK && dns_parse_addrs(&c, AF_INET6, addrs, n) == -1)
		s6 = DNS_TEMP;
	s4 = dns_query(&c, name, ns_t_a);
	ad &= c.ad;
	if (s4 == DNS_TEMP)
		memcpy(why, c.why, sizeof why);
	if (s4 == DNS_OK && dns_parse_addrs(&c, AF_INET, addrs, n) == -1)
		s4 = DNS_TEMP;
	/* A failed half is not authenticated, whatever the other says. */
	if (secure != NULL)
		*secure = ad && s6 != DNS_TEMP && s4 != DNS_TEMP;
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

/*
 * Addresses of a host: a literal as it is, else from DNS.  With secure
 * NULL and no resolver, from getaddrinfo(); with secure, always by DNS
 * queries (the system's resolver when none is given).
 */
static int
dns_addrs(const char *host, const char *rhost, int rport, int timeout,
    char ***addrs, size_t *n, int *secure, struct err **errp)
{
	char	 bare[DNS_LITERAL_MAX];
	int	 rv;

	*addrs = NULL;
	*n = 0;
	if (secure != NULL)
		*secure = 0;
	if (host == NULL || *host == '\0')
		return err_set(errp, ERR_INPUT, 0, "no host name given");
	if (dns_literal(host, bare, sizeof bare) != 0) {
		dns_addrs_add(addrs, n, bare);
		return 0;
	}
	if (rhost != NULL || secure != NULL)
		rv = dns_addrs_res(host, rhost, rport, timeout, addrs, n,
		    secure, errp);
	else
		rv = dns_addrs_gai(host, addrs, n, errp);
	if (rv == -1) {
		dns_addrs_free(*addrs, *n);
		*addrs = NULL;
		*n = 0;
		if (secure != NULL)
			*secure = 0;
	}
	return rv;
}

/* Addresses of a host. */
int
dns_host_addrs(const char *host, const char *rhost, int rport, int timeout,
    char ***addrs, size_t *n, struct err **errp)
{
	return dns_addrs(host, rhost, rport, timeout, addrs, n, NULL, errp);
}

/* Addresses of a host, and whether DNSSEC authenticated them. */
int
dns_host_addrs_secure(const char *host, const char *rhost, int rport,
    int timeout, char ***addrs, size_t *n, int *secure, struct err **errp)
{
	int	 dummy;

	return dns_addrs(host, rhost, rport, timeout, addrs, n,
	    secure != NULL ? secure : &dummy, errp);
}

/*
 * One query of a type for name: checks the name, opens c (the caller
 * closes it) and fails with words for what ("the TLSA records") on a
 * temporary failure.  0 with *s: DNS_OK, DNS_NXDOMAIN or DNS_NODATA.
 */
static int
dns_lookup_one(struct dns_ctx *c, const char *in, const char *rhost,
    int rport, int timeout, int type, const char *what, enum dns_status *s,
    struct err **errp)
{
	char	 name[NS_MAXDNAME];

	memset(c, 0, sizeof *c);
	if (dns_check_name(in, name, sizeof name, errp) == -1)
		return -1;
	if (dns_open(c, rhost, rport, timeout, errp) == -1)
		return -1;
	*s = dns_query(c, name, type);
	if (*s == DNS_TEMP)
		return err_set(errp, ERR_CONNECTION, 1,
		    "cannot look up %s of %s: %s", what, name, c->why);
	return 0;
}

/* Look up the TLSA records of a name. */
int
dns_tlsa_lookup(const char *name, const char *rhost, int rport, int timeout,
    struct dns_tlsalist *l, struct err **errp)
{
	struct dns_ctx	 c;
	enum dns_status	 s;
	int		 rv = -1;

	memset(l, 0, sizeof *l);
	if (dns_lookup_one(&c, name, rhost, rport, timeout, ns_t_tlsa,
	    "the TLSA records", &s, errp) == -1)
		goto fail;
	if (s == DNS_OK && dns_parse_tlsa(&c, l) == -1) {
		err_set(errp, ERR_CONNECTION, 1, "cannot look up the TLSA"
		    " records of %s: malformed DNS answer", name);
		goto fail;
	}
	l->secure = c.ad;
	rv = 0;

fail:
	dns_close(&c);
	if (rv == -1)
		dns_tlsalist_clear(l);
	return rv;
}

/* Free the records of a TLSA list and empty it. */
void
dns_tlsalist_clear(struct dns_tlsalist *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i].data);
	free(l->v);
	l->v = NULL;
	l->n = 0;
	l->secure = 0;
}

/* Look up the TXT records of a name. */
int
dns_txt_lookup(const char *name, const char *rhost, int rport, int timeout,
    char ***txts, size_t *n, int *secure, struct err **errp)
{
	struct dns_ctx	 c;
	enum dns_status	 s;
	int		 rv = -1;

	*txts = NULL;
	*n = 0;
	if (secure != NULL)
		*secure = 0;
	if (dns_lookup_one(&c, name, rhost, rport, timeout, ns_t_txt,
	    "the TXT records", &s, errp) == -1)
		goto fail;
	if (s == DNS_OK && dns_parse_txt(&c, txts, n) == -1) {
		err_set(errp, ERR_CONNECTION, 1, "cannot look up the TXT"
		    " records of %s: malformed DNS answer", name);
		goto fail;
	}
	if (secure != NULL)
		*secure = c.ad;
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

/* Free a TXT array. */
void
dns_txt_free(char **txts, size_t n)
{
	dns_addrs_free(txts, n);
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
	l->secure = 0;
}
