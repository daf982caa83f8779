/* A reply-size guard around a libetpan stream. */
#include "config.h"

#include <stdlib.h>

#include <libetpan/libetpan.h>

#include "stream.h"
#include "xmalloc.h"

struct guard {
	mailstream_low	*inner;
	size_t		 max;
	size_t		 read;		/* since our last write */
	enum stream_state *state;
};

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
	*state = STREAM_OK;
	if ((low = mailstream_low_new(g, &guard_driver)) == NULL) {
		free(g);
		return NULL;
	}
	mailstream_low_set_timeout(low, mailstream_low_get_timeout(inner));
	return low;
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

/* Read, within the reply budget. */
static ssize_t
guard_read(mailstream_low *s, void *buf, size_t n)
{
	struct guard	*g = s->data;
	ssize_t		 r;

	if (g->read >= g->max) {
		*g->state = STREAM_TOO_LONG;
		return -1;
	}
	if (n > g->max - g->read)
		n = g->max - g->read;
	r = mailstream_low_read(g->inner, buf, n);
	if (r > 0)
		g->read += (size_t)r;
	*g->state = r > 0 ? STREAM_OK : r == 0 ? STREAM_CLOSED :
	    STREAM_FAILED;
	return r;
}

/* Write; a new command starts a new reply. */
static ssize_t
guard_write(mailstream_low *s, const void *buf, size_t n)
{
	struct guard	*g = s->data;

	g->read = 0;
	return mailstream_low_write(g->inner, buf, n);
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
