/* Files attached to a message: read, typed by libmagic. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <magic.h>

#include "attach.h"
#include "err.h"
#include "safefile.h"
#include "text.h"
#include "xmalloc.h"

#define ATTACH_MAX	(64UL * 1024 * 1024)	/* larger: refused */

/* The type from the name's extension, or NULL. */
static const char *
attach_type_ext(const char *name)
{
	static const struct {
		const char	*ext;
		const char	*type;
	} t[] = {
		{ "txt", "text/plain" }, { "patch", "text/x-diff" },
		{ "diff", "text/x-diff" }, { "csv", "text/csv" },
		{ "html", "text/html" }, { "pdf", "application/pdf" },
		{ "png", "image/png" }, { "jpg", "image/jpeg" },
		{ "jpeg", "image/jpeg" }, { "gif", "image/gif" },
		{ "zip", "application/zip" }, { "gz", "application/gzip" },
		{ "tar", "application/x-tar" }, { "ics", "text/calendar" },
		{ "json", "application/json" }, { "odt",
		"application/vnd.oasis.opendocument.text" },
	};
	const char	*dot = strrchr(name, '.');
	size_t		 i;

	if (dot == NULL)
		return NULL;
	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcasecmp(dot + 1, t[i].ext) == 0)
			return t[i].type;
	return NULL;
}

/* The MIME type of the bytes. */
char *
attach_type(const char *data, size_t len, const char *name)
{
	magic_t		 m;
	const char	*r = NULL, *ext;
	char		*out = NULL;

	if ((m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS)) !=
	    NULL && magic_load(m, NULL) == 0)
		r = magic_buffer(m, data, len);
	ext = attach_type_ext(name);
	/*
	 * libmagic knows content; the extension knows intent where the
	 * content is only "text" or unknown (a .patch is text/plain to it).
	 */
	if (r == NULL || strcmp(r, "application/octet-stream") == 0 ||
	    (ext != NULL && strcmp(r, "text/plain") == 0))
		r = ext != NULL ? ext : r;
	if (r == NULL)
		r = "application/octet-stream";
	if (strncmp(r, "text/", 5) == 0)
		out = xasprintf("%s; charset=%s", r,
		    text_is_utf8(data, len) ? "utf-8" : "unknown-8bit");
	else
		out = xstrdup(r);
	if (m != NULL)
		magic_close(m);
	return out;
}

/* Attach the file at path. */
int
attach_add(struct attach_list *l, const char *path, struct err **errp)
{
	struct attach	*a;
	struct stat	 st;
	const char	*base;
	char		*data = NULL;
	size_t		 got = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return err_set(errp, ERR_INPUT, 0, "cannot attach %s: %s",
		    path, strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(errp, ERR_INPUT, 0, "cannot attach %s: not a "
		    "regular file", path);
	}
	if ((unsigned long long)st.st_size > ATTACH_MAX) {
		close(fd);
		return err_set(errp, ERR_INPUT, 0, "cannot attach %s: %lld "
		    "bytes, more than tern attaches (64 MiB)", path,
		    (long long)st.st_size);
	}
	data = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		n = read(fd, data + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_set(errp, ERR_INPUT, 0, "cannot attach %s: %s",
			    path, n == 0 ? "the file shrank while read" :
			    strerror(errno));
			free(data);
			close(fd);
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	data[got] = '\0';
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	a = &l->v[l->n++];
	a->path = xstrdup(path);
	base = strrchr(path, '/');
	base = base != NULL && base[1] != '\0' ? base + 1 : path;
	a->name = text_sanitize_line(base, strlen(base));
	a->data = data;
	a->len = got;
	a->type = attach_type(data, got, a->name);
	return 0;
}

/* Remove one. */
void
attach_remove(struct attach_list *l, size_t i)
{
	if (i >= l->n)
		return;
	free(l->v[i].path);
	free(l->v[i].name);
	free(l->v[i].type);
	free(l->v[i].data);
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof *l->v);
	l->n--;
}

/* Free them all. */
void
attach_clear(struct attach_list *l)
{
	while (l->n > 0)
		attach_remove(l, l->n - 1);
	free(l->v);
	l->v = NULL;
}

/* A size in words. */
const char *
attach_size_words(size_t n, char *buf, size_t size)
{
	if (n < 1024)
		snprintf(buf, size, "%zu B", n);
	else if (n < 1024 * 1024)
		snprintf(buf, size, "%zu KiB", (n + 1023) / 1024);
	else
		snprintf(buf, size, "%.1f MiB", (double)n / (1024 * 1024));
	return buf;
}

/* Save an attachment. */
int
attach_save(const struct attach *a, const char *path, int overwrite,
    struct err **errp)
{
	size_t	 done = 0;
	ssize_t	 n;
	int	 fd, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY | (overwrite ? O_TRUNC : O_EXCL), 0666);
	if (fd == -1) {
		saved = errno;
		err_set(errp, ERR_INPUT, 0, "cannot save %s: %s", path,
		    saved == EEXIST ? "the file exists" : saved == ELOOP ?
		    "it is a symbolic link" : strerror(saved));
		errno = saved;
		return -1;
	}
	while (done < a->len) {
		n = write(fd, a->data + done, a->len - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			close(fd);
			return err_set(errp, ERR_INPUT, 0, "cannot save %s: %s",
			    path, strerror(saved));
		}
		done += (size_t)n;
	}
	if (close(fd) == -1)
		return err_set(errp, ERR_INPUT, 0, "cannot save %s: %s", path,
		    strerror(errno));
	return 0;
}
