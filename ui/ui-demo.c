/* tern demo: loopback servers, a throw-away config and store. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "policy.h"
#include "store.h"
#include "ui-app.h"
#include "ui-demo.h"
#include "xmalloc.h"

#ifndef TERN_LIBEXECDIR
#define TERN_LIBEXECDIR "/usr/local/libexec/tern"
#endif

struct ui_demo {
	char	*dir;
	char	*smtpd;
	pid_t	 pid[2];
	int	 port[2];
	int	 log;		/* the servers' and certtool's output */
};

static char	*ui_demo_find_smtpd(void);
static int	 ui_demo_run(struct ui_demo *, char *const *);
static int	 ui_demo_certs(struct ui_demo *);
static int	 ui_demo_server(struct ui_demo *, int, const char *);
static int	 ui_demo_write(const char *, const char *, mode_t);
static char	*ui_demo_read(struct ui_demo *, const char *);
static int	 ui_demo_config(struct ui_demo *, char **);
static int	 ui_demo_contacts(void);
static void	 ui_demo_stop(struct ui_demo *);
static int	 ui_demo_rm(const char *, const struct stat *, int,
		    struct FTW *);

/* The test server: beside a build's tern, else installed. */
static char *
ui_demo_find_smtpd(void)
{
	static const char	*rel[] = { "tern-smtpd", "tests/smtpd" };
	char			 exe[PATH_MAX], *dir, *p;
	ssize_t			 n;
	size_t			 i;

	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		exe[n] = '\0';
		dir = dirname(exe);
		for (i = 0; i < sizeof rel / sizeof rel[0]; i++) {
			p = xasprintf("%s/%s", dir, rel[i]);
			if (access(p, X_OK) == 0)
				return p;
			free(p);
		}
	}
	p = xstrdup(TERN_LIBEXECDIR "/tern-smtpd");
	if (access(p, X_OK) == 0)
		return p;
	free(p);
	return NULL;
}

/* Run a program with its output in the log; 0 when it succeeded. */
static int
ui_demo_run(struct ui_demo *d, char *const *argv)
{
	pid_t	pid;
	int	status;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		dup2(d->log, STDOUT_FILENO);
		dup2(d->log, STDERR_FILENO);
		if (chdir(d->dir) == -1)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Write a file. */
static int
ui_demo_write(const char *path, const char *text, mode_t mode)
{
	int	fd;
	size_t	len = strlen(text);

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    mode)) == -1)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* A small file of the demo directory (new string), or NULL. */
static char *
ui_demo_read(struct ui_demo *d, const char *name)
{
	FILE	*f;
	char	*p, buf[16384];
	size_t	 n;

	p = xasprintf("%s/%s", d->dir, name);
	f = fopen(p, "r");
	free(p);
	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return xstrdup(buf);
}

/* A throw-away CA and a certificate for localhost. */
static int
ui_demo_certs(struct ui_demo *d)
{
	static char *const cakey[] = { "certtool", "--generate-privkey",
	    "--key-type=ecdsa", "--no-text", "--outfile", "ca-key.pem", NULL };
	static char *const ca[] = { "certtool", "--generate-self-signed",
	    "--load-privkey", "ca-key.pem", "--template", "ca.tmpl",
	    "--no-text", "--outfile", "ca.pem", NULL };
	static char *const key[] = { "certtool", "--generate-privkey",
	    "--key-type=ecdsa", "--no-text", "--outfile", "srv-key.pem", NULL };
	static char *const crt[] = { "certtool", "--generate-certificate",
	    "--load-privkey", "srv-key.pem", "--load-ca-certificate", "ca.pem",
	    "--load-ca-privkey", "ca-key.pem", "--template", "srv.tmpl",
	    "--no-text", "--outfile", "srv.pem", NULL };
	char	*p, *a = NULL, *b = NULL, *chain;
	int	 rv = -1;


	p = xasprintf("%s/ca.tmpl", d->dir);
	(void)ui_demo_write(p, "cn = \"tern demo CA\"\nca\ncert_signing_key\n"
	    "expiration_days = 2\n", 0600);
	free(p);
	p = xasprintf("%s/srv.tmpl", d->dir);
	(void)ui_demo_write(p, "cn = \"localhost\"\ndns_name = \"localhost\"\n"
	    "ip_address = \"127.0.0.1\"\ntls_www_server\nsigning_key\n"
	    "encryption_key\nexpiration_days = 2\n", 0600);
	free(p);
	if (ui_demo_run(d, cakey) == -1 || ui_demo_run(d, ca) == -1 ||
	    ui_demo_run(d, key) == -1 || ui_demo_run(d, crt) == -1)
		return -1;
	/* chain.pem: the certificate, then the CA. */
	if ((a = ui_demo_read(d, "srv.pem")) == NULL ||
	    (b = ui_demo_read(d, "ca.pem")) == NULL)
		goto out;
	chain = xasprintf("%s/chain.pem", d->dir);
	p = xasprintf("%s%s", a, b);
	rv = ui_demo_write(chain, p, 0600);
	free(p);
	free(chain);
out:
	free(a);
	free(b);
	return rv;
}

/* Start server i (0: STARTTLS, 1: none); 0 once its port is known. */
static int
ui_demo_server(struct ui_demo *d, int i, const char *name)
{
	char		*portfile, *spool, *cert, *key;
	FILE		*f;
	pid_t		 pid;
	int		 tries;

	portfile = xasprintf("%s/%s.port", d->dir, name);
	spool = xasprintf("%s/%s", d->dir, name);
	cert = xasprintf("%s/chain.pem", d->dir);
	key = xasprintf("%s/srv-key.pem", d->dir);
	if ((pid = fork()) == 0) {
		dup2(d->log, STDOUT_FILENO);
		dup2(d->log, STDERR_FILENO);
		if (i == 0)
			execl(d->smtpd, d->smtpd, "-l", "127.0.0.1", "-P",
			    portfile, "-d", spool, "--cert", cert, "--key", key,
			    (char *)NULL);
		else
			execl(d->smtpd, d->smtpd, "-l", "127.0.0.1", "-P",
			    portfile, "-d", spool, "--starttls", "none",
			    (char *)NULL);
		_exit(127);
	}
	d->pid[i] = pid;
	for (tries = 0; pid > 0 && tries < 100; tries++) {
		if ((f = fopen(portfile, "r")) != NULL) {
			if (fscanf(f, "%d", &d->port[i]) == 1 && d->port[i] > 0) {
				fclose(f);
				break;
			}
			fclose(f);
		}
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			d->pid[i] = 0;
			break;
		}
		usleep(50000);
	}
	free(portfile);
	free(spool);
	free(cert);
	free(key);
	return d->port[i] > 0 ? 0 : -1;
}

/* The throw-away config. */
static int
ui_demo_config(struct ui_demo *d, char **path)
{
	char	*text, *dir;
	int	 rv;

	dir = xasprintf("%s/tern", d->dir);
	(void)mkdir(dir, 0700);
	*path = xasprintf("%s/config", dir);
	free(dir);
	text = xasprintf("# tern demo: a throw-away config (%s)\n"
	    "from = Demo User <demo@example.org>\n"
	    "relay = direct\n"
	    "ca_file = %s/ca.pem\n"
	    "timeout = 10\n"
	    "\n"
	    "# A server with STARTTLS and a certificate from the demo CA.\n"
	    "[route secure.example]\n"
	    "host = localhost:%d\n"
	    "\n"
	    "# A server without STARTTLS.\n"
	    "[route legacy.example]\n"
	    "host = 127.0.0.1:%d\n"
	    "\n"
	    "# A domain that requires TLS, behind the server without it.\n"
	    "[domain bank.example]\n"
	    "tls = verify\n"
	    "[route bank.example]\n"
	    "host = 127.0.0.1:%d\n", d->dir, d->dir, d->port[0], d->port[1],
	    d->port[1]);
	rv = ui_demo_write(*path, text, 0600);
	free(text);
	return rv;
}

/* Running (the first screen says it is a demo). */
static int	 ui_demo_on;

static const char *ui_demo_lines[] = {
	"This is a demo: loopback servers, a throw-away store, gone on quit.",
	"Press m and write to these contacts (c lists them); each shows:",
	"  alice@secure.example  verified: STARTTLS, valid certificate",
	"  bob@legacy.example    plaintext: his server offers no STARTTLS",
	"  dave@legacy.example   held: he requires TLS, his server has none",
	"  carol@bank.example    held: her domain requires TLS (config)",
	NULL
};

/* A line of the first screen's demo text. */
const char *
ui_demo_intro(size_t i)
{
	if (!ui_demo_on || i >= sizeof ui_demo_lines / sizeof
	    ui_demo_lines[0])
		return NULL;
	return ui_demo_lines[i];
}

/* A few contacts, one requiring TLS. */
static int
ui_demo_contacts(void)
{
	static const struct {
		const char	*addr, *name;
		enum policy	 policy;
		const char	*notes;
	} demo[] = {
		{ "alice@secure.example", "Alice", POLICY_UNSET,
		  "her server offers STARTTLS with a valid certificate" },
		{ "bob@legacy.example", "Bob", POLICY_UNSET,
		  "his server has no STARTTLS: plaintext" },
		{ "dave@legacy.example", "Dave", POLICY_VERIFY,
		  "requires TLS, but his server has none: held" },
		{ "carol@bank.example", "Carol", POLICY_UNSET,
		  "her domain requires TLS (config): held" },
	};
	struct store_contact	 c;
	struct store		*st;
	struct err		*e = NULL;
	char			*path;
	size_t			 i;
	int			 rv = 0;

	path = store_default_path();
	st = path != NULL ? store_open(path, &e) : NULL;
	free(path);
	if (st == NULL) {
		err_free(e);
		return -1;
	}
	for (i = 0; i < sizeof demo / sizeof demo[0]; i++) {
		memset(&c, 0, sizeof c);
		c.address = (char *)demo[i].addr;
		c.name = (char *)demo[i].name;
		c.policy = demo[i].policy;
		c.notes = (char *)demo[i].notes;
		if (store_contact_put(st, &c, &e) == -1)
			rv = -1;
	}
	err_free(e);
	store_close(st);
	return rv;
}

/* Stop the servers. */
static void
ui_demo_stop(struct ui_demo *d)
{
	int	i, tries;

	for (i = 0; i < 2; i++) {
		if (d->pid[i] <= 0)
			continue;
		kill(d->pid[i], SIGTERM);
		for (tries = 0; tries < 40; tries++) {
			if (waitpid(d->pid[i], NULL, WNOHANG) == d->pid[i])
				break;
			usleep(50000);
		}
		if (tries == 40) {
			kill(d->pid[i], SIGKILL);
			waitpid(d->pid[i], NULL, 0);
		}
		d->pid[i] = 0;
	}
}

/* Remove one file of the demo directory. */
static int
ui_demo_rm(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)f;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Run the demo. */
int
ui_demo_main(const struct cli_args *a)
{
	struct ui_demo	 d;
	const char	*tmp = getenv("TMPDIR");
	char		*conf = NULL, *data = NULL, *log = NULL;
	int		 rv = 69;

	memset(&d, 0, sizeof d);
	d.log = -1;
	if ((d.smtpd = ui_demo_find_smtpd()) == NULL) {
		fprintf(stderr, "tern demo: the demo server (tern-smtpd) is not "
		    "installed: build it with 'make tern-smtpd' or install tern "
		    "(%s)\n", TERN_LIBEXECDIR);
		return 69;
	}
	d.dir = xasprintf("%s/tern-demo.XXXXXX", tmp != NULL && *tmp == '/' ?
	    tmp : "/tmp");
	if (mkdtemp(d.dir) == NULL) {
		fprintf(stderr, "tern demo: cannot make %s: %s\n", d.dir,
		    strerror(errno));
		free(d.dir);
		free(d.smtpd);
		return 73;
	}
	log = xasprintf("%s/servers.log", d.dir);
	d.log = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	free(log);
	fprintf(stderr, "tern demo: making a throw-away CA and starting two "
	    "loopback servers in %s ...\n", d.dir);
	if (ui_demo_certs(&d) == -1) {
		fprintf(stderr, "tern demo: certtool failed (is gnutls-bin "
		    "installed?)\n");
		goto out;
	}
	if (ui_demo_server(&d, 0, "tls") == -1 ||
	    ui_demo_server(&d, 1, "plain") == -1) {
		fprintf(stderr, "tern demo: the test server did not start (see "
		    "%s/servers.log)\n", d.dir);
		goto out;
	}
	if (ui_demo_config(&d, &conf) == -1) {
		fprintf(stderr, "tern demo: cannot write the config\n");
		goto out;
	}
	data = xasprintf("%s/data", d.dir);
	setenv("XDG_DATA_HOME", data, 1);
	if (ui_demo_contacts() == -1) {
		fprintf(stderr, "tern demo: cannot make the store\n");
		goto out;
	}
	ui_demo_on = 1;
	rv = ui_app_main(a, conf);
	ui_demo_on = 0;
out:
	ui_demo_stop(&d);
	if (d.log != -1)
		close(d.log);
	if (getenv("TERN_DEMO_KEEP") == NULL)
		nftw(d.dir, ui_demo_rm, 16, FTW_DEPTH | FTW_PHYS);
	else
		fprintf(stderr, "tern demo: kept %s\n", d.dir);
	free(conf);
	free(data);
	free(d.dir);
	free(d.smtpd);
	return rv;
}
