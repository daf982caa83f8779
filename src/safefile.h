/*
 * safefile: files and directories that only their user controls.
 *
 * tern writes mail, contacts and drafts.  A path another user could
 * redirect or read along (a symbolic link, a file or directory owned by
 * someone else, a directory others may write into, a file with a second
 * hard link) is refused, never followed or repaired.  Every check looks at
 * the last component itself (lstat, O_NOFOLLOW); the directories above it
 * are followed as usual.  "Others" means group and world: a directory or
 * file writable by either is refused.  Readable by others is not refused
 * here (the store and the Maildir fix their own modes).
 *
 * Errors are ERR_STORE, permanent, and say the path, what is wrong and
 * what to do, as "refusing WHAT PATH: it is a symbolic link (to X) ...".
 * The what argument names the thing for the message ("the store", "the
 * fcc Maildir"); it is borrowed.
 */
#ifndef TERN_SAFEFILE_H
#define TERN_SAFEFILE_H

#include <sys/types.h>

struct err;
struct stat;

/*
 * Check that dir is a real directory (not a symbolic link) owned by this
 * process's effective user and writable by nobody else.  Returns 0, or -1
 * with *errp (also when dir does not exist).
 */
int	 safefile_check_dir(const char *, const char *, struct err **);
/*
 * Create dir with mode 0700 unless it exists (its parent must exist),
 * then safefile_check_dir.  Returns 0 or -1 with *errp.
 */
int	 safefile_mkdir(const char *, const char *, struct err **);
/*
 * Check the file at path without following it: 1 when there is none,
 * 0 when it is a regular file owned by this user, writable by nobody
 * else and with one link, else -1 with *errp.  When sb is not NULL and
 * the file exists, *sb gets its lstat.
 */
int	 safefile_check_file(const char *, const char *, struct stat *,
	    struct err **);
/*
 * open(2) path with O_NOFOLLOW, O_NONBLOCK (cleared again after the
 * open) and O_CLOEXEC added to flags, then check the open file as
 * safefile_check_file does (fstat, so nothing can be swapped in between).
 * With O_CREAT a new file gets mode.  Returns the descriptor (the caller
 * closes it), or -1 with *errp; with O_CREAT absent, a missing file is an
 * error whose errno is left in errno (ENOENT).
 */
int	 safefile_open(const char *, int, mode_t, const char *,
	    struct err **);

#endif
