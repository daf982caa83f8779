/* Unit tests for maildir.c. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "maildir.h"

static int	setup(void **);
static int	teardown(void **);
static size_t	count_files(const char *, const char *, char **);
static char	*slurp(const char *);
static void	test_deliver(void **);
static void	test_deliver_twice(void **);
static void	test_deliver_home(void **);
static void	test_deliver_unwritable(void **);
static void	test_deliver_unsafe(void **);
static void	want_msg(const struct err *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	test_tls_header(void **);
static void	test_tls_header_fold(void **);

/* Make a temporary directory; *state is its path. */
static int
setup(void **state)
{
	char	*dir;

	dir = strdup("/tmp/tern-maildir-XXXXXX");
	if (dir == NULL || mkdtemp(dir) == NULL)
		return -1;
	*state = dir;
	return 0;
}

/* Remove the temporary directory. */
static int
teardown(void **state)
{
	char	*cmd;
	int	 rv;

	if (asprintf(&cmd, "rm -rf '%s'", (char *)*state) < 0)
		return -1;
	rv = system(cmd);
	free(cmd);
	free(*state);
	return rv == 0 ? 0 : -1;
}

/* Count the entries of dir/sub; *first gets the first name (if asked). */
static size_t
count_files(const char *dir, const char *sub, char **first)
{
	DIR		*d;
	struct dirent	*de;
	char		*path;
	size_t		 n = 0;

	if (first != NULL)
		*first = NULL;
	assert_true(asprintf(&path, "%s/%s", dir, sub) > 0);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (n++ == 0 && first != NULL)
			*first = strdup(de->d_name);
	}
	closedir(d);
	free(path);
	return n;
}

/* The error is ERR_STORE with exactly this message. */
static void
want_msg(const struct err *e, const char *fmt, ...)
{
	va_list	 ap;
	char	*want;

	assert_non_null(e);
	assert_int_equal(e->cls, ERR_STORE);
	va_start(ap, fmt);
	assert_true(vasprintf(&want, fmt, ap) > 0);
	va_end(ap);
	assert_string_equal(e->msg, want);
	free(want);
}

/* The contents of a file. */
static char *
slurp(const char *path)
{
	struct buf	 b = BUF_INIT;
	FILE		*f;
	char		 chunk[4096];
	size_t		 n;

	f = fopen(path, "rb");
	assert_non_null(f);
	buf_add(&b, "", 0);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_steal(&b);
}

/* A delivery creates the Maildir and one seen file in cur/. */
static void
test_deliver(void **state)
{
	const char	*msg = "From: a@example.org\r\nSubject: hi\r\n\r\n"
	    "body\r\nline 2\r\n";
	struct err	*e = NULL;
	struct stat	 sb;
	char		*md, *out = NULL, *name, *text, *cur;

	assert_true(asprintf(&md, "%s/Mail/Sent", (char *)*state) > 0);
	assert_int_equal(maildir_deliver(md, msg, strlen(msg),
	    "X-Tern-TLS: b@example.net; outcome=verified\r\n", &out, &e), 0);
	assert_null(e);
	assert_int_equal(stat(md, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(count_files(md, "tmp", NULL), 0);
	assert_int_equal(count_files(md, "new", NULL), 0);
	assert_int_equal(count_files(md, "cur", &name), 1);
	assert_non_null(strstr(name, ":2,S"));
	assert_int_equal(strcmp(name + strlen(name) - 4, ":2,S"), 0);
	assert_non_null(strstr(name, ".M"));
	assert_true(asprintf(&cur, "%s/cur/%s", md, name) > 0);
	assert_string_equal(out, cur);
	text = slurp(out);
	assert_string_equal(text,
	    "X-Tern-TLS: b@example.net; outcome=verified\n"
	    "From: a@example.org\nSubject: hi\n\nbody\nline 2\n");
	free(text);
	free(cur);
	free(name);
	free(out);
	free(md);
}

/* Two deliveries get two names; NULL headers and out_path are fine. */
static void
test_deliver_twice(void **state)
{
	struct err	*e = NULL;
	char		*a = NULL, *b = NULL;

	assert_int_equal(maildir_deliver(*state, "x\n", 2, NULL, &a, &e), 0);
	assert_int_equal(maildir_deliver(*state, "y\r\n", 3, NULL, &b, &e), 0);
	assert_int_equal(maildir_deliver(*state, "z", 1, NULL, NULL, &e), 0);
	assert_null(e);
	assert_string_not_equal(a, b);
	assert_int_equal(count_files(*state, "cur", NULL), 3);
	assert_int_equal(count_files(*state, "tmp", NULL), 0);
	free(a);
	a = slurp(b);
	assert_string_equal(a, "y\n");
	free(a);
	free(b);
}

/* "~/" is taken from $HOME. */
static void
test_deliver_home(void **state)
{
	struct err	*e = NULL;
	char		*old, *out = NULL, *want;

	old = getenv("HOME") != NULL ? strdup(getenv("HOME")) : NULL;
	setenv("HOME", *state, 1);
	assert_int_equal(maildir_deliver("~/Sent", "m\n", 2, NULL, &out, &e),
	    0);
	assert_true(asprintf(&want, "%s/Sent/cur/", (char *)*state) > 0);
	assert_int_equal(strncmp(out, want, strlen(want)), 0);
	if (old != NULL)
		setenv("HOME", old, 1);
	else
		unsetenv("HOME");
	free(old);
	free(want);
	free(out);
}

/* A Maildir that cannot be made: ERR_STORE naming the path. */
static void
test_deliver_unwritable(void **state)
{
	struct err	*e = NULL;
	FILE		*f;
	char		*file, *md, *out = (char *)"untouched";

	/* Tests run as root: a regular file in the path stops mkdir. */
	assert_true(asprintf(&file, "%s/file", (char *)*state) > 0);
	assert_true(asprintf(&md, "%s/Maildir", file) > 0);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(maildir_deliver(md, "m\n", 2, NULL, &out, &e), -1);
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_STORE);
	assert_non_null(strstr(e->msg, md));
	assert_non_null(strstr(e->msg, "Not a directory"));
	assert_null(out);
	err_free(e);
	e = NULL;
	/* cur/ a link elsewhere (/proc): refused, nothing written. */
	free(md);
	free(file);
	assert_true(asprintf(&md, "%s/Moved", (char *)*state) > 0);
	assert_true(asprintf(&file, "%s/cur", md) > 0);
	assert_int_equal(mkdir(md, 0700), 0);
	assert_int_equal(symlink("/proc", file), 0);
	assert_int_equal(maildir_deliver(md, "m\n", 2, NULL, &out, &e), -1);
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_STORE);
	want_msg(e, "refusing a folder of the fcc Maildir %s: it is a symbolic "
	    "link (to /proc) and tern follows no link there; put the real "
	    "directory in its place", file);
	assert_null(out);
	err_free(e);
	free(file);
	free(md);
}

/*
 * A Maildir tern does not own is refused with words saying what and
 * what to do, and nothing is written into it: a symbolic link (also
 * written with a trailing slash), another user's directory, a directory
 * others may write to.
 */
static void
test_deliver_unsafe(void **state)
{
	struct err	*e = NULL;
	struct stat	 sb;
	char		*real, *md, *slash, *out = NULL;

	assert_true(asprintf(&real, "%s/real", (char *)*state) > 0);
	assert_true(asprintf(&md, "%s/Sent", (char *)*state) > 0);
	assert_true(asprintf(&slash, "%s/", md) > 0);
	assert_int_equal(mkdir(real, 0700), 0);
	assert_int_equal(symlink(real, md), 0);
	assert_int_equal(maildir_deliver(md, "m\n", 2, NULL, &out, &e), -1);
	want_msg(e, "refusing the fcc Maildir %s: it is a symbolic link (to "
	    "%s) and tern follows no link there; put the real directory in "
	    "its place", md, real);
	err_free(e);
	e = NULL;
	assert_int_equal(maildir_deliver(slash, "m\n", 2, NULL, &out, &e), -1);
	want_msg(e, "refusing the fcc Maildir %s: it is a symbolic link (to "
	    "%s) and tern follows no link there; put the real directory in "
	    "its place", md, real);
	err_free(e);
	e = NULL;
	assert_null(out);
	assert_int_equal(count_files(real, ".", NULL), 0);

	/* Another user's (tests run as root: chown works). */
	assert_int_equal(unlink(md), 0);
	assert_int_equal(mkdir(md, 0700), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(md, 65534, 65534), 0);
		assert_int_equal(maildir_deliver(md, "m\n", 2, NULL, &out, &e),
		    -1);
		want_msg(e, "refusing the fcc Maildir %s: it belongs to another "
		    "user (uid 65534, you are uid 0) and tern writes only into "
		    "its own files; move it aside, or use a path of your own",
		    md);
		err_free(e);
		e = NULL;
		assert_int_equal(count_files(md, ".", NULL), 0);
		assert_int_equal(chown(md, 0, 0), 0);
	}

	/* Writable by others. */
	assert_int_equal(chmod(md, 0777), 0);
	assert_int_equal(maildir_deliver(md, "m\n", 2, NULL, &out, &e), -1);
	want_msg(e, "refusing the fcc Maildir %s: others may write to it "
	    "(mode 0777); check what is in it, then chmod go-w %s", md, md);
	err_free(e);
	e = NULL;
	assert_int_equal(count_files(md, ".", NULL), 0);
	assert_int_equal(stat(md, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0777);

	/* Once it is fixed, the copy goes in. */
	assert_int_equal(chmod(md, 0700), 0);
	assert_int_equal(maildir_deliver(md, "m\n", 2, NULL, &out, &e), 0);
	assert_null(e);
	assert_int_equal(count_files(md, "cur", NULL), 1);
	free(out);
	free(slash);
	free(md);
	free(real);
}

/* The header: its parts, NULL parts left out, quoting, no CR/LF. */
static void
test_tls_header(void **state)
{
	char	*h;

	(void)state;
	h = maildir_tls_header("bob@example.net", "verified", "TLS1.3",
	    "TLS_AES_256_GCM_SHA384", "ok");
	assert_string_equal(h, "X-Tern-TLS: bob@example.net; "
	    "outcome=verified; tls=TLS1.3;\r\n cipher=TLS_AES_256_GCM_SHA384; "
	    "verify=\"ok\"\r\n");
	free(h);
	h = maildir_tls_header("c@example.org", "plaintext", NULL, NULL,
	    NULL);
	assert_string_equal(h, "X-Tern-TLS: c@example.org; "
	    "outcome=plaintext\r\n");
	free(h);
	h = maildir_tls_header("d@example.org\r\nBcc: evil@example.com",
	    "held\nX: y", NULL, NULL, "say \"hi\"\r\n\\");
	assert_string_equal(h, "X-Tern-TLS: d@example.org Bcc: "
	    "evil@example.com; outcome=\"held X: y\";\r\n verify=\"say "
	    "\\\"hi\\\" \\\\\"\r\n");
	free(h);
}

/* A long verify text folds at spaces, lines within 78 columns. */
static void
test_tls_header_fold(void **state)
{
	const char	*why = "the certificate is not trusted: it was "
	    "issued by an unknown authority, and its name mx.example.net "
	    "does not match the host mail.example.net that tern connected "
	    "to; the certificate expired on 2020-01-01";
	struct buf	 u = BUF_INIT;
	char		*h, *line, *end, *want;

	(void)state;
	h = maildir_tls_header("bob@example.net", "encrypted", "TLS1.2",
	    "ECDHE-RSA-AES128-GCM-SHA256", why);
	buf_add(&u, "", 0);
	for (line = h; *line != '\0'; line = end + 2) {
		end = strstr(line, "\r\n");
		assert_non_null(end);
		assert_true(end - line <= 78);
		assert_null(memchr(line, '\n', (size_t)(end - line)));
		if (line != h)
			assert_true(*line == ' ');
		buf_add(&u, line, (size_t)(end - line));
	}
	assert_true(strstr(h, "\r\n") < h + strlen(h) - 2);
	want = NULL;
	assert_true(asprintf(&want, "X-Tern-TLS: bob@example.net; "
	    "outcome=encrypted; tls=TLS1.2; cipher=ECDHE-RSA-AES128-GCM-SHA256;"
	    " verify=\"%s\"", why) > 0);
	/* Unfolding (dropping each CRLF) gives the header back. */
	assert_string_equal(u.s, want);
	free(want);
	buf_free(&u);
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deliver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver_twice, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_deliver_home, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_deliver_unwritable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_deliver_unsafe, setup,
		    teardown),
		cmocka_unit_test(test_tls_header),
		cmocka_unit_test(test_tls_header_fold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
