/*
 * Unit tests for dns: what needs no DNS server (literals, argument errors,
 * a resolver that does not answer).
 *
 * Run with arguments, it is also the client of tests/integration/dns.sh:
 *	test-dns lookup DOMAIN RESOLVER PORT [TIMEOUT]
 *		prints "mx PREF HOST" per MX in order, or "implicit HOST"
 *	test-dns addrs HOST RESOLVER PORT [TIMEOUT]
 *		prints "addr ADDRESS" per address
 * and on failure "error CLASS temporary|permanent: MESSAGE", exit 1.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dns.h"
#include "err.h"

static int	udp_socket(int *);
static void	expect_literal(const char *, const char *);
static void	expect_mx_error(const char *, const char *, int,
		    enum err_class, int);
static int	run(int, char **);

/* A UDP socket on 127.0.0.1 that never answers; its port in *port. */
static int
udp_socket(int *port)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	int			 fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd != -1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
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

/* The client of tests/integration/dns.sh. */
static int
run(int argc, char **argv)
{
	struct dns_mxlist	 l;
	struct err		*e = NULL;
	char			**a = NULL;
	size_t			 i, n = 0;
	int			 rv, port, timeout = 5;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: test-dns lookup|addrs NAME RESOLVER"
		    " PORT [TIMEOUT]\n");
		return 2;
	}
	port = atoi(argv[4]);
	if (argc == 6)
		timeout = atoi(argv[5]);
	if (strcmp(argv[1], "lookup") == 0) {
		rv = dns_mx_lookup(argv[2], argv[3], port, timeout, &l, &e);
		for (i = 0; rv == 0 && i < l.n; i++) {
			if (l.implicit)
				printf("implicit %s\n", l.v[i].host);
			else
				printf("mx %d %s\n", l.v[i].pref, l.v[i].host);
		}
		if (rv == 0)
			dns_mxlist_clear(&l);
	} else if (strcmp(argv[1], "addrs") == 0) {
		rv = dns_host_addrs(argv[2], argv[3], port, timeout, &a, &n,
		    &e);
		for (i = 0; rv == 0 && i < n; i++)
			printf("addr %s\n", a[i]);
		dns_addrs_free(a, n);
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
	};

	if (argc > 1)
		return run(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
