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
 */
struct tls_conn	*tls_handshake(struct tls_ctx *, int, const char *, int, int,
		    struct tls_facts *, int *, struct err **);
/*
 * Wrap an established session as a libetpan low-level stream (for
 * mailstream_new or mailstream_set_low).  It takes ownership of the session
 * and of its socket: closing the stream ends both (with a TLS
 * close_notify).  Returns NULL only on allocation failure inside libetpan
 * (the session is then freed, the socket left open).
 */
mailstream_low	*tls_low_new(struct tls_conn *);
/* Free a session that was not turned into a stream; closes nothing else. */
void		 tls_conn_free(struct tls_conn *);

#endif
