/*
 * fuzz-reply: libFuzzer harness for reply and EHLO handling, through the
 * public path a server reaches: smtp_session_run() connects over loopback
 * TCP to a thread that plays the server by sending the fuzz input as
 * everything it says (banner, EHLO reply, STARTTLS reply, TLS records,
 * ...), then closes.  Whatever the bytes, the session must end with an
 * outcome for every recipient, a recipient whose policy is encrypt is
 * never delivered without TLS, nothing is delivered unless the server
 * said 354, and no reply keeps a control character.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "record.h"
#include "smtp-session.h"
#include "tls.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct script {
	const uint8_t	*data;
	size_t		 size;
};

static int		 lfd = -1;
static int		 port;
static struct tls_ctx	*tls;

/* Listen on a loopback port, once. */
static int
setup(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	struct err		*e = NULL;

	if (lfd != -1)
		return 0;
	signal(SIGPIPE, SIG_IGN);
	if ((tls = tls_ctx_new(NULL, &e)) == NULL)
		abort();
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		abort();
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(lfd, 8) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len) == -1)
		abort();
	port = ntohs(sin.sin_port);
	return 0;
}

/* The server: say everything, then read until the client goes. */
static void *
server(void *arg)
{
	struct script	*sc = arg;
	struct pollfd	 pfd;
	char		 buf[4096];
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = accept(lfd, NULL, NULL)) == -1)
		return NULL;
	while (off < sc->size) {
		n = send(fd, sc->data + off, sc->size - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, 3000) > 0 && read(fd, buf, sizeof buf) > 0)
		;
	close(fd);
	return NULL;
}

/* Say what the session decided, then crash. */
static void
fail(const struct smtp_rcpt *r, const char *why)
{
	fprintf(stderr, "fuzz-reply: %s: %s: %s, reply \"%s\", reason "
	    "\"%s\"\n", why, r->addr, r->outcome < OUTCOME_LAST ?
	    outcome_name(r->outcome) : "?", r->reply != NULL ? r->reply : "",
	    r->reason != NULL ? r->reason : "");
	abort();
}

/* No byte below 0x20 (but newline) or DEL in s. */
static int
clean(const char *s)
{
	if (s == NULL)
		return 1;
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n') || *s == 0x7f)
			return 0;
	return 1;
}

/* Run one session against the fuzz input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	 msg[] = "From: a@example.org\r\n"
	    "To: b@example.net\r\nSubject: fuzz\r\n\r\nbody\r\n.dot\r\n";
	struct script		 sc = { data, size };
	struct smtp_opts	 o;
	struct smtp_rcpt	 r[2];
	struct smtp_result	 res;
	pthread_t		 th;
	size_t			 i;
	int			 delivered;

	setup();
	if (pthread_create(&th, NULL, server, &sc) != 0)
		return 0;
	memset(&o, 0, sizeof o);
	o.host = "localhost";
	o.address = "127.0.0.1";
	o.port = port;
	o.try_starttls = 1;
	o.helo = "fuzz.example";
	o.timeout = 2;
	o.tls = tls;
	memset(r, 0, sizeof r);
	r[0].addr = "may@example.net";
	r[0].policy = POLICY_MAY;
	r[1].addr = "strict@example.net";
	r[1].policy = POLICY_ENCRYPT;
	memset(&res, 0, sizeof res);
	smtp_session_run(&o, "a@example.org", msg, sizeof msg - 1, r, 2,
	    &res);
	pthread_join(th, NULL);

	for (i = 0; i < 2; i++) {
		delivered = r[i].outcome <= OUTCOME_PLAINTEXT;
		if (r[i].outcome >= OUTCOME_LAST)
			fail(&r[i], "no outcome");
		/* No TLS session can come out of fixed bytes. */
		if (r[i].outcome == OUTCOME_VERIFIED ||
		    r[i].outcome == OUTCOME_ENCRYPTED)
			fail(&r[i], "TLS outcome without a TLS server");
		if (r[i].policy == POLICY_ENCRYPT && delivered)
			fail(&r[i], "encrypt delivered without TLS");
		if (delivered && memmem(data, size, "354", 3) == NULL)
			fail(&r[i], "delivered, but the server never said 354");
		/*
		 * The reply is sanitized here (smtp-session.h); the reason is
		 * sanitized later, by record.c, so it is not checked.
		 */
		if (!clean(r[i].reply))
			fail(&r[i], "control character in the reply");
		smtp_rcpt_clear(&r[i]);
	}
	smtp_result_clear(&res);
	return 0;
}
