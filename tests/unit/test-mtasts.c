/*
 * Unit tests for mtasts: the TXT record, the policy parser, MX patterns,
 * the cache in a real store file, and a fetch that cannot start.
 *
 * Run with arguments, it is also the client of
 * tests/integration/mta-sts.sh:
 *	test-mtasts policy DOMAIN RESOLVER PORT CA_FILE STORE [NOW [TIMEOUT]]
 * CA_FILE "-": none (the system's trust only); NOW a unix time (default:
 * the clock).  Prints "mode M", "source S", then "id ID", "max_age N",
 * "fetched T" and "mx PATTERN" lines when there is a policy, and "fail
 * KIND" and "failure WORDS" when a fetch failed; exit 0.  An error of
 * mtasts_policy_for: "error CLASS: MESSAGE", exit 1.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "mtasts.h"
#include "store.h"

static void	expect_id(const char *, int, const char *);
static void	expect_bad(const char *, const char *);
static int	run(int, char **);

/* mtasts_txt_id gives r and (when 1) the id. */
static void
expect_id(const char *txt, int r, const char *want)
{
	char	*id = (char *)"junk";

	assert_int_equal(mtasts_txt_id(txt, &id), r);
	if (r == 1)
		assert_string_equal(id, want);
	else
		assert_null(id);
	free(id);
}

/* mtasts_parse refuses text with a message containing want. */
static void
expect_bad(const char *text, const char *want)
{
	struct mtasts_policy	 p;
	struct err		*e = NULL;

	memset(&p, 0xff, sizeof p);
	assert_int_equal(mtasts_parse(text, strlen(text), &p, &e), -1);
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_PROTOCOL);
	if (strstr(e->msg, want) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", e->msg, want);
	assert_int_equal(p.nmx, 0);
	assert_null(p.mx);
	err_free(e);
}

/* The TXT record of 3.1. */
static void
test_txt(void **state)
{
	char	 id33[64], txt[96];

	(void)state;
	expect_id("v=STSv1; id=20160831085700Z;", 1, "20160831085700Z");
	expect_id("v=STSv1; id=1", 1, "1");
	expect_id("v=STSv1;id=abc", 1, "abc");
	expect_id("v=STSv1 ;\tid=abc ; ", 1, "abc");
	expect_id("v=STSv1; ext=x.y; id=A1; other_ext-2=foo", 1, "A1");
	expect_id("v=STSv1; id=first; id=second", 1, "first");
	/* Not MTA-STS records at all: ignored. */
	expect_id("v=spf1 -all", 0, NULL);
	expect_id("v=STSv2; id=1", 0, NULL);
	expect_id("v=STSv10; id=1", 0, NULL);
	expect_id(" v=STSv1; id=1", 0, NULL);
	expect_id("V=STSv1; id=1", 0, NULL);
	expect_id("", 0, NULL);
	/* MTA-STS records, but broken. */
	expect_id("v=STSv1;", -1, NULL);
	expect_id("v=STSv1; id=", -1, NULL);
	expect_id("v=STSv1; id=a-b", -1, NULL);
	expect_id("v=STSv1; id=a b", -1, NULL);
	expect_id("v=STSv1; ID=1", -1, NULL);
	expect_id("v=STSv1; ext=; id=1", -1, NULL);
	expect_id("v=STSv1; =x; id=1", -1, NULL);
	expect_id("v=STSv1 id=1", -1, NULL);
	memset(id33, 'a', 33);
	id33[32] = '\0';
	snprintf(txt, sizeof txt, "v=STSv1; id=%s;", id33);
	expect_id(txt, 1, id33);
	id33[32] = 'a';
	id33[33] = '\0';
	snprintf(txt, sizeof txt, "v=STSv1; id=%s;", id33);
	expect_id(txt, -1, NULL);
}

/* Policies that parse. */
static void
test_parse(void **state)
{
	struct mtasts_policy	 p;
	struct err		*e = NULL;
	const char		*lf = "version: STSv1\nmode: enforce\n"
				    "mx: mail.example.com\nmx: *.Example.NET.\n"
				    "max_age: 604800\n";
	const char		*crlf = "version: STSv1\r\nmode: testing\r\n"
				    "mx: mx.example.com\r\nmax_age: 86400";
	const char		*odd = "\nmode:none \nfoo: bar baz\n"
				    "max_age:\t0\nversion: STSv1\n\n";
	const char		*twice = "version: STSv1\nmode: testing\n"
				    "mode: enforce\nmax_age: 5\nmax_age: x\n"
				    "mx: a.example\nmx: b.example\n";

	(void)state;
	assert_int_equal(mtasts_parse(lf, strlen(lf), &p, &e), 0);
	assert_null(e);
	assert_int_equal(p.mode, MTASTS_ENFORCE);
	assert_int_equal(p.max_age, 604800);
	assert_int_equal(p.nmx, 2);
	assert_string_equal(p.mx[0], "mail.example.com");
	assert_string_equal(p.mx[1], "*.example.net");
	assert_null(p.id);
	assert_int_equal(p.source, MTASTS_SRC_NONE);
	mtasts_policy_clear(&p);
	assert_null(p.mx);

	assert_int_equal(mtasts_parse(crlf, strlen(crlf), &p, &e), 0);
	assert_int_equal(p.mode, MTASTS_TESTING);
	assert_int_equal(p.max_age, 86400);
	assert_int_equal(p.nmx, 1);
	assert_string_equal(p.mx[0], "mx.example.com");
	mtasts_policy_clear(&p);

	/* Blank lines, unknown keys, any order; none needs no mx. */
	assert_int_equal(mtasts_parse(odd, strlen(odd), &p, &e), 0);
	assert_int_equal(p.mode, MTASTS_NONE);
	assert_int_equal(p.max_age, 0);
	assert_int_equal(p.nmx, 0);
	mtasts_policy_clear(&p);

	/* Of a key given twice the first counts; every mx counts. */
	assert_int_equal(mtasts_parse(twice, strlen(twice), &p, &e), 0);
	assert_int_equal(p.mode, MTASTS_TESTING);
	assert_int_equal(p.max_age, 5);
	assert_int_equal(p.nmx, 2);
	mtasts_policy_clear(&p);

	/* Only len bytes are read. */
	assert_int_equal(mtasts_parse(lf, strlen(lf) - 1, &p, &e), 0);
	assert_int_equal(p.max_age, 604800);
	mtasts_policy_clear(&p);
	assert_null(e);
}

/* Policies that do not, with a message that says why. */
static void
test_parse_bad(void **state)
{
	char	*big;

	(void)state;
	expect_bad("mode: enforce\nmx: a.b\nmax_age: 1\n", "no version");
	expect_bad("version: STSv1\nmx: a.b\nmax_age: 1\n", "no mode");
	expect_bad("version: STSv1\nmode: enforce\nmx: a.b\n", "no max_age");
	expect_bad("version: STSv1\nmode: enforce\nmax_age: 1\n",
	    "mode enforce without an mx pattern");
	expect_bad("version: STSv1\nmode: testing\nmax_age: 1\n",
	    "mode testing without an mx pattern");
	expect_bad("version: STSv2\nmode: none\nmax_age: 1\n",
	    "line 1: version is not STSv1: \"STSv2\"");
	expect_bad("version: stsv1\nmode: none\nmax_age: 1\n",
	    "version is not STSv1");
	expect_bad("version: STSv1\nmode: Enforce\nmx: a.b\nmax_age: 1\n",
	    "line 2: mode is not enforce, testing or none");
	expect_bad("version: STSv1\nmode: none\nmax_age: -1\n",
	    "line 3: max_age is not a number");
	expect_bad("version: STSv1\nmode: none\nmax_age: 1h\n",
	    "max_age is not a number");
	expect_bad("version: STSv1\nmode: none\nmax_age:\n",
	    "max_age is not a number");
	expect_bad("version: STSv1\nmode: none\nmax_age: 00000000001\n",
	    "max_age is not a number");
	expect_bad("version: STSv1\nmode: none\nmax_age: 31557601\n",
	    "max_age is over 31557600");
	expect_bad("version: STSv1\nmode: none\nmax_age: 9999999999\n",
	    "max_age is over");
	expect_bad("version: STSv1\nmode: enforce\nmx: *\nmax_age: 1\n",
	    "line 3: mx is not a host name or *.domain pattern: \"*\"");
	expect_bad("version: STSv1\nmode: enforce\nmx: a.*.b\nmax_age: 1\n",
	    "mx is not a host name");
	expect_bad("version: STSv1\nmode: enforce\nmx: a..b\nmax_age: 1\n",
	    "mx is not a host name");
	expect_bad("version: STSv1\nmode: enforce\nmx: a b\nmax_age: 1\n",
	    "mx is not a host name");
	expect_bad("version: STSv1\nmode: enforce\nmx:\nmax_age: 1\n",
	    "mx is not a host name");
	expect_bad("version: STSv1\nno colon here\n",
	    "line 2: not \"key: value\": \"no colon here\"");
	expect_bad("version: STSv1\n:x\n", "line 2: not a key");
	expect_bad("version: STSv1\n-x: y\n", "not a key");
	/* A CR alone is no line end, and a control is not echoed. */
	expect_bad("version: STSv1\rmode: none\nmax_age: 1\n",
	    "line 1: version is not STSv1");
	expect_bad("version: STSv1\0\nmode: none\nmax_age: 1\n", "no mode");
	{
		struct mtasts_policy	 p;
		struct err		*e = NULL;
		const char		 nul[] = "version: STSv1\nmode: none\0\n"
					    "max_age: 1\n";

		assert_int_equal(mtasts_parse(nul, sizeof nul - 1, &p, &e),
		    -1);
		assert_non_null(strstr(e->msg, "NUL byte"));
		err_free(e);
	}
	/* The size bound. */
	big = malloc(MTASTS_BODY_MAX + 2);
	assert_non_null(big);
	memset(big, '\n', MTASTS_BODY_MAX + 1);
	memcpy(big, "version: STSv1\nmode: none\nmax_age: 1\n", 37);
	{
		struct mtasts_policy	 p;
		struct err		*e = NULL;

		assert_int_equal(mtasts_parse(big, MTASTS_BODY_MAX, &p, &e),
		    0);
		mtasts_policy_clear(&p);
		assert_int_equal(mtasts_parse(big, MTASTS_BODY_MAX + 1, &p,
		    &e), -1);
		assert_non_null(strstr(e->msg, "over 65536 bytes"));
		err_free(e);
	}
	free(big);
}

/* max_age at its bounds. */
static void
test_max_age(void **state)
{
	struct mtasts_policy	 p;
	struct err		*e = NULL;
	const char		*zero = "version: STSv1\nmode: none\n"
				    "max_age: 0\n";
	const char		*top = "version: STSv1\nmode: none\n"
				    "max_age: 31557600\n";
	const char		*ten = "version: STSv1\nmode: none\n"
				    "max_age: 0031557600\n";

	(void)state;
	assert_int_equal(mtasts_parse(zero, strlen(zero), &p, &e), 0);
	assert_int_equal(p.max_age, 0);
	mtasts_policy_clear(&p);
	assert_int_equal(mtasts_parse(top, strlen(top), &p, &e), 0);
	assert_int_equal(p.max_age, 31557600);
	mtasts_policy_clear(&p);
	assert_int_equal(mtasts_parse(ten, strlen(ten), &p, &e), 0);
	assert_int_equal(p.max_age, 31557600);
	mtasts_policy_clear(&p);
	assert_null(e);
}

/* MX patterns (3.4). */
static void
test_mx_match(void **state)
{
	struct mtasts_policy	 p;
	struct err		*e = NULL;
	const char		*text = "version: STSv1\nmode: enforce\n"
				    "mx: *.example.com\nmx: mail.example.org\n"
				    "max_age: 1\n";

	(void)state;
	assert_int_equal(mtasts_parse(text, strlen(text), &p, &e), 0);
	assert_true(mtasts_mx_match(&p, "mx1.example.com"));
	assert_true(mtasts_mx_match(&p, "MX1.EXAMPLE.COM"));
	assert_true(mtasts_mx_match(&p, "mx1.example.com."));
	assert_false(mtasts_mx_match(&p, "example.com"));
	assert_false(mtasts_mx_match(&p, "example.com."));
	assert_false(mtasts_mx_match(&p, "a.b.example.com"));
	assert_false(mtasts_mx_match(&p, ".example.com"));
	assert_false(mtasts_mx_match(&p, "mx1.example.com.evil.test"));
	assert_false(mtasts_mx_match(&p, "mx1example.com"));
	assert_false(mtasts_mx_match(&p, "mx1.xexample.com"));
	assert_true(mtasts_mx_match(&p, "mail.example.org"));
	assert_true(mtasts_mx_match(&p, "Mail.Example.ORG."));
	assert_false(mtasts_mx_match(&p, "x.mail.example.org"));
	assert_false(mtasts_mx_match(&p, "example.org"));
	assert_false(mtasts_mx_match(&p, "mail.example.org.."));
	assert_false(mtasts_mx_match(&p, ""));
	assert_false(mtasts_mx_match(&p, NULL));
	assert_false(mtasts_mx_match(NULL, "mail.example.org"));
	mtasts_policy_clear(&p);
	assert_false(mtasts_mx_match(&p, "mail.example.org"));
}

/* The cache in a real store file: put, get, checked. */
static void
test_store(void **state)
{
	struct store_sts	 in, out;
	struct store		*st;
	struct err		*e = NULL;
	char			 dir[] = "/tmp/tern-test-mtasts.XXXXXX", path[64];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/tern.db", dir);
	st = store_open(path, &e);
	assert_non_null(st);
	assert_int_equal(store_sts_get(st, "a.test", &out, &e), 0);
	memset(&in, 0, sizeof in);
	in.id = (char *)"7";
	in.mode = (char *)"enforce";
	in.mx = (char *)"mx.a.test\n*.a.test";
	in.max_age = 86400;
	in.fetched = 1000;
	in.checked = 1000;
	assert_int_equal(store_sts_put(st, "a.test", &in, &e), 0);
	assert_int_equal(store_sts_checked(st, "a.test", 2000, &e), 0);
	assert_int_equal(store_sts_checked(st, "b.test", 2000, &e), 0);
	assert_int_equal(store_sts_get(st, "a.test", &out, &e), 1);
	assert_string_equal(out.id, "7");
	assert_string_equal(out.mode, "enforce");
	assert_string_equal(out.mx, "mx.a.test\n*.a.test");
	assert_int_equal(out.max_age, 86400);
	assert_int_equal(out.fetched, 1000);
	assert_int_equal(out.checked, 2000);
	store_sts_clear(&out);
	in.id = (char *)"8";
	in.mode = (char *)"none";
	in.mx = NULL;
	assert_int_equal(store_sts_put(st, "a.test", &in, &e), 0);
	assert_int_equal(store_sts_get(st, "a.test", &out, &e), 1);
	assert_string_equal(out.id, "8");
	assert_null(out.mx);
	store_sts_clear(&out);
	assert_int_equal(store_sts_get(st, "b.test", &out, &e), 0);
	assert_null(e);
	store_close(st);
	unlink(path);
	snprintf(path, sizeof path, "%s/tern.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/tern.db-shm", dir);
	unlink(path);
	rmdir(dir);
}

/* A fetch without an address, or with a bad domain, never starts. */
static void
test_fetch_args(void **state)
{
	const char	*none[] = { NULL };
	const char	*names[] = { "mx.example", NULL };
	struct err	*e = NULL;
	char		*body = (char *)"junk";

	(void)state;
	assert_int_equal(mtasts_fetch("a.test", none, NULL, 5, &body, &e), -1);
	assert_null(body);
	assert_non_null(strstr(e->msg, "mta-sts.a.test has no address"));
	err_free(e);
	e = NULL;
	/* Names are not resolved: only literals are pinned. */
	assert_int_equal(mtasts_fetch("a.test", names, NULL, 5, &body, &e),
	    -1);
	assert_non_null(strstr(e->msg, "has no address"));
	err_free(e);
	e = NULL;
	assert_int_equal(mtasts_fetch("a..test", none, NULL, 5, &body, &e),
	    -1);
	assert_int_equal(e->cls, ERR_INPUT);
	err_free(e);
	e = NULL;
	assert_int_equal(mtasts_fetch("a.test", none, "/nonexistent/ca.pem",
	    5, &body, &e), -1);
	assert_int_equal(e->cls, ERR_CONFIG);
	err_free(e);
}

/* The client mode of tests/integration/mta-sts.sh. */
static int
run(int argc, char **argv)
{
	struct mtasts_policy	 p;
	struct store		*st;
	struct err		*e = NULL;
	const char		*ca;
	time_t			 now;
	size_t			 i;
	int			 timeout = 10;

	if (argc < 7 || strcmp(argv[1], "policy") != 0) {
		fprintf(stderr, "usage: test-mtasts policy DOMAIN RESOLVER "
		    "PORT CA_FILE STORE [NOW [TIMEOUT]]\n");
		return 2;
	}
	ca = strcmp(argv[5], "-") == 0 ? NULL : argv[5];
	now = argc > 7 ? (time_t)strtoll(argv[7], NULL, 10) : time(NULL);
	if (argc > 8)
		timeout = atoi(argv[8]);
	if ((st = store_open(argv[6], &e)) == NULL) {
		printf("error %s: %s\n", err_class_name(e->cls), e->msg);
		err_free(e);
		return 1;
	}
	if (mtasts_policy_for(st, argv[3], atoi(argv[4]), ca, timeout,
	    argv[2], now, &p, &e) == -1) {
		printf("error %s: %s\n", err_class_name(e->cls), e->msg);
		err_free(e);
		store_close(st);
		return 1;
	}
	printf("mode %s\n", mtasts_mode_name(p.mode));
	printf("source %s\n", mtasts_source_name(p.source));
	if (p.source != MTASTS_SRC_NONE) {
		printf("id %s\n", p.id);
		printf("max_age %lld\n", p.max_age);
		printf("fetched %lld\n", p.fetched);
		for (i = 0; i < p.nmx; i++)
			printf("mx %s\n", p.mx[i]);
	}
	if (p.fail != MTASTS_FAIL_NONE) {
		printf("fail %s\n", mtasts_fail_name(p.fail));
		printf("failure %s\n", p.failure);
	}
	mtasts_policy_clear(&p);
	store_close(st);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txt),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_max_age),
		cmocka_unit_test(test_mx_match),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_fetch_args),
	};

	if (argc > 1)
		return run(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
