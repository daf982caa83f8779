/*
 * buf: a growable byte buffer, always NUL-terminated.  The struct is
 * public so that callers can keep one on the stack; buf_free() releases
 * its memory, buf_steal() hands the string to the caller (who frees it).
 */
#ifndef TERN_BUF_H
#define TERN_BUF_H

#include <stddef.h>

struct buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

#define BUF_INIT { NULL, 0, 0 }

/* Make room for n more bytes now (one allocation for a known size). */
void	 buf_reserve(struct buf *, size_t);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_addf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal, or null when s is NULL. */
void	 buf_add_json(struct buf *, const char *);
void	 buf_reset(struct buf *);
/* Return the string (never NULL) and leave the buffer empty. */
char	*buf_steal(struct buf *);
void	 buf_free(struct buf *);

#endif
