/*
 * rawclient: the server's own acceptance rate, for make bench (issue 13).
 *
 * A pipelining SMTP client that does nothing else: it connects, reads the
 * greeting, sends EHLO (and STARTTLS then EHLO again with -s), then sends
 * COUNT copies of one message over the one connection.  Where the server
 * offers PIPELINING (RFC 2920), MAIL, RCPT and DATA go in one write, and
 * the end of each message's data goes in the same write as the next
 * message's MAIL, RCPT and DATA (RFC 2920 3.1 allows it: DATA's 354 is the
 * only reply waited for), so a message costs one round trip; replies are
 * read as they come.  Without PIPELINING it falls back to one command at
 * a time.  Prints how many messages the server accepted and how fast, from
 * before the connect to the reply to QUIT.
 *
 *	rawclient [-s] [-c cafile] [-n servername] [-f from] [-r rcpt]
 *	    [-m message] host port count
 *
 * -s	STARTTLS (GnuTLS; the certificate is verified against -c and the
 *	name -n, default the host)
 * -m	the message (RFC 5322, any line ends; default a short one), sent
 *	with CRLF line ends and dot-stuffed once, before the clock starts
 *
 * Output, one line on stdout:
 *	accepted N of COUNT in S s: R msg/s (pipelining|lock-step, tls|plain)
 * Exit 0 when all COUNT were accepted, 1 otherwise, 2 on usage errors.
 * Built by make bench only; never installed.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

struct conn {
	int			 fd;
	gnutls_session_t	 tls;		/* NULL before STARTTLS */
	char			 buf[65536];
	size_t			 len;		/* bytes in buf */
	size_t			 off;		/* first unread byte */
};

static _Noreturn void	die(const char *, ...);
static _Noreturn void	usage(void);
static void		conn_write(struct conn *, const char *, size_t);
static int		conn_fill(struct conn *);
static int		reply_read(struct conn *, int *, char **);
static void		reply_expect(struct conn *, int, const char *);
static char		*message_load(const char *, size_t *);
static double		now(void);

/* Print an error to stderr and exit 1. */
static _Noreturn void
die(const char *fmt, ...)
{
	va_list	ap;

	fputs("rawclient: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Print the usage to stderr and exit 2. */
static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: rawclient [-s] [-c cafile] [-n servername] "
	    "[-f from] [-r rcpt]\n    [-m message] host port count\n");
	exit(2);
}

/* The monotonic clock in seconds. */
static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Write all LEN bytes of P, over TLS once it is up; dies on error. */
static void
conn_write(struct conn *c, const char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if (c->tls != NULL) {
			n = gnutls_record_send(c->tls, p, len);
			if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
				continue;
			if (n < 0)
				die("TLS send: %s", gnutls_strerror((int)n));
		} else {
			n = write(c->fd, p, len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				die("write: %s", strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Read more bytes into the buffer: 1 on data, 0 at end of stream. */
static int
conn_fill(struct conn *c)
{
	ssize_t	n;

	if (c->off > 0) {
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->len == sizeof c->buf)
		die("reply line longer than %zu bytes", sizeof c->buf);
	for (;;) {
		if (c->tls != NULL) {
			n = gnutls_record_recv(c->tls, c->buf + c->len,
			    sizeof c->buf - c->len);
			if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
				continue;
			if (n == GNUTLS_E_PREMATURE_TERMINATION)
				return 0;
			if (n < 0)
				die("TLS recv: %s", gnutls_strerror((int)n));
		} else {
			n = read(c->fd, c->buf + c->len,
			    sizeof c->buf - c->len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				die("read: %s", strerror(errno));
		}
		break;
	}
	c->len += (size_t)n;
	return n > 0;
}

/*
 * Read one (multi-line) reply.  Sets *CODE; with TEXT, *TEXT is the whole
 * reply, lines joined by \n, to be freed.  0 on success, -1 when the
 * connection closed first.
 */
static int
reply_read(struct conn *c, int *code, char **text)
{
	char	*all = NULL, *nl, *line, *p;
	size_t	 alllen = 0, n;
	int	 last;

	for (;;) {
		while ((nl = memchr(c->buf + c->off, '\n',
		    c->len - c->off)) == NULL)
			if (!conn_fill(c)) {
				free(all);
				return -1;
			}
		line = c->buf + c->off;
		n = (size_t)(nl - line) + 1;
		c->off += n;
		if (n < 4)
			die("short reply line");
		last = line[3] != '-';
		if (text != NULL) {
			if ((p = realloc(all, alllen + n + 1)) == NULL)
				die("out of memory");
			all = p;
			memcpy(all + alllen, line, n);
			alllen += n;
			all[alllen] = '\0';
		}
		if (last) {
			*code = atoi(line);
			break;
		}
	}
	if (text != NULL)
		*text = all;
	return 0;
}

/* Read one reply and die unless its code is WANT. */
static void
reply_expect(struct conn *c, int want, const char *what)
{
	char	*text;
	int	 code;

	if (reply_read(c, &code, &text) == -1)
		die("%s: connection closed", what);
	if (code != want)
		die("%s: want %d, got %s", what, want, text);
	free(text);
}

/*
 * The message at PATH (or a short built-in one) as DATA's payload: CRLF
 * line ends, dot-stuffed, ending with CRLF . CRLF.  Sets *LEN.
 */
static char *
message_load(const char *path, size_t *len)
{
	static const char	 builtin[] =
	    "From: Alice <alice@example.org>\n"
	    "To: Bob <bob@example.net>\n"
	    "Subject: rawclient\n"
	    "\n"
	    "Hello Bob, this is the raw client.\n";
	FILE			*fp;
	char			*in, *out;
	size_t			 inlen = 0, cap = 0, i, o = 0;
	size_t			 n;
	int			 bol = 1;

	if (path == NULL) {
		inlen = sizeof builtin - 1;
		if ((in = strdup(builtin)) == NULL)
			die("out of memory");
	} else {
		if ((fp = fopen(path, "rb")) == NULL)
			die("%s: %s", path, strerror(errno));
		in = NULL;
		for (;;) {
			if (inlen == cap) {
				cap = cap ? cap * 2 : 65536;
				if ((in = realloc(in, cap)) == NULL)
					die("out of memory");
			}
			n = fread(in + inlen, 1, cap - inlen, fp);
			if (n == 0)
				break;
			inlen += n;
		}
		if (ferror(fp))
			die("%s: read error", path);
		fclose(fp);
	}
	/* at most: every byte doubled (LF -> CRLF, "." -> ".."), the end */
	if ((out = malloc(inlen * 2 + 8)) == NULL)
		die("out of memory");
	for (i = 0; i < inlen; i++) {
		if (bol && in[i] == '.')
			out[o++] = '.';
		bol = 0;
		if (in[i] == '\r' && i + 1 < inlen && in[i + 1] == '\n')
			continue;		/* the LF writes the CRLF */
		if (in[i] == '\n') {
			out[o++] = '\r';
			out[o++] = '\n';
			bol = 1;
			continue;
		}
		out[o++] = in[i];
	}
	if (!bol) {
		out[o++] = '\r';
		out[o++] = '\n';
	}
	memcpy(out + o, ".\r\n", 3);
	o += 3;
	free(in);
	*len = o;
	return out;
}

int
main(int argc, char *argv[])
{
	struct addrinfo			 hints, *res, *ai;
	gnutls_certificate_credentials_t cred = NULL;
	struct conn			*c;
	const char			*cafile = NULL, *servername = NULL;
	const char			*from = "alice@example.org";
	const char			*rcpt = "bob@example.net";
	const char			*msgpath = NULL, *host, *port;
	char				*data, *group, *text, *p;
	size_t				 datalen, txnlen, grouplen;
	char				 mail[512], rcptl[512];
	char				 txn[1100];
	double				 t0, wall;
	long				 count, i, accepted = 0;
	int				 ch, starttls = 0, pipelining = 0;
	int				 code, one = 1, rc, mlen, rlen;

	while ((ch = getopt(argc, argv, "c:f:m:n:r:s")) != -1) {
		switch (ch) {
		case 'c':
			cafile = optarg;
			break;
		case 'f':
			from = optarg;
			break;
		case 'm':
			msgpath = optarg;
			break;
		case 'n':
			servername = optarg;
			break;
		case 'r':
			rcpt = optarg;
			break;
		case 's':
			starttls = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3)
		usage();
	host = argv[0];
	port = argv[1];
	count = strtol(argv[2], &p, 10);
	if (*p != '\0' || count < 1)
		usage();
	if (servername == NULL)
		servername = host;

	data = message_load(msgpath, &datalen);
	mlen = snprintf(mail, sizeof mail, "MAIL FROM:<%s>\r\n", from);
	rlen = snprintf(rcptl, sizeof rcptl, "RCPT TO:<%s>\r\n", rcpt);
	if (mlen < 0 || (size_t)mlen >= sizeof mail || rlen < 0 ||
	    (size_t)rlen >= sizeof rcptl)
		die("addresses too long");
	txnlen = (size_t)snprintf(txn, sizeof txn, "%s%sDATA\r\n", mail,
	    rcptl);
	grouplen = datalen + txnlen;
	if ((group = malloc(grouplen)) == NULL)
		die("out of memory");
	memcpy(group, data, datalen);
	memcpy(group + datalen, txn, txnlen);
	if ((c = calloc(1, sizeof *c)) == NULL)
		die("out of memory");
	if (starttls) {
		if (gnutls_certificate_allocate_credentials(&cred) < 0)
			die("gnutls credentials");
		if (cafile != NULL && gnutls_certificate_set_x509_trust_file(
		    cred, cafile, GNUTLS_X509_FMT_PEM) <= 0)
			die("%s: no CA certificate", cafile);
		if (cafile == NULL &&
		    gnutls_certificate_set_x509_system_trust(cred) < 0)
			die("no system trust store");
	}

	t0 = now();
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		die("%s: %s", host, gai_strerror(rc));
	c->fd = -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((c->fd = socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) == -1)
			continue;
		if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(c->fd);
		c->fd = -1;
	}
	freeaddrinfo(res);
	if (c->fd == -1)
		die("cannot connect to %s port %s", host, port);
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

	reply_expect(c, 220, "greeting");
	conn_write(c, "EHLO bench.example\r\n", 20);
	if (reply_read(c, &code, &text) == -1 || code != 250)
		die("EHLO refused");
	if (starttls) {
		free(text);
		conn_write(c, "STARTTLS\r\n", 10);
		reply_expect(c, 220, "STARTTLS");
		if (c->off != c->len)
			die("bytes after the STARTTLS reply");
		if (gnutls_init(&c->tls, GNUTLS_CLIENT) < 0 ||
		    gnutls_set_default_priority(c->tls) < 0 ||
		    gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE,
		    cred) < 0 ||
		    gnutls_server_name_set(c->tls, GNUTLS_NAME_DNS, servername,
		    strlen(servername)) < 0)
			die("gnutls session");
		gnutls_session_set_verify_cert(c->tls, servername, 0);
		gnutls_transport_set_int(c->tls, c->fd);
		do
			rc = gnutls_handshake(c->tls);
		while (rc < 0 && !gnutls_error_is_fatal(rc));
		if (rc < 0)
			die("TLS handshake: %s", gnutls_strerror(rc));
		conn_write(c, "EHLO bench.example\r\n", 20);
		if (reply_read(c, &code, &text) == -1 || code != 250)
			die("EHLO after STARTTLS refused");
	}
	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strlen(p) >= 14 && strncasecmp(p + 4, "PIPELINING", 10)
		    == 0 && (p[14] == '\r' || p[14] == '\n' || p[14] == ' '))
			pipelining = 1;
	}
	free(text);

	if (pipelining) {
		conn_write(c, txn, txnlen);
		for (i = 0; i < count; i++) {
			reply_expect(c, 250, "MAIL");
			reply_expect(c, 250, "RCPT");
			reply_expect(c, 354, "DATA");
			if (i + 1 < count)
				conn_write(c, group, grouplen);
			else
				conn_write(c, data, datalen);
			reply_expect(c, 250, "end of data");
			accepted++;
		}
	} else {
		for (i = 0; i < count; i++) {
			conn_write(c, mail, (size_t)mlen);
			reply_expect(c, 250, "MAIL");
			conn_write(c, rcptl, (size_t)rlen);
			reply_expect(c, 250, "RCPT");
			conn_write(c, "DATA\r\n", 6);
			reply_expect(c, 354, "DATA");
			conn_write(c, data, datalen);
			reply_expect(c, 250, "end of data");
			accepted++;
		}
	}
	conn_write(c, "QUIT\r\n", 6);
	(void)reply_read(c, &code, NULL);
	wall = now() - t0;

	printf("accepted %ld of %ld in %.3f s: %.0f msg/s (%s, %s)\n",
	    accepted, count, wall, accepted / wall,
	    pipelining ? "pipelining" : "lock-step", starttls ? "tls" : "plain");
	if (c->tls != NULL) {
		gnutls_bye(c->tls, GNUTLS_SHUT_WR);
		gnutls_deinit(c->tls);
	}
	if (cred != NULL)
		gnutls_certificate_free_credentials(cred);
	close(c->fd);
	free(c);
	free(group);
	free(data);
	return accepted == count ? 0 : 1;
}
