/*
 * Unit tests for nexthop.c's words and record.c's next_hop JSON: every
 * sentence is the domain's promise, never tern's observation; the store's
 * cache round-trips the facts (a real SQLite file in a scratch directory).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "nexthop.h"
#include "record.h"
#include "store.h"
#include "xmalloc.h"

static struct next_hop
hop(int sts, int dane, int dnssec, const char *mx)
{
	struct next_hop	h;

	memset(&h, 0, sizeof h);
	h.known = 1;
	h.mta_sts = (enum next_hop_sts)sts;
	h.dane = dane;
	h.dnssec = dnssec;
	if (mx != NULL) {
		h.mx = xcalloc(1, sizeof *h.mx);
		h.mx[h.nmx++] = xstrdup(mx);
	}
	return h;
}

static void
words_are(const struct next_hop *h, const char *want)
{
	char	*w = nexthop_words("bank.example", h);

	assert_string_equal(w, want);
	/* A promise, not an observation. */
	assert_null(strstr(w, "tern saw"));
	free(w);
}

/* The sentence for each promise the brief names, and the unknown ones. */
static void
test_words(void **state)
{
	struct next_hop	h;

	(void)state;
	h = hop(NEXT_HOP_STS_ENFORCE, 0, 0, "mx.bank.example");
	words_are(&h, "bank.example publishes MTA-STS enforce: its servers "
	    "take mail only over verified TLS from senders that honour it");
	next_hop_clear(&h);
	h = hop(NEXT_HOP_STS_NONE, 1, 1, "mx.bank.example");
	words_are(&h, "bank.example publishes DANE for its mail server "
	    "(DNSSEC-signed): a relay that checks DANE must use verified TLS");
	next_hop_clear(&h);
	h = hop(NEXT_HOP_STS_NONE, 0, 0, "mx.bank.example");
	words_are(&h, "bank.example publishes neither MTA-STS nor DANE: the "
	    "relay's next hop may fall back to plaintext");
	next_hop_clear(&h);
	h = hop(NEXT_HOP_STS_ENFORCE, 1, 1, "mx.bank.example");
	words_are(&h, "bank.example publishes MTA-STS enforce and DANE for "
	    "its mail server (DNSSEC-signed): its servers take mail only over "
	    "verified TLS from senders that honour either");
	next_hop_clear(&h);
	h = hop(NEXT_HOP_STS_TESTING, 0, 0, "mx.bank.example");
	words_are(&h, "bank.example publishes MTA-STS testing: it asks for "
	    "verified TLS but takes mail without it, so the relay's next hop "
	    "may fall back to plaintext");
	next_hop_clear(&h);
	h = hop(NEXT_HOP_STS_UNKNOWN, 0, 0, "mx.bank.example");
	words_are(&h, "bank.example publishes no DANE, and its MTA-STS policy "
	    "could not be learned: the relay's next hop may fall back to "
	    "plaintext");
	next_hop_clear(&h);
	/* The MX lookup failed: nothing is known. */
	h = hop(NEXT_HOP_STS_UNKNOWN, -1, -1, NULL);
	words_are(&h, "tern could not learn what bank.example publishes for "
	    "its mail (DNS did not answer): nothing is known of the relay's "
	    "next hop");
	next_hop_clear(&h);
}

/* The MX line says whether the answer was validated. */
static void
test_mx_words(void **state)
{
	struct next_hop	h;
	char		*w;

	(void)state;
	h = hop(NEXT_HOP_STS_NONE, 1, 1, "mx.bank.example");
	h.mx = xreallocarray(h.mx, 2, sizeof *h.mx);
	h.mx[h.nmx++] = xstrdup("mx2.bank.example");
	w = nexthop_mx_words(&h);
	assert_string_equal(w, "its mail servers (MX): mx.bank.example, "
	    "mx2.bank.example (a DNSSEC-validated answer)");
	free(w);
	next_hop_clear(&h);
	h = hop(NEXT_HOP_STS_UNKNOWN, -1, -1, NULL);
	assert_null(nexthop_mx_words(&h));
	next_hop_clear(&h);
}

/* --json: null when not known, the four keys otherwise. */
static void
test_json(void **state)
{
	struct next_hop	h, c;
	char		*j;

	(void)state;
	memset(&h, 0, sizeof h);
	j = next_hop_json(&h);
	assert_string_equal(j, "null");
	free(j);
	h = hop(NEXT_HOP_STS_ENFORCE, -1, 0, "mx.bank.example");
	next_hop_copy(&c, &h);
	next_hop_clear(&h);
	j = next_hop_json(&c);
	assert_string_equal(j, "{\"mx\":[\"mx.bank.example\"],"
	    "\"mta_sts\":\"enforce\",\"dane\":null,\"dnssec\":false}");
	free(j);
	next_hop_clear(&c);
	h = hop(NEXT_HOP_STS_UNKNOWN, -1, -1, NULL);
	j = next_hop_json(&h);
	assert_string_equal(j, "{\"mx\":[],\"mta_sts\":null,\"dane\":null,"
	    "\"dnssec\":null}");
	free(j);
	next_hop_clear(&h);
}

/* The cache: fresh for NEXTHOP_FRESH, an empty answer NEXTHOP_RETRY. */
static void
test_cache(void **state)
{
	struct store	*st;
	struct err	*e = NULL;
	struct next_hop	 h, got;
	char		 dir[] = "/tmp/tern-nexthop-XXXXXX", *path;
	time_t		 now = 1000000;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/tern.db", dir);
	st = store_open(path, &e);
	assert_non_null(st);
	assert_int_equal(nexthop_cached(st, "bank.example", now, &got), 0);
	h = hop(NEXT_HOP_STS_ENFORCE, 1, 1, "mx.bank.example");
	h.mx = xreallocarray(h.mx, 2, sizeof *h.mx);
	h.mx[h.nmx++] = xstrdup("mx2.bank.example");
	assert_int_equal(store_hop_put(st, "bank.example", &h, now, &e), 0);
	assert_int_equal(nexthop_cached(st, "bank.example",
	    now + NEXTHOP_FRESH - 1, &got), 1);
	assert_int_equal(got.nmx, 2);
	assert_string_equal(got.mx[1], "mx2.bank.example");
	assert_int_equal(got.mta_sts, NEXT_HOP_STS_ENFORCE);
	assert_int_equal(got.dane, 1);
	assert_int_equal(got.dnssec, 1);
	next_hop_clear(&got);
	assert_int_equal(nexthop_cached(st, "bank.example",
	    now + NEXTHOP_FRESH, &got), 0);
	next_hop_clear(&h);
	/* Nothing learned: kept, but only for NEXTHOP_RETRY. */
	h = hop(NEXT_HOP_STS_UNKNOWN, -1, -1, NULL);
	assert_int_equal(store_hop_put(st, "dead.example", &h, now, &e), 0);
	assert_int_equal(nexthop_cached(st, "dead.example",
	    now + NEXTHOP_RETRY - 1, &got), 1);
	assert_int_equal(got.mta_sts, NEXT_HOP_STS_UNKNOWN);
	assert_int_equal(got.dane, -1);
	next_hop_clear(&got);
	assert_int_equal(nexthop_cached(st, "dead.example",
	    now + NEXTHOP_RETRY, &got), 0);
	next_hop_clear(&h);
	store_close(st);
	unlink(path);
	free(path);
	path = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_mx_words),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
