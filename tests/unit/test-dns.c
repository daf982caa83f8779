/*
 * Unit tests for dns: what needs no DNS server (literals, argument errors,
 * a resolver that does not answer), and what a scripted DNS server in a
 * child process answers byte by byte (the AD bit, TLSA and TXT records,
 * malformed lengths, SERVFAIL with an Extended DNS Error).
 *
 * Run with arguments, it is also the client of tests/integration/dns.sh
 * and tests/interop/dnssec.sh:
 *	test-dns lookup DOMAIN RESOLVER PORT [TIMEOUT]
 *		prints "mx PREF HOST" per MX in order, or "implicit HOST"
 *	test-dns addrs HOST RESOLVER PORT [TIMEOUT]
 *		prints "addr ADDRESS" per address
 *	test-dns tlsa NAME RESOLVER PORT [TIMEOUT]
 *		prints "tlsa USAGE SELECTOR MTYPE HEX" per record
 *	test-dns txt NAME RESOLVER PORT [TIMEOUT]
 *		prints "txt TEXT" per record
 * then "secure=1" or "secure=0" (the resolver's AD bit), and on failure
 * "error CLASS temporary|permanent: MESSAGE", exit 1.  RESOLVER "-" is
 * the system's (addrs then asks it by DNS, not getaddrinfo).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ifaddrs.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "dns.h"
#include "err.h"

static int	udp_socket(int *);
static int	udp_socket_at(const char *, int *);
static void	expect_literal(const char *, const char *);
static void	expect_mx_error(const char *, const char *, int,
		    enum err_class, int);
static size_t	fake_rr(unsigned char *, size_t, int, const void *, size_t,
		    size_t);
static size_t	fake_answer(const char *, int, unsigned char *, size_t, int *,
		    int *, int *, int *);
static void	fake_serve(int);
static int	fake_start(void **);
static int	fake_stop(void **);
static int	run(int, char **);

/* The scripted DNS server of the tests below: its address, port, pid. */
struct fake {
	char	 addr[INET_ADDRSTRLEN];
	int	 port;
	pid_t	 pid;
};

/* A UDP socket on 127.0.0.1 that never answers; its port in *port. */
static int
udp_socket(int *port)
{
	return udp_socket_at("127.0.0.1", port);
}

/* The same on an IPv4 address of this machine. */
static int
udp_socket_at(const char *addr, int *port)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	int			 fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd != -1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* dns_host_addrs returns a literal as it is, without brackets. */
static void
expect_literal(const char *host, const char *want)
{
	struct err	*e = NULL;
	char		**a = NULL;
	size_t		 n = 0;

	assert_int_equal(dns_host_addrs(host, NULL, 0, 5, &a, &n, &e), 0);
	assert_null(e);
	assert_int_equal(n, 1);
	assert_string_equal(a[0], want);
	dns_addrs_free(a, n);
}

/* dns_mx_lookup fails with the given class and temporariness. */
static void
expect_mx_error(const char *domain, const char *rhost, int rport,
    enum err_class cls, int temporary)
{
	struct dns_mxlist	 l;
	struct err		*e = NULL;

	memset(&l, 0xff, sizeof l);
	assert_int_equal(dns_mx_lookup(domain, rhost, rport, 2, &l, &e), -1);
	assert_non_null(e);
	assert_int_equal(e->cls, cls);
	assert_int_equal(e->temporary, temporary);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
	err_free(e);
	dns_mxlist_clear(&l);
}

/* Address literals, with and without brackets. */
static void
test_literals(void **state)
{
	struct err	*e = NULL;
	char		**a = NULL;
	size_t		 n = 0;

	(void)state;
	expect_literal("127.0.0.1", "127.0.0.1");
	expect_literal("[192.0.2.1]", "192.0.2.1");
	expect_literal("::1", "::1");
	expect_literal("[::1]", "::1");
	expect_literal("[IPv6:2001:db8::25]", "2001:db8::25");

	/* A literal needs no resolver, not even a well-formed one. */
	assert_int_equal(dns_host_addrs("[::1]", "nope", 0, 1, &a, &n, &e), 0);
	assert_null(e);
	assert_int_equal(n, 1);
	assert_string_equal(a[0], "::1");
	dns_addrs_free(a, n);
}

/* A literal domain (user@[192.0.2.1]) is its own, implicit, MX. */
static void
test_mx_literal(void **state)
{
	struct dns_mxlist	 l;
	struct err		*e = NULL;

	(void)state;
	assert_int_equal(dns_mx_lookup("[192.0.2.1]", NULL, 0, 2, &l, &e), 0);
	assert_null(e);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.implicit, 1);
	assert_string_equal(l.v[0].host, "192.0.2.1");
	dns_mxlist_clear(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
}

/* Bad names are input errors, bad resolvers config errors. */
static void
test_arguments(void **state)
{
	struct err	*e = NULL;
	char		 longlabel[80], longname[300];
	char		**a = NULL;
	size_t		 n;

	(void)state;
	memset(longlabel, 'a', 64);
	longlabel[64] = '\0';
	memset(longname, 'a', sizeof longname);
	for (n = 10; n < sizeof longname; n += 10)
		longname[n] = '.';
	longname[260] = '\0';

	expect_mx_error(NULL, NULL, 0, ERR_INPUT, 0);
	expect_mx_error("", NULL, 0, ERR_INPUT, 0);
	expect_mx_error("a..b", NULL, 0, ERR_INPUT, 0);
	expect_mx_error(".", NULL, 0, ERR_INPUT, 0);
	expect_mx_error("bad name.test", NULL, 0, ERR_INPUT, 0);
	expect_mx_error("evil\033[2J.test", NULL, 0, ERR_INPUT, 0);
	expect_mx_error(longlabel, NULL, 0, ERR_INPUT, 0);
	expect_mx_error(longname, NULL, 0, ERR_INPUT, 0);
	expect_mx_error("example.test", "resolver.example", 53, ERR_CONFIG, 0);
	expect_mx_error("example.test", "127.0.0.1", 70000, ERR_CONFIG, 0);
	expect_mx_error("example.test", "127.0.0.1", -1, ERR_CONFIG, 0);

	n = 7;
	assert_int_equal(dns_host_addrs("", NULL, 0, 2, &a, &n, &e), -1);
	assert_int_equal(e->cls, ERR_INPUT);
	assert_null(a);
	assert_int_equal(n, 0);
	err_free(e);
	e = NULL;
	assert_int_equal(dns_host_addrs(NULL, NULL, 0, 2, &a, &n, &e), -1);
	err_free(e);
	e = NULL;
	assert_int_equal(dns_host_addrs("no way", "127.0.0.1", 53, 2, &a, &n,
	    &e), -1);
	assert_int_equal(e->cls, ERR_INPUT);
	err_free(e);
	e = NULL;
	assert_int_equal(dns_host_addrs("mx.test", "nope", 53, 2, &a, &n, &e),
	    -1);
	assert_int_equal(e->cls, ERR_CONFIG);
	err_free(e);

	/* errp may be NULL. */
	assert_int_equal(dns_host_addrs("x y", NULL, 0, 2, &a, &n, NULL), -1);
	dns_addrs_free(NULL, 0);
	dns_mxlist_clear(NULL);
}

/*
 * A resolver that never answers fails, temporarily.  How long it takes is
 * a benchmark figure (make bench BENCH=6); here only a hang bound: the
 * alarm kills the test if a lookup is still waiting after 60 s.
 */
static void
test_dead_resolver(void **state)
{
	struct dns_mxlist	 l;
	struct err		*e = NULL;
	char			**a = NULL;
	size_t			 n = 0;
	int			 fd, port;

	(void)state;
	fd = udp_socket(&port);
	alarm(60);
	assert_int_equal(dns_mx_lookup("example.test", "127.0.0.1", port, 2,
	    &l, &e), -1);
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_CONNECTION);
	assert_int_equal(e->temporary, 1);
	assert_non_null(strstr(e->msg, "example.test"));
	err_free(e);
	e = NULL;

	assert_int_equal(dns_host_addrs("mx.example.test", "[127.0.0.1]",
	    port, 1, &a, &n, &e), -1);
	assert_int_equal(e->cls, ERR_CONNECTION);
	assert_int_equal(e->temporary, 1);
	err_free(e);
	e = NULL;
	close(fd);

	/* Nobody on the port at all: refused, also temporary. */
	assert_int_equal(dns_mx_lookup("example.test", "127.0.0.1", port, 2,
	    &l, &e), -1);
	assert_int_equal(e->cls, ERR_CONNECTION);
	assert_int_equal(e->temporary, 1);
	err_free(e);
	alarm(0);
}

/* Without a resolver, getaddrinfo() answers (localhost is in hosts). */
static void
test_getaddrinfo(void **state)
{
	struct err	*e = NULL;
	char		**a = NULL;
	size_t		 i, n = 0;
	int		 loop = 0;

	(void)state;
	if (dns_host_addrs("localhost", NULL, 0, 2, &a, &n, &e) == -1) {
		err_free(e);
		skip();
	}
	assert_true(n > 0);
	for (i = 0; i < n; i++)
		if (strcmp(a[i], "127.0.0.1") == 0 || strcmp(a[i], "::1") == 0)
			loop = 1;
	assert_true(loop);
	dns_addrs_free(a, n);
}

/*
 * Append one answer record, its owner a pointer to the question's name,
 * with rdlen claimed (it may lie: claimed != len) and len bytes of rdata.
 */
static size_t
fake_rr(unsigned char *p, size_t off, int type, const void *rd, size_t len,
    size_t claimed)
{
	static const unsigned char	 head[] = { 0xc0, 0x0c };

	memcpy(p + off, head, 2);
	p[off + 2] = type >> 8;
	p[off + 3] = type & 0xff;
	p[off + 4] = 0;
	p[off + 5] = 1;			/* class IN */
	memset(p + off + 6, 0, 3);
	p[off + 9] = 60;		/* TTL */
	p[off + 10] = claimed >> 8;
	p[off + 11] = claimed & 0xff;
	memcpy(p + off + 12, rd, len);
	return off + 12 + len;
}

/*
 * What the scripted server answers to a query of qtype for a name whose
 * first label is case: the records appended at p (returned: the new end),
 * their counts, the AD bit and the RCODE.
 */
static size_t
fake_answer(const char *label, int qtype, unsigned char *p, size_t off,
    int *an, int *ar, int *ad, int *rcode)
{
	unsigned char	 rd[64];
	size_t		 i;

	*an = *ar = *ad = *rcode = 0;
	if (strcmp(label, "tlsa-ad") == 0 && qtype == ns_t_tlsa) {
		rd[0] = 3;
		rd[1] = 1;
		rd[2] = 1;
		for (i = 0; i < 32; i++)
			rd[3 + i] = i;
		off = fake_rr(p, off, ns_t_tlsa, rd, 35, 35);
		memcpy(rd, "\x02\x00\x01\xaa\xbb\xcc", 6);
		off = fake_rr(p, off, ns_t_tlsa, rd, 6, 6);
		*an = 2;
		*ad = 1;
	} else if (strcmp(label, "tlsa-short") == 0) {
		off = fake_rr(p, off, ns_t_tlsa, "\x03\x01", 2, 2);
		*an = 1;
	} else if (strcmp(label, "tlsa-over") == 0) {
		off = fake_rr(p, off, ns_t_tlsa, "\x03\x01\x01\x00\x01", 5,
		    100);
		*an = 1;
	} else if (strcmp(label, "nx-ad") == 0) {
		*rcode = ns_r_nxdomain;
		*ad = 1;
	} else if (strcmp(label, "txt") == 0 && qtype == ns_t_txt) {
		off = fake_rr(p, off, ns_t_txt, "\x09v=STSv1; \x0bid=20240101",
		    22, 22);
		off = fake_rr(p, off, ns_t_txt, "\x03" "a\0b", 4, 4);
		off = fake_rr(p, off, ns_t_txt, "", 0, 0);
		*an = 3;
		*ad = 1;
	} else if (strcmp(label, "txt-over") == 0) {
		off = fake_rr(p, off, ns_t_txt, "\xc8" "abcd", 5, 5);
		*an = 1;
	} else if (strncmp(label, "servfail", 8) == 0) {
		*rcode = ns_r_servfail;
		/* OPT: root owner, type 41, then class, TTL, RDATA. */
		memcpy(rd, "\x00\x00\x29\x04\xd0\x00\x00\x00\x00", 9);
		if (strcmp(label, "servfail-ede") == 0)
			memcpy(rd + 9, "\x00\x06\x00\x0f\x00\x02\x00\x07", 8);
		else if (strcmp(label, "servfail-net") == 0)
			memcpy(rd + 9, "\x00\x06\x00\x0f\x00\x02\x00\x16", 8);
		else if (strcmp(label, "servfail-badopt") == 0)
			memcpy(rd + 9, "\x00\x06\x00\x0f\x00\x40\x00\x07", 8);
		else
			return off;
		memcpy(p + off, rd, 17);
		off += 17;
		*ar = 1;
	} else if (strcmp(label, "mx-ad") == 0 || strcmp(label, "mx-noad") == 0) {
		if (qtype == ns_t_mx) {
			off = fake_rr(p, off, ns_t_mx, "\x00\x0a\x02mx\x04test\0",
			    11, 11);
			*an = 1;
		}
		*ad = label[3] == 'a';
	} else if (strcmp(label, "host-ad") == 0 ||
	    strcmp(label, "host-half") == 0) {
		if (qtype == ns_t_a) {
			off = fake_rr(p, off, ns_t_a, "\x7f\x00\x01\x07", 4,
			    4);
			*an = 1;
		}
		/* host-half: the AAAA denial is not authenticated. */
		*ad = qtype == ns_t_a || label[5] == 'a';
	}
	return off;
}

/* Answer queries on fd until killed (at most a minute). */
static void
fake_serve(int fd)
{
	struct sockaddr_storage	 from;
	socklen_t		 flen;
	unsigned char		 q[512], r[1024];
	char			 label[64];
	ssize_t			 n;
	size_t			 qend, off;
	int			 qtype, an, ar, ad, rcode;

	alarm(60);
	for (;;) {
		flen = sizeof from;
		n = recvfrom(fd, q, sizeof q, 0, (struct sockaddr *)&from,
		    &flen);
		if (n < HFIXEDSZ + 5)
			continue;
		for (qend = HFIXEDSZ; qend < (size_t)n && q[qend] != 0;)
			qend += q[qend] + 1;
		qend += 5;
		if (qend > (size_t)n || q[HFIXEDSZ] >= sizeof label)
			continue;
		memcpy(label, q + HFIXEDSZ + 1, q[HFIXEDSZ]);
		label[q[HFIXEDSZ]] = '\0';
		qtype = q[qend - 4] << 8 | q[qend - 3];
		memcpy(r, q, qend);
		off = fake_answer(label, qtype, r, qend, &an, &ar, &ad,
		    &rcode);
		r[2] = 0x80 | (q[2] & 0x01);		/* QR, RD */
		r[3] = 0x80 | (ad ? 0x20 : 0) | rcode;	/* RA, AD */
		r[4] = 0;
		r[5] = 1;
		r[6] = 0;
		r[7] = an;
		r[8] = r[9] = 0;
		r[10] = 0;
		r[11] = ar;
		sendto(fd, r, off, 0, (struct sockaddr *)&from, flen);
	}
}

/* Start the scripted server in a child process. */
static int
fake_start(void **state)
{
	static struct fake	 f;
	int			 fd;

	if (*state != NULL)	/* an address chosen by the test's setup */
		snprintf(f.addr, sizeof f.addr, "%s", (const char *)*state);
	else
		snprintf(f.addr, sizeof f.addr, "127.0.0.1");
	fd = udp_socket_at(f.addr, &f.port);
	f.pid = fork();
	assert_true(f.pid != -1);
	if (f.pid == 0) {
		fake_serve(fd);
		_exit(0);
	}
	close(fd);
	*state = &f;
	return 0;
}

/*
 * The scripted server on an address of this machine that is not
 * loopback, if there is one (else the test skips).
 */
static int
fake_start_outside(void **state)
{
	static char		 addr[INET_ADDRSTRLEN];
	struct ifaddrs		*ifa, *i;
	struct sockaddr_in	*sin;

	addr[0] = '\0';
	if (getifaddrs(&ifa) == 0) {
		for (i = ifa; i != NULL && addr[0] == '\0'; i = i->ifa_next) {
			if (i->ifa_addr == NULL ||
			    i->ifa_addr->sa_family != AF_INET)
				continue;
			sin = (struct sockaddr_in *)i->ifa_addr;
			if ((ntohl(sin->sin_addr.s_addr) >> 24) == 127)
				continue;
			inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof addr);
		}
		freeifaddrs(ifa);
	}
	if (addr[0] == '\0') {
		*state = NULL;
		return 0;
	}
	*state = addr;
	return fake_start(state);
}

/* Stop it. */
static int
fake_stop(void **state)
{
	struct fake	*f = *state;

	if (f == NULL)
		return 0;
	kill(f->pid, SIGTERM);
	waitpid(f->pid, NULL, 0);
	return 0;
}

/* TLSA records byte for byte, the AD bit, lengths that lie. */
static void
test_tlsa(void **state)
{
	struct fake		*f = *state;
	struct dns_tlsalist	 l;
	struct err		*e = NULL;
	size_t			 i;

	assert_int_equal(dns_tlsa_lookup("tlsa-ad.test", "127.0.0.1",
	    f->port, 2, &l, &e), 0);
	assert_null(e);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.secure, 1);
	assert_int_equal(l.v[0].usage, 3);
	assert_int_equal(l.v[0].selector, 1);
	assert_int_equal(l.v[0].mtype, 1);
	assert_int_equal(l.v[0].len, 32);
	for (i = 0; i < 32; i++)
		assert_int_equal(l.v[0].data[i], i);
	assert_int_equal(l.v[1].usage, 2);
	assert_int_equal(l.v[1].selector, 0);
	assert_int_equal(l.v[1].len, 3);
	assert_memory_equal(l.v[1].data, "\xaa\xbb\xcc", 3);
	dns_tlsalist_clear(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);

	/* NODATA: no records, and the denial was not authenticated. */
	assert_int_equal(dns_tlsa_lookup("_25._tcp.mx-noad.test", "127.0.0.1",
	    f->port, 2, &l, &e), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.secure, 0);
	/* NXDOMAIN, authenticated. */
	assert_int_equal(dns_tlsa_lookup("nx-ad.test", "127.0.0.1", f->port,
	    2, &l, &e), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.secure, 1);

	/* Shorter than usage, selector, type; longer than the message. */
	assert_int_equal(dns_tlsa_lookup("tlsa-short.test", "127.0.0.1",
	    f->port, 2, &l, &e), -1);
	assert_int_equal(e->cls, ERR_CONNECTION);
	assert_non_null(strstr(e->msg, "malformed"));
	assert_int_equal(l.n, 0);
	assert_null(l.v);
	err_free(e);
	e = NULL;
	assert_int_equal(dns_tlsa_lookup("tlsa-over.test", "127.0.0.1",
	    f->port, 2, &l, &e), -1);
	assert_int_equal(e->cls, ERR_CONNECTION);
	err_free(e);
	e = NULL;
	assert_int_equal(dns_tlsa_lookup("bad name", "127.0.0.1", f->port, 2,
	    &l, &e), -1);
	assert_int_equal(e->cls, ERR_INPUT);
	err_free(e);
	dns_tlsalist_clear(NULL);
}

/* TXT strings joined; a NUL byte and a string past its record. */
static void
test_txt(void **state)
{
	struct fake	*f = *state;
	struct err	*e = NULL;
	char		**t;
	size_t		 n;
	int		 secure = 7;

	assert_int_equal(dns_txt_lookup("txt.test", "127.0.0.1", f->port, 2,
	    &t, &n, &secure, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(t[0], "v=STSv1; id=20240101");
	assert_string_equal(t[1], "");
	assert_int_equal(secure, 1);
	dns_txt_free(t, n);

	assert_int_equal(dns_txt_lookup("mx-noad.test", "127.0.0.1", f->port,
	    2, &t, &n, NULL, &e), 0);
	assert_int_equal(n, 0);
	assert_null(t);

	assert_int_equal(dns_txt_lookup("txt-over.test", "127.0.0.1", f->port,
	    2, &t, &n, &secure, &e), -1);
	assert_int_equal(e->cls, ERR_CONNECTION);
	assert_non_null(strstr(e->msg, "malformed"));
	assert_int_equal(n, 0);
	assert_null(t);
	assert_int_equal(secure, 0);
	err_free(e);
}

/* SERVFAIL says why when the resolver sends an Extended DNS Error. */
static void
test_servfail(void **state)
{
	struct fake		*f = *state;
	struct dns_mxlist	 l;
	struct dns_tlsalist	 tl;
	struct err		*e = NULL;

	assert_int_equal(dns_mx_lookup("servfail-ede.test", "127.0.0.1",
	    f->port, 2, &l, &e), -1);
	assert_int_equal(e->cls, ERR_CONNECTION);
	assert_int_equal(e->temporary, 1);
	assert_non_null(strstr(e->msg, "DNSSEC validation failed at the"));
	assert_non_null(strstr(e->msg, "signature expired"));
	err_free(e);
	e = NULL;

	assert_int_equal(dns_tlsa_lookup("servfail-net.test", "127.0.0.1",
	    f->port, 2, &tl, &e), -1);
	assert_null(strstr(e->msg, "DNSSEC validation failed"));
	assert_non_null(strstr(e->msg, "no reachable authority"));
	err_free(e);
	e = NULL;

	/* No EDE, or one whose length runs past the record. */
	assert_int_equal(dns_mx_lookup("servfail.test", "127.0.0.1", f->port,
	    2, &l, &e), -1);
	assert_non_null(strstr(e->msg, "DNSSEC validation failed or the"));
	err_free(e);
	e = NULL;
	assert_int_equal(dns_mx_lookup("servfail-badopt.test", "127.0.0.1",
	    f->port, 2, &l, &e), -1);
	assert_non_null(strstr(e->msg, "DNSSEC validation failed or the"));
	err_free(e);
}

/* secure follows the AD bit: MX, implicit MX, addresses. */
static void
test_secure(void **state)
{
	struct fake		*f = *state;
	struct dns_mxlist	 l;
	struct err		*e = NULL;
	char			**a;
	size_t			 n;
	int			 secure;

	assert_int_equal(dns_mx_lookup("mx-ad.test", "127.0.0.1", f->port, 2,
	    &l, &e), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].host, "mx.test");
	assert_int_equal(l.secure, 1);
	dns_mxlist_clear(&l);
	assert_int_equal(l.secure, 0);
	assert_int_equal(dns_mx_lookup("mx-noad.test", "127.0.0.1", f->port,
	    2, &l, &e), 0);
	assert_int_equal(l.secure, 0);
	dns_mxlist_clear(&l);

	/* Implicit MX: the MX denial and both address replies count. */
	assert_int_equal(dns_mx_lookup("host-ad.test", "127.0.0.1", f->port,
	    2, &l, &e), 0);
	assert_int_equal(l.implicit, 1);
	assert_int_equal(l.secure, 1);
	dns_mxlist_clear(&l);
	assert_int_equal(dns_mx_lookup("host-half.test", "127.0.0.1",
	    f->port, 2, &l, &e), 0);
	assert_int_equal(l.implicit, 1);
	assert_int_equal(l.secure, 0);
	dns_mxlist_clear(&l);

	assert_int_equal(dns_host_addrs_secure("host-ad.test", "127.0.0.1",
	    f->port, 2, &a, &n, &secure, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(a[0], "127.0.1.7");
	assert_int_equal(secure, 1);
	dns_addrs_free(a, n);
	assert_int_equal(dns_host_addrs_secure("host-half.test", "127.0.0.1",
	    f->port, 2, &a, &n, &secure, &e), 0);
	assert_int_equal(secure, 0);
	dns_addrs_free(a, n);
	/* A literal is not something DNS said. */
	secure = 1;
	assert_int_equal(dns_host_addrs_secure("[127.0.0.1]", "127.0.0.1",
	    f->port, 2, &a, &n, &secure, &e), 0);
	assert_int_equal(secure, 0);
	dns_addrs_free(a, n);
	assert_null(e);
}

/* AD from a resolver that is not on loopback counts for nothing. */
static void
test_untrusted(void **state)
{
	struct fake		*f = *state;
	struct dns_mxlist	 l;
	struct dns_tlsalist	 tl;
	struct err		*e = NULL;

	if (f == NULL)
		skip();
	assert_int_equal(dns_mx_lookup("mx-ad.test", f->addr, f->port, 2,
	    &l, &e), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.secure, 0);
	dns_mxlist_clear(&l);
	assert_int_equal(dns_tlsa_lookup("tlsa-ad.test", f->addr, f->port, 2,
	    &tl, &e), 0);
	assert_int_equal(tl.n, 2);
	assert_int_equal(tl.secure, 0);
	dns_tlsalist_clear(&tl);
	assert_null(e);
}

/* The client of tests/integration/dns.sh and tests/interop/dnssec.sh. */
static int
run(int argc, char **argv)
{
	struct dns_mxlist	 l;
	struct dns_tlsalist	 tl;
	struct err		*e = NULL;
	const char		*rhost;
	char			**a = NULL;
	size_t			 i, j, n = 0;
	int			 rv, port, secure = 0, timeout = 5;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: test-dns lookup|addrs|tlsa|txt NAME"
		    " RESOLVER PORT [TIMEOUT]\n");
		return 2;
	}
	rhost = strcmp(argv[3], "-") == 0 ? NULL : argv[3];
	port = atoi(argv[4]);
	if (argc == 6)
		timeout = atoi(argv[5]);
	if (strcmp(argv[1], "lookup") == 0) {
		rv = dns_mx_lookup(argv[2], rhost, port, timeout, &l, &e);
		for (i = 0; rv == 0 && i < l.n; i++) {
			if (l.implicit)
				printf("implicit %s\n", l.v[i].host);
			else
				printf("mx %d %s\n", l.v[i].pref, l.v[i].host);
		}
		secure = l.secure;
		if (rv == 0)
			dns_mxlist_clear(&l);
	} else if (strcmp(argv[1], "addrs") == 0) {
		rv = dns_host_addrs_secure(argv[2], rhost, port, timeout, &a,
		    &n, &secure, &e);
		for (i = 0; rv == 0 && i < n; i++)
			printf("addr %s\n", a[i]);
		dns_addrs_free(a, n);
	} else if (strcmp(argv[1], "tlsa") == 0) {
		rv = dns_tlsa_lookup(argv[2], rhost, port, timeout, &tl, &e);
		for (i = 0; rv == 0 && i < tl.n; i++) {
			printf("tlsa %u %u %u ", tl.v[i].usage,
			    tl.v[i].selector, tl.v[i].mtype);
			for (j = 0; j < tl.v[i].len; j++)
				printf("%02x", tl.v[i].data[j]);
			printf("\n");
		}
		secure = tl.secure;
		dns_tlsalist_clear(&tl);
	} else if (strcmp(argv[1], "txt") == 0) {
		rv = dns_txt_lookup(argv[2], rhost, port, timeout, &a, &n,
		    &secure, &e);
		/* The lab's own records: printable, printed as they are. */
		for (i = 0; rv == 0 && i < n; i++)
			printf("txt %s\n", a[i]);
		dns_txt_free(a, n);
	} else {
		fprintf(stderr, "test-dns: unknown mode %s\n", argv[1]);
		return 2;
	}
	if (rv == -1) {
		printf("error %s %s: %s\n", err_class_name(e->cls),
		    e->temporary ? "temporary" : "permanent", e->msg);
		err_free(e);
		return 1;
	}
	printf("secure=%d\n", secure);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_mx_literal),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_dead_resolver),
		cmocka_unit_test(test_getaddrinfo),
		cmocka_unit_test_setup_teardown(test_tlsa, fake_start,
		    fake_stop),
		cmocka_unit_test_setup_teardown(test_txt, fake_start,
		    fake_stop),
		cmocka_unit_test_setup_teardown(test_servfail, fake_start,
		    fake_stop),
		cmocka_unit_test_setup_teardown(test_secure, fake_start,
		    fake_stop),
		cmocka_unit_test_setup_teardown(test_untrusted,
		    fake_start_outside, fake_stop),
	};

	if (argc > 1)
		return run(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
