/* Unit tests for record.c: outcomes, glyphs, the --json object. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event.h"
#include "record.h"
#include "xmalloc.h"

/* Names and glyphs round-trip and are those of DESIGN.md. */
static void
test_outcome_names(void **state)
{
	static const char *names[] = { "verified", "encrypted", "plaintext",
	    "deferred", "held", "failed" };
	static const char *glyphs[] = { "[TLS+]", "[TLS]", "[PLAIN]",
	    "[WAIT]", "[HELD]", "[FAIL]" };
	enum outcome	o;
	int		i;

	(void)state;
	for (i = 0; i < OUTCOME_LAST; i++) {
		assert_string_equal(outcome_name((enum outcome)i), names[i]);
		assert_string_equal(outcome_glyph_ascii((enum outcome)i),
		    glyphs[i]);
		assert_int_equal(outcome_parse(names[i], &o), 0);
		assert_int_equal(o, i);
	}
	assert_int_equal(outcome_parse("delivered", &o), -1);
}

/* The worst outcome wins; only the three TLS/plain ones are delivered. */
static void
test_outcome_worst(void **state)
{
	(void)state;
	assert_int_equal(outcome_worst(OUTCOME_VERIFIED, OUTCOME_PLAINTEXT),
	    OUTCOME_PLAINTEXT);
	assert_int_equal(outcome_worst(OUTCOME_FAILED, OUTCOME_HELD),
	    OUTCOME_FAILED);
	assert_int_equal(outcome_worst(OUTCOME_HELD, OUTCOME_ENCRYPTED),
	    OUTCOME_HELD);
	assert_true(outcome_delivered(OUTCOME_ENCRYPTED));
	assert_false(outcome_delivered(OUTCOME_HELD));
	assert_false(outcome_delivered(OUTCOME_DEFERRED));
}

/* record_set sanitizes: no escape sequence survives. */
static void
test_record_set_sanitizes(void **state)
{
	char	*s = NULL;

	(void)state;
	record_set(&s, "250 ok\033[2J\x9b" "x");
	assert_null(strchr(s, '\033'));
	assert_string_equal(s, "250 ok?[2J?x");
	record_set(&s, NULL);
	assert_null(s);
}

/* Every key of DESIGN.md is present; facts that do not apply are null. */
static void
test_record_json(void **state)
{
	static const char *keys[] = { "recipient", "outcome", "policy",
	    "reason", "server", "address", "tls_version", "cipher",
	    "cert_subject", "cert_issuer", "cert_sha256", "cert_expires",
	    "verify", "requiretls", "reply" };
	struct record	 r;
	char		*j, key[64];
	size_t		 i;

	(void)state;
	memset(&r, 0, sizeof r);
	r.recipient = xstrdup("bob@example.net");
	r.outcome = OUTCOME_PLAINTEXT;
	r.policy = POLICY_MAY;
	r.reason = xstrdup("no \"STARTTLS\"\n");
	r.reply = xstrdup("250 2.0.0 Ok");
	j = record_json(&r);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		snprintf(key, sizeof key, "\"%s\":", keys[i]);
		assert_non_null(strstr(j, key));
	}
	assert_non_null(strstr(j, "\"outcome\":\"plaintext\""));
	assert_non_null(strstr(j, "\"tls_version\":null"));
	assert_non_null(strstr(j, "\"resumed\":null"));
	assert_non_null(strstr(j, "\"cert_sha256\":null"));
	assert_non_null(strstr(j, "\"requiretls\":false"));
	assert_non_null(strstr(j, "\"reason\":\"no \\\"STARTTLS\\\"\\n\""));
	free(j);

	r.outcome = OUTCOME_VERIFIED;
	r.tls.used = 1;
	r.tls.version = xstrdup("TLS1.3");
	r.tls.cipher = xstrdup("TLS_AES_128_GCM_SHA256");
	r.tls.verify = xstrdup("verified");
	j = record_json(&r);
	assert_non_null(strstr(j, "\"tls_version\":\"TLS1.3\""));
	assert_non_null(strstr(j, "\"cert_subject\":null"));
	assert_non_null(strstr(j, "\"resumed\":false"));
	free(j);
	r.tls.resumed = 1;
	j = record_json(&r);
	assert_non_null(strstr(j, "\"resumed\":true"));
	free(j);
	record_clear(&r);
	assert_null(r.recipient);
}

/* A resumed session says so after its version; a ticket copies deeply. */
static void
test_resumed_words(void **state)
{
	struct tls_facts	 t;
	struct tls_ticket	 a, b;
	char			*s;

	(void)state;
	memset(&t, 0, sizeof t);
	t.used = 1;
	t.version = xstrdup("TLS1.3");
	t.cipher = xstrdup("TLS_AES_128_GCM_SHA256");
	t.verified = 1;
	t.method = VERIFY_PKIX;
	s = tls_facts_summary(&t, TLS_SUMMARY_FULL);
	assert_string_equal(s, "TLS1.3, TLS_AES_128_GCM_SHA256, certificate "
	    "verified (pkix)");
	free(s);
	t.resumed = 1;
	s = tls_facts_summary(&t, TLS_SUMMARY_FULL);
	assert_string_equal(s, "TLS1.3 (resumed), TLS_AES_128_GCM_SHA256, "
	    "certificate verified (pkix)");
	free(s);
	s = tls_facts_summary(&t, TLS_SUMMARY_SHORT);
	assert_string_equal(s, "TLS1.3 (resumed), verified (pkix)");
	free(s);

	memset(&a, 0, sizeof a);
	a.data = xmalloc(3);
	memcpy(a.data, "\001\002\003", 3);
	a.len = 3;
	a.since = 10;
	a.expires = 20;
	tls_facts_copy(&a.facts, &t);
	tls_ticket_copy(&b, &a);
	assert_ptr_not_equal(b.data, a.data);
	assert_memory_equal(b.data, a.data, 3);
	assert_int_equal(b.expires, 20);
	assert_string_equal(b.facts.version, "TLS1.3");
	tls_ticket_clear(&a);
	assert_null(a.data);
	assert_int_equal(a.len, 0);
	tls_ticket_clear(&b);
	tls_facts_clear(&t);
}

/* Events format into one line naming the server. */
static void
test_event_format(void **state)
{
	struct event	 e;
	char		*s;

	(void)state;
	memset(&e, 0, sizeof e);
	e.type = EVENT_RCPT;
	e.server = "mx.example.net";
	e.address = "192.0.2.1";
	e.port = 25;
	e.recipient = "bob@example.net";
	e.code = 250;
	e.text = "2.1.5 Ok";
	s = event_format(&e);
	assert_string_equal(s, "mx.example.net [192.0.2.1]:25: rcpt "
	    "bob@example.net 250 2.1.5 Ok");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcome_names),
		cmocka_unit_test(test_outcome_worst),
		cmocka_unit_test(test_record_set_sanitizes),
		cmocka_unit_test(test_record_json),
		cmocka_unit_test(test_resumed_words),
		cmocka_unit_test(test_event_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
