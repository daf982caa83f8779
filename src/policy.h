/*
 * policy: how much transport security a recipient needs, and where that
 * requirement came from.  The most specific setting wins: contact, then
 * domain rule, then the account default (as Postfix's policy maps do).
 */
#ifndef TERN_POLICY_H
#define TERN_POLICY_H

enum policy {
	POLICY_UNSET = -1,	/* no setting at this level */
	POLICY_MAY = 0,		/* opportunistic TLS, plaintext allowed */
	POLICY_ENCRYPT,		/* TLS required, certificate need not verify */
	POLICY_VERIFY,		/* TLS required with a verified certificate */
	POLICY_LAST
};

enum policy_source {
	POLICY_FROM_DEFAULT,
	POLICY_FROM_DOMAIN,
	POLICY_FROM_CONTACT,
	POLICY_FROM_LAST
};

/*
 * Why a recipient got its outcome, as a kind (stored with the record):
 * screens and advice choose by the kind, never by the words.
 */
enum reason_kind {
	REASON_NONE = 0,
	REASON_NO_STARTTLS,		/* the server did not offer STARTTLS */
	REASON_STARTTLS_REFUSED,	/* 454 or another refusal */
	REASON_HANDSHAKE_FAILED,	/* the TLS handshake failed */
	REASON_INJECTION,		/* plaintext after the 220 to STARTTLS */
	REASON_CERT_UNTRUSTED,		/* no chain to a trusted CA */
	REASON_CERT_NAME,		/* the name does not match */
	REASON_CERT_EXPIRED,		/* expired or not yet valid */
	REASON_OLD_TLS,			/* a version below TLS 1.2 */
	REASON_DOWNGRADE,		/* worse TLS than this server gave */
	REASON_AUTH_NEEDS_TLS,		/* AUTH refused without TLS */
	REASON_AUTH_FAILED,		/* the server refused the login */
	REASON_AUTH_UNSUPPORTED,	/* no mechanism both sides have */
	REASON_TEMP_REPLY,		/* a 4xx reply */
	REASON_PERM_REPLY,		/* a 5xx reply */
	REASON_CONNECTION,		/* no connection, or it was lost */
	REASON_TIMEOUT,			/* no answer in time */
	REASON_DNS,			/* the name did not resolve */
	REASON_SIZE,			/* over the server's SIZE */
	REASON_MESSAGE,			/* the message cannot be sent as is */
	REASON_STORE,			/* tern could not record it */
	REASON_UNCERTAIN,		/* sent, reply unknown: resent */
	REASON_INTERRUPTED,		/* tern was asked to stop */
	REASON_PROBE,			/* a probe: nothing was sent */
	REASON_EXPIRED,			/* past queue_lifetime: given up */
	REASON_MTA_STS,			/* the domain's MTA-STS policy */
	REASON_DANE,			/* the MX host's DANE TLSA records */
	REASON_MX_UNAUTH,		/* the name came from unsigned DNS */
	REASON_LAST
};

/* Why a certificate did not verify (from the TLS layer). */
enum cert_problem {
	CERT_OK = 0,
	CERT_UNTRUSTED,		/* no chain to a trusted CA (or no cert) */
	CERT_NAME,		/* chains, but not for this host name */
	CERT_EXPIRED,		/* expired or not yet valid */
	CERT_PROBLEM_LAST
};

/* How a certificate was found to be the recipient's server's. */
enum verify_method {
	VERIFY_NONE = 0,	/* not verified */
	VERIFY_PKIX,		/* chain to a trusted CA, authenticated name */
	VERIFY_DANE,		/* TLSA records of a DNSSEC-signed MX */
	VERIFY_MTA_STS,		/* PKIX, MX covered by an MTA-STS policy */
	VERIFY_LAST
};

/* DANE (RFC 7672) for the MX host of a connection in direct mode. */
enum policy_dane {
	POLICY_DANE_NONE = 0,	/* no TLSA records, or not DNSSEC-signed */
	POLICY_DANE_UNUSABLE,	/* TLSA records, none usable: TLS required */
	POLICY_DANE_MATCH,	/* a usable record matched the chain */
	POLICY_DANE_NOMATCH,	/* usable records, none matched */
	POLICY_DANE_BOGUS	/* the TLSA answer failed DNSSEC validation */
};

/* The MTA-STS (RFC 8461) mode of the recipient's domain. */
enum policy_sts {
	POLICY_STS_NONE = 0,
	POLICY_STS_TESTING,
	POLICY_STS_ENFORCE
};

/*
 * What policy sees of one connection at the moment a transaction starts
 * (a fresh or a kept one alike).  The strings are borrowed words for the
 * reason; any may be NULL.
 */
struct policy_conn {
	int			 tls;		/* TLS is established */
	int			 old_version;	/* TLS below 1.2 */
	int			 verified;	/* chain and host name verified */
	enum cert_problem	 cert;		/* why not verified */
	enum reason_kind	 plain;		/* no TLS: why (no-starttls, ...) */
	int			 downgrade;	/* worse than this server gave */
	int			 downgrade_hold; /* downgrade = hold */
	const char		*host;
	const char		*version;	/* "TLS1.0" */
	const char		*verify;	/* verification result in words */
	const char		*plain_words;	/* why no TLS, in words */
	const char		*downgrade_words;
	/*
	 * Direct mode (all zero for a relay or a [route], whose names the
	 * user configured): the server's name came from DNS, and what
	 * authenticates it besides a certificate for that name.
	 */
	int			 direct;	/* the name came from an MX lookup */
	int			 mx_secure;	/* that lookup was DNSSEC-validated */
	int			 cert_domain;	/* the verified certificate also
						   names the recipient's domain */
	enum policy_dane	 dane;
	enum policy_sts		 sts;
	int			 sts_mx_ok;	/* the MX matches the policy's mx */
	const char		*domain;	/* the recipient's domain */
	const char		*dane_words;	/* what DANE found, in words */
	const char		*sts_words;	/* what MTA-STS says, in words */
};

enum policy_action {
	POLICY_SEND,		/* give this recipient to the connection */
	POLICY_HOLD		/* never: the recipient is held */
};

struct policy_verdict {
	enum policy_action	 action;
	/* Held: why.  Sent: the weakness worth recording, or NONE. */
	enum reason_kind	 kind;
	/* Sent: how the certificate was verified (NONE: not verified). */
	enum verify_method	 method;
};

/* What tern remembers of a server and what it shows now. */
struct policy_seen {
	int		 known;		/* tern talked to it before */
	int		 starttls;	/* it offered STARTTLS then */
	int		 tls;		/* a handshake passed then */
	const char	*issuer;	/* the certificate issuer then */
};


/* "no-starttls", "cert-name", ...; "" for NONE (static strings). */
const char	*reason_kind_name(enum reason_kind);
/* Parse a kind name; 0, or -1 when unknown. */
int		 reason_kind_parse(const char *, enum reason_kind *);
/* The kind of a certificate problem (cert-untrusted, ...). */
enum reason_kind reason_kind_of_cert(enum cert_problem);
/* 1 when the kind says the connection was not what TLS promised. */
int		 reason_kind_is_tls(enum reason_kind);

/*
 * How the connection's certificate is verified as the recipient's
 * server's, the one place that decides it: DANE-matched; else PKIX (chain
 * and name) with TLS 1.2 or later and, in direct mode, the name
 * authenticated: an MTA-STS policy covering the MX (mta-sts), a
 * DNSSEC-validated MX or a certificate for the recipient's domain itself
 * (pkix).  A certificate for an MX name from unsigned DNS is no proof
 * (NONE, kind mx-unauthenticated).  *weak (may be NULL) gets the kind of
 * what fell short (NONE when verified).
 */
enum verify_method policy_method(const struct policy_conn *,
		    enum reason_kind *);
/*
 * The verdict for one recipient of one transaction: may it go over this
 * connection?  A pure function of the policy and the connection's facts:
 *   no TLS        may: send (kind: why no TLS); encrypt, verify: hold
 *   TLS below 1.2 may: send (old-tls); encrypt, verify: hold (old-tls)
 *   unverified    may, encrypt: send (cert-*, mx-unauthenticated);
 *                 verify: hold (the same kinds)
 *   verified      send (method: how)
 * What the domain publishes binds every policy, may included: DANE
 * records make TLS mandatory and, when usable, a mismatch (or a bogus
 * answer) holds (kind dane); MTA-STS enforce holds anything short of
 * verified TLS 1.2+ to a listed MX (kind mta-sts), testing only notes it.
 * A downgrade is noted (kind downgrade) and, with downgrade = hold, holds
 * every policy.
 */
struct policy_verdict policy_judge(enum policy, const struct policy_conn *);
/* "pkix", "dane", "mta-sts"; "" for NONE (static strings). */
const char	*verify_method_name(enum verify_method);
/* Parse a method's name; 0, or -1 when unknown. */
int		 verify_method_parse(const char *, enum verify_method *);
/*
 * The words of a verdict for a recipient with this policy over this
 * connection; NULL when there is nothing to say (verified, nothing
 * noted).  A new string: the caller frees it.
 */
char		*policy_words(enum policy, const struct policy_conn *,
		    const struct policy_verdict *);
/*
 * The downgrade rule: does what a server shows now look worse than what
 * it gave before?  starttls: it offers STARTTLS now (-1: not known yet,
 * e.g. implicit TLS); tls_failed: the handshake failed now; issuer: the
 * certificate issuer now (NULL without TLS).  Returns 1 and sets *words
 * (new string) when it does, else 0.
 */
int		 policy_downgrade(const struct policy_seen *, const char *,
		    int, int, const char *, char **);
/*
 * Advice for a held recipient, chosen by the kind of the reason and the
 * recipient's policy as it is now (p, from src): what the user can do in
 * the interface.  cfg names the config file.  A new string.
 */
char		*policy_advice(enum reason_kind, const char *, enum policy,
		    enum policy_source, const char *);
/* May a password go over this connection? */
int		 policy_auth_allowed(const struct policy_conn *, int);

/* "may", "encrypt", "verify" (static strings); "default" for UNSET. */
const char	*policy_name(enum policy);
/* "default", "domain", "contact". */
const char	*policy_source_name(enum policy_source);
/* Parse a policy name; 0 on success, -1 if unknown. */
int		 policy_parse(const char *, enum policy *);
/*
 * The policy of a recipient from the settings that apply to it, the most
 * specific winning (as Postfix's policy maps): its contact's (contact),
 * else its domain's rule (domain), else the account default (dflt; MAY
 * when unset).  POLICY_UNSET means no setting at that level.  *src (if
 * not NULL) says which level it came from.  conf_policy() finds the
 * settings of a config; outbox_policy() adds the contact's.
 */
enum policy	 policy_pick(enum policy, enum policy, enum policy,
		    enum policy_source *);
/* 1 when the policy forbids plaintext. */
int		 policy_needs_tls(enum policy);

#endif
