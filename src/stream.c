/* A reply-size and deadline guard around a libetpan stream. */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <stdlib.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "stream.h"
#include "xmalloc.h"

struct guard {
	mailstream_low	*inner;
	size_t		 max;
	size_t		 read;		/* since our last write */
	char		 head[4];	/* the reply's first bytes */
	time_t		 timeout;	/* seconds a step may take */
	struct timespec	 deadline;	/* of the current step */
	const char	*wnext;		/* the rest of a partial write */
	size_t		 wleft;
	enum stream_state *state;
};

static void	guard_start(struct guard *);
static long long guard_left(struct guard *);
static int	guard_give(struct guard *, int);

static ssize_t	guard_read(mailstream_low *, void *, size_t);
static ssize_t	guard_write(mailstream_low *, const void *, size_t);
static int	guard_close(mailstream_low *);
static int	guard_get_fd(mailstream_low *);
static void	guard_free(mailstream_low *);
static void	guard_cancel(mailstream_low *);
static struct mailstream_cancel *guard_get_cancel(mailstream_low *);

static mailstream_low_driver guard_driver = {
	.mailstream_read = guard_read,
	.mailstream_write = guard_write,
	.mailstream_close = guard_close,
	.mailstream_get_fd = guard_get_fd,
	.mailstream_free = guard_free,
	.mailstream_cancel = guard_cancel,
	.mailstream_get_cancel = guard_get_cancel,
};

/* Wrap a stream. */
mailstream_low *
stream_guard_new(mailstream_low *inner, size_t max, enum stream_state *state)
{
	struct guard	*g;
	mailstream_low	*low;

	g = xcalloc(1, sizeof *g);
	g->inner = inner;
	g->max = max;
	g->state = state;
	/* The caller set the step's length on the inner stream. */
	g->timeout = mailstream_low_get_timeout(inner);
	if (g->timeout <= 0)
		g->timeout = mailstream_network_delay.tv_sec;
	*state = STREAM_OK;
	if ((low = mailstream_low_new(g, &guard_driver)) == NULL) {
		free(g);
		return NULL;
	}
	mailstream_low_set_timeout(low, g->timeout);
	/* The first step is the greeting (or the reply after a handshake). */
	guard_start(g);
	return low;
}

/* A new step: its deadline is timeout seconds from now. */
static void
guard_start(struct guard *g)
{
	clock_gettime(CLOCK_MONOTONIC, &g->deadline);
	g->deadline.tv_sec += g->timeout;
}

/* Milliseconds left in the current step (0 or less: none). */
static long long
guard_left(struct guard *g)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(g->deadline.tv_sec - now.tv_sec) * 1000 +
	    (g->deadline.tv_nsec - now.tv_nsec) / 1000000;
}

/*
 * Give the inner stream only the time left in the step, for one read or
 * write; 0 when none is left.  libetpan counts whole seconds, so a wait
 * is rounded up: a step ends at most a second after its deadline.
 */
static int
guard_give(struct guard *g, int writing)
{
	struct timeval	tv;
	long long	ms;
	int		fd;

	if ((ms = guard_left(g)) <= 0)
		return 0;
	mailstream_low_set_timeout(g->inner, (time_t)((ms + 999) / 1000));
	/*
	 * libetpan's socket driver waits for the socket to be writable,
	 * then blocks in send() until all of it is queued: bound that too.
	 * (tern's TLS stream never blocks in the socket.)
	 */
	if (writing && g->inner->driver == mailstream_socket_driver &&
	    (fd = mailstream_low_get_fd(g->inner)) != -1) {
		tv.tv_sec = (time_t)(ms / 1000);
		tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	}
	return 1;
}

/* Move where the state is written. */
void
stream_guard_set_state(mailstream_low *low, enum stream_state *state)
{
	struct guard	*g;

	if (low == NULL || low->driver != &guard_driver)
		return;
	g = low->data;
	g->state = state;
}

/* Read, within the reply budget and the step's deadline. */
static ssize_t
guard_read(mailstream_low *s, void *buf, size_t n)
{
	struct guard	*g = s->data;
	ssize_t		 r;

	if (g->read >= g->max) {
		*g->state = STREAM_TOO_LONG;
		return -1;
	}
	if (!guard_give(g, 0)) {
		*g->state = STREAM_FAILED;
		return -1;
	}
	if (n > g->max - g->read)
		n = g->max - g->read;
	r = mailstream_low_read(g->inner, buf, n);
	if (r > 0) {
		size_t	i;

		for (i = 0; g->read + i < 3 && i < (size_t)r; i++)
			g->head[g->read + i] = ((const char *)buf)[i];
		g->read += (size_t)r;
	}
	*g->state = r > 0 ? STREAM_OK : r == 0 ? STREAM_CLOSED :
	    STREAM_FAILED;
	return r;
}

/*
 * Write; a new write starts a new step (and a new reply), the rest of a
 * partial write goes on in the same step.
 */
static ssize_t
guard_write(mailstream_low *s, const void *buf, size_t n)
{
	struct guard	*g = s->data;
	ssize_t		 r;

	g->read = 0;
	g->head[0] = '\0';
	if (buf != g->wnext || n != g->wleft)
		guard_start(g);
	g->wnext = NULL;
	g->wleft = 0;
	r = guard_give(g, 1) ? mailstream_low_write(g->inner, buf, n) : -1;
	if (r > 0 && (size_t)r < n) {
		g->wnext = (const char *)buf + r;
		g->wleft = n - (size_t)r;
	}
	/* A failed write says so, unless a read already said why. */
	if (r < 0 && *g->state == STREAM_OK)
		*g->state = STREAM_FAILED;
	return r;
}

/* Close the inner stream. */
static int
guard_close(mailstream_low *s)
{
	struct guard	*g = s->data;

	return mailstream_low_close(g->inner);
}

/* The socket. */
static int
guard_get_fd(mailstream_low *s)
{
	struct guard	*g = s->data;

	return mailstream_low_get_fd(g->inner);
}

/* Free the inner stream and the guard. */
static void
guard_free(mailstream_low *s)
{
	struct guard	*g = s->data;

	mailstream_low_free(g->inner);
	free(g);
	free(s);
}

/* Pass a cancel on. */
static void
guard_cancel(mailstream_low *s)
{
	struct guard	*g = s->data;

	mailstream_low_cancel(g->inner);
}

/* The inner stream's cancel. */
static struct mailstream_cancel *
guard_get_cancel(mailstream_low *s)
{
	struct guard	*g = s->data;

	return mailstream_low_get_cancel(g->inner);
}

/* The code of the reply being read, from its first three bytes. */
int
stream_guard_reply_code(mailstream_low *low)
{
	struct guard	*g;
	int		 i, code = 0;

	if (low == NULL || low->driver != &guard_driver)
		return 0;
	g = low->data;
	if (g->read < 3)
		return 0;
	for (i = 0; i < 3; i++) {
		if (g->head[i] < '0' || g->head[i] > '9')
			return 0;
		code = code * 10 + (g->head[i] - '0');
	}
	return code;
}
