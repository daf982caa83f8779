/*
 * tls: tern's own TLS client on a connected socket, with GnuTLS.
 *
 * libetpan's TLS code verifies no certificate and exposes no facts, so
 * tern runs the handshake itself, verifies the chain and the host name
 * against the system trust store plus the configured ca_file, and fills
 * struct tls_facts (record.h) from the session.  The established session
 * is then wrapped as a libetpan mailstream so that libetpan goes on with
 * the SMTP dialogue over it.
 */
#ifndef TERN_TLS_H
#define TERN_TLS_H

#include <libetpan/libetpan.h>

struct err;
struct tls_facts;
struct tls_ticket;

/* Trust anchors and settings shared by every session of one run. */
struct tls_ctx;

/*
 * Load the system trust store and ca_file (may be NULL).  The trust store
 * is loaded on first use only.  Returns a new context (free with
 * tls_ctx_free) or NULL with *errp (ERR_CONFIG: ca_file unreadable).
 * A context may be used by several threads at once.
 */
struct tls_ctx	*tls_ctx_new(const char *, struct err **);
void		 tls_ctx_free(struct tls_ctx *);
/*
 * Where a ticket may be used again, beside the server's host name and
 * port: the numeric address and what the verification depended on (a
 * digest of the ca_file's contents, the system bundle's size and time),
 * so that a session is never resumed across other trust anchors.  A new
 * string.
 */
char		*tls_ticket_key(struct tls_ctx *, const char *);

/* The longest a ticket is offered after its full handshake (seconds). */
#define TLS_TICKET_MAX_AGE	86400

/*
 * Run a TLS handshake as a client on the connected socket fd (which stays
 * owned by the caller until tls_stream_new), verifying against host.
 * modern_only: refuse protocol versions below TLS 1.2 (for encrypt and
 * verify); otherwise older versions are allowed and flagged in
 * facts->old_version.  timeout in seconds.  On success returns the
 * session and fills facts (the caller clears them); on failure returns
 * NULL with *errp (ERR_PROTOCOL, temporary) saying why, e.g.
 * "TLS handshake failed: ...".  A certificate that does not verify is not
 * a failure here: facts->verified is 0 and facts->verify says why.
 *
 * The first byte the server sends during the handshake must start a TLS
 * record (content type 0x14..0x18).  When it does not (plaintext, such as
 * an SMTP reply sent after the STARTTLS 220: response injection, however
 * late it arrives), the handshake stops there, *plaintext_seen (when not
 * NULL) is set to 1 and *errp says "the server sent plaintext where a TLS
 * record was expected ...".  *plaintext_seen is 0 on every other return.
 * The certificate's subject and issuer in facts are sanitized (one line,
 * no control or bidirectional characters): they come from the server.
 *
 * resume (may be NULL): a ticket kept from an earlier session with this
 * server (same host name, address, port and tls_ticket_key).  When the
 * server resumes it, nothing is verified now (the server shows no
 * certificate): facts are the ticket's, that is the full handshake's,
 * with this session's version and cipher and facts->resumed = 1.  When
 * it does not, the handshake is a full one, verified as always.
 */
struct tls_conn	*tls_handshake(struct tls_ctx *, int, const char *, int, int,
		    const struct tls_ticket *, struct tls_facts *, int *,
		    struct err **);
/*
 * The ticket the server sent on this established session, if it sent one
 * (TLS 1.3 sends it after the handshake: ask once a reply has been read).
 * Fills *out (tls_ticket_clear) with the data, the facts of the full
 * handshake (this one's, or the one a resumed session came from) and
 * when it stops being offered (the server's lifetime, TLS_TICKET_MAX_AGE
 * after the full handshake, the certificate's expiry: the earliest).
 * Returns 1, or 0 when there is none (never waits for one).
 */
int		 tls_conn_ticket(struct tls_conn *, struct tls_ticket *);
/*
 * Direct mode, right after the handshake with MX host for mail to domain:
 * sets facts->cert_domain (the verified certificate also names domain or
 * a name under it) and, when tlsa holds DNSSEC-validated records, what
 * DANE (RFC 7672) says of the peer's chain: facts->dane and dane_words.
 */
struct dns_tlsalist;
void		 tls_conn_domain_facts(struct tls_conn *, const char *,
		    const char *, const struct dns_tlsalist *,
		    struct tls_facts *);
/*
 * Wrap an established session as a libetpan low-level stream (for
 * mailstream_new or mailstream_set_low).  It takes ownership of the session
 * and of its socket: closing the stream ends both (with a TLS
 * close_notify).  Returns NULL only on allocation failure inside libetpan
 * (the session is then freed, the socket left open).
 */
mailstream_low	*tls_low_new(struct tls_conn *);
/*
 * One DER element at p (before end): its whole length (tag, length and
 * contents) in *whole, its contents at *inner; -1 when malformed.
 * Single-byte tags and lengths up to 4 bytes only: a certificate's outer
 * layers (tls.c's lazy trust lookup, dane.c's bare-key signature check).
 */
int		 tls_der_next(const unsigned char *, const unsigned char *,
		    size_t *, const unsigned char **);
/* Free a session that was not turned into a stream; closes nothing else. */
void		 tls_conn_free(struct tls_conn *);

#endif
