/*
 * attach: files attached to a message.  A file is read whole when it is
 * attached (so what is queued is what the user chose, even if the file
 * changes later), its type found by libmagic from its bytes (the name's
 * extension when libmagic cannot tell), and written as a MIME part by
 * msg_build.
 */
#ifndef TERN_ATTACH_H
#define TERN_ATTACH_H

#include <stddef.h>

struct err;

/* One attached file; every string owned by the attachment. */
struct attach {
	char	*path;		/* as the user gave it */
	char	*name;		/* its base name, UTF-8 (sanitized) */
	char	*type;		/* "image/png", "text/plain; charset=utf-8" */
	char	*data;		/* the file's bytes */
	size_t	 len;
};

/* Attachments of a message, in the order given. */
struct attach_list {
	struct attach	*v;
	size_t		 n;
};

/*
 * Read the file at path and add it to l.  A file that is not a regular
 * file, cannot be read, or is larger than 64 MiB is refused (ERR_INPUT,
 * the message names the path and why).  0, or -1 with *errp set.
 */
int	 attach_add(struct attach_list *, const char *, struct err **);
/* Remove the i-th attachment. */
void	 attach_remove(struct attach_list *, size_t);
/* Free every attachment; the list is empty afterwards. */
void	 attach_clear(struct attach_list *);
/*
 * Write an attachment's bytes to path (mode 0666 less the umask; never
 * through a symbolic link).  An existing file is refused (ERR_INPUT,
 * errno EEXIST) unless overwrite is set.  0, or -1 with *errp.
 */
int	 attach_save(const struct attach *, const char *, int,
	    struct err **);
/* The MIME type for bytes named name: a new string, caller frees. */
char	*attach_type(const char *, size_t, const char *);
/* "12 KiB", "3.4 MiB": a size for people, in buf (at least 16 bytes). */
const char *attach_size_words(size_t, char *, size_t);

#endif
