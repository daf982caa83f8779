/* A scripted SMTP server in a thread, for the unit tests. */
#include "config.h"

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "xmalloc.h"

#include "peer.h"

#define PEER_LINE_MAX	4096

struct peer {
	const struct peer_step	*script;
	void			*ctx;
	pthread_t		 thread;
	int			 lfd;		/* listening */
	int			 cfd;		/* the client, or -1 */
	int			 stop[2];	/* peer_end writes to [1] */
	int			 port;
	char			 in[PEER_LINE_MAX];
	size_t			 inlen;

	pthread_mutex_t		 lock;		/* for what follows */
	char			**lines;
	size_t			 nlines;
	struct buf		 body;
	int			 nconn;
	char			*error;
};

enum peer_wait {
	PEER_READY,	/* the awaited fd is readable */
	PEER_STOPPED	/* only the stop pipe is */
};

static void		*peer_main(void *);
static int		 peer_play(struct peer *, const struct peer_step *,
			    size_t);
static void		 peer_watch(struct peer *);
static enum peer_wait	 peer_wait(struct peer *, int);
static int		 peer_getline(struct peer *, char **);
static void		 peer_send(struct peer *, const char *);
static void		 peer_record(struct peer *, const char *);
static void		 peer_fail(struct peer *, const char *, ...)
			    __attribute__((format(printf, 2, 3)));
static void		 peer_hangup(struct peer *);

/* Listen, then play the script in a thread. */
struct peer *
peer_start(const struct peer_step *script, void *ctx)
{
	struct peer		*p;
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	int			 one = 1;

	signal(SIGPIPE, SIG_IGN);
	p = xcalloc(1, sizeof *p);
	p->script = script;
	p->ctx = ctx;
	p->cfd = -1;
	pthread_mutex_init(&p->lock, NULL);
	if ((p->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	(void)setsockopt(p->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = 0;
	if (bind(p->lfd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(p->lfd, 16) == -1 ||
	    getsockname(p->lfd, (struct sockaddr *)&sin, &len) == -1)
		goto fail;
	p->port = ntohs(sin.sin_port);
	if (pipe(p->stop) == -1)
		goto fail;
	if (pthread_create(&p->thread, NULL, peer_main, p) != 0)
		goto fail;
	return p;
fail:
	perror("peer_start");
	abort();
}

/* The port. */
int
peer_port(const struct peer *p)
{
	return p->port;
}

/* Stop the thread once it is done with what came before. */
const char *
peer_end(struct peer *p)
{
	ssize_t	w;

	do {
		w = write(p->stop[1], "x", 1);
	} while (w == -1 && errno == EINTR);
	pthread_join(p->thread, NULL);
	return p->error;
}

/* Free a stopped peer. */
void
peer_free(struct peer *p)
{
	size_t	i;

	if (p == NULL)
		return;
	if (p->cfd != -1)
		close(p->cfd);
	close(p->lfd);
	close(p->stop[0]);
	close(p->stop[1]);
	for (i = 0; i < p->nlines; i++)
		free(p->lines[i]);
	free(p->lines);
	buf_free(&p->body);
	free(p->error);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* Every line received, '\n' between them. */
char *
peer_lines(struct peer *p)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->nlines; i++) {
		if (i > 0)
			buf_addc(&b, '\n');
		buf_adds(&b, p->lines[i]);
	}
	pthread_mutex_unlock(&p->lock);
	return buf_steal(&b);
}

/* Lines starting with prefix. */
size_t
peer_count(struct peer *p, const char *prefix)
{
	size_t	i, n = 0;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->nlines; i++)
		if (strncmp(p->lines[i], prefix, strlen(prefix)) == 0)
			n++;
	pthread_mutex_unlock(&p->lock);
	return n;
}

/* Connections accepted. */
int
peer_connections(struct peer *p)
{
	int	n;

	pthread_mutex_lock(&p->lock);
	n = p->nconn;
	pthread_mutex_unlock(&p->lock);
	return n;
}

/* Bytes from the client not read by the script yet. */
size_t
peer_pending(struct peer *p)
{
	struct pollfd	pfd;
	int		n = 0;

	if (p->cfd == -1)
		return p->inlen;
	pfd.fd = p->cfd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) == 1 && ioctl(p->cfd, FIONREAD, &n) == 0 &&
	    n > 0)
		return p->inlen + (size_t)n;
	return p->inlen;
}

/* The last message. */
char *
peer_body(struct peer *p)
{
	char	*s;

	pthread_mutex_lock(&p->lock);
	s = xstrdup(p->body.s != NULL ? p->body.s : "");
	pthread_mutex_unlock(&p->lock);
	return s;
}

/* The thread: the script, then watch for what should not come. */
static void *
peer_main(void *arg)
{
	struct peer	*p = arg;
	size_t		 i;

	for (i = 0; p->script[i].op != PEER_END; i++)
		if (peer_play(p, &p->script[i], i) == -1)
			break;
	peer_hangup(p);
	peer_watch(p);
	return NULL;
}

/* One step; -1 ends the script (a failure is recorded). */
static int
peer_play(struct peer *p, const struct peer_step *st, size_t n)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	const char		*want, *nl;
	char			*line = NULL;
	size_t			 wl;
	int			 r;

	switch (st->op) {
	case PEER_ACCEPT:
		peer_hangup(p);
		if (peer_wait(p, p->lfd) == PEER_STOPPED) {
			peer_fail(p, "step %zu: no connection came", n);
			return -1;
		}
		if ((p->cfd = accept(p->lfd, (struct sockaddr *)&sin,
		    &len)) == -1) {
			peer_fail(p, "step %zu: accept: %s", n,
			    strerror(errno));
			return -1;
		}
		pthread_mutex_lock(&p->lock);
		p->nconn++;
		pthread_mutex_unlock(&p->lock);
		p->inlen = 0;
		break;
	case PEER_LINE:
		for (want = st->arg; want != NULL;
		    want = nl != NULL ? nl + 1 : NULL) {
			nl = strchr(want, '\n');
			wl = nl != NULL ? (size_t)(nl - want) : strlen(want);
			if ((r = peer_getline(p, &line)) != 1) {
				peer_fail(p, "step %zu: expected \"%.*s\", %s",
				    n, (int)wl, want, r == 0 ? "the client "
				    "closed" : "the test ended first");
				return -1;
			}
			peer_record(p, line);
			if (strncmp(line, want, wl) != 0) {
				peer_fail(p, "step %zu: expected \"%.*s\", got "
				    "\"%s\"", n, (int)wl, want, line);
				free(line);
				return -1;
			}
			free(line);
		}
		break;
	case PEER_BODY:
	case PEER_BODY_EOF:
		pthread_mutex_lock(&p->lock);
		buf_reset(&p->body);
		pthread_mutex_unlock(&p->lock);
		for (;;) {
			if ((r = peer_getline(p, &line)) != 1)
				break;
			if (strcmp(line, ".") == 0)
				break;
			pthread_mutex_lock(&p->lock);
			buf_adds(&p->body, line[0] == '.' ? line + 1 : line);
			buf_addc(&p->body, '\n');
			pthread_mutex_unlock(&p->lock);
			free(line);
			line = NULL;
		}
		if (r == 1) {
			peer_record(p, ".");
			free(line);
			if (st->op == PEER_BODY_EOF) {
				peer_fail(p, "step %zu: the message's final "
				    "dot came, the client should have closed "
				    "before it", n);
				return -1;
			}
		} else if (r == 0 && st->op == PEER_BODY) {
			peer_fail(p, "step %zu: the client closed before the "
			    "final dot", n);
			return -1;
		} else if (r == -1) {
			peer_fail(p, "step %zu: the test ended in the middle of "
			    "the message", n);
			return -1;
		}
		if (st->op == PEER_BODY_EOF)
			peer_hangup(p);
		break;
	case PEER_EOF:
		if ((r = peer_getline(p, &line)) != 0) {
			if (r == 1)
				peer_record(p, line);
			if (r == 1)
				peer_fail(p, "step %zu: expected the client to "
				    "close, got \"%s\"", n, line);
			else
				peer_fail(p, "step %zu: expected the client to "
				    "close; the test ended first", n);
			free(line);
			return -1;
		}
		peer_hangup(p);
		break;
	case PEER_RAW:
		if (p->inlen == 0) {
			ssize_t	got;

			if (peer_wait(p, p->cfd) == PEER_STOPPED) {
				peer_fail(p, "step %zu: nothing came", n);
				return -1;
			}
			do {
				got = read(p->cfd, p->in, sizeof p->in);
			} while (got == -1 && errno == EINTR);
			if (got <= 0) {
				peer_fail(p, "step %zu: the client closed", n);
				return -1;
			}
		}
		p->inlen = 0;
		break;
	case PEER_SEND:
		break;
	case PEER_CLOSE:
		peer_hangup(p);
		break;
	case PEER_END:
		return -1;
	}
	if (st->hook != NULL)
		st->hook(p, p->ctx);
	if (st->text != NULL)
		peer_send(p, st->text);
	return 0;
}

/* After the script: any further connection is a failure. */
static void
peer_watch(struct peer *p)
{
	int	fd;

	while (peer_wait(p, p->lfd) == PEER_READY) {
		if ((fd = accept(p->lfd, NULL, NULL)) == -1)
			continue;
		pthread_mutex_lock(&p->lock);
		p->nconn++;
		pthread_mutex_unlock(&p->lock);
		peer_fail(p, "a connection after the script's end (the "
		    "client connected %d times)", p->nconn);
		close(fd);
	}
}

/*
 * Wait until fd is readable or the test says stop; what the client did
 * (a connection, data, its close) comes before the stop.
 */
static enum peer_wait
peer_wait(struct peer *p, int fd)
{
	struct pollfd	pfd[2];
	int		r;

	if (fd == -1)
		return PEER_STOPPED;
	for (;;) {
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = p->stop[0];
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		r = poll(pfd, 2, -1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return PEER_STOPPED;
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
			return PEER_READY;
		if (pfd[1].revents != 0)
			return PEER_STOPPED;
	}
}

/*
 * The next line from the client, without its CRLF (the caller records
 * it, or keeps it as a message line): 1, 0 when the client closed
 * ("<eof>" recorded), -1 when the test ended first.
 */
static int
peer_getline(struct peer *p, char **line)
{
	char	*nl;
	size_t	 len;
	ssize_t	 got;

	*line = NULL;
	for (;;) {
		if ((nl = memchr(p->in, '\n', p->inlen)) != NULL) {
			len = (size_t)(nl - p->in);
			*line = xmalloc(len + 1);
			memcpy(*line, p->in, len);
			(*line)[len] = '\0';
			if (len > 0 && (*line)[len - 1] == '\r')
				(*line)[len - 1] = '\0';
			p->inlen -= len + 1;
			memmove(p->in, nl + 1, p->inlen);
			break;
		}
		if (p->inlen == sizeof p->in) {
			/* A line longer than any command: take it as is. */
			*line = xmalloc(p->inlen + 1);
			memcpy(*line, p->in, p->inlen);
			(*line)[p->inlen] = '\0';
			p->inlen = 0;
			break;
		}
		if (peer_wait(p, p->cfd) == PEER_STOPPED)
			return -1;
		do {
			got = read(p->cfd, p->in + p->inlen,
			    sizeof p->in - p->inlen);
		} while (got == -1 && errno == EINTR);
		if (got <= 0) {
			peer_record(p, "<eof>");
			return 0;
		}
		p->inlen += (size_t)got;
	}
	return 1;
}

/* Write text to the client (a broken connection is the client's end). */
static void
peer_send(struct peer *p, const char *text)
{
	size_t	 off = 0, len = strlen(text);
	ssize_t	 w;

	while (p->cfd != -1 && off < len) {
		w = send(p->cfd, text + off, len - off, MSG_NOSIGNAL);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
}

/* Keep a received line. */
static void
peer_record(struct peer *p, const char *line)
{
	pthread_mutex_lock(&p->lock);
	p->lines = xreallocarray(p->lines, p->nlines + 1, sizeof *p->lines);
	p->lines[p->nlines++] = xstrdup(line);
	pthread_mutex_unlock(&p->lock);
}

/* Keep the first failure; the connection ends with it. */
static void
peer_fail(struct peer *p, const char *fmt, ...)
{
	va_list	ap;
	char	*t;

	va_start(ap, fmt);
	t = xvasprintf(fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&p->lock);
	if (p->error == NULL)
		p->error = t;
	else
		free(t);
	pthread_mutex_unlock(&p->lock);
	peer_hangup(p);
}

/* Close the client's connection, if any. */
static void
peer_hangup(struct peer *p)
{
	if (p->cfd != -1) {
		close(p->cfd);
		p->cfd = -1;
	}
	p->inlen = 0;
}
