/*
 * secret: passwords.  They come from the user's passcmd, live in memory
 * only as long as needed, and are wiped before they are freed.  They never
 * reach a log, an error message or the store.
 */
#ifndef TERN_SECRET_H
#define TERN_SECRET_H

#include <stddef.h>

struct err;

/* Seconds secret_from_command gives a passcmd. */
#define SECRET_TIMEOUT_DEFAULT	30

/*
 * Run cmd with /bin/sh -c in a process group of its own, read its first
 * line of standard output (the trailing newline removed) into a new
 * string the caller frees with secret_free.  Its stderr is passed on only
 * when quiet is 0 (its own group does not own the terminal: a command
 * that reads the terminal itself is stopped there, and ends by the
 * timeout).  The run is bounded by timeout seconds (<= 0: the default):
 * past it, the whole group gets SIGTERM then SIGKILL and the call fails
 * ("passcmd did not finish within N s", ERR_CONFIG, temporary).  Once
 * the first line is in, the command has a second to end and close its
 * output; then its group (a child still holding the output, as in
 * "echo pw; sleep 300 &") is stopped the same way and the line is the
 * password, unless the shell itself ended with a failure.  On failure
 * (command not found, non-zero exit, empty output, timeout) returns NULL
 * with *errp (ERR_CONFIG unless internal) naming the command's exit
 * status, never its output nor the command.  The command is always
 * reaped before this returns.
 */
char	*secret_from_command_timeout(const char *, int, int, struct err **);
/* secret_from_command_timeout with SECRET_TIMEOUT_DEFAULT. */
char	*secret_from_command(const char *, int, struct err **);
/* Wipe and free a secret; NULL-safe. */
void	 secret_free(char *);
/* Wipe n bytes in a way the compiler cannot remove. */
void	 secret_wipe(void *, size_t);

#endif
