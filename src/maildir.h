/*
 * maildir: the fcc copy of sent mail, delivered into a Maildir so that
 * other mail programs see it.
 */
#ifndef TERN_MAILDIR_H
#define TERN_MAILDIR_H

#include <stddef.h>

struct err;

/*
 * Deliver len bytes of msg into the Maildir at path ("~" and "~/..."
 * expanded from $HOME; the directory, its missing parents and cur/ new/
 * tmp/ are created with mode 0700).  The message, preceded by
 * extra_headers (complete "Name: value\r\n" lines, or NULL; borrowed),
 * is written with LF line ends (CRLF converted) to tmp/UNIQUE, fsynced
 * and linked (renamed where links are not possible) to cur/UNIQUE:2,S,
 * marked seen.  UNIQUE is time.M<usec>P<pid>Q<counter>.<host>.  On
 * success returns 0 and, when out_path is not NULL, the full path of the
 * new file in *out_path (caller frees).  On failure returns -1 with *errp
 * (ERR_STORE) naming the path and the system's reason, and leaves
 * nothing in tmp/.  Safe to call from several threads.
 */
int	 maildir_deliver(const char *, const char *, size_t, const char *,
	    char **, struct err **);

/*
 * Format tern's per-recipient transport header:
 * "X-Tern-TLS: bob@example.net; outcome=verified; tls=TLS1.3;
 * cipher=...; verify="..."\r\n", folded so that lines stay within 78
 * columns where a space allows it.  Every argument is borrowed; a NULL
 * one (but recipient) is left out.  Values are sanitized (no CR, LF or
 * other control characters); a value that is not a plain token is quoted.
 * Returns a new string the caller frees.
 */
char	*maildir_tls_header(const char *, const char *, const char *,
	    const char *, const char *);

#endif
