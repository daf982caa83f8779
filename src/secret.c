/*
 * secret: passwords from the user's passcmd.
 *
 * The command runs under /bin/sh -c with its standard output on a pipe;
 * the first line is the password.  The rest of the output is read and
 * thrown away (so the command never dies of SIGPIPE for printing more
 * than a line), every buffer that held output is wiped, and no error
 * message ever contains the output, nor the command (which may itself
 * hold a secret, as in "echo hunter2").
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "secret.h"
#include "xmalloc.h"

#define SECRET_MAX	4096	/* the longest first line accepted */

static int	secret_fd_to(int, int);
static void	secret_child(const char *, int, int);
static int	secret_read(int, char *, size_t, size_t *, int *);

/* Make fd become target in the child, open across exec. */
static int
secret_fd_to(int fd, int target)
{
	if (fd == target)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, target) == -1 ? -1 : 0;
}

/* In the child: wire stdout (and stderr) and run the command. */
static void
secret_child(const char *cmd, int out, int null)
{
	struct sigaction	 sa;
	sigset_t		 set;

	/* Only async-signal-safe calls here: the parent may have threads. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	if (secret_fd_to(out, STDOUT_FILENO) == -1)
		_exit(126);
	if (null != -1 && secret_fd_to(null, STDERR_FILENO) == -1)
		_exit(126);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/*
 * Read fd to its end, keeping the first line (at most size - 1 bytes,
 * without its newline) in buf.  *bad is set when that line did not
 * fit, or held a NUL byte.
 */
static int
secret_read(int fd, char *buf, size_t size, size_t *len, int *bad)
{
	char	 chunk[512];
	ssize_t	 r;
	size_t	 i;
	int	 done = 0, rv = -1;

	*len = 0;
	*bad = 0;
	for (;;) {
		r = read(fd, chunk, sizeof chunk);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto fail;
		if (r == 0)
			break;
		for (i = 0; i < (size_t)r && !done; i++) {
			if (chunk[i] == '\n')
				done = 1;
			else if (chunk[i] == '\0' || *len + 1 >= size) {
				*bad = 1;
				done = 1;
			} else
				buf[(*len)++] = chunk[i];
		}
	}
	rv = 0;

fail:
	buf[*len] = '\0';
	secret_wipe(chunk, sizeof chunk);
	return rv;
}

/* Run the user's passcmd and return the first line it prints. */
char *
secret_from_command(const char *cmd, int quiet, struct err **errp)
{
	char	 buf[SECRET_MAX + 1];
	char	*secret = NULL;
	size_t	 len = 0;
	pid_t	 pid = -1;
	int	 p[2] = { -1, -1 }, null = -1, status, bad = 0, rerr;

	if (cmd == NULL || *cmd == '\0') {
		err_set(errp, ERR_CONFIG, 0, "passcmd is empty");
		goto fail;
	}
	if (quiet && (null = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1) {
		err_set(errp, ERR_INTERNAL, 1, "cannot open /dev/null: %s",
		    strerror(errno));
		goto fail;
	}
	if (pipe2(p, O_CLOEXEC) == -1) {
		err_set(errp, ERR_INTERNAL, 1, "cannot run passcmd: pipe: %s",
		    strerror(errno));
		goto fail;
	}
	if ((pid = fork()) == -1) {
		err_set(errp, ERR_INTERNAL, 1, "cannot run passcmd: fork: %s",
		    strerror(errno));
		goto fail;
	}
	if (pid == 0)
		secret_child(cmd, p[1], null);
	close(p[1]);
	p[1] = -1;

	rerr = secret_read(p[0], buf, sizeof buf, &len, &bad);
	close(p[0]);
	p[0] = -1;
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			err_set(errp, ERR_INTERNAL, 1,
			    "cannot run passcmd: waitpid: %s",
			    strerror(errno));
			goto fail;
		}
	}
	pid = -1;

	if (WIFSIGNALED(status)) {
		err_set(errp, ERR_CONFIG, 0,
		    "passcmd was killed by signal %d", WTERMSIG(status));
		goto fail;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		err_set(errp, ERR_CONFIG, 0, "passcmd failed with exit status"
		    " %d%s", WEXITSTATUS(status),
		    WEXITSTATUS(status) == 127 ? " (command not found)" : "");
		goto fail;
	}
	if (rerr == -1) {
		err_set(errp, ERR_INTERNAL, 1,
		    "cannot read the output of passcmd");
		goto fail;
	}
	if (bad) {
		err_set(errp, ERR_CONFIG, 0, "passcmd printed a first line"
		    " longer than %d bytes, or with a NUL byte (exit status 0)",
		    SECRET_MAX);
		goto fail;
	}
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (len == 0) {
		err_set(errp, ERR_CONFIG, 0,
		    "passcmd printed no password (exit status 0)");
		goto fail;
	}
	secret = xstrndup(buf, len);

fail:
	secret_wipe(buf, sizeof buf);
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	if (null != -1)
		close(null);
	if (pid != -1) {
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	}
	return secret;
}

/* Wipe and free a secret. */
void
secret_free(char *s)
{
	if (s == NULL)
		return;
	secret_wipe(s, strlen(s));
	free(s);
}

/* Wipe memory in a way the compiler keeps. */
void
secret_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}
