/*
 * stream: a guard around a libetpan low-level stream.  libetpan reads a
 * reply until its last line however long it grows, so a server sending an
 * endless run of "250-" lines, or one endless line, would hold tern
 * forever and eat its memory.  The guard fails a read once a reply (the
 * bytes read since tern last wrote) passes a limit.
 */
#ifndef TERN_STREAM_H
#define TERN_STREAM_H

#include <stddef.h>

#include <libetpan/libetpan.h>

#define STREAM_REPLY_MAX	(64 * 1024)

/*
 * Wrap inner (taken over: closing or freeing the guard closes or frees
 * it).  Returns NULL only when libetpan cannot allocate (inner is then
 * left to the caller).
 */
mailstream_low	*stream_guard_new(mailstream_low *, size_t);
/* 1 when the last failed read was the guard's doing. */
int		 stream_guard_tripped(mailstream_low *);

#endif
