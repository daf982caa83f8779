/* tern's TLS client: GnuTLS handshake, verification, facts, stream. */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>

#include "err.h"
#include "record.h"
#include "tls.h"
#include "xmalloc.h"

#define TLS_PRIO_MODERN	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
#define TLS_PRIO_ANY	"NORMAL:+VERS-TLS1.1:+VERS-TLS1.0"

struct tls_ctx {
	pthread_mutex_t				 lock;
	int					 loaded;
	char					*ca_file;
	gnutls_certificate_credentials_t	 cred;
};

struct tls_conn {
	gnutls_session_t	 session;
	int			 fd;
	int			 timeout;
};

static int	tls_ctx_load(struct tls_ctx *, struct err **);
static void	tls_fill_facts(struct tls_conn *, const char *,
		    struct tls_facts *);
static void	tls_fill_cert(gnutls_session_t, struct tls_facts *);
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
	pthread_mutex_destroy(&ctx->lock);
	free(ctx->ca_file);
	free(ctx);
}

/* Load the trust store once. */
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
	/* A machine without a trust store still verifies against ca_file. */
	(void)gnutls_certificate_set_x509_system_trust(ctx->cred);
	if (ctx->ca_file != NULL) {
		r = gnutls_certificate_set_x509_trust_file(ctx->cred,
		    ctx->ca_file, GNUTLS_X509_FMT_PEM);
		if (r <= 0) {
			err_set(errp, ERR_CONFIG, 0, "ca_file %s: no usable "
			    "PEM certificate in it (%s)", ctx->ca_file,
			    r < 0 ? gnutls_strerror(r) : "none found");
			gnutls_certificate_free_credentials(ctx->cred);
			ctx->cred = NULL;
			goto out;
		}
	}
	ctx->loaded = 1;
	rv = 0;
out:
	pthread_mutex_unlock(&ctx->lock);
	return rv;
}

/* Handshake on fd and gather the facts. */
struct tls_conn *
tls_handshake(struct tls_ctx *ctx, int fd, const char *host, int modern_only,
    int timeout, struct tls_facts *facts, struct err **errp)
{
	struct tls_conn	*c;
	struct timeval	 tv;
	struct in6_addr	 a6;
	const char	*errpos;
	int		 r;

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
	gnutls_transport_set_int(c->session, fd);
	gnutls_handshake_set_timeout(c->session, (unsigned)c->timeout * 1000);
	do {
		r = gnutls_handshake(c->session);
	} while (r < 0 && gnutls_error_is_fatal(r) == 0);
	if (r < 0)
		goto fail;
	tls_fill_facts(c, host, facts);
	return c;

fail:
	if (r == GNUTLS_E_TIMEDOUT)
		err_set(errp, ERR_CONNECTION, 1, "TLS handshake timed out "
		    "after %d s", c->timeout);
	else
		err_set(errp, ERR_PROTOCOL, 1, "TLS handshake failed: %s",
		    gnutls_strerror(r));
	gnutls_deinit(c->session);
	free(c);
	return NULL;
}

/* Facts of an established session, from the session itself. */
static void
tls_fill_facts(struct tls_conn *c, const char *host, struct tls_facts *f)
{
	gnutls_protocol_t	 proto;
	gnutls_datum_t		 out;
	unsigned int		 status = 0;
	const char		*s;
	char			*words;
	size_t			 len;
	int			 r;

	memset(f, 0, sizeof *f);
	f->used = 1;
	proto = gnutls_protocol_get_version(c->session);
	s = gnutls_protocol_get_name(proto);
	f->version = xstrdup(s != NULL ? s : "unknown");
	f->old_version = (proto == GNUTLS_SSL3 || proto == GNUTLS_TLS1_0 ||
	    proto == GNUTLS_TLS1_1);
	s = gnutls_ciphersuite_get(c->session);
	f->cipher = xstrdup(s != NULL ? s : "unknown");
	tls_fill_cert(c->session, f);

	r = gnutls_certificate_verify_peers3(c->session, host, &status);
	if (r < 0) {
		f->verified = 0;
		f->verify = xasprintf("not verified: %s", gnutls_strerror(r));
		return;
	}
	if (status == 0) {
		f->verified = 1;
		f->verify = xasprintf("verified: the certificate chains to a "
		    "trusted CA and matches %s", host);
		return;
	}
	f->verified = 0;
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
		f->cert_subject = xstrndup((const char *)dn.data, dn.size);
		gnutls_free(dn.data);
	}
	if (gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) == 0) {
		f->cert_issuer = xstrndup((const char *)dn.data, dn.size);
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

/* Wrap the session as a libetpan low-level stream. */
mailstream_low *
tls_low_new(struct tls_conn *c)
{
	mailstream_low	*low;

	if ((low = mailstream_low_new(c, &tls_low_driver)) == NULL) {
		tls_conn_free(c);
		return NULL;
	}
	mailstream_low_set_timeout(low, (time_t)c->timeout);
	return low;
}

/* Free a session without closing its socket. */
void
tls_conn_free(struct tls_conn *c)
{
	if (c == NULL)
		return;
	gnutls_deinit(c->session);
	free(c);
}

/* Wait for fd to be ready; 1 ready, 0 timeout, -1 error. */
static int
tls_wait(int fd, short what, int timeout)
{
	struct pollfd	pfd;
	int		r;

	pfd.fd = fd;
	pfd.events = what;
	do {
		r = poll(&pfd, 1, timeout * 1000);
	} while (r == -1 && errno == EINTR);
	return r;
}

/* Driver: read decrypted bytes. */
static ssize_t
tls_low_read(mailstream_low *s, void *buf, size_t n)
{
	struct tls_conn	*c = s->data;
	ssize_t		 r;

	for (;;) {
		if (gnutls_record_check_pending(c->session) == 0 &&
		    tls_wait(c->fd, POLLIN, c->timeout) <= 0)
			return -1;
		r = gnutls_record_recv(c->session, buf, n);
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			continue;
		if (r < 0)
			return -1;
		return r;
	}
}

/* Driver: write bytes through TLS. */
static ssize_t
tls_low_write(mailstream_low *s, const void *buf, size_t n)
{
	struct tls_conn	*c = s->data;
	ssize_t		 r;

	do {
		r = gnutls_record_send(c->session, buf, n);
	} while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED);
	return r < 0 ? -1 : r;
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
