/* Refusing files and directories that another user could control. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "safefile.h"
#include "text.h"
#include "xmalloc.h"

static int	safefile_judge(const char *, const char *, const struct stat *,
		    int, struct err **);
static int	safefile_link(const char *, const char *, int, struct err **);

/* Refuse a symbolic link, naming where it points. */
static int
safefile_link(const char *path, const char *what, int dir,
    struct err **errp)
{
	char	 to[PATH_MAX], *shown;
	ssize_t	 n;

	if ((n = readlink(path, to, sizeof to - 1)) < 0)
		n = 0;
	to[n] = '\0';
	shown = text_escape(to);
	err_set(errp, ERR_STORE, 0, "refusing %s %s: it is a symbolic link "
	    "(to %s) and tern follows no link there; put the real %s in its "
	    "place", what, path, shown, dir ? "directory" : "file");
	free(shown);
	return -1;
}

/* Judge what lstat or fstat said; dir: 1 for a directory, 0 a file. */
static int
safefile_judge(const char *path, const char *what, const struct stat *sb,
    int dir, struct err **errp)
{
	uid_t	uid = geteuid();

	if (S_ISLNK(sb->st_mode))
		return safefile_link(path, what, dir, errp);
	if (dir && !S_ISDIR(sb->st_mode))
		return err_set(errp, ERR_STORE, 0, "refusing %s %s: it is not "
		    "a directory; move it aside", what, path);
	if (!dir && !S_ISREG(sb->st_mode))
		return err_set(errp, ERR_STORE, 0, "refusing %s %s: it is not "
		    "a regular file; move it aside", what, path);
	if (sb->st_uid != uid)
		return err_set(errp, ERR_STORE, 0, "refusing %s %s: it belongs "
		    "to another user (uid %lu, you are uid %lu) and tern "
		    "writes only into its own files; move it aside, or use a "
		    "path of your own", what, path, (unsigned long)sb->st_uid,
		    (unsigned long)uid);
	if ((sb->st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return err_set(errp, ERR_STORE, 0, "refusing %s %s: others may "
		    "write to it (mode %04o); check what is in it, then "
		    "chmod go-w %s", what, path,
		    (unsigned int)(sb->st_mode & 07777), path);
	if (!dir && sb->st_nlink > 1)
		return err_set(errp, ERR_STORE, 0, "refusing %s %s: it has %lu "
		    "hard links, so writing it would change another file too; "
		    "move it aside", what, path, (unsigned long)sb->st_nlink);
	return 0;
}

/* Check a directory without following it. */
int
safefile_check_dir(const char *dir, const char *what, struct err **errp)
{
	struct stat	 sb;
	char		*d;
	size_t		 len;
	int		 rv;

	/* "link/" would follow the link: look at "link" itself. */
	d = xstrdup(dir);
	len = strlen(d);
	while (len > 1 && d[len - 1] == '/')
		d[--len] = '\0';
	if (lstat(d, &sb) == -1)
		rv = err_set(errp, ERR_STORE, 0, "cannot use %s %s: %s",
		    what, d, strerror(errno));
	else
		rv = safefile_judge(d, what, &sb, 1, errp);
	free(d);
	return rv;
}

/* Make a directory 0700 unless it exists, then check it. */
int
safefile_mkdir(const char *dir, const char *what, struct err **errp)
{
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return err_set(errp, ERR_STORE, 0, "cannot create %s %s: %s",
		    what, dir, strerror(errno));
	return safefile_check_dir(dir, what, errp);
}

/* Check a file without following it; 1 when absent. */
int
safefile_check_file(const char *path, const char *what, struct stat *out,
    struct err **errp)
{
	struct stat	sb;

	if (lstat(path, &sb) == -1) {
		if (errno == ENOENT)
			return 1;
		return err_set(errp, ERR_STORE, 0, "cannot use %s %s: %s",
		    what, path, strerror(errno));
	}
	if (out != NULL)
		*out = sb;
	return safefile_judge(path, what, &sb, 0, errp);
}

/* Open without following, then check what was opened. */
int
safefile_open(const char *path, int flags, mode_t mode, const char *what,
    struct err **errp)
{
	struct stat	sb;
	int		fd, saved, fl;

	/* O_NONBLOCK: a FIFO put in the file's place must not hang us. */
	fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode);
	if (fd == -1) {
		saved = errno;
		if (saved == ELOOP)
			safefile_link(path, what, 0, errp);
		else
			err_set(errp, ERR_STORE, 0, "cannot open %s %s: %s",
			    what, path, strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &sb) == -1) {
		saved = errno;
		err_set(errp, ERR_STORE, 0, "cannot use %s %s: %s", what, path,
		    strerror(saved));
		goto fail;
	}
	if (safefile_judge(path, what, &sb, 0, errp) == -1) {
		saved = EPERM;
		goto fail;
	}
	if ((flags & O_NONBLOCK) == 0 && (fl = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
fail:
	close(fd);
	errno = saved;
	return -1;
}
