/* tern's TLS client: GnuTLS handshake, verification, facts, stream. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>

#include "dane.h"
#include "dns.h"
#include "err.h"
#include "record.h"
#include "secret.h"
#include "text.h"
#include "tls.h"
#include "xmalloc.h"

#define TLS_PRIO_MODERN	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
#define TLS_PRIO_ANY	"NORMAL:+VERS-TLS1.1:+VERS-TLS1.0"
/* The bundle GnuTLS's system trust is built from (Debian's). */
#ifndef TLS_SYSTEM_BUNDLE
#define TLS_SYSTEM_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
#endif

/*
 * The handshake needs no trust anchors (tern verifies after it), so the
 * credentials carry none.  Verification tries the ca_file anchors first
 * and loads the system trust store (slow: it parses every CA) only when
 * they do not settle it.
 */
struct tls_ctx {
	pthread_mutex_t				 lock;
	int					 loaded;
	char					*ca_file;
	gnutls_certificate_credentials_t	 cred;
	gnutls_x509_trust_list_t		 ca_list;	/* ca_file */
	gnutls_x509_trust_list_t		 sys_list;	/* lazily */
	char					*trust;		/* lazily: what
							   verification used */
};

struct tls_conn {
	gnutls_session_t	 session;
	int			 fd;
	int			 timeout;
	/* For a ticket: the full handshake's facts and time, its expiry. */
	struct tls_facts	 orig;
	long long		 since;
	long long		 cert_end;	/* 0: not known */
	int			 resumed;
};

static int	tls_ctx_load(struct tls_ctx *, struct err **);
static int	tls_verify_lazy(gnutls_x509_crt_t *, unsigned int,
		    gnutls_typed_vdata_st *, unsigned int *);
static gnutls_x509_trust_list_t tls_ctx_system(struct tls_ctx *);
static int	tls_verify(struct tls_ctx *, gnutls_session_t, const char *,
		    unsigned int *);
static void	tls_fill_facts(struct tls_ctx *, struct tls_conn *,
		    const char *, struct tls_facts *);
static void	tls_fill_session(struct tls_conn *, struct tls_facts *);
static void	tls_resume_facts(struct tls_conn *, const struct tls_ticket *,
		    struct tls_facts *);
static void	tls_fill_cert(gnutls_session_t, struct tls_facts *);
static char	*tls_trust_id(const char *);
static long long tls_time_parse(const char *);
static ssize_t	tls_pull_first(gnutls_transport_ptr_t, void *, size_t);
static int	tls_pull_first_timeout(gnutls_transport_ptr_t, unsigned int);
static ssize_t	tls_pull_fd(gnutls_transport_ptr_t, void *, size_t);
static int	tls_wait(int, short, int);
static ssize_t	tls_low_read(mailstream_low *, void *, size_t);
static ssize_t	tls_low_write(mailstream_low *, const void *, size_t);
static int	tls_low_close(mailstream_low *);
static int	tls_low_get_fd(mailstream_low *);
static void	tls_low_free(mailstream_low *);

static mailstream_low_driver tls_low_driver = {
	.mailstream_read = tls_low_read,
	.mailstream_write = tls_low_write,
	.mailstream_close = tls_low_close,
	.mailstream_get_fd = tls_low_get_fd,
	.mailstream_free = tls_low_free,
};

/* Create a context; trust anchors are loaded on first handshake. */
struct tls_ctx *
tls_ctx_new(const char *ca_file, struct err **errp)
{
	struct tls_ctx	*ctx;

	if (ca_file != NULL && access(ca_file, R_OK) != 0) {
		err_set(errp, ERR_CONFIG, 0, "ca_file %s: cannot read: %s",
		    ca_file, strerror(errno));
		return NULL;
	}
	ctx = xcalloc(1, sizeof *ctx);
	pthread_mutex_init(&ctx->lock, NULL);
	ctx->ca_file = xstrdup(ca_file);
	return ctx;
}

/* Free a context. */
void
tls_ctx_free(struct tls_ctx *ctx)
{
	if (ctx == NULL)
		return;
	if (ctx->cred != NULL)
		gnutls_certificate_free_credentials(ctx->cred);
	if (ctx->ca_list != NULL)
		gnutls_x509_trust_list_deinit(ctx->ca_list, 1);
	if (ctx->sys_list != NULL)
		gnutls_x509_trust_list_deinit(ctx->sys_list, 1);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx->ca_file);
	free(ctx->trust);
	free(ctx);
}

/*
 * What a verification depends on besides the server: the ca_file's
 * contents (a digest) and the system bundle (size and time).  A new
 * string.
 */
static char *
tls_trust_id(const char *ca_file)
{
	gnutls_datum_t	 file = { NULL, 0 };
	unsigned char	 md[32];
	char		 ca[2 * 16 + 1], sys[64];
	struct stat	 sb;
	size_t		 i;

	snprintf(ca, sizeof ca, "%s", ca_file != NULL ? "?" : "none");
	if (ca_file != NULL && gnutls_load_file(ca_file, &file) == 0 &&
	    gnutls_hash_fast(GNUTLS_DIG_SHA256, file.data, file.size, md) ==
	    0)
		for (i = 0; i < 16; i++)
			snprintf(ca + 2 * i, 3, "%02x", md[i]);
	gnutls_free(file.data);
	if (stat(TLS_SYSTEM_BUNDLE, &sb) == 0)
		snprintf(sys, sizeof sys, "%lld.%09ld:%lld",
		    (long long)sb.st_mtim.tv_sec, (long)sb.st_mtim.tv_nsec,
		    (long long)sb.st_size);
	else
		snprintf(sys, sizeof sys, "none");
	return xasprintf("ca=%s;sys=%s", ca, sys);
}

/* Address and trust: where a ticket may be used again. */
char *
tls_ticket_key(struct tls_ctx *ctx, const char *address)
{
	char	*k;

	pthread_mutex_lock(&ctx->lock);
	if (ctx->trust == NULL)
		ctx->trust = tls_trust_id(ctx->ca_file);
	k = xasprintf("%s|%s", address != NULL ? address : "", ctx->trust);
	pthread_mutex_unlock(&ctx->lock);
	return k;
}

/* "2027-01-01T00:00:00Z" as unix time; 0 when it is not that. */
static long long
tls_time_parse(const char *s)
{
	struct tm	 tm;
	const char	*end;

	if (s == NULL)
		return 0;
	memset(&tm, 0, sizeof tm);
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL ||
	    *end != '\0')
		return 0;
	return (long long)timegm(&tm);
}

/* Set up credentials and the ca_file anchors once. */
static int
tls_ctx_load(struct tls_ctx *ctx, struct err **errp)
{
	int	r, rv = -1;

	pthread_mutex_lock(&ctx->lock);
	if (ctx->loaded) {
		rv = 0;
		goto out;
	}
	if ((r = gnutls_certificate_allocate_credentials(&ctx->cred)) < 0) {
		err_set(errp, ERR_INTERNAL, 0, "TLS: %s", gnutls_strerror(r));
		goto out;
	}
	if (ctx->ca_file != NULL) {
		if (gnutls_x509_trust_list_init(&ctx->ca_list, 0) < 0) {
			err_set(errp, ERR_INTERNAL, 0, "TLS: out of memory");
			goto out;
		}
		r = gnutls_x509_trust_list_add_trust_file(ctx->ca_list,
		    ctx->ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
		if (r <= 0) {
			err_set(errp, ERR_CONFIG, 0, "ca_file %s: no usable "
			    "PEM certificate in it (%s)", ctx->ca_file,
			    r < 0 ? gnutls_strerror(r) : "none found");
			gnutls_x509_trust_list_deinit(ctx->ca_list, 1);
			ctx->ca_list = NULL;
			goto out;
		}
	}
	ctx->loaded = 1;
	rv = 0;
out:
	pthread_mutex_unlock(&ctx->lock);
	return rv;
}

/* The system trust store plus ca_file, loaded on first need. */
static gnutls_x509_trust_list_t
tls_ctx_system(struct tls_ctx *ctx)
{
	gnutls_x509_trust_list_t	l;

	pthread_mutex_lock(&ctx->lock);
	if (ctx->sys_list == NULL &&
	    gnutls_x509_trust_list_init(&ctx->sys_list, 0) == 0) {
		/* A machine without a trust store still has ca_file. */
		(void)gnutls_x509_trust_list_add_system_trust(ctx->sys_list,
		    0, 0);
		if (ctx->ca_file != NULL)
			(void)gnutls_x509_trust_list_add_trust_file(
			    ctx->sys_list, ctx->ca_file, NULL,
			    GNUTLS_X509_FMT_PEM, 0, 0);
	}
	l = ctx->sys_list;
	pthread_mutex_unlock(&ctx->lock);
	return l;
}

/*
 * Verify the peer's chain for host: 0 with *status (0 when verified), or
 * -1 when there is no chain to verify.
 */
static int
tls_verify(struct tls_ctx *ctx, gnutls_session_t session, const char *host,
    unsigned int *status)
{
	const gnutls_datum_t	*der;
	gnutls_x509_crt_t	*crts;
	gnutls_x509_trust_list_t sys;
	gnutls_typed_vdata_st	 data[2];
	unsigned int		 n = 0, i, ok = 0;
	int			 rv = -1;

	der = gnutls_certificate_get_peers(session, &n);
	if (der == NULL || n == 0)
		return -1;
	crts = xcalloc(n, sizeof *crts);
	for (i = 0; i < n; i++) {
		if (gnutls_x509_crt_init(&crts[i]) < 0)
			goto out;
		ok++;
		if (gnutls_x509_crt_import(crts[i], &der[i],
		    GNUTLS_X509_FMT_DER) < 0)
			goto out;
	}
	memset(data, 0, sizeof data);
	data[0].type = GNUTLS_DT_DNS_HOSTNAME;
	data[0].data = (unsigned char *)(uintptr_t)host;
	data[1].type = GNUTLS_DT_KEY_PURPOSE_OID;
	data[1].data = (unsigned char *)(uintptr_t)GNUTLS_KP_TLS_WWW_SERVER;
	*status = GNUTLS_CERT_INVALID;
	if (ctx->ca_list != NULL && gnutls_x509_trust_list_verify_crt2(
	    ctx->ca_list, crts, n, data, 2, 0, status, NULL) == 0 &&
	    *status == 0) {
		rv = 0;
		goto out;
	}
	/* Only the system anchors the chain names, then all of them. */
	if (tls_verify_lazy(crts, n, data, status) == 0 && *status == 0) {
		rv = 0;
		goto out;
	}
	if ((sys = tls_ctx_system(ctx)) == NULL)
		goto out;
	if (gnutls_x509_trust_list_verify_crt2(sys, crts, n, data, 2, 0,
	    status, NULL) == 0)
		rv = 0;
out:
	for (i = 0; i < ok; i++)
		gnutls_x509_crt_deinit(crts[i]);
	free(crts);
	return rv;
}

/*
 * One DER element at *p (within end): its whole length (tag, length and
 * contents) in *whole and where its contents start; -1 when malformed.
 * Single-byte tags only, which is all a certificate's outer layers use.
 */
int
tls_der_next(const unsigned char *p, const unsigned char *end,
    size_t *whole, const unsigned char **inner)
{
	size_t	len = 0, hl = 2, k, nb;

	if (end - p < 2 || (p[0] & 0x1f) == 0x1f)
		return -1;
	if (p[1] < 0x80)
		len = p[1];
	else {
		nb = p[1] & 0x7f;
		if (nb == 0 || nb > 4 || (size_t)(end - p) < 2 + nb)
			return -1;
		for (k = 0; k < nb; k++)
			len = (len << 8) | p[2 + k];
		hl += nb;
	}
	if (len > (size_t)(end - p) - hl)
		return -1;
	*whole = hl + len;
	*inner = p + hl;
	return 0;
}

/* The subject Name (tag and length included) of a DER certificate. */
static int
tls_der_subject(const unsigned char *der, size_t n,
    const unsigned char **subj, size_t *slen)
{
	const unsigned char	*end = der + n, *p, *inner;
	size_t			 w;
	int			 i;

	if (tls_der_next(der, end, &w, &inner) == -1)	/* Certificate */
		return -1;
	end = der + w;
	if (tls_der_next(inner, end, &w, &p) == -1)	/* tbsCertificate */
		return -1;
	end = inner + w;
	if (p < end && *p == 0xa0) {			/* [0] version */
		if (tls_der_next(p, end, &w, &inner) == -1)
			return -1;
		p += w;
	}
	/* serial, signature, issuer, validity, then the subject */
	for (i = 0; i < 4; i++) {
		if (tls_der_next(p, end, &w, &inner) == -1)
			return -1;
		p += w;
	}
	if (tls_der_next(p, end, &w, &inner) == -1)
		return -1;
	*subj = p;
	*slen = w;
	return 0;
}

/*
 * Verify against only those system anchors whose subject is the issuer
 * of a certificate in the chain: the bundle is read and each anchor's
 * subject found in its DER, but only the matching anchors are parsed
 * (parsing all of them is most of a send's CPU).  A subset of the system
 * anchors cannot accept what the whole store would refuse; when this does
 * not verify, the caller asks the whole store.  0 with *status, or -1.
 */
static int
tls_verify_lazy(gnutls_x509_crt_t *crts, unsigned int n,
    gnutls_typed_vdata_st *data, unsigned int *status)
{
	static const char	 begin[] = "-----BEGIN CERTIFICATE-----";
	static const char	 finish[] = "-----END CERTIFICATE-----";
	gnutls_datum_t		 file = { NULL, 0 }, *want, pem, der;
	gnutls_x509_trust_list_t list = NULL;
	gnutls_x509_crt_t	 ca;
	const unsigned char	*subj;
	const char		*p, *q, *end;
	size_t			 slen;
	unsigned int		 i, nwant = 0, added = 0;
	int			 rv = -1;

	want = xcalloc(n, sizeof *want);
	for (i = 0; i < n; i++)
		if (gnutls_x509_crt_get_raw_issuer_dn(crts[i],
		    &want[nwant]) == 0)
			nwant++;
	if (nwant == 0 || gnutls_load_file(TLS_SYSTEM_BUNDLE, &file) < 0 ||
	    gnutls_x509_trust_list_init(&list, 0) < 0)
		goto out;
	p = (const char *)file.data;
	end = p + file.size;
	while (p < end && (p = memmem(p, (size_t)(end - p), begin,
	    sizeof begin - 1)) != NULL) {
		if ((q = memmem(p, (size_t)(end - p), finish,
		    sizeof finish - 1)) == NULL)
			break;
		q += sizeof finish - 1;
		pem.data = (unsigned char *)(uintptr_t)p;
		pem.size = (unsigned int)(q - p);
		p = q;
		if (gnutls_pem_base64_decode2("CERTIFICATE", &pem, &der) < 0)
			continue;
		if (tls_der_subject(der.data, der.size, &subj, &slen) == 0)
			for (i = 0; i < nwant; i++) {
				if (want[i].size != slen ||
				    memcmp(want[i].data, subj, slen) != 0)
					continue;
				if (gnutls_x509_crt_init(&ca) < 0)
					break;
				if (gnutls_x509_crt_import(ca, &der,
				    GNUTLS_X509_FMT_DER) < 0 ||
				    gnutls_x509_trust_list_add_cas(list, &ca,
				    1, 0) != 1)
					gnutls_x509_crt_deinit(ca);
				else
					added++;
				break;
			}
		gnutls_free(der.data);
	}
	if (added > 0 && gnutls_x509_trust_list_verify_crt2(list, crts, n,
	    data, 2, 0, status, NULL) == 0)
		rv = 0;
out:
	if (list != NULL)
		gnutls_x509_trust_list_deinit(list, 1);
	for (i = 0; i < nwant; i++)
		gnutls_free(want[i].data);
	free(want);
	gnutls_free(file.data);
	return rv;
}

/*
 * What the handshake has read so far: the first byte from the server
 * must begin a TLS record (content type 20..24: change_cipher_spec,
 * alert, handshake, application_data, heartbeat).  Anything else, such as
 * the digit of an SMTP reply, is plaintext where TLS was expected.
 */
struct tls_first {
	int		fd;
	int		checked;	/* the first byte was looked at */
	int		plaintext;	/* and it was not a TLS record */
	unsigned char	byte;
	struct timespec	end;		/* the handshake's deadline */
};

/* Pull for the handshake: recv, judging the first byte received. */
static ssize_t
tls_pull_first(gnutls_transport_ptr_t p, void *buf, size_t n)
{
	struct tls_first	*t = p;
	ssize_t			 r;
	unsigned char		 b;

	do {
		r = recv(t->fd, buf, n, 0);
	} while (r == -1 && errno == EINTR);
	if (r > 0 && !t->checked) {
		t->checked = 1;
		b = *(unsigned char *)buf;
		if (b < 0x14 || b > 0x18) {
			t->plaintext = 1;
			t->byte = b;
			errno = EPROTO;
			return -1;
		}
	}
	return r;
}

/* Pull timeout for the handshake: wait on the socket. */
static int
tls_pull_first_timeout(gnutls_transport_ptr_t p, unsigned int ms)
{
	struct tls_first	*t = p;
	struct timespec		 now;
	long long		 left;

	/* GnuTLS counts only the time spent in recv: bound the wait here. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	left = (long long)(t->end.tv_sec - now.tv_sec) * 1000 +
	    (t->end.tv_nsec - now.tv_nsec) / 1000000;
	if (left <= 0)
		return 0;
	if (ms == GNUTLS_INDEFINITE_TIMEOUT || (long long)ms > left)
		ms = (unsigned int)left;
	return gnutls_system_recv_timeout(
	    (gnutls_transport_ptr_t)(intptr_t)t->fd, ms);
}

/* Pull after the handshake: plain recv on the socket. */
static ssize_t
tls_pull_fd(gnutls_transport_ptr_t p, void *buf, size_t n)
{
	return recv((int)(intptr_t)p, buf, n, 0);
}

/* Handshake on fd and gather the facts. */
struct tls_conn *
tls_handshake(struct tls_ctx *ctx, int fd, const char *host, int modern_only,
    int timeout, const struct tls_ticket *resume, struct tls_facts *facts,
    int *plaintext_seen, struct err **errp)
{
	struct tls_conn		*c;
	struct tls_first	 first;
	struct timeval		 tv;
	struct in6_addr		 a6;
	const char		*errpos;
	int			 r;

	if (plaintext_seen != NULL)
		*plaintext_seen = 0;

	if (tls_ctx_load(ctx, errp) == -1)
		return NULL;
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->timeout = timeout > 0 ? timeout : 30;
	tv.tv_sec = c->timeout;
	tv.tv_usec = 0;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

	if ((r = gnutls_init(&c->session, GNUTLS_CLIENT)) < 0) {
		err_set(errp, ERR_INTERNAL, 1, "TLS: %s", gnutls_strerror(r));
		free(c);
		return NULL;
	}
	r = gnutls_priority_set_direct(c->session,
	    modern_only ? TLS_PRIO_MODERN : TLS_PRIO_ANY, &errpos);
	if (r < 0)
		r = gnutls_set_default_priority(c->session);
	if (r < 0)
		goto fail;
	if ((r = gnutls_credentials_set(c->session, GNUTLS_CRD_CERTIFICATE,
	    ctx->cred)) < 0)
		goto fail;
	gnutls_dh_set_prime_bits(c->session, modern_only ? 2048 : 1024);
	/* SNI only for names, never for address literals. */
	if (inet_pton(AF_INET, host, &a6) != 1 &&
	    inet_pton(AF_INET6, host, &a6) != 1)
		(void)gnutls_server_name_set(c->session, GNUTLS_NAME_DNS,
		    host, strlen(host));
	/* A ticket GnuTLS does not take is no ticket: a full handshake. */
	if (resume != NULL && resume->data != NULL && resume->len > 0 &&
	    resume->len <= UINT32_MAX && gnutls_session_set_data(c->session,
	    resume->data, resume->len) < 0)
		resume = NULL;
	memset(&first, 0, sizeof first);
	first.fd = fd;
	clock_gettime(CLOCK_MONOTONIC, &first.end);
	first.end.tv_sec += c->timeout;
	gnutls_transport_set_ptr2(c->session, &first,
	    (gnutls_transport_ptr_t)(intptr_t)fd);
	gnutls_transport_set_pull_function(c->session, tls_pull_first);
	gnutls_transport_set_pull_timeout_function(c->session,
	    tls_pull_first_timeout);
	gnutls_handshake_set_timeout(c->session, (unsigned)c->timeout * 1000);
	do {
		r = gnutls_handshake(c->session);
	} while (r < 0 && gnutls_error_is_fatal(r) == 0 && !first.plaintext);
	/* first lives on this stack: the session reads the socket itself. */
	gnutls_transport_set_int(c->session, fd);
	gnutls_transport_set_pull_function(c->session, tls_pull_fd);
	gnutls_transport_set_pull_timeout_function(c->session,
	    gnutls_system_recv_timeout);
	if (r < 0)
		goto fail;
	if (resume != NULL && resume->data != NULL &&
	    gnutls_session_is_resumed(c->session)) {
		tls_resume_facts(c, resume, facts);
		return c;
	}
	tls_fill_facts(ctx, c, host, facts);
	tls_facts_copy(&c->orig, facts);
	c->since = (long long)time(NULL);
	return c;

fail:
	if (first.plaintext) {
		if (plaintext_seen != NULL)
			*plaintext_seen = 1;
		err_set(errp, ERR_PROTOCOL, 1, "the server sent plaintext where "
		    "a TLS record was expected (first byte 0x%02x); after a "
		    "STARTTLS 220 reply that is response injection",
		    first.byte);
	} else if (r == GNUTLS_E_TIMEDOUT)
		err_set(errp, ERR_CONNECTION, 1, "TLS handshake timed out "
		    "after %d s", c->timeout);
	else
		err_set(errp, ERR_PROTOCOL, 1, "TLS handshake failed: %s",
		    gnutls_strerror(r));
	gnutls_deinit(c->session);
	free(c);
	return NULL;
}

/* What this session itself says: used, version, cipher. */
static void
tls_fill_session(struct tls_conn *c, struct tls_facts *f)
{
	gnutls_protocol_t	 proto;
	const char		*s;

	f->used = 1;
	proto = gnutls_protocol_get_version(c->session);
	s = gnutls_protocol_get_name(proto);
	f->version = xstrdup(s != NULL ? s : "unknown");
	f->old_version = (proto == GNUTLS_SSL3 || proto == GNUTLS_TLS1_0 ||
	    proto == GNUTLS_TLS1_1);
	s = gnutls_ciphersuite_get(c->session);
	f->cipher = xstrdup(s != NULL ? s : "unknown");
}

/*
 * Facts of a resumed session: the certificate and its verification are
 * the full handshake's (the ticket's), version and cipher this session's.
 */
static void
tls_resume_facts(struct tls_conn *c, const struct tls_ticket *tk,
    struct tls_facts *f)
{
	memset(f, 0, sizeof *f);
	tls_facts_copy(f, &tk->facts);
	free(f->version);
	free(f->cipher);
	tls_fill_session(c, f);
	f->resumed = 1;
	c->resumed = 1;
	tls_facts_copy(&c->orig, &tk->facts);
	c->orig.resumed = 0;
	c->since = tk->since;
	c->cert_end = tls_time_parse(tk->facts.cert_expires);
}

/* The server's latest ticket with the full handshake's facts. */
int
tls_conn_ticket(struct tls_conn *c, struct tls_ticket *out)
{
	gnutls_datum_t	 d = { NULL, 0 };
	long long	 end;
	time_t		 t;

	memset(out, 0, sizeof *out);
	if (c == NULL || !c->orig.used)
		return 0;
	/*
	 * Without the flag, GnuTLS would wait a round trip for a TLS 1.3
	 * ticket.  A TLS 1.2 server that resumed a session without a new
	 * ticket takes the same one again (RFC 5077 3.3): it stays.
	 */
	if (!(gnutls_session_get_flags(c->session) &
	    GNUTLS_SFLAGS_SESSION_TICKET) && !(c->resumed &&
	    gnutls_protocol_get_version(c->session) != GNUTLS_TLS1_3))
		return 0;
	if (gnutls_session_get_data2(c->session, &d) < 0)
		return 0;
	end = c->since + TLS_TICKET_MAX_AGE;
	if ((t = gnutls_db_check_entry_expire_time(&d)) > 0 &&
	    (long long)t < end)
		end = (long long)t;
	if (c->cert_end > 0 && c->cert_end < end)
		end = c->cert_end;
	if (end <= (long long)time(NULL) || d.size == 0) {
		secret_wipe(d.data, d.size);
		gnutls_free(d.data);
		return 0;
	}
	out->data = xmalloc(d.size);
	memcpy(out->data, d.data, d.size);
	out->len = d.size;
	secret_wipe(d.data, d.size);
	gnutls_free(d.data);
	out->since = c->since;
	out->expires = end;
	tls_facts_copy(&out->facts, &c->orig);
	return 1;
}

/* Facts of an established session, from the session itself. */
static void
tls_fill_facts(struct tls_ctx *ctx, struct tls_conn *c, const char *host,
    struct tls_facts *f)
{
	gnutls_datum_t		 out;
	unsigned int		 status = 0;
	char			*words;
	size_t			 len;

	memset(f, 0, sizeof *f);
	tls_fill_session(c, f);
	tls_fill_cert(c->session, f);
	c->cert_end = tls_time_parse(f->cert_expires);

	if (tls_verify(ctx, c->session, host, &status) == -1) {
		f->verified = 0;
		f->cert = CERT_UNTRUSTED;
		f->verify = xstrdup("not verified: the server sent no "
		    "certificate");
		return;
	}
	if (status == 0) {
		f->verified = 1;
		f->verify = xasprintf("verified: the certificate chains to a "
		    "trusted CA and matches %s", host);
		return;
	}
	f->verified = 0;
	if (status & (GNUTLS_CERT_EXPIRED | GNUTLS_CERT_NOT_ACTIVATED))
		f->cert = CERT_EXPIRED;
	else if ((status & GNUTLS_CERT_UNEXPECTED_OWNER) &&
	    !(status & GNUTLS_CERT_SIGNER_NOT_FOUND))
		f->cert = CERT_NAME;
	else
		f->cert = CERT_UNTRUSTED;
	if (gnutls_certificate_verification_status_print(status,
	    GNUTLS_CRT_X509, &out, 0) < 0) {
		f->verify = xstrdup("not verified");
		return;
	}
	words = xstrndup((const char *)out.data, out.size);
	gnutls_free(out.data);
	len = strlen(words);
	while (len > 0 && words[len - 1] == ' ')
		words[--len] = '\0';
	f->verify = xasprintf("not verified for %s: %s", host, words);
	free(words);
}

/*
 * Does the (verified) leaf name the recipient's domain itself, or a name
 * under it (Postfix's "secure" match: nexthop, dot-nexthop)?
 */
static int
tls_names_domain(gnutls_x509_crt_t crt, const char *domain)
{
	char		 name[256];
	size_t		 len, dlen = strlen(domain);
	unsigned int	 i, type;
	int		 r;

	if (gnutls_x509_crt_check_hostname2(crt, domain, 0) != 0)
		return 1;
	for (i = 0; ; i++) {
		len = sizeof name;
		r = gnutls_x509_crt_get_subject_alt_name2(crt, i, name, &len,
		    &type, NULL);
		if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			return 0;
		if (r < 0 || type != GNUTLS_SAN_DNSNAME || len >= sizeof name)
			continue;
		name[len] = '\0';
		if (len > dlen + 1 && name[len - dlen - 1] == '.' &&
		    strcasecmp(name + len - dlen, domain) == 0)
			return 1;
	}
}

/* Direct mode's facts of an established session (tls.h). */
void
tls_conn_domain_facts(struct tls_conn *c, const char *host,
    const char *domain, const struct dns_tlsalist *tlsa,
    struct tls_facts *f)
{
	const gnutls_datum_t	*der;
	gnutls_x509_crt_t	 crt;
	struct dane_result	 res;
	const char		*names[2];
	unsigned int		 n = 0;

	f->cert_domain = 0;
	f->dane = POLICY_DANE_NONE;
	free(f->dane_words);
	f->dane_words = NULL;
	der = gnutls_certificate_get_peers(c->session, &n);
	if (f->verified && domain != NULL && der != NULL && n > 0 &&
	    gnutls_x509_crt_init(&crt) == 0) {
		if (gnutls_x509_crt_import(crt, &der[0],
		    GNUTLS_X509_FMT_DER) == 0)
			f->cert_domain = tls_names_domain(crt, domain);
		gnutls_x509_crt_deinit(crt);
	}
	if (tlsa == NULL || dane_state(tlsa) == DANE_OFF)
		return;
	if (dane_state(tlsa) == DANE_UNUSABLE) {
		f->dane = POLICY_DANE_UNUSABLE;
		f->dane_words = xasprintf("%s publishes TLSA records, none "
		    "usable for SMTP (RFC 7672): TLS is required, the "
		    "certificate is checked as without DANE", host);
		return;
	}
	names[0] = host;
	names[1] = NULL;
	memset(&res, 0, sizeof res);
	if (der != NULL && n > 0 && dane_verify(tlsa, der, n, names,
	    &res) == 0)
		f->dane = POLICY_DANE_MATCH;
	else
		f->dane = POLICY_DANE_NOMATCH;
	f->dane_words = res.why != NULL ? text_sanitize_line(res.why,
	    strlen(res.why)) : xstrdup(f->dane == POLICY_DANE_MATCH ?
	    "a TLSA record matches" : "no TLSA record matches the "
	    "certificate");
	/* The verification in words is DANE's when DANE decides it. */
	if (f->dane == POLICY_DANE_MATCH) {
		free(f->verify);
		f->verify = xasprintf("verified by DANE: %s", f->dane_words);
	}
	dane_result_clear(&res);
}

/* Subject, issuer, fingerprint and expiry of the peer's certificate. */
static void
tls_fill_cert(gnutls_session_t session, struct tls_facts *f)
{
	const gnutls_datum_t	*list;
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 dn;
	unsigned char		 fp[32];
	size_t			 fplen = sizeof fp, i;
	unsigned int		 n = 0;
	time_t			 exp;
	struct tm		 tm;
	char			 hex[32 * 3 + 1], when[32];

	list = gnutls_certificate_get_peers(session, &n);
	if (list == NULL || n == 0)
		return;
	if (gnutls_x509_crt_init(&crt) < 0)
		return;
	if (gnutls_x509_crt_import(crt, &list[0], GNUTLS_X509_FMT_DER) < 0)
		goto out;
	if (gnutls_x509_crt_get_dn3(crt, &dn, 0) == 0) {
		/* The server wrote it: sanitized here, once, for every output. */
		f->cert_subject = text_sanitize_line((const char *)dn.data,
		    dn.size);
		gnutls_free(dn.data);
	}
	if (gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) == 0) {
		f->cert_issuer = text_sanitize_line((const char *)dn.data,
		    dn.size);
		gnutls_free(dn.data);
	}
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fp,
	    &fplen) == 0) {
		for (i = 0; i < fplen; i++)
			snprintf(hex + i * 3, 4, "%02X%s", fp[i],
			    i + 1 < fplen ? ":" : "");
		f->cert_sha256 = xstrdup(hex);
	}
	exp = gnutls_x509_crt_get_expiration_time(crt);
	if (exp != (time_t)-1 && gmtime_r(&exp, &tm) != NULL &&
	    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		f->cert_expires = xstrdup(when);
out:
	gnutls_x509_crt_deinit(crt);
}

/*
 * Wrap the session as a libetpan low-level stream.  Its reads and writes
 * wait in poll(), for at most the low's timeout (which the stream guard
 * shortens to what is left of a step).  GnuTLS reads a record until it is
 * whole and writes until all is sent, so a server trickling the bytes of
 * one record would hold it inside recv(): short socket timeouts make the
 * socket give up at once instead, and the wait happens in poll().
 */
mailstream_low *
tls_low_new(struct tls_conn *c)
{
	mailstream_low	*low;
	struct timeval	 tv;

	if ((low = mailstream_low_new(c, &tls_low_driver)) == NULL) {
		tls_conn_free(c);
		return NULL;
	}
	mailstream_low_set_timeout(low, (time_t)c->timeout);
	tv.tv_sec = 0;
	tv.tv_usec = 10000;
	(void)setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	(void)setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	return low;
}

/* Free a session without closing its socket. */
void
tls_conn_free(struct tls_conn *c)
{
	if (c == NULL)
		return;
	gnutls_deinit(c->session);
	tls_facts_clear(&c->orig);
	free(c);
}

/* Wait up to ms milliseconds for fd; 1 ready, 0 timeout, -1 error. */
static int
tls_wait(int fd, short what, int ms)
{
	struct pollfd	pfd;
	int		r;

	if (ms <= 0)
		return 0;
	pfd.fd = fd;
	pfd.events = what;
	do {
		r = poll(&pfd, 1, ms);
	} while (r == -1 && errno == EINTR);
	return r;
}

/* Driver: read decrypted bytes, within the low's timeout in all. */
static ssize_t
tls_low_read(mailstream_low *s, void *buf, size_t n)
{
	struct tls_conn	*c = s->data;
	struct timespec	 end, now;
	long long	 ms;
	ssize_t		 r;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += s->timeout > 0 ? (time_t)s->timeout :
	    mailstream_network_delay.tv_sec;
	for (;;) {
		if (gnutls_record_check_pending(c->session) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			ms = (long long)(end.tv_sec - now.tv_sec) * 1000 +
			    (end.tv_nsec - now.tv_nsec) / 1000000;
			if (tls_wait(c->fd, POLLIN, ms > 0 ? (int)ms : 0) <= 0)
				return -1;
		}
		r = gnutls_record_recv(c->session, buf, n);
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			continue;	/* a record not yet whole */
		if (r < 0)
			return -1;
		return r;
	}
}

/* Driver: write bytes through TLS, within the low's timeout in all. */
static ssize_t
tls_low_write(mailstream_low *s, const void *buf, size_t n)
{
	struct tls_conn	*c = s->data;
	struct timespec	 end, now;
	long long	 ms;
	ssize_t		 r;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += s->timeout > 0 ? (time_t)s->timeout :
	    mailstream_network_delay.tv_sec;
	for (;;) {
		/* After GNUTLS_E_AGAIN, the same buffer goes on. */
		r = gnutls_record_send(c->session, buf, n);
		if (r != GNUTLS_E_AGAIN && r != GNUTLS_E_INTERRUPTED)
			return r < 0 ? -1 : r;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (long long)(end.tv_sec - now.tv_sec) * 1000 +
		    (end.tv_nsec - now.tv_nsec) / 1000000;
		if (tls_wait(c->fd, POLLOUT, ms > 0 ? (int)ms : 0) <= 0)
			return -1;
	}
}

/* Driver: close_notify, then close the socket. */
static int
tls_low_close(mailstream_low *s)
{
	struct tls_conn	*c = s->data;

	if (c->fd != -1) {
		(void)gnutls_bye(c->session, GNUTLS_SHUT_WR);
		close(c->fd);
		c->fd = -1;
	}
	return 0;
}

/* Driver: the socket. */
static int
tls_low_get_fd(mailstream_low *s)
{
	struct tls_conn	*c = s->data;

	return c->fd;
}

/* Driver: free the session. */
static void
tls_low_free(mailstream_low *s)
{
	tls_conn_free(s->data);
	free(s);
}
