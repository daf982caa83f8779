/* The command line: the one argument parse, the command table, dispatch. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"
#include "err.h"
#include "nexthop.h"
#include "policy.h"
#include "record.h"
#include "store.h"
#include "xmalloc.h"

#include "cli.h"
#include "cli-priv.h"

struct cli_cmd {
	const char	*name;
	cli_cmd_fn	 fn;
	const char	*usage;
	int		 own_help;	/* reads -h itself (sendmail: hops) */
};

static int	 cli_help(struct cli *, int, char **);
static const struct cli_cmd *cli_find(const char *);
static int	 cli_named_sendmail(const char *);
static int	 cli_is_demo(int, char **);
static int	 cli_interface_only(int, char **, struct cli_args *);
static int	 cli_wants_help(int, char **);
static void	 cli_on_signal(int);
static void	 cli_signals(void);

static volatile sig_atomic_t cli_stop;	/* a stop signal came */

static const struct cli_cmd cli_cmds[] = {
	{
		.name = "send",
		.fn = cli_send_main,
		.usage = "send [-s SUBJECT] [-c ADDR] [-b ADDR] [--attach FILE]... "
		    "[--json] "
		    "ADDR...   (body on stdin)",
	},
	{
		.name = "sendmail",
		.fn = cli_sendmail_main,
		.usage = "sendmail [-t] [-i] [-f FROM] [-F NAME] [-a ACCOUNT] "
		    "[-C CONFIG] [-X LOGFILE] [-N DSN] [-R RET] [-V ENVID] "
		    "[-v] [--] [ADDR...]   (message on stdin)",
		.own_help = 1,
	},
	{
		.name = "probe",
		.fn = cli_send_probe,
		.usage = "probe [--json] ADDR|DOMAIN...   (what TLS the "
		    "server offers)",
	},
	{
		.name = "flush",
		.fn = cli_queue_flush,
		.usage = "flush [--due] [--json] [-v]   (send what waits in "
		    "the outbox; --due: only what is due a retry, quiet, for "
		    "a timer or cron)",
	},
	{
		.name = "outbox",
		.fn = cli_queue_outbox,
		.usage = "outbox [--json]",
	},
	{
		.name = "log",
		.fn = cli_queue_log,
		.usage = "log [--json] [-n N]",
	},
	{
		.name = "contacts",
		.fn = cli_contacts_main,
		.usage = "contacts list [--json] [--group NAME] [SEARCH] | add "
		    "ADDR [--name NAME] [--alias KEY] [--tls POLICY] [--notes "
		    "TEXT] | set ADDR [--name NAME] [--alias KEY] [--tls "
		    "may|encrypt|verify|default] | remove ADDR | import FILE | "
		    "export [FILE | --dir DIR]",
	},
	{
		.name = "help",
		.fn = cli_help,
		.usage = "help [COMMAND]",
		.own_help = 1,
	},
};

#define CLI_NCMDS (sizeof cli_cmds / sizeof cli_cmds[0])

/* The command called name, or NULL. */
static const struct cli_cmd *
cli_find(const char *name)
{
	size_t	j;

	for (j = 0; j < CLI_NCMDS; j++)
		if (strcmp(name, cli_cmds[j].name) == 0)
			return &cli_cmds[j];
	return NULL;
}

/* Is the program's name sendmail (a link, /usr/sbin/sendmail)? */
static int
cli_named_sendmail(const char *argv0)
{
	size_t	n = strlen(argv0);

	return n >= 8 && strcmp(argv0 + n - 8, "sendmail") == 0;
}

/* Is the first word that is not an option (nor -F's or -a's) "demo"? */
static int
cli_is_demo(int argc, char **argv)
{
	int	i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-F") == 0 || strcmp(argv[i], "-a") == 0) {
			i++;
			continue;
		}
		if (argv[i][0] == '-')
			continue;
		return strcmp(argv[i], "demo") == 0;
	}
	return 0;
}

/*
 * Are all the words from the first on ones the interface takes (-F, -a,
 * -v, --bench-startup)?  Then they are added to *a.
 */
static int
cli_interface_only(int argc, char **argv, struct cli_args *a)
{
	struct cli_args	t = *a;
	int		i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-F") == 0 && i + 1 < argc)
			t.conf_path = argv[++i];
		else if (strcmp(argv[i], "-a") == 0 && i + 1 < argc)
			t.account = argv[++i];
		else if (strcmp(argv[i], "-v") == 0)
			t.verbose++;
		else if (strncmp(argv[i], "--bench-startup", 15) == 0) {
			t.bench = 1;
			t.bench_file = argv[i][15] == '=' ? argv[i] + 16 : NULL;
		} else
			return 0;
	}
	*a = t;
	return 1;
}

/* Read the global options once and decide what runs. */
enum cli_mode
cli_parse(int argc, char **argv, struct cli_args *a)
{
	int	i;

	memset(a, 0, sizeof *a);
	if (argc < 1)
		return a->mode = CLI_MODE_INTERFACE;
	if (cli_named_sendmail(argv[0])) {
		a->argc = argc;
		a->argv = argv;
		return a->mode = CLI_MODE_SENDMAIL;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-F") == 0 && i + 1 < argc)
			a->conf_path = argv[++i];
		else if (strcmp(argv[i], "-a") == 0 && i + 1 < argc)
			a->account = argv[++i];
		else if (strcmp(argv[i], "-v") == 0)
			a->verbose++;
		else
			break;
	}
	if (i == argc)
		return a->mode = CLI_MODE_INTERFACE;
	/* A URL from xdg-open, or mutt's -H: the composer, filled in. */
	if (i + 1 == argc && strncasecmp(argv[i], "mailto:", 7) == 0) {
		a->mailto = argv[i];
		return a->mode = CLI_MODE_INTERFACE;
	}
	if (i + 2 == argc && strcmp(argv[i], "-H") == 0) {
		a->draft_file = argv[i + 1];
		return a->mode = CLI_MODE_INTERFACE;
	}
	if (cli_sendmail_is_option(argv[i])) {
		/* sendmail's arguments start after argv[i - 1]. */
		a->argc = argc - i + 1;
		a->argv = argv + i - 1;
		return a->mode = CLI_MODE_SENDMAIL;
	}
	if (cli_is_demo(argc - i, argv + i))
		return a->mode = CLI_MODE_DEMO;
	/* --bench-startup: the interface, unless a command word follows. */
	if (strncmp(argv[i], "--bench-startup", 15) == 0 &&
	    cli_interface_only(argc - i, argv + i, a))
		return a->mode = CLI_MODE_INTERFACE;
	a->argc = argc - i;
	a->argv = argv + i;
	return a->mode = CLI_MODE_COMMAND;
}

/* Map an error to an exit code. */
int
cli_exitcode(const struct err *e)
{
	if (e == NULL)
		return CLI_OK;
	switch (e->cls) {
	case ERR_CONFIG:
		return CLI_CONFIG;
	case ERR_INPUT:
		return CLI_DATAERR;
	case ERR_STORE:
		return CLI_IOERR;
	case ERR_INTERNAL:
		return CLI_SOFTWARE;
	default:
		return e->temporary ? CLI_TEMPFAIL : CLI_UNAVAILABLE;
	}
}

/* Say how a command is used, on stderr; returns CLI_USAGE. */
int
cli_usage(const char *name)
{
	const struct cli_cmd	*c;

	if (name != NULL && (c = cli_find(name)) != NULL)
		fprintf(stderr, "usage: tern %s\n", c->usage);
	else
		fprintf(stderr, "usage: tern [-F CONFIG] [-a ACCOUNT] [-v] "
		    "COMMAND ...   (tern help: the commands)\n");
	return CLI_USAGE;
}

/* Say how a command is used, on stdout (asked for); returns CLI_OK. */
int
cli_usage_asked(const char *name)
{
	const struct cli_cmd	*c;

	if ((c = cli_find(name)) != NULL)
		printf("usage: tern %s\n", c->usage);
	return CLI_OK;
}

/* Does a command's argument list ask for help (-h or --help)? */
static int
cli_wants_help(int argc, char **argv)
{
	int	i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

/* Run a command or sendmail. */
int
cli_run(const struct cli_args *a)
{
	struct cli		 cli;
	const struct cli_cmd	*c;
	const char		*w;
	int			 rv;

	memset(&cli, 0, sizeof cli);
	pthread_mutex_init(&cli.lock, NULL);
	cli.conf_path = a->conf_path;
	cli.account = a->account;
	cli.verbose = a->verbose;
	cli.stop = &cli_stop;
	/* A server that closes on us must not kill the process. */
	signal(SIGPIPE, SIG_IGN);
	cli_signals();

	if (a->mode == CLI_MODE_SENDMAIL)
		rv = cli_sendmail_main(&cli, a->argc, a->argv);
	else if (a->argc < 1)
		rv = cli_usage(NULL);
	else if (strcmp((w = a->argv[0]), "-h") == 0 ||
	    strcmp(w, "--help") == 0)
		rv = cli_help(&cli, 0, NULL);
	else if (strcmp(w, "--version") == 0) {
		printf("tern %s\n", PACKAGE_VERSION);
		rv = CLI_OK;
	} else if ((c = cli_find(w)) == NULL) {
		fprintf(stderr, "tern: unknown %s '%s'\n", w[0] == '-' ?
		    "option" : "command", w);
		rv = cli_usage(NULL);
	} else if (!c->own_help && cli_wants_help(a->argc, a->argv))
		rv = cli_usage_asked(c->name);
	else
		rv = c->fn(&cli, a->argc, a->argv);

	if (cli.logf != NULL)
		fclose(cli.logf);
	store_close(cli.store);
	conf_free(cli.root);
	pthread_mutex_destroy(&cli.lock);
	return rv;
}

/* tern help [COMMAND]: usage on stdout. */
static int
cli_help(struct cli *cli, int argc, char **argv)
{
	size_t	j;

	(void)cli;
	if (argc > 1 && strcmp(argv[1], "-h") != 0 &&
	    strcmp(argv[1], "--help") != 0) {
		if (strcmp(argv[1], "demo") == 0) {
			printf("usage: tern demo   (the interface with loopback "
			    "demo servers and a throw-away config)\n");
			return CLI_OK;
		}
		if (cli_find(argv[1]) == NULL) {
			fprintf(stderr, "tern: help: unknown command '%s'\n",
			    argv[1]);
			return cli_usage(NULL);
		}
		return cli_usage_asked(argv[1]);
	}
	printf("usage: tern [-F CONFIG] [-a ACCOUNT] [-v] COMMAND ...\n");
	for (j = 0; j < CLI_NCMDS; j++)
		printf("       tern %s\n", cli_cmds[j].usage);
	printf("       tern demo   (the interface with loopback demo "
	    "servers)\n");
	printf("       tern 'mailto:ADDR?subject=...&body=...' | tern -H "
	    "FILE   (the composer, filled in)\n");
	printf("       tern --version\n");
	printf("Without a command, tern opens its interface.  Called as "
	    "sendmail (a link),\nor with sendmail's options (tern -i ADDR...), "
	    "it is tern sendmail.\n");
	return CLI_OK;
}

/* Say an error. */
void
cli_say(const struct err *e)
{
	if (e->reply != NULL)
		fprintf(stderr, "tern: %s (the server said: %s)\n", e->msg,
		    e->reply);
	else
		fprintf(stderr, "tern: %s\n", e->msg);
}

/* Report an error and return its exit code. */
int
cli_fail(struct err *e)
{
	int	rv;

	cli_say(e);
	rv = cli_exitcode(e);
	err_free(e);
	return rv;
}

/* Load the configuration (-F or the XDG default). */
int
cli_load_conf(struct cli *cli)
{
	struct err	*e = NULL;
	char		*path;

	path = cli->conf_path != NULL ? xstrdup(cli->conf_path) :
	    conf_default_path();
	cli->root = conf_load(path, &e);
	free(path);
	if (cli->root == NULL)
		return cli_fail(e);
	cli->conf = cli->root;
	if (cli->account != NULL &&
	    (cli->conf = conf_account(cli->root, cli->account)) == NULL) {
		struct buf	names = BUF_INIT;
		size_t		i;

		buf_adds(&names, "default");
		for (i = 0; i < cli->root->naccounts; i++)
			buf_addf(&names, ", %s", cli->root->accounts[i]->name);
		err_set(&e, ERR_CONFIG, 0, "%s: no account \"%s\" (accounts: "
		    "%s)", cli->root->path != NULL ? cli->root->path : "config",
		    cli->account, names.s);
		buf_free(&names);
		cli->conf = cli->root;
		return cli_fail(e);
	}
	if (cli->conf->from == NULL) {
		err_set(&e, ERR_CONFIG, 0, "%s: no 'from' address; add a line "
		    "like: from = Your Name <you@example.org>",
		    cli->conf->path != NULL ? cli->conf->path : "config");
		return cli_fail(e);
	}
	return CLI_OK;
}

/* Open the store; says why when it cannot (the send then does not start). */
int
cli_open_store(struct cli *cli)
{
	struct err	*e = NULL;
	char		*path;

	if (cli->store != NULL)
		return CLI_OK;
	path = store_default_path();
	cli->store = store_open(path, &e);
	free(path);
	if (cli->store == NULL) {
		if (!cli->sendmail)
			fprintf(stderr, "tern: nothing was sent.\n");
		return cli_fail(e);
	}
	return CLI_OK;
}

/* Read all of standard input (a line with a dot never ends it). */
char *
cli_read_stdin(size_t *len, struct err **errp)
{
	struct buf	 b = BUF_INIT;
	struct stat	 sb;
	size_t		 r;

	/* A file on stdin: its size is known, allocate once. */
	if (fstat(fileno(stdin), &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size > 0)
		buf_reserve(&b, (size_t)sb.st_size + 1);
	/* Read straight into the buffer (a big read bypasses stdio's). */
	for (;;) {
		if (b.cap <= b.len + 1)		/* full (or none yet) */
			buf_reserve(&b, b.len > 65536 ? b.len : 65536);
		if ((r = fread(b.s + b.len, 1, b.cap - b.len - 1, stdin)) == 0)
			break;
		b.len += r;
	}
	if (ferror(stdin)) {
		buf_free(&b);
		err_set(errp, ERR_INPUT, 0, "cannot read standard input: %s",
		    strerror(errno));
		return NULL;
	}
	buf_add(&b, "", 0);
	*len = b.len;
	return buf_steal(&b);
}

/* Add the addresses of one argument to l. */
int
cli_add_addrs(struct addr_list *l, const char *arg, const char *domain)
{
	struct err	*e = NULL;
	size_t		 i, before = l->n;

	if (addr_parse_list_in(arg, domain, l, &e) == -1)
		return cli_fail(e);
	for (i = before; i < l->n; i++)
		if (addr_check(l->v[i].mailbox, &e) == -1)
			return cli_fail(e);
	return CLI_OK;
}

/* The worse of two exit codes for a run. */
int
cli_merge_code(int a, int b)
{
	if (a == CLI_UNAVAILABLE || b == CLI_UNAVAILABLE)
		return CLI_UNAVAILABLE;
	if (a == CLI_TEMPFAIL || b == CLI_TEMPFAIL)
		return CLI_TEMPFAIL;
	return a != CLI_OK ? a : b;
}

/* One recipient's outcome, as a line or as JSON. */
void
cli_print_record(struct cli *cli, const struct record *r)
{
	char	*j;

	if (cli->json) {
		j = record_json(r);
		printf("%s\n", j);
		free(j);
		return;
	}
	printf("%-7s %s: %s", outcome_glyph_ascii(r->outcome), r->recipient,
	    outcome_name(r->outcome));
	if (r->server != NULL) {
		printf(" via %s", r->server);
		if (r->address != NULL)
			printf(" [%s]:%d", r->address, r->port);
	}
	if (r->tls.used) {
		char	*sum = tls_facts_summary(&r->tls, TLS_SUMMARY_FULL);

		printf(", %s", sum);
		free(sum);
	}
	printf(" (policy %s from %s)\n", policy_name(r->policy),
	    policy_source_name(r->policy_source));
	if (r->reason != NULL)
		printf("        %s\n", r->reason);
	if (r->tls.used && r->tls.cert_subject != NULL)
		printf("        certificate: %s, issuer %s, expires %s\n",
		    r->tls.cert_subject, r->tls.cert_issuer != NULL ?
		    r->tls.cert_issuer : "?", r->tls.cert_expires != NULL ?
		    r->tls.cert_expires : "?");
	if (r->reply != NULL)
		printf("        server: %s\n", r->reply);
	if (r->next_hop.known) {
		const char	*dom = addr_domain(r->recipient);
		char		*w = nexthop_words(dom, &r->next_hop);
		char		*mx = nexthop_mx_words(&r->next_hop);

		printf("        after the relay (what %s promises, not what "
		    "tern saw): %s\n", dom != NULL ? dom : "the domain", w);
		if (mx != NULL)
			printf("        %s\n", mx);
		free(w);
		free(mx);
	}
	if (r->unrecorded)
		printf("        %s to %s, but tern could not record it: the "
		    "next flush will resend it as uncertain\n",
		    outcome_delivered(r->outcome) ? "delivered" : "tried",
		    r->recipient);
	fflush(stdout);
}

/*
 * SIGTERM, SIGINT, SIGHUP: only set a flag (the delivery finishes the
 * step it is in, records it and stops before the next transaction); a
 * second one ends tern at once, which the store survives too.
 */
static void
cli_on_signal(int sig)
{
	static const char	msg[] = "tern: stopping after the current step "
				    "(again to stop at once)\n";

	if (cli_stop) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	cli_stop = 1;
	(void)write(STDERR_FILENO, msg, sizeof msg - 1);
}

/* Install the stop handlers. */
static void
cli_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = cli_on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
}
