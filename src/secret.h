/*
 * secret: passwords.  They come from the user's passcmd, live in memory
 * only as long as needed, and are wiped before they are freed.  They never
 * reach a log, an error message or the store.
 */
#ifndef TERN_SECRET_H
#define TERN_SECRET_H

#include <stddef.h>

struct err;

/*
 * Run cmd with /bin/sh -c, read its first line of standard output (the
 * trailing newline removed) into a new string the caller frees with
 * secret_free.  Its stderr is passed on only when quiet is 0.  On failure
 * (command not found, non-zero exit, empty output) returns NULL with *errp
 * (ERR_CONFIG) naming the command's exit status, never its output.
 */
char	*secret_from_command(const char *, int, struct err **);
/* Wipe and free a secret; NULL-safe. */
void	 secret_free(char *);
/* Wipe n bytes in a way the compiler cannot remove. */
void	 secret_wipe(void *, size_t);

#endif
