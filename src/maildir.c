/* The fcc copy: delivery into a Maildir, and the X-Tern-TLS header. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "maildir.h"
#include "safefile.h"
#include "text.h"
#include "xmalloc.h"

#define MAILDIR_TRIES	16	/* unique names tried before giving up */
#define MAILDIR_COLUMNS	76	/* longest header line we fold to */

/*
 * Deliveries made by this process, for unique names.  The one piece of
 * global state in the core: a name must stay unique across every caller
 * and thread of the process, as the Maildir specification asks.
 */
static atomic_ulong	maildir_counter;

static char	*maildir_expand(const char *, struct err **);
static int	 maildir_mkdir(const char *, const char *, struct err **);
static int	 maildir_create(const char *, struct err **);
static char	*maildir_unique(void);
static void	 maildir_add_lf(struct buf *, const char *, size_t);
static int	 maildir_write(int, const char *, size_t);
static void	 maildir_sync_dir(const char *);
static char	*maildir_clean(const char *);
static void	 maildir_param(struct buf *, const char *, const char *,
		    int);

/* Expand "~" and "~/..." from $HOME into a new string. */
static char *
maildir_expand(const char *path, struct err **errp)
{
	const char	*home;

	if (path == NULL || *path == '\0') {
		err_set(errp, ERR_STORE, 0, "the fcc Maildir path is empty");
		return NULL;
	}
	if (path[0] != '~' || (path[1] != '\0' && path[1] != '/'))
		return xstrdup(path);
	if ((home = getenv("HOME")) == NULL || *home == '\0') {
		err_set(errp, ERR_STORE, 0, "cannot find the Maildir %s: HOME "
		    "is not set (write the full path)", path);
		return NULL;
	}
	return xasprintf("%s%s", home, path + 1);
}

/* Make one directory unless it exists; maildir names the Maildir. */
static int
maildir_mkdir(const char *dir, const char *maildir, struct err **errp)
{
	struct stat	 sb;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return err_set(errp, ERR_STORE, 0, "cannot create the Maildir "
		    "%s: %s: %s", maildir, dir, strerror(errno));
	if (stat(dir, &sb) != 0)
		return err_set(errp, ERR_STORE, 0, "cannot use the Maildir "
		    "%s: %s: %s", maildir, dir, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return err_set(errp, ERR_STORE, 0, "cannot use the Maildir "
		    "%s: %s: %s", maildir, dir, strerror(ENOTDIR));
	return 0;
}

/*
 * Create the Maildir, its missing parents, cur/ new/ tmp/.  The parents
 * are followed as usual; the Maildir and its three folders must be real
 * directories of ours that nobody else may write (safefile.h), since
 * tern puts sent mail there.
 */
static int
maildir_create(const char *dir, struct err **errp)
{
	static const char	*subs[] = { "cur", "new", "tmp" };
	char			*p, *q, *sub;
	size_t			 i;
	int			 rv = -1;

	p = xstrdup(dir);
	for (q = p + 1; *q != '\0'; q++) {
		if (*q != '/' || q[-1] == '/')
			continue;
		*q = '\0';
		if (maildir_mkdir(p, dir, errp) != 0)
			goto fail;
		*q = '/';
	}
	if (safefile_mkdir(p, "the fcc Maildir", errp) != 0)
		goto fail;
	for (i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		sub = xasprintf("%s/%s", dir, subs[i]);
		if (safefile_mkdir(sub, "a folder of the fcc Maildir",
		    errp) != 0) {
			free(sub);
			goto fail;
		}
		free(sub);
	}
	rv = 0;
fail:
	free(p);
	return rv;
}

/* A unique name: time.M<usec>P<pid>Q<counter>.<host>, '/' ':' escaped. */
static char *
maildir_unique(void)
{
	struct buf	 b = BUF_INIT;
	struct timespec	 ts;
	char		 host[256];
	const char	*h;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (gethostname(host, sizeof host) != 0 || host[0] == '\0')
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	buf_addf(&b, "%lld.M%ldP%ldQ%lu.", (long long)ts.tv_sec,
	    (long)(ts.tv_nsec / 1000), (long)getpid(),
	    atomic_fetch_add(&maildir_counter, 1) + 1);
	for (h = host; *h != '\0'; h++) {
		if (*h == '/')
			buf_adds(&b, "\\057");
		else if (*h == ':')
			buf_adds(&b, "\\072");
		else
			buf_addc(&b, *h);
	}
	return buf_steal(&b);
}

/* Append n bytes of s with CRLF turned into LF. */
static void
maildir_add_lf(struct buf *b, const char *s, size_t n)
{
	size_t	 i, start = 0;

	for (i = 0; i + 1 < n; i++) {
		if (s[i] == '\r' && s[i + 1] == '\n') {
			buf_add(b, s + start, i - start);
			start = i + 1;
		}
	}
	buf_add(b, s + start, n - start);
}

/* Write all of s; 0, or -1 with errno. */
static int
maildir_write(int fd, const char *s, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fd, s, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Flush a directory's entries to disk (best effort). */
static void
maildir_sync_dir(const char *dir)
{
	int	 fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	(void)fsync(fd);
	close(fd);
}

/* Deliver a message into a Maildir. */
int
maildir_deliver(const char *path, const char *msg, size_t len,
    const char *extra_headers, char **out_path, struct err **errp)
{
	struct buf	 b = BUF_INIT;
	char		*dir = NULL, *name = NULL, *tmp = NULL, *cur = NULL;
	char		*sub = NULL;
	int		 fd = -1, tries, rv = -1, saved;

	if (out_path != NULL)
		*out_path = NULL;
	if ((dir = maildir_expand(path, errp)) == NULL)
		goto fail;
	if (maildir_create(dir, errp) != 0)
		goto fail;
	for (tries = 0; tries < MAILDIR_TRIES; tries++) {
		free(name);
		free(tmp);
		name = maildir_unique();
		tmp = xasprintf("%s/tmp/%s", dir, name);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		err_set(errp, ERR_STORE, 0, "cannot write to the Maildir %s: "
		    "%s: %s", dir, tmp, strerror(errno));
		free(tmp);
		tmp = NULL;	/* not ours: nothing to remove */
		goto fail;
	}
	buf_add(&b, "", 0);
	if (extra_headers != NULL)
		maildir_add_lf(&b, extra_headers, strlen(extra_headers));
	maildir_add_lf(&b, msg, len);
	if (maildir_write(fd, b.s, b.len) != 0 || fsync(fd) != 0) {
		err_set(errp, ERR_STORE, 0, "cannot write to the Maildir %s: "
		    "%s: %s", dir, tmp, strerror(errno));
		goto fail;
	}
	saved = close(fd);
	fd = -1;
	if (saved != 0) {
		err_set(errp, ERR_STORE, 0, "cannot write to the Maildir %s: "
		    "%s: %s", dir, tmp, strerror(errno));
		goto fail;
	}
	cur = xasprintf("%s/cur/%s:2,S", dir, name);
	/* Link (never overwrites); rename where there are no links. */
	if (link(tmp, cur) != 0 && !((errno == EPERM || errno == EXDEV ||
	    errno == ENOSYS || errno == EOPNOTSUPP || errno == EMLINK) &&
	    rename(tmp, cur) == 0)) {
		err_set(errp, ERR_STORE, 0, "cannot move the message into the "
		    "Maildir %s: %s: %s", dir, cur, strerror(errno));
		goto fail;
	}
	(void)unlink(tmp);
	free(tmp);
	tmp = NULL;
	sub = xasprintf("%s/cur", dir);
	maildir_sync_dir(sub);
	if (out_path != NULL) {
		*out_path = cur;
		cur = NULL;
	}
	rv = 0;
fail:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		(void)unlink(tmp);
	buf_free(&b);
	free(sub);
	free(cur);
	free(tmp);
	free(name);
	free(dir);
	return rv;
}

/* A value made safe for a header: one line, no control characters. */
static char *
maildir_clean(const char *s)
{
	char	*san, *p;

	san = text_sanitize(s);
	for (p = san; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	return san;
}

/* Append "; name=value", quoted when asked or when not a plain token. */
static void
maildir_param(struct buf *b, const char *name, const char *value, int quote)
{
	char		*v;
	const char	*p;

	if (value == NULL)
		return;
	v = maildir_clean(value);
	for (p = v; *p != '\0' && !quote; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("._-+/", *p) != NULL))
			quote = 1;
	if (*v == '\0')
		quote = 1;
	buf_addf(b, "; %s=", name);
	if (!quote)
		buf_adds(b, v);
	else {
		buf_addc(b, '"');
		for (p = v; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				buf_addc(b, '\\');
			buf_addc(b, *p);
		}
		buf_addc(b, '"');
	}
	free(v);
}

/* Format the X-Tern-TLS header for one recipient. */
char *
maildir_tls_header(const char *recipient, const char *outcome,
    const char *tls_version, const char *cipher, const char *verify)
{
	struct buf	 u = BUF_INIT, out = BUF_INIT;
	char		*r;
	size_t		 start, k, fold, first;

	r = maildir_clean(recipient != NULL ? recipient : "");
	buf_addf(&u, "X-Tern-TLS: %s", r);
	free(r);
	maildir_param(&u, "outcome", outcome, 0);
	maildir_param(&u, "tls", tls_version, 0);
	maildir_param(&u, "cipher", cipher, 0);
	maildir_param(&u, "verify", verify, 1);
	/* Fold before a space; never at the one after the colon. */
	first = strlen("X-Tern-TLS: ");
	buf_add(&out, "", 0);
	start = 0;
	while (u.len - start > MAILDIR_COLUMNS) {
		fold = 0;
		for (k = start + 1; k <= start + MAILDIR_COLUMNS; k++)
			if (u.s[k] == ' ' && k >= first)
				fold = k;
		if (fold == 0) {
			for (k = start + MAILDIR_COLUMNS + 1; k < u.len; k++)
				if (u.s[k] == ' ')
					break;
			if (k >= u.len)
				break;
			fold = k;
		}
		buf_add(&out, u.s + start, fold - start);
		buf_add(&out, "\r\n", 2);
		start = fold;
	}
	buf_add(&out, u.s + start, u.len - start);
	buf_add(&out, "\r\n", 2);
	buf_free(&u);
	return buf_steal(&out);
}
