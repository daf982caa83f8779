/*
 * secret: passwords from the user's passcmd.
 *
 * The command runs under /bin/sh -c in a process group of its own, with
 * its standard output on a pipe; the first line is the password.  The
 * rest of the output is read and thrown away (so the command never dies
 * of SIGPIPE for printing more than a line), every buffer that held
 * output is wiped, and no error message ever contains the output, nor the
 * command (which may itself hold a secret, as in "echo hunter2").
 *
 * Nothing it does may hold tern: the whole run is bounded by a timeout,
 * and once the first line is in, the command has SECRET_GRACE_MS to end
 * and close its output.  A command still running then, or a child of it
 * still holding the pipe ("echo pw; sleep 300 &"), is stopped with its
 * whole group: SIGTERM, then SIGKILL.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "secret.h"
#include "xmalloc.h"

#define SECRET_MAX	4096	/* the longest first line accepted */
#define SECRET_GRACE_MS	1000	/* after the first line, to end */
#define SECRET_TERM_MS	500	/* between SIGTERM and SIGKILL */
#define SECRET_TICK_MS	20	/* how often to look for the exit */

/* What reading the command's output found. */
struct secret_run {
	pid_t	 pid;
	char	*buf;
	size_t	 size;
	size_t	 len;
	int	 line;		/* the first line is complete */
	int	 bad;		/* it did not fit, or held a NUL */
	int	 eof;
	int	 exited;	/* the shell ended (not reaped yet) */
	int	 stopped;	/* tern stopped the group */
};

static int	secret_fd_to(int, int);
static void	secret_child(const char *, int, int);
static long long secret_now(void);
static int	secret_exited(pid_t);
static int	secret_drain(int, struct secret_run *);
static void	secret_stop(struct secret_run *);
static int	secret_reap(pid_t, int *);

/* Make fd become target in the child, open across exec. */
static int
secret_fd_to(int fd, int target)
{
	if (fd == target)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, target) == -1 ? -1 : 0;
}

/* In the child: a group of its own, stdout (and stderr), the command. */
static void
secret_child(const char *cmd, int out, int null)
{
	struct sigaction	 sa;
	sigset_t		 set;

	/* Only async-signal-safe calls here: the parent may have threads. */
	(void)setpgid(0, 0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	if (secret_fd_to(out, STDOUT_FILENO) == -1)
		_exit(126);
	if (null != -1 && secret_fd_to(null, STDERR_FILENO) == -1)
		_exit(126);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* Monotonic milliseconds. */
static long long
secret_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Whether the shell has ended, without reaping it: while it is a zombie
 * its process group cannot be reused, so killing the group stays safe.
 */
static int
secret_exited(pid_t pid)
{
	siginfo_t	si;

	memset(&si, 0, sizeof si);
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		return errno != EINTR;
	return si.si_pid == pid;
}

/*
 * Read what the pipe holds now (it does not block), keeping the first
 * line (at most size - 1 bytes, without its newline).  -1 on a read
 * error.
 */
static int
secret_drain(int fd, struct secret_run *run)
{
	char	 chunk[512];
	ssize_t	 r;
	size_t	 i;
	int	 rv = 0;

	for (;;) {
		r = read(fd, chunk, sizeof chunk);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				rv = -1;
			break;
		}
		if (r == 0) {
			run->eof = 1;
			break;
		}
		for (i = 0; i < (size_t)r && !run->line; i++) {
			if (chunk[i] == '\n')
				run->line = 1;
			else if (chunk[i] == '\0' || run->len + 1 >= run->size) {
				run->bad = 1;
				run->line = 1;
			} else
				run->buf[run->len++] = chunk[i];
		}
	}
	run->buf[run->len] = '\0';
	secret_wipe(chunk, sizeof chunk);
	return rv;
}

/* Stop the command's whole group: SIGTERM, a moment, then SIGKILL. */
static void
secret_stop(struct secret_run *run)
{
	long long	end;

	run->stopped = 1;
	(void)kill(-run->pid, SIGTERM);
	end = secret_now() + SECRET_TERM_MS;
	while (!secret_exited(run->pid) && secret_now() < end)
		(void)poll(NULL, 0, SECRET_TICK_MS);
	/* Also what ignored SIGTERM or outlived the shell. */
	(void)kill(-run->pid, SIGKILL);
}

/* Reap the shell. */
static int
secret_reap(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) == -1) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

/* Run the user's passcmd and return the first line it prints. */
char *
secret_from_command(const char *cmd, int quiet, struct err **errp)
{
	return secret_from_command_timeout(cmd, quiet,
	    SECRET_TIMEOUT_DEFAULT, errp);
}

/* The same, bounded by timeout seconds. */
char *
secret_from_command_timeout(const char *cmd, int quiet, int timeout,
    struct err **errp)
{
	struct secret_run	 run;
	struct pollfd		 pfd;
	char			 buf[SECRET_MAX + 1];
	char			*secret = NULL;
	long long		 deadline, grace = 0, now, wait;
	int			 p[2] = { -1, -1 }, null = -1, status = 0;
	int			 rerr = 0, flags;

	memset(&run, 0, sizeof run);
	run.pid = -1;
	run.buf = buf;
	run.size = sizeof buf;
	buf[0] = '\0';
	if (timeout <= 0)
		timeout = SECRET_TIMEOUT_DEFAULT;
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
	/* Only tern's end waits in poll(); the command's end blocks. */
	if ((flags = fcntl(p[0], F_GETFL)) == -1 ||
	    fcntl(p[0], F_SETFL, flags | O_NONBLOCK) == -1) {
		err_set(errp, ERR_INTERNAL, 1, "cannot run passcmd: %s",
		    strerror(errno));
		goto fail;
	}
	deadline = secret_now() + (long long)timeout * 1000;
	if ((run.pid = fork()) == -1) {
		err_set(errp, ERR_INTERNAL, 1, "cannot run passcmd: fork: %s",
		    strerror(errno));
		goto fail;
	}
	if (run.pid == 0)
		secret_child(cmd, p[1], null);
	/* Also here, so the group exists before any kill (no race). */
	(void)setpgid(run.pid, run.pid);
	close(p[1]);
	p[1] = -1;

	/*
	 * Until the output ends and the shell has exited; or the first line
	 * is in and the grace after it is over; or the deadline.
	 */
	for (;;) {
		if (!run.eof && secret_drain(p[0], &run) == -1) {
			rerr = -1;
			run.eof = 1;
		}
		if (!run.exited)
			run.exited = secret_exited(run.pid);
		if (run.eof && run.exited)
			break;
		now = secret_now();
		if (run.line && grace == 0)
			grace = now + SECRET_GRACE_MS < deadline ?
			    now + SECRET_GRACE_MS : deadline;
		if (now >= deadline || (grace != 0 && now >= grace)) {
			secret_stop(&run);
			break;
		}
		wait = (grace != 0 ? grace : deadline) - now;
		if (!run.exited && wait > SECRET_TICK_MS)
			wait = SECRET_TICK_MS;
		if (run.eof) {
			(void)poll(NULL, 0, (int)wait);
			continue;
		}
		pfd.fd = p[0];
		pfd.events = POLLIN;
		(void)poll(&pfd, 1, (int)wait);
	}
	close(p[0]);
	p[0] = -1;
	if (secret_reap(run.pid, &status) == -1) {
		err_set(errp, ERR_INTERNAL, 1, "cannot run passcmd: waitpid: %s",
		    strerror(errno));
		run.pid = -1;
		goto fail;
	}
	run.pid = -1;

	if (run.stopped && !run.line) {
		err_set(errp, ERR_CONFIG, 1, "passcmd did not finish within %d "
		    "s (tern stopped it and the processes it started)",
		    timeout);
		goto fail;
	}
	/*
	 * Stopped after its first line: the password is in, whatever it
	 * went on doing; but a shell that ended on its own says how.
	 */
	if (!run.stopped || run.exited) {
		if (WIFSIGNALED(status)) {
			err_set(errp, ERR_CONFIG, 0,
			    "passcmd was killed by signal %d",
			    WTERMSIG(status));
			goto fail;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			err_set(errp, ERR_CONFIG, 0, "passcmd failed with exit"
			    " status %d%s", WEXITSTATUS(status),
			    WEXITSTATUS(status) == 127 ?
			    " (command not found)" : "");
			goto fail;
		}
	}
	if (rerr == -1) {
		err_set(errp, ERR_INTERNAL, 1,
		    "cannot read the output of passcmd");
		goto fail;
	}
	if (run.bad) {
		err_set(errp, ERR_CONFIG, 0, "passcmd printed a first line"
		    " longer than %d bytes, or with a NUL byte (exit status 0)",
		    SECRET_MAX);
		goto fail;
	}
	if (run.len > 0 && buf[run.len - 1] == '\r')
		buf[--run.len] = '\0';
	if (run.len == 0) {
		err_set(errp, ERR_CONFIG, 0,
		    "passcmd printed no password (exit status 0)");
		goto fail;
	}
	secret = xstrndup(buf, run.len);

fail:
	secret_wipe(buf, sizeof buf);
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	if (null != -1)
		close(null);
	if (run.pid > 0) {
		secret_stop(&run);
		(void)secret_reap(run.pid, &status);
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
