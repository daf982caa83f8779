/*
 * vcard-int: helpers private to the contact importers (vcard.c,
 * vcard-write.c and alias.c) on a struct vcard_result.  Not for other
 * modules; defined in vcard-result.c.
 */
#ifndef TERN_VCARD_INT_H
#define TERN_VCARD_INT_H

#include <stddef.h>

#include "policy.h"

struct vcard_result;

/* Append a problem found at a 1-based line (printf-style words). */
void	 vcard_problem(struct vcard_result *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* Append a copy of a contact (a name equal to the address is no name). */
void	 vcard_add(struct vcard_result *, const char *, const char *,
	    enum policy, const char *);

/* Put contact i of the result in a group (once, any case). */
void	 vcard_join(struct vcard_result *, size_t, const char *);

/* A short, sanitized copy of some input to quote: a new string. */
char	*vcard_show(const char *);

/*
 * The next physical line of text from *pos (without its CRLF or LF) in
 * *start and *n, borrowed from text; 0 at the end.
 */
int	 vcard_physical(const char *, size_t, size_t *, const char **,
	    size_t *);

/* Sanitize a name to one trimmed line (frees s); NULL when empty. */
char	*vcard_one_line(char *);

/* Add a copy of s to a list of strings unless it is there (any case). */
void	 vcard_strs_add(char ***, size_t *, const char *);

/* Free a list of strings; NULL-safe. */
void	 vcard_strs_free(char **, size_t);

#endif
