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
};

enum policy_action {
	POLICY_SEND,		/* give this recipient to the connection */
	POLICY_HOLD		/* never: the recipient is held */
};

struct policy_verdict {
	enum policy_action	 action;
	/* Held: why.  Sent: the weakness worth recording, or NONE. */
	enum reason_kind	 kind;
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
 * The verdict for one recipient of one transaction: may it go over this
 * connection?  A pure function of the policy and the connection's facts:
 *   no TLS        may: send (kind: why no TLS); encrypt, verify: hold
 *   TLS below 1.2 may: send (old-tls); encrypt, verify: hold (old-tls)
 *   unverified    may, encrypt: send (cert-*); verify: hold (cert-*)
 *   verified      send
 * A downgrade is noted (kind downgrade) and, with downgrade = hold, holds
 * every policy.
 */
struct policy_verdict policy_judge(enum policy, const struct policy_conn *);
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
