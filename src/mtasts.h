/*
 * mtasts: SMTP MTA Strict Transport Security (RFC 8461), what a
 * recipient's domain publishes about the TLS of its mail servers.
 *
 * A domain announces a policy with a TXT record at _mta-sts.DOMAIN
 * ("v=STSv1; id=...;", section 3.1) and serves it at
 * https://mta-sts.DOMAIN/.well-known/mta-sts.txt (3.2, 3.3): a mode
 * (enforce, testing, none), the MX host patterns its mail goes to, and
 * how long a sender may keep it (max_age).  tern fetches it with libcurl
 * (GnuTLS) over a verified TLS 1.2+ connection, never through a proxy,
 * never following a redirect, and keeps it in the store (store_sts_*) for
 * its max_age; a new TXT id makes it fetch again (5.1).
 *
 * The whole of 5.1 is mtasts_policy_for; the other functions are its
 * parts, public for the tests, the fuzzer and tern probe.  Nothing here
 * decides a delivery: the caller applies the mode.
 */
#ifndef TERN_MTASTS_H
#define TERN_MTASTS_H

#include <stddef.h>
#include <time.h>

struct err;
struct store;

#define MTASTS_BODY_MAX		(64 * 1024)	/* a policy's size, at most */
#define MTASTS_MAX_AGE_MAX	31557600	/* max_age, at most (3.2) */
#define MTASTS_ID_MAX		32		/* a TXT id's length (3.1) */

/* A policy's mode; the order is the strength. */
enum mtasts_mode {
	MTASTS_NONE,		/* no policy, or one that says none */
	MTASTS_TESTING,		/* deliver as without, report failures */
	MTASTS_ENFORCE,		/* only matching MX, only verified TLS */
	MTASTS_MODE_LAST
};

/* Where mtasts_policy_for's answer came from. */
enum mtasts_source {
	MTASTS_SRC_NONE,	/* no policy: the domain has none, or none
				   could be had (fail says why) */
	MTASTS_SRC_FETCHED,	/* fetched now, and stored */
	MTASTS_SRC_CACHED,	/* from the store, within its max_age */
	MTASTS_SRC_LAST
};

/* What went wrong getting a policy. */
enum mtasts_fail {
	MTASTS_FAIL_NONE,
	MTASTS_FAIL_DNS,	/* the TXT or address lookup failed */
	MTASTS_FAIL_CONNECT,	/* no HTTPS connection, TLS or timeout */
	MTASTS_FAIL_CERT,	/* certificate not valid for mta-sts.DOMAIN */
	MTASTS_FAIL_REDIRECT,	/* an HTTP redirect (never followed, 3.3) */
	MTASTS_FAIL_HTTP,	/* another status than 2xx */
	MTASTS_FAIL_TYPE,	/* not text/plain */
	MTASTS_FAIL_SIZE,	/* over MTASTS_BODY_MAX */
	MTASTS_FAIL_PARSE,	/* not a valid policy */
	MTASTS_FAIL_LAST
};

/*
 * A policy.  Owned by the struct: free with mtasts_policy_clear (the
 * struct itself is the caller's).
 */
struct mtasts_policy {
	enum mtasts_mode	 mode;
	char			**mx;		/* patterns, lower case, no
						   final dot: "mx.example.com"
						   or "*.example.com" */
	size_t			 nmx;
	long long		 max_age;	/* seconds */
	char			*id;		/* its TXT id, or NULL */
	enum mtasts_source	 source;
	long long		 fetched;	/* unix time, 0: never */
	enum mtasts_fail	 fail;		/* why a fetch failed, or NONE */
	char			*failure;	/* its words ("MTA-STS policy
						   could not be fetched: ..."),
						   or NULL; kept also when a
						   cached policy stood in */
};

/*
 * One TXT record of _mta-sts.DOMAIN (3.1).  1: a valid record, its id (1
 * to 32 letters and digits) in *id (new string, caller frees); 0: not an
 * MTA-STS record (does not begin with "v=STSv1"), to be ignored; -1: it
 * begins so but is not valid (it still counts: a domain with several
 * records, or one invalid, has no usable policy).  *id is NULL unless 1.
 */
int	 mtasts_txt_id(const char *, char **);
/*
 * Parse a policy (3.2) of len bytes: version STSv1, mode, max_age
 * (0..MTASTS_MAX_AGE_MAX), one or more mx (none needed with mode none);
 * lines end in LF or CRLF, unknown keys are ignored, of a key given twice
 * (mx excepted) the first counts.  0 and *p filled (mode, mx, max_age;
 * the rest zero), or -1 with *errp (ERR_PROTOCOL, saying which line and
 * why) and *p zeroed.
 */
int	 mtasts_parse(const char *, size_t, struct mtasts_policy *,
	    struct err **);
/*
 * 1 when the MX host (either case, a final dot allowed) matches one of
 * the policy's patterns ("*.example.com": exactly one more label on the
 * left, not example.com itself), else 0.
 */
int	 mtasts_mx_match(const struct mtasts_policy *, const char *);
/*
 * Fetch https://mta-sts.DOMAIN/.well-known/mta-sts.txt on port 443 from
 * one of addrs (a NULL-terminated array of IP address literals, the
 * caller's lookup of mta-sts.DOMAIN; nothing else is resolved), with a
 * certificate verified for mta-sts.DOMAIN against the system's trust
 * store and ca_file (NULL: the system's only), TLS 1.2 or later, no proxy
 * whatever the environment says, no redirect followed, within timeout
 * seconds.  0 and *body (new NUL-terminated string of at most
 * MTASTS_BODY_MAX bytes, caller frees) for a 2xx answer of type
 * text/plain; else -1 with *errp saying what failed: ERR_POLICY (the
 * certificate), ERR_CONNECTION (connection, TLS, timeout), ERR_REJECTED
 * (an HTTP status), ERR_PROTOCOL (a redirect, the type, the size).
 */
int	 mtasts_fetch(const char *, const char *const *, const char *, int,
	    char **, struct err **);
/*
 * The policy for mail to domain at time now, as RFC 8461 5.1 has it: the
 * TXT record of _mta-sts.DOMAIN through the resolver (NULL: the
 * system's); none, several or an invalid one: the cached policy if still
 * within its max_age, else no policy.  Its id the cached one's, within
 * max_age: the cached policy (no HTTPS request).  Else fetched (the
 * addresses of mta-sts.DOMAIN through the same resolver), parsed and
 * stored; when that fails, the cached policy while within its max_age,
 * else no policy, the failure in out->fail and out->failure either way.
 * 0 and *out filled (free with mtasts_policy_clear); -1 with *errp only
 * for a bad domain name (ERR_INPUT) or a store that cannot be read (a
 * NULL store: no cache, every call looks up and fetches)
 * (ERR_STORE).  Saving a fetched policy is best effort.
 */
int	 mtasts_policy_for(struct store *, const char *, int, const char *,
	    int, const char *, time_t, struct mtasts_policy *,
	    struct err **);
void	 mtasts_policy_clear(struct mtasts_policy *);
/* Names: "enforce", "testing", "none"; "fetched", "cached", "none";
   "dns", "connect", "certificate", "redirect", "http", "type", "size",
   "parse" ("none" for MTASTS_FAIL_NONE). */
const char *mtasts_mode_name(enum mtasts_mode);
const char *mtasts_source_name(enum mtasts_source);
const char *mtasts_fail_name(enum mtasts_fail);

#endif
