/*
 * stream: a guard around a libetpan low-level stream.  libetpan reads a
 * reply until its last line however long it grows, so a server sending an
 * endless run of "250-" lines, or one endless line, would hold tern
 * forever and eat its memory.  The guard fails a read once a reply (the
 * bytes read since tern last wrote) passes a limit.
 *
 * libetpan's timeout is the gap between two reads, so a server that
 * trickles a reply a byte a second would hold tern as long as it likes.
 * The guard bounds each step instead: the greeting (from the guard's
 * creation), each reply (from tern's last write) and each write (one
 * block of a command or of DATA, with the rest of a partial write) get
 * the inner stream's timeout in all, to within a second; each inner read
 * or write is given only the time left.  Past the deadline a read or
 * write fails with STREAM_FAILED.
 */
#ifndef TERN_STREAM_H
#define TERN_STREAM_H

#include <stddef.h>

#include <libetpan/libetpan.h>

#define STREAM_REPLY_MAX	(64 * 1024)

/*
 * How the last read ended (or a write failed), written where the caller
 * asked.
 */
enum stream_state {
	STREAM_OK,
	STREAM_CLOSED,		/* the server closed the connection */
	STREAM_FAILED,		/* no answer in time, or a socket error */
	STREAM_TOO_LONG		/* a reply passed the limit */
};

/*
 * Wrap inner (taken over: closing or freeing the guard closes or frees
 * it).  The length of a step is the timeout already set on inner
 * (mailstream_socket_open_timeout, tls_low_new; libetpan's default when
 * none), and the first step starts now.  The state of the last read is
 * written to *state (which must outlive the stream; libetpan may close
 * the stream on its own).
 * Returns NULL only when libetpan cannot allocate (inner is then left to
 * the caller).
 */
mailstream_low	*stream_guard_new(mailstream_low *, size_t,
		    enum stream_state *);
/* Point a guard's state somewhere else (a kept connection moves). */
void		 stream_guard_set_state(mailstream_low *, enum stream_state *);
/*
 * The SMTP code at the start of the reply read since tern last wrote
 * (also when the reply passed the limit), or 0 when it has none.
 */
int		 stream_guard_reply_code(mailstream_low *);

#endif
