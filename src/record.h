/*
 * record: what happened to one recipient of one message (its outcome),
 * with every fact the delivery engine learned.  All strings are owned by
 * the record and sanitized (no control characters); record_clear() frees
 * them.
 */
#ifndef TERN_RECORD_H
#define TERN_RECORD_H

#include <stddef.h>

#include "policy.h"

/* In order of severity, best first; a message shows its worst. */
enum outcome {
	OUTCOME_VERIFIED,	/* over TLS, certificate verified */
	OUTCOME_ENCRYPTED,	/* over TLS, certificate not verified */
	OUTCOME_PLAINTEXT,	/* without TLS */
	OUTCOME_DEFERRED,	/* temporary failure, will retry */
	OUTCOME_HELD,		/* policy needed TLS the server could not give */
	OUTCOME_FAILED,		/* permanent failure */
	OUTCOME_LAST
};

/* TLS facts, taken from the GnuTLS session itself. */
struct tls_facts {
	int	 used;		/* 1 when the session ran over TLS */
	char	*version;	/* "TLS1.3" */
	char	*cipher;	/* "TLS_AES_256_GCM_SHA384" or GnuTLS's name */
	char	*cert_subject;	/* RFC 4514 DN */
	char	*cert_issuer;
	char	*cert_sha256;	/* hex, colon-separated */
	char	*cert_expires;	/* "2027-01-01T00:00:00Z" */
	int	 verified;	/* chain to a trusted CA and name match */
	/*
	 * How the certificate was verified as the recipient's server's
	 * (policy_method): the outcome is "verified" only when not NONE.
	 * A chain for an MX name from unsigned DNS is verified but has
	 * method NONE in direct mode.
	 */
	enum verify_method method;
	/*
	 * Direct mode: the verified chain also names the recipient's domain
	 * (Postfix's "secure": nexthop); what DANE found for the MX host's
	 * TLSA records (POLICY_DANE_*, with words; NONE without records).
	 */
	int	 cert_domain;
	enum policy_dane dane;
	char	*dane_words;
	char	*verify;	/* the verification result in words */
	int	 old_version;	/* accepted a version below TLS 1.2 */
	enum cert_problem cert;	/* why not verified (CERT_OK if it was) */
	/*
	 * The handshake resumed an earlier session (a ticket): the server
	 * showed no certificate, so the certificate facts and the
	 * verification above are those of the full handshake it resumed
	 * (for the same host name and trust anchors); version and cipher
	 * are this session's.
	 */
	int	 resumed;
};

/*
 * A TLS session to resume (the server's ticket, as GnuTLS packs it) and
 * the facts of the full handshake it comes from.  The data is a session
 * secret: it goes to the store and back to GnuTLS, never to a log, an
 * event, an error or the screen.  tls_ticket_clear wipes it.
 */
struct tls_ticket {
	unsigned char	*data;
	size_t		 len;
	long long	 since;		/* unix time of the full handshake */
	long long	 expires;	/* not offered from then on */
	struct tls_facts facts;		/* of the full handshake (resumed 0) */
};

/*
 * Relay mode: what the recipient's domain promises about the hop after
 * the relay (nexthop.c looks it up: DNS and HTTPS only).  Not something
 * tern saw: a promise of that domain, worded so everywhere.  known 0: no
 * next hop facts (direct mode and a [route], where tern saw the server
 * itself, or next_hop = no): null in --json.  -1 in mta_sts, dane,
 * dnssec: it could not be learned (null in --json).
 */
enum next_hop_sts {
	NEXT_HOP_STS_UNKNOWN = -1,
	NEXT_HOP_STS_NONE,		/* no MTA-STS policy, or mode none */
	NEXT_HOP_STS_TESTING,
	NEXT_HOP_STS_ENFORCE
};

struct next_hop {
	int			 known;
	char			**mx;		/* MX host names, in order
						   (nmx new strings) */
	size_t			 nmx;
	enum next_hop_sts	 mta_sts;
	int			 dane;		/* usable TLSA on a signed
						   zone: 1, 0, -1 */
	int			 dnssec;	/* the MX answer validated */
};

struct record {
	char			*recipient;
	enum outcome		 outcome;
	enum policy		 policy;
	enum policy_source	 policy_source;
	char			*reason;	/* why: words, may be NULL */
	enum reason_kind	 kind;		/* why: the kind */
	char			*server;	/* host name connected to */
	char			*address;	/* its IP address */
	int			 port;
	struct tls_facts	 tls;
	int			 requiretls;	/* sent marked REQUIRETLS */
	int			 downgrade;	/* possible downgrade attack */
	int			 code;		/* last SMTP code, 0 if none */
	char			*reply;		/* last server reply */
	long long		 when;		/* unix time of the outcome */
	/*
	 * The final dot went out and no reply was recorded: the next flush
	 * resends (uncertain); resent: this attempt was such a resend.
	 */
	int			 uncertain;
	int			 resent;
	/* The outcome could not be written to the store (not stored). */
	int			 unrecorded;
	struct next_hop		 next_hop;	/* relay mode, else known 0 */
};

const char	*outcome_name(enum outcome);
/* Parse an outcome name; 0 or -1. */
int		 outcome_parse(const char *, enum outcome *);
/* ASCII glyph: "[TLS+]", "[TLS]", "[PLAIN]", "[HELD]", "[WAIT]", "[FAIL]". */
const char	*outcome_glyph_ascii(enum outcome);
/* The worse of two outcomes. */
enum outcome	 outcome_worst(enum outcome, enum outcome);
/* 1 when the message reached the server (verified, encrypted, plaintext). */
int		 outcome_delivered(enum outcome);

/* Copy TLS facts (deep); dst must be empty. */
void		 tls_facts_copy(struct tls_facts *, const struct tls_facts *);
/* Free the strings of TLS facts and zero them. */
void		 tls_facts_clear(struct tls_facts *);
/* Deep copy of a ticket; dst must be empty. */
void		 tls_ticket_copy(struct tls_ticket *, const struct tls_ticket *);
/* Wipe and free a ticket's data, free its facts, zero it. */
void		 tls_ticket_clear(struct tls_ticket *);
/* How much a TLS summary says. */
enum tls_summary {
	TLS_SUMMARY_FULL,	/* version, cipher, certificate (and why not) */
	TLS_SUMMARY_SHORT	/* version and verified or not */
};
/*
 * The one wording of TLS facts for people (a new string, caller frees):
 * FULL "TLS1.3, TLS_AES_256_GCM_SHA384, certificate verified", or
 * "..., certificate NOT verified (the reason)", with "(an old version)"
 * after the cipher below TLS 1.2; SHORT "TLS1.3, verified" or "TLS1.3,
 * NOT verified"; "no TLS" when the session ran without TLS.  A resumed
 * session says so after the version: "TLS1.3 (resumed), ...".  The screens
 * and the command line say TLS with it; the fcc header and the log keep
 * their key=value fields.
 */
char		*tls_facts_summary(const struct tls_facts *, enum tls_summary);

/* "none", "testing", "enforce"; NULL for NEXT_HOP_STS_UNKNOWN. */
const char	*next_hop_sts_name(enum next_hop_sts);
/* Parse one of those names; 0 or -1. */
int		 next_hop_sts_parse(const char *, enum next_hop_sts *);
/* Deep copy (dst is overwritten, not freed); free and zero. */
void		 next_hop_copy(struct next_hop *, const struct next_hop *);
void		 next_hop_clear(struct next_hop *);
/*
 * The --json value of next hop facts, compact, no newline (a new
 * string): "null" when not known, else {"mx":[...],"mta_sts":...,
 * "dane":...,"dnssec":...}.  The store keeps the same text.
 */
char		*next_hop_json(const struct next_hop *);

/* Set a string field: free the old one, store a sanitized copy of s. */
void		 record_set(char **, const char *);
/* Free every string of a record and zero it. */
void		 record_clear(struct record *);
/* A deep copy of src into dst (dst is overwritten, not freed). */
void		 record_copy(struct record *, const struct record *);
/* Free an array of n records. */
void		 record_free_array(struct record *, size_t);
/*
 * The latest of n attempts (oldest first, as the store gives them) for a
 * recipient, or NULL.  Addresses are compared as the store keeps them:
 * the exact string.  *earlier (may be NULL) gets how many came before.
 */
const struct record *record_latest(const struct record *, size_t,
		    const char *, size_t *);
/* One JSON object (the --json keys of DESIGN.md), no newline; caller frees. */
char		*record_json(const struct record *);

#endif
