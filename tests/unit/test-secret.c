/* Unit tests for secret: passwords from passcmd. */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "secret.h"

static void	expect_secret(const char *, const char *);
static struct err *expect_fail(const char *);
static char	*run_capturing_stderr(const char *, int, char *, size_t);
static const char *pid_file(void);
static char	*with_pid_file(const char *);
static pid_t	 read_pid(void);
static int	 pid_gone(pid_t);
static void	 expect_gone(void);

/* Run cmd and check it gives want. */
static void
expect_secret(const char *cmd, const char *want)
{
	struct err	*e = NULL;
	char		*s;

	s = secret_from_command(cmd, 1, &e);
	assert_null(e);
	assert_non_null(s);
	assert_string_equal(s, want);
	secret_free(s);
}

/* Run cmd, check it fails with a config error, return the error. */
static struct err *
expect_fail(const char *cmd)
{
	struct err	*e = NULL;
	char		*s;

	s = secret_from_command(cmd, 1, &e);
	assert_null(s);
	assert_non_null(e);
	assert_non_null(e->msg);
	return e;
}

/* Run cmd with our stderr going to a file, whose text lands in buf. */
static char *
run_capturing_stderr(const char *cmd, int quiet, char *buf, size_t size)
{
	char		 path[] = "/tmp/test-secret-XXXXXX";
	struct err	*e = NULL;
	char		*s;
	ssize_t		 n;
	int		 fd, saved;

	fd = mkstemp(path);
	assert_true(fd != -1);
	unlink(path);
	saved = dup(STDERR_FILENO);
	assert_true(saved != -1);
	assert_true(dup2(fd, STDERR_FILENO) != -1);
	s = secret_from_command(cmd, quiet, &e);
	assert_true(dup2(saved, STDERR_FILENO) != -1);
	close(saved);
	assert_null(e);
	assert_true(lseek(fd, 0, SEEK_SET) == 0);
	n = read(fd, buf, size - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
	return s;
}

/* Where a command writes the pid of what it starts (ours alone). */
static const char *
pid_file(void)
{
	static char	path[64];

	snprintf(path, sizeof path, "/tmp/test-secret-%ld.pid",
	    (long)getpid());
	return path;
}

/* fmt (one %s) with the pid file put in; the caller frees it. */
static char *
with_pid_file(const char *fmt)
{
	char	*cmd;
	size_t	 n = strlen(fmt) + strlen(pid_file()) + 1;

	cmd = malloc(n);
	assert_non_null(cmd);
	snprintf(cmd, n, fmt, pid_file());
	return cmd;
}

/* The pid the command wrote. */
static pid_t
read_pid(void)
{
	FILE	*f;
	long	 pid = 0;

	f = fopen(pid_file(), "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	unlink(pid_file());
	assert_true(pid > 1);
	return (pid_t)pid;
}

/* Whether pid has ended (gone, or a zombie left to its new parent). */
static int
pid_gone(pid_t pid)
{
	char	 path[64], line[512], *p;
	FILE	*f;
	int	 gone = 1;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return kill(pid, 0) == -1 && errno == ESRCH;
	if (fgets(line, sizeof line, f) != NULL &&
	    (p = strrchr(line, ')')) != NULL && p[1] == ' ')
		gone = p[2] == 'Z' || p[2] == 'X';
	fclose(f);
	return gone;
}

/* The process whose pid the command wrote ends soon (a bounded wait). */
static void
expect_gone(void)
{
	pid_t	pid = read_pid();
	int	i;

	for (i = 0; i < 500 && !pid_gone(pid); i++)
		usleep(10000);
	if (!pid_gone(pid))
		kill(pid, SIGKILL);
	assert_true(pid_gone(pid));
}

/* The first line is the password, the rest is ignored. */
static void
test_first_line(void **state)
{
	(void)state;
	expect_secret("printf 'hunter2\\nsecond'", "hunter2");
	expect_secret("echo hunter2", "hunter2");
	expect_secret("printf 'no newline'", "no newline");
	expect_secret("printf ' spaced out \\n'", " spaced out ");
}

/* A CRLF line end is removed as a whole. */
static void
test_crlf(void **state)
{
	(void)state;
	expect_secret("printf 'pw\\r\\nmore'", "pw");
}

/* Lots of output after the first line: no SIGPIPE, no hang. */
static void
test_long_tail(void **state)
{
	(void)state;
	expect_secret("printf 'pw\\n'; head -c 300000 /dev/zero | tr '\\0' x",
	    "pw");
}

/* A non-zero exit fails and names the status, not the output. */
static void
test_exit_status(void **state)
{
	struct err	*e;

	(void)state;
	e = expect_fail("exit 3");
	assert_int_equal(e->cls, ERR_CONFIG);
	assert_non_null(strstr(e->msg, "status 3"));
	err_free(e);
}

/* A secret printed before a failure never reaches the message. */
static void
test_no_leak(void **state)
{
	struct err	*e;

	(void)state;
	e = expect_fail("echo s3cr3t-value; exit 1");
	assert_null(strstr(e->msg, "s3cr3t"));
	assert_non_null(strstr(e->msg, "status 1"));
	err_free(e);

	/* Nor the command, which may hold the secret itself. */
	e = expect_fail("echo s3cr3t-value >/dev/null; false");
	assert_null(strstr(e->msg, "s3cr3t"));
	err_free(e);
}

/* Empty output fails. */
static void
test_empty(void **state)
{
	struct err	*e;

	(void)state;
	e = expect_fail("echo -n");
	assert_int_equal(e->cls, ERR_CONFIG);
	assert_non_null(strstr(e->msg, "no password"));
	err_free(e);
	e = expect_fail("true");
	err_free(e);
	e = expect_fail("echo");
	err_free(e);
}

/* A missing command, a signal, an empty passcmd. */
static void
test_other_failures(void **state)
{
	struct err	*e;

	(void)state;
	e = expect_fail("/nonexistent/tern-passcmd");
	assert_non_null(strstr(e->msg, "127"));
	err_free(e);
	e = expect_fail("echo pw; kill -9 $$");
	assert_non_null(strstr(e->msg, "signal 9"));
	assert_null(strstr(e->msg, "pw"));
	err_free(e);
	e = expect_fail("");
	err_free(e);
	e = expect_fail(NULL);
	err_free(e);
}

/* A first line over 4 KiB, or with a NUL, fails without echoing it. */
static void
test_too_long(void **state)
{
	struct err	*e, *e2 = NULL;
	char		*s;

	(void)state;
	e = expect_fail("head -c 5000 /dev/zero | tr '\\0' Q");
	assert_null(strstr(e->msg, "QQ"));
	err_free(e);
	e = expect_fail("printf 'ab\\0cd\\n'");
	err_free(e);
	/* Exactly 4096 bytes fits. */
	s = secret_from_command("head -c 4096 /dev/zero | tr '\\0' Q", 1, &e2);
	assert_null(e2);
	assert_non_null(s);
	assert_int_equal(strlen(s), 4096);
	secret_free(s);
}

/* Stderr goes to /dev/null when quiet, else it is passed on. */
static void
test_quiet(void **state)
{
	char	 buf[256], *s;

	(void)state;
	s = run_capturing_stderr("echo oops >&2; echo pw", 1, buf, sizeof buf);
	assert_string_equal(s, "pw");
	assert_string_equal(buf, "");
	secret_free(s);
	s = run_capturing_stderr("echo oops >&2; echo pw", 0, buf, sizeof buf);
	assert_string_equal(s, "pw");
	assert_string_equal(buf, "oops\n");
	secret_free(s);
}

/* The first error wins; wipe and free are NULL-safe. */
static void
test_helpers(void **state)
{
	struct err	*e = NULL;
	char		 b[8] = "abcdefg";
	size_t		 i;

	(void)state;
	secret_free(NULL);
	secret_wipe(NULL, 0);
	secret_wipe(b, sizeof b);
	for (i = 0; i < sizeof b; i++)
		assert_int_equal(b[i], 0);
	assert_null(secret_from_command("exit 4", 1, NULL));
	assert_null(secret_from_command("exit 5", 1, &e));
	assert_null(secret_from_command("exit 6", 1, &e));
	assert_non_null(strstr(e->msg, "status 5"));
	err_free(e);
}

/*
 * A command that never ends is stopped at the timeout, with what it
 * started, and the error says so (without the output or the command).
 */
static void
test_timeout(void **state)
{
	struct err	*e = NULL;
	char		*s, *cmd;

	(void)state;
	cmd = with_pid_file("echo $$ >%s; exec sleep 300");
	s = secret_from_command_timeout(cmd, 1, 2, &e);
	free(cmd);
	assert_null(s);
	assert_non_null(e);
	assert_non_null(strstr(e->msg, "passcmd did not finish within 2 s"));
	assert_true(e->temporary);
	err_free(e);
	expect_gone();

	/* A child in the background, and part of a line: both go. */
	e = NULL;
	cmd = with_pid_file("sleep 300 & echo $! >%s; printf s3cr3t; wait");
	s = secret_from_command_timeout(cmd, 1, 1, &e);
	free(cmd);
	assert_null(s);
	assert_non_null(e);
	assert_non_null(strstr(e->msg, "did not finish within 1 s"));
	assert_null(strstr(e->msg, "s3cr3t"));
	assert_null(strstr(e->msg, "sleep"));
	err_free(e);
	expect_gone();
}

/*
 * The password printed, a child holds the output: the line is the
 * password, and the child is stopped (the shell's own failure still
 * counts).
 */
static void
test_child_holds_output(void **state)
{
	struct err	*e = NULL;
	char		*s, *cmd;

	(void)state;
	cmd = with_pid_file("sleep 300 & echo $! >%s; echo pw");
	s = secret_from_command_timeout(cmd, 1, 30, &e);
	free(cmd);
	assert_null(e);
	assert_non_null(s);
	assert_string_equal(s, "pw");
	secret_free(s);
	expect_gone();

	/* Still running after its line: the same. */
	cmd = with_pid_file("echo $$ >%s; echo pw; exec sleep 300");
	s = secret_from_command_timeout(cmd, 1, 30, &e);
	free(cmd);
	assert_null(e);
	assert_non_null(s);
	assert_string_equal(s, "pw");
	secret_free(s);
	expect_gone();

	/* The old entry point is bounded too. */
	cmd = with_pid_file("sleep 300 & echo $! >%s; echo pw; exit 3");
	e = expect_fail(cmd);
	free(cmd);
	assert_non_null(strstr(e->msg, "status 3"));
	assert_null(strstr(e->msg, "pw"));
	err_free(e);
	expect_gone();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_line),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_long_tail),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_no_leak),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_other_failures),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_child_holds_output),
	};

	/* A hang check, not a speed test: a wait that never ends fails. */
	alarm(120);

	return cmocka_run_group_tests(tests, NULL, NULL);
}
