/* The command line. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "cli.h"
#include "conf.h"
#include "deliver.h"
#include "err.h"
#include "event.h"
#include "msg.h"
#include "outbox.h"
#include "outlog.h"
#include "policy.h"
#include "record.h"
#include "safefile.h"
#include "secret.h"
#include "store.h"
#include "text.h"
#include "vcard.h"
#include "xmalloc.h"

struct cli {
	char		*conf_path;	/* -F (sendmail: -C) */
	const char	*account;	/* -a NAME, or NULL: the default */
	int		 verbose;	/* -v */
	int		 json;
	int		 sendmail;	/* silent on success, reasons on stderr */
	FILE		*logf;		/* sendmail -X: one line per outcome */
	const char	*envfrom;	/* the sender, for the -X log */
	struct conf	*root;		/* the whole config (owned) */
	const struct conf *conf;	/* the account in use (in root) */
	struct store	*store;
	struct deliver_pool *pool;	/* flush: connections kept */
	pthread_mutex_t	 lock;		/* serializes output from workers */
	int		 worst;		/* exit code so far */
	int		 due;		/* flush --due: only what is due, quiet */
};

struct cli_cmd {
	const char	*name;
	int		(*fn)(struct cli *, int, char **);
	const char	*usage;
};

static int	 cli_send(struct cli *, int, char **);
static int	 cli_sendmail(struct cli *, int, char **);
static int	 cli_probe(struct cli *, int, char **);
static int	 cli_help(struct cli *, int, char **);
static int	 cli_load_conf(struct cli *);
static void	 cli_pick_account(struct cli *, const char *);
static void	 cli_next_try(long long, char *, size_t);
static int	 cli_fail(struct err *);
static char	*cli_read_stdin(size_t *, struct err **);
static int	 cli_usage(const char *);
static int	 cli_wants_help(int, char **);
static const struct cli_cmd *cli_find(const char *);
static int	 cli_is_sendmail_arg(const char *);
static int	 cli_named_sendmail(const char *);
static void	 cli_sendmail_record(struct cli *, const struct record *);
static void	 cli_event(const struct event *, void *);
static char	*cli_password(const char *, void *, struct err **);
static volatile sig_atomic_t cli_stop;	/* a stop signal came */
static void	 cli_on_signal(int);
static void	 cli_signals(void);
static void	 cli_print_record(struct cli *, const struct record *);
static int	 cli_result_code(const struct record *, size_t);
static int	 cli_add_addrs(struct addr_list *, const char *,
		    const char *);
static int	 cli_open_store(struct cli *);
static int	 cli_submit(struct cli *, const char *, const char *,
		    struct addr_list *, char **, size_t);
static int	 cli_send_message(struct cli *, long long);
static void	 cli_outbox_ctx(struct cli *, struct outbox_ctx *);
static int	 cli_flush(struct cli *, int, char **);
static int	 cli_outbox(struct cli *, int, char **);
static int	 cli_log(struct cli *, int, char **);
static int	 cli_contacts(struct cli *, int, char **);
static int	 cli_collect_id(const struct store_msg *, void *);
static int	 cli_log_row(long long, const struct record *, void *);
static int	 cli_contact_row(const struct store_contact *, void *);
static int	 cli_export_row(const struct store_contact *, void *);
static int	 cli_contact_import(struct cli *, const char *,
		    const struct vcard_contact *);
static int	 cli_contact_export_dir(const char *,
		    const struct vcard_contact *, size_t);
static int	 cli_merge_code(int, int);

static const struct cli_cmd cli_cmds[] = {
	{ "send", cli_send,
	  "send [-s SUBJECT] [-c ADDR] [-b ADDR] [--json] ADDR...   "
	  "(body on stdin)" },
	{ "sendmail", cli_sendmail,
	  "sendmail [-t] [-i] [-f FROM] [-F NAME] [-a ACCOUNT] [-C CONFIG] "
	  "[-X LOGFILE] [-N DSN] [-R RET] [-V ENVID] [-v] [--] [ADDR...]   "
	  "(message on stdin)" },
	{ "probe", cli_probe,
	  "probe [--json] ADDR|DOMAIN...   (what TLS the server offers)" },
	{ "flush", cli_flush,
	  "flush [--due] [--json] [-v]   (send what waits in the outbox; "
	  "--due: only what is due a retry, quiet, for a timer or cron)" },
	{ "outbox", cli_outbox, "outbox [--json]" },
	{ "log", cli_log, "log [--json] [-n N]" },
	{ "contacts", cli_contacts,
	  "contacts list [--json] [--group NAME] [SEARCH] | add ADDR "
	  "[--name NAME] [--alias KEY] [--tls POLICY] [--notes TEXT] | set "
	  "ADDR [--name NAME] [--alias KEY] [--tls may|encrypt|verify|default] "
	  "| remove ADDR | import FILE | export [FILE | --dir DIR]" },
	{ "help", cli_help, "help [COMMAND]" },
};

#define CLI_NCMDS (sizeof cli_cmds / sizeof cli_cmds[0])

/* Long options, with the short one each stands for ('\0': its own). */
static const struct {
	const char	*name;
	int		 arg;		/* takes a value */
	char		 opt;
} cli_sm_long[] = {
	{ "from", 1, 'f' },
	{ "account", 1, 'a' },
	{ "file", 1, 'C' },
	{ "logfile", 1, 'X' },
	{ "dsn-notify", 1, 'N' },
	{ "dsn-return", 1, 'R' },
	{ "read-recipients", 0, 't' },
	{ "read-envelope-from", 0, 'E' },
	{ "pretend", 0, 'P' },
	{ "debug", 0, 'd' },
	{ "verbose", 0, 'v' },
	{ "help", 0, 'H' },
	{ "version", 0, 'W' },
	{ "maildomain", 1, 'M' },
};


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

/*
 * Is this first argument after tern's own options one of sendmail's
 * (git's smtpServer = /path/to/tern calls "tern -i RCPT...")?  Every
 * option but tern's own is: an unknown one gets sendmail's usage.
 */
static int
cli_is_sendmail_arg(const char *a)
{
	size_t	k, n;

	if (a[0] != '-' || a[1] == '\0')
		return 0;
	if (a[1] != '-')
		return strcmp(a, "-h") != 0;
	n = strcspn(a + 2, "=");
	for (k = 0; k < sizeof cli_sm_long / sizeof cli_sm_long[0]; k++)
		if (strlen(cli_sm_long[k].name) == n &&
		    strncmp(cli_sm_long[k].name, a + 2, n) == 0)
			return cli_sm_long[k].opt != 'H' &&
			    cli_sm_long[k].opt != 'W';
	return 0;
}

/* Is the program's name sendmail (a link, /usr/sbin/sendmail)? */
static int
cli_named_sendmail(const char *argv0)
{
	size_t	n = strlen(argv0);

	return n >= 8 && strcmp(argv0 + n - 8, "sendmail") == 0;
}

/* Is tern called as sendmail (by name or with sendmail's options)? */
int
cli_is_sendmail(int argc, char **argv)
{
	int	i;

	if (argc < 1)
		return 0;
	if (cli_named_sendmail(argv[0]))
		return 1;
	for (i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-F") == 0 || strcmp(argv[i], "-a") == 0) &&
		    i + 1 < argc) {
			i++;
			continue;
		}
		if (strcmp(argv[i], "-v") == 0)
			continue;
		return cli_is_sendmail_arg(argv[i]);
	}
	return 0;
}

/* Is this a command line for the CLI rather than the interface? */
int
cli_is_command(int argc, char **argv)
{
	int	i;

	if (cli_is_sendmail(argc, argv))
		return 1;
	for (i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-F") == 0 || strcmp(argv[i], "-a") == 0) &&
		    i + 1 < argc) {
			i++;
			continue;
		}
		if (strcmp(argv[i], "-v") == 0 ||
		    strncmp(argv[i], "--bench-startup", 15) == 0)
			continue;
		/* Commands, help, version, and unknown words and options. */
		return 1;
	}
	return 0;
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
static int
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

/* Parse global options and run a command. */
int
cli_main(int argc, char **argv)
{
	struct cli		 cli;
	const struct cli_cmd	*c;
	int			 i, rv;

	memset(&cli, 0, sizeof cli);
	pthread_mutex_init(&cli.lock, NULL);
	/* A server that closes on us must not kill the process. */
	signal(SIGPIPE, SIG_IGN);
	cli_signals();

	if (argc > 0 && cli_named_sendmail(argv[0])) {
		rv = cli_sendmail(&cli, argc, argv);
		goto out;
	}
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-F") == 0 && i + 1 < argc)
			cli.conf_path = argv[++i];
		else if (strcmp(argv[i], "-a") == 0 && i + 1 < argc)
			cli.account = argv[++i];
		else if (strcmp(argv[i], "-v") == 0)
			cli.verbose++;
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			rv = cli_help(&cli, 0, NULL);
			goto out;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("tern %s\n", PACKAGE_VERSION);
			rv = CLI_OK;
			goto out;
		} else
			break;	/* sendmail's options */
	}
	if (i < argc && cli_is_sendmail_arg(argv[i])) {
		/* sendmail's arguments start after argv[i - 1]. */
		rv = cli_sendmail(&cli, argc - i + 1, argv + i - 1);
		goto out;
	}
	if (i == argc) {
		rv = cli_usage(NULL);
		goto out;
	}
	if ((c = cli_find(argv[i])) == NULL) {
		fprintf(stderr, "tern: unknown %s '%s'\n", argv[i][0] == '-' ?
		    "option" : "command", argv[i]);
		rv = cli_usage(NULL);
		goto out;
	}
	/* sendmail's -h is a hop count: it reads its own options. */
	if (c->fn != cli_sendmail && c->fn != cli_help &&
	    cli_wants_help(argc - i, argv + i)) {
		printf("usage: tern %s\n", c->usage);
		rv = CLI_OK;
		goto out;
	}
	rv = c->fn(&cli, argc - i, argv + i);
out:
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
	const struct cli_cmd	*c;
	size_t			 j;

	(void)cli;
	if (argc > 1 && strcmp(argv[1], "-h") != 0 &&
	    strcmp(argv[1], "--help") != 0) {
		if (strcmp(argv[1], "demo") == 0) {
			printf("usage: tern demo   (the interface with loopback "
			    "demo servers and a throw-away config)\n");
			return CLI_OK;
		}
		if ((c = cli_find(argv[1])) == NULL) {
			fprintf(stderr, "tern: help: unknown command '%s'\n",
			    argv[1]);
			return cli_usage(NULL);
		}
		printf("usage: tern %s\n", c->usage);
		return CLI_OK;
	}
	printf("usage: tern [-F CONFIG] [-a ACCOUNT] [-v] COMMAND ...\n");
	for (j = 0; j < CLI_NCMDS; j++)
		printf("       tern %s\n", cli_cmds[j].usage);
	printf("       tern demo   (the interface with loopback demo "
	    "servers)\n");
	printf("       tern --version\n");
	printf("Without a command, tern opens its interface.  Called as "
	    "sendmail (a link),\nor with sendmail's options (tern -i ADDR...), "
	    "it is tern sendmail.\n");
	return CLI_OK;
}

/* Report an error and return its exit code. */
static int
cli_fail(struct err *e)
{
	int	rv;

	if (e->reply != NULL)
		fprintf(stderr, "tern: %s (the server said: %s)\n", e->msg,
		    e->reply);
	else
		fprintf(stderr, "tern: %s\n", e->msg);
	rv = cli_exitcode(e);
	err_free(e);
	return rv;
}

/* Load the configuration (-F or the XDG default). */
static int
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

/*
 * Without -a, the account is the one whose from address is the sender's
 * (an address as written: "Name <addr>" or a bare one).
 */
static void
cli_pick_account(struct cli *cli, const char *sender)
{
	struct addr	 a;
	struct err	*e = NULL;

	if (cli->account != NULL || cli->root == NULL)
		return;
	if (addr_parse(sender, &a, &e) != 0) {
		err_free(e);
		return;
	}
	cli->conf = conf_account_for(cli->root, a.mailbox);
	addr_clear(&a);
}

/* Read all of standard input (a line with a dot never ends it). */
static char *
cli_read_stdin(size_t *len, struct err **errp)
{
	struct buf	 b = BUF_INIT;
	struct stat	 sb;
	char		 chunk[65536];
	size_t		 r;

	/* A file on stdin: its size is known, allocate once. */
	if (fstat(fileno(stdin), &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size > 0)
		buf_reserve(&b, (size_t)sb.st_size + 1);
	while ((r = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		buf_add(&b, chunk, r);
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

/*
 * Add the addresses of one argument (a list allowed) to l; bare local
 * parts are qualified with domain when it is not NULL.
 */
static int
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

/* tern send. */
static int
cli_send(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "subject", required_argument, NULL, 's' },
		{ "cc", required_argument, NULL, 'c' },
		{ "bcc", required_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct addr_list	 to = { NULL, 0 }, cc = { NULL, 0 };
	struct addr_list	 bcc = { NULL, 0 }, all = { NULL, 0 };
	struct msg_draft	 d;
	struct addr		 from;
	struct err		*e = NULL;
	const char		*subject = NULL;
	char			*body = NULL, *msg = NULL;
	size_t			 bodylen, msglen, i;
	int			 ch, rv = CLI_USAGE;

	memset(&from, 0, sizeof from);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+s:c:b:v", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 's':
			subject = optarg;
			break;
		case 'c':
			if ((rv = cli_add_addrs(&cc, optarg, NULL)) != CLI_OK)
				goto out;
			break;
		case 'b':
			if ((rv = cli_add_addrs(&bcc, optarg, NULL)) != CLI_OK)
				goto out;
			break;
		case 'j':
			cli->json = 1;
			break;
		case 'v':
			cli->verbose++;
			break;
		default:
			fprintf(stderr, "usage: tern %s\n", cli_cmds[0].usage);
			rv = CLI_USAGE;
			goto out;
		}
	}
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if ((rv = cli_add_addrs(&to, argv[i], NULL)) != CLI_OK)
			goto out;
	if (to.n + cc.n + bcc.n == 0) {
		fprintf(stderr, "tern: no recipient\nusage: tern %s\n",
		    cli_cmds[0].usage);
		rv = CLI_USAGE;
		goto out;
	}
	if ((rv = cli_load_conf(cli)) != CLI_OK)
		goto out;
	if (addr_parse(cli->conf->from, &from, &e) == -1) {
		rv = cli_fail(e);
		goto out;
	}
	if ((body = cli_read_stdin(&bodylen, &e)) == NULL) {
		rv = cli_fail(e);
		goto out;
	}
	memset(&d, 0, sizeof d);
	d.from = cli->conf->from;
	d.to = &to;
	d.cc = &cc;
	d.bcc = &bcc;
	d.subject = subject;
	d.body = body;
	d.bodylen = bodylen;
	msg = msg_build(&d, &msglen, &e);
	free(body);
	body = NULL;
	if (msg == NULL) {
		rv = cli_fail(e);
		goto out;
	}
	for (i = 0; i < to.n; i++)
		addr_list_add(&all, NULL, to.v[i].mailbox);
	for (i = 0; i < cc.n; i++)
		addr_list_add(&all, NULL, cc.v[i].mailbox);
	for (i = 0; i < bcc.n; i++)
		addr_list_add(&all, NULL, bcc.v[i].mailbox);
	rv = cli_submit(cli, from.mailbox, subject, &all, &msg, msglen);
out:
	addr_list_clear(&to);
	addr_list_clear(&cc);
	addr_list_clear(&bcc);
	addr_list_clear(&all);
	addr_clear(&from);
	free(body);
	free(msg);
	return rv;
}

/* What sendmail's options asked for. */
struct cli_sm {
	const char	*envfrom;	/* -f, -r, --from */
	const char	*fullname;	/* -F */
	const char	*logfile;	/* -X, --logfile */
	const char	*notify;	/* -N: DSN NOTIFY */
	const char	*ret;		/* -R: DSN RET */
	const char	*envid;		/* -V: DSN ENVID */
	int		 extract;	/* -t */
	int		 read_envfrom;	/* --read-envelope-from */
	int		 pretend;	/* -P, --pretend */
	int		 help;
	int		 version;
	const char	*maildomain;	/* --maildomain */
	int		 rcpt;		/* index of the first recipient */
	int		 nrcpt;		/* recipients, moved to argv[rcpt] */
};

/* Letters of sendmail's -oX that are flags (the others take a value). */
#define CLI_SM_OFLAGS	"78cDfiImnosv"

/* One option with its value (NULL for a flag); CLI_OK or CLI_USAGE. */
static int
cli_sm_option(struct cli *cli, struct cli_sm *sm, char opt, const char *val)
{
	switch (opt) {
	case 't':
		sm->extract = 1;
		break;
	case 'i':	/* the whole of stdin is always read */
	case 'n':	/* no aliases */
	case 'G':	/* a relayed submission */
	case 'U':	/* initial submission */
	case 'I':	/* newaliases */
	case 'm':	/* me too */
	case 'B':	/* body type: tern chooses 8BITMIME itself */
	case 'L':	/* syslog tag */
	case 'O':	/* option=value */
	case 'A':	/* -Am, -Ac */
	case 'e':	/* error mode */
	case 'p':	/* protocol */
		break;
	case 'v':
		cli->verbose++;
		break;
	case 'd':
		cli->verbose += 2;
		break;
	case 'P':
		sm->pretend = 1;
		break;
	case 'E':
		sm->read_envfrom = 1;
		break;
	case 'H':
		sm->help = 1;
		break;
	case 'W':
		sm->version = 1;
		break;
	case 'f':
	case 'r':
		sm->envfrom = val;
		break;
	case 'F':
		sm->fullname = val;
		break;
	case 'a':
		cli->account = val;
		break;
	case 'C':
		cli->conf_path = (char *)val;
		break;
	case 'X':
		sm->logfile = val;
		break;
	case 'N':
		if (strcasecmp(val, "never") != 0 &&
		    strspn(val, "successfailuredelaySUCCESSFAILUREDELAY,") !=
		    strlen(val)) {
			fprintf(stderr, "tern: sendmail: -N %s: give never, or "
			    "a list of success, failure and delay\n", val);
			return CLI_USAGE;
		}
		sm->notify = val;
		break;
	case 'R':
		if (strcasecmp(val, "full") != 0 &&
		    strcasecmp(val, "hdrs") != 0) {
			fprintf(stderr, "tern: sendmail: -R %s: give full or "
			    "hdrs\n", val);
			return CLI_USAGE;
		}
		sm->ret = val;
		break;
	case 'V':
		sm->envid = val;
		break;
	case 'M':
		sm->maildomain = val;
		break;
	case 'b':
		if (strcmp(val, "m") == 0)
			break;
		fprintf(stderr, "tern: sendmail: -b%s is not supported: tern "
		    "only sends a message from standard input (-bm)%s\n", val,
		    *val == 'p' ? "; tern outbox shows the queue" : "");
		return CLI_USAGE;
	case 'q':
		fprintf(stderr, "tern: sendmail: -q: there is no queue runner "
		    "here; tern flush sends what waits\n");
		return CLI_USAGE;
	default:
		fprintf(stderr, "tern: sendmail: unknown option -%c\n", opt);
		return CLI_USAGE;
	}
	return CLI_OK;
}

/* Parse sendmail's command line (options and recipients mixed). */
static int
cli_sm_parse(struct cli *cli, struct cli_sm *sm, int argc, char **argv)
{
	static const char	 flags[] = "tinvGUImPdq";
	static const char	 withval[] = "aCfFBNRVLXOrpAeb";
	const char		*a, *val, *eq;
	size_t			 k, n;
	int			 i, j, rv, nrcpt = 0;

	sm->nrcpt = 0;
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++)
				argv[sm->rcpt + nrcpt++] = argv[i];
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			/* Recipients are moved to the front, in order. */
			argv[sm->rcpt + nrcpt++] = argv[i];
			continue;
		}
		if (a[1] == '-') {
			eq = strchr(a + 2, '=');
			n = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
			for (k = 0; k < sizeof cli_sm_long /
			    sizeof cli_sm_long[0]; k++)
				if (strlen(cli_sm_long[k].name) == n &&
				    strncmp(cli_sm_long[k].name, a + 2, n) == 0)
					break;
			if (k == sizeof cli_sm_long / sizeof cli_sm_long[0] ||
			    (eq != NULL && !cli_sm_long[k].arg)) {
				fprintf(stderr, "tern: sendmail: unknown option "
				    "%s\n", a);
				return CLI_USAGE;
			}
			val = NULL;
			if (cli_sm_long[k].arg) {
				if (eq != NULL)
					val = eq + 1;
				else if (i + 1 < argc)
					val = argv[++i];
				else {
					fprintf(stderr, "tern: sendmail: %s "
					    "needs a value\n", a);
					return CLI_USAGE;
				}
			}
			if ((rv = cli_sm_option(cli, sm, cli_sm_long[k].opt,
			    val)) != CLI_OK)
				return rv;
			continue;
		}
		if (a[1] == 'o') {
			/* -oX[value], or -o X[value]; -oX VALUE for a letter
			 * that takes one.  Only -oi means something (and
			 * nothing now: all of stdin is read). */
			val = a + 2;
			if (*val == '\0') {
				if (i + 1 == argc) {
					fprintf(stderr, "tern: sendmail: -o "
					    "needs an option\n");
					return CLI_USAGE;
				}
				val = argv[++i];
			}
			if (val[0] != '\0' && val[1] == '\0' &&
			    strchr(CLI_SM_OFLAGS, val[0]) == NULL &&
			    i + 1 < argc)
				i++;	/* its value */
			continue;
		}
		if (a[1] == 'h') {
			/* -hN: a hop count.  Alone at the end: help. */
			if (a[2] >= '0' && a[2] <= '9')
				continue;
			if (a[2] == '\0' && i + 1 < argc &&
			    argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9') {
				i++;
				continue;
			}
			sm->help = 1;
			continue;
		}
		for (j = 1; a[j] != '\0'; j++) {
			if (strchr(flags, a[j]) != NULL) {
				if ((rv = cli_sm_option(cli, sm, a[j], NULL)) !=
				    CLI_OK)
					return rv;
				if (a[j] == 'd')	/* -dCLASSES */
					break;
				continue;
			}
			if (strchr(withval, a[j]) == NULL)
				return cli_sm_option(cli, sm, a[j], NULL);
			if (a[j] == 'X' && strcmp(a + j, "XV") == 0)
				break;	/* Postfix's -XV: VERP, ignored */
			if (a[j + 1] != '\0')
				val = a + j + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else {
				fprintf(stderr, "tern: sendmail: -%c needs a "
				    "value\n", a[j]);
				return CLI_USAGE;
			}
			if ((rv = cli_sm_option(cli, sm, a[j], val)) != CLI_OK)
				return rv;
			break;
		}
	}
	sm->nrcpt = nrcpt;
	return CLI_OK;
}

/* One outcome of sendmail: a reason on stderr, a line in the -X log. */
static void
cli_sendmail_record(struct cli *cli, const struct record *r)
{
	char		 when[40], *line;
	struct tm	 tm;
	time_t		 t = time(NULL);
	int		 ok = outcome_delivered(r->outcome);

	if (!ok) {
		fprintf(stderr, "tern: %s: %s%s%s%s%s%s\n", r->recipient,
		    outcome_name(r->outcome), r->reason != NULL ? ": " : "",
		    r->reason != NULL ? r->reason : "", r->reply != NULL ?
		    " (the server said: " : "", r->reply != NULL ? r->reply :
		    "", r->reply != NULL ? ")" : "");
		if (r->outcome != OUTCOME_FAILED)
			fprintf(stderr, "tern: %s: the message waits in the "
			    "outbox (tern outbox, tern flush)\n", r->recipient);
	}
	if (cli->logf == NULL)
		return;
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S%z", &tm);
	line = outlog_line(cli->conf != NULL ? cli->conf->name : "default",
	    cli->envfrom, r);
	fprintf(cli->logf, "%s %s\n", when, line);
	free(line);
	fflush(cli->logf);
}

/* tern sendmail: the sendmail(8) interface, as msmtp and Postfix have it. */
static int
cli_sendmail(struct cli *cli, int argc, char **argv)
{
	struct addr_list	 rcpts = { NULL, 0 }, uniq = { NULL, 0 };
	struct addr		 from;
	struct msg_prep		 prep;
	struct cli_sm		 sm;
	struct err		*e = NULL;
	const char		*dom;
	char			*in = NULL, *msg = NULL, *subj;
	size_t			 inlen, msglen, i, j;
	int			 rv;

	memset(&from, 0, sizeof from);
	memset(&prep, 0, sizeof prep);
	memset(&sm, 0, sizeof sm);
	sm.rcpt = 1;
	cli->sendmail = 1;
	if (cli_sm_parse(cli, &sm, argc, argv) != CLI_OK) {
		fprintf(stderr, "usage: tern %s\n", cli_find("sendmail")->usage);
		return CLI_USAGE;
	}
	if (sm.help) {
		printf("usage: tern %s\n", cli_find("sendmail")->usage);
		return CLI_OK;
	}
	if (sm.version) {
		printf("tern %s\n", PACKAGE_VERSION);
		return CLI_OK;
	}
	if ((rv = cli_load_conf(cli)) != CLI_OK)
		goto out;
	/* The account of the envelope sender (-f), unless -a chose one. */
	if (sm.envfrom != NULL && !sm.read_envfrom)
		cli_pick_account(cli, sm.envfrom);
	dom = sm.maildomain != NULL ? sm.maildomain :
	    conf_maildomain(cli->conf);
	if (sm.pretend) {
		printf("config: %s\naccount: %s\nfrom: %s\nmaildomain: %s\n"
		    "relay: %s%s%s\n", cli->conf->path != NULL ?
		    cli->conf->path : "(none)", cli->account != NULL ?
		    cli->account : "default", cli->conf->from, dom != NULL ?
		    dom : "(none)", cli->conf->relay_host != NULL ?
		    (cli->conf->relay_mode == RELAY_SMTPS ? "smtps://" :
		    "smtp://") : "direct", cli->conf->relay_host != NULL ?
		    cli->conf->relay_host : "", "");
		rv = CLI_OK;
		goto out;
	}
	if (sm.logfile != NULL && (cli->logf = fopen(sm.logfile, "a")) ==
	    NULL) {
		err_set(&e, ERR_CONFIG, 0, "-X %s: cannot open the log file: "
		    "%s", sm.logfile, strerror(errno));
		rv = cli_fail(e);
		goto out;
	}
	for (i = 0; i < (size_t)sm.nrcpt; i++)
		if ((rv = cli_add_addrs(&rcpts, argv[sm.rcpt + i], dom)) !=
		    CLI_OK)
			goto out;
	if ((in = cli_read_stdin(&inlen, &e)) == NULL) {
		rv = cli_fail(e);
		goto out;
	}
	/* The From tern adds when there is none: -f and -F win (msmtp). */
	prep.from = sm.envfrom != NULL && !sm.read_envfrom ? sm.envfrom :
	    cli->conf->from;
	prep.fullname = sm.fullname;
	prep.maildomain = dom;
	prep.rcpts = sm.extract ? &rcpts : NULL;
	msg = msg_prepare_with(in, inlen, &prep, &msglen, &e);
	free(in);
	in = NULL;
	if (msg == NULL) {
		rv = cli_fail(e);
		goto out;
	}
	/* Else the account of the From header. */
	if (sm.envfrom == NULL || sm.read_envfrom) {
		char	*fh = msg_header(msg, msglen, "From");

		if (fh != NULL)
			cli_pick_account(cli, fh);
		free(fh);
	}
	for (i = 0; i < rcpts.n; i++) {
		if (addr_check(rcpts.v[i].mailbox, &e) == -1) {
			rv = cli_fail(e);
			goto out;
		}
		for (j = 0; j < uniq.n; j++)
			if (strcmp(uniq.v[j].mailbox, rcpts.v[i].mailbox) == 0)
				break;
		if (j == uniq.n)
			addr_list_add(&uniq, NULL, rcpts.v[i].mailbox);
	}
	if (uniq.n == 0) {
		fprintf(stderr, "tern: sendmail: no recipient (give addresses, "
		    "or -t with To, Cc or Bcc in the message)\n");
		rv = sm.extract ? CLI_DATAERR : CLI_USAGE;
		goto out;
	}
	/* The envelope sender: -f, the From header, or the config's. */
	if (sm.read_envfrom && prep.sender != NULL)
		rv = addr_parse_in(prep.sender, dom, &from, &e);
	else if (sm.envfrom != NULL && !sm.read_envfrom)
		rv = addr_parse_in(sm.envfrom, dom, &from, &e);
	else
		rv = addr_parse(cli->conf->from, &from, &e);
	if (rv != 0) {
		err_set(&e, ERR_INPUT, 0, "no usable sender");
		rv = cli_fail(e);
		goto out;
	}
	cli->envfrom = from.mailbox;
	subj = msg_header(msg, msglen, "Subject");
	rv = cli_submit(cli, from.mailbox, subj, &uniq, &msg, msglen);
	free(subj);
out:
	addr_list_clear(&rcpts);
	addr_list_clear(&uniq);
	addr_clear(&from);
	free(prep.sender);
	free(in);
	free(msg);
	cli->envfrom = NULL;
	return rv;
}

/* tern probe: what would each recipient's server give, without sending. */
static int
cli_probe(struct cli *cli, int argc, char **argv)
{
	struct addr_list	 l = { NULL, 0 };
	char			*a;
	int			 i, rv;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			cli->json = 1;
			continue;
		}
		if (strcmp(argv[i], "-v") == 0) {
			cli->verbose++;
			continue;
		}
		if (argv[i][0] == '-') {
			fprintf(stderr, "tern: probe: unknown option %s\n",
			    argv[i]);
			addr_list_clear(&l);
			return cli_usage("probe");
		}
		if (strchr(argv[i], '@') != NULL)
			a = xstrdup(argv[i]);
		else
			a = xasprintf("postmaster@%s", argv[i]);
		rv = cli_add_addrs(&l, a, NULL);
		free(a);
		if (rv != CLI_OK) {
			addr_list_clear(&l);
			return rv;
		}
	}
	if (l.n == 0) {
		fprintf(stderr, "usage: tern %s\n", cli_cmds[2].usage);
		return CLI_USAGE;
	}
	if ((rv = cli_load_conf(cli)) == CLI_OK) {
		struct err	*e = NULL;
		char		*path = store_default_path();

		/* Contacts refine the policy shown; no store is fine too. */
		struct outbox_ctx	  o;
		struct record		 *out = NULL;
		const char		**v;
		size_t			  j;

		cli->store = store_open(path, &e);
		err_free(e);
		e = NULL;
		free(path);
		cli_outbox_ctx(cli, &o);
		v = xcalloc(l.n, sizeof *v);
		for (j = 0; j < l.n; j++)
			v[j] = l.v[j].mailbox;
		if (outbox_probe(&o, v, l.n, &out, &e) == -1)
			rv = cli_fail(e);
		else {
			for (j = 0; j < l.n; j++)
				cli_print_record(cli, &out[j]);
			record_free_array(out, l.n);
		}
		free(v);
	}
	addr_list_clear(&l);
	return rv;
}

/* Progress on stderr with -v. */
static void
cli_event(const struct event *e, void *arg)
{
	struct cli	*cli = arg;
	char		*line;

	if (e->type == EVENT_WARNING && e->text != NULL) {
		pthread_mutex_lock(&cli->lock);
		fprintf(stderr, "tern: %s\n", e->text);
		pthread_mutex_unlock(&cli->lock);
		return;
	}
	if (cli->verbose == 0 || e->type == EVENT_OUTCOME)
		return;
	if (e->type == EVENT_PROGRESS && e->done != e->total &&
	    cli->verbose < 2)
		return;
	line = event_format(e);
	pthread_mutex_lock(&cli->lock);
	fprintf(stderr, "tern: %s\n", line);
	fflush(stderr);
	pthread_mutex_unlock(&cli->lock);
	free(line);
}

/* The password, from passcmd. */
static char *
cli_password(const char *user, void *arg, struct err **errp)
{
	struct cli	*cli = arg;

	(void)user;
	if (cli->conf->passcmd == NULL) {
		err_set(errp, ERR_CONFIG, 0, "the server needs a password: set "
		    "passcmd in %s", cli->conf->path != NULL ?
		    cli->conf->path : "the config");
		return NULL;
	}
	return secret_from_command_timeout(cli->conf->passcmd, 0,
	    cli->conf->timeout, errp);
}

/* One recipient's outcome, as a line or as JSON. */
static void
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
	if (r->tls.used)
		printf(", %s %s", r->tls.version, r->tls.cipher);
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
	if (r->unrecorded)
		printf("        %s to %s, but tern could not record it: the "
		    "next flush will resend it as uncertain\n",
		    outcome_delivered(r->outcome) ? "delivered" : "tried",
		    r->recipient);
	fflush(stdout);
}

/* The exit code of a whole send. */
static int
cli_result_code(const struct record *r, size_t n)
{
	size_t	i;
	int	temp = 0, perm = 0;

	for (i = 0; i < n; i++) {
		if (r[i].outcome == OUTCOME_FAILED)
			perm = 1;
		else if (!outcome_delivered(r[i].outcome))
			temp = 1;
	}
	if (perm)
		return CLI_UNAVAILABLE;
	return temp ? CLI_TEMPFAIL : CLI_OK;
}

/* Open the store; says why when it cannot (the send then does not start). */
static int
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

/* The worse of two exit codes for a run. */
static int
cli_merge_code(int a, int b)
{
	if (a == CLI_UNAVAILABLE || b == CLI_UNAVAILABLE)
		return CLI_UNAVAILABLE;
	if (a == CLI_TEMPFAIL || b == CLI_TEMPFAIL)
		return CLI_TEMPFAIL;
	return a != CLI_OK ? a : b;
}

/* Put a message in the outbox, then send it. */
static int
cli_submit(struct cli *cli, const char *from, const char *subject,
    struct addr_list *rcpts, char **msgp, size_t len)
{
	struct outbox_ctx	  o;
	struct err		 *e = NULL;
	const char		**v;
	long long		  id;
	size_t			  i;
	int			  rv;

	if ((rv = cli_open_store(cli)) != CLI_OK)
		return rv;
	cli_outbox_ctx(cli, &o);
	v = xcalloc(rcpts->n, sizeof *v);
	for (i = 0; i < rcpts->n; i++)
		v[i] = rcpts->v[i].mailbox;
	rv = outbox_add(&o, from, subject, v, rcpts->n, *msgp, len, &id, &e);
	free(v);
	/* The store has it now; a big message is not kept twice. */
	free(*msgp);
	*msgp = NULL;
	if (rv == -1) {
		if (!cli->sendmail)
			fprintf(stderr, "tern: nothing was sent.\n");
		return cli_fail(e);
	}
	return cli_send_message(cli, id);
}

/* The outbox context of the CLI. */
static void
cli_outbox_ctx(struct cli *cli, struct outbox_ctx *o)
{
	memset(o, 0, sizeof *o);
	o->conf = cli->conf;
	o->store = cli->store;
	o->ev = cli_event;
	o->ev_ctx = cli;
	o->password = cli_password;
	o->password_ctx = cli;
	o->verbose = cli->verbose > 1;
	o->pool = cli->pool;
	o->stop = &cli_stop;
	o->due = cli->due;
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

/* Send a message's queued recipients and print each outcome. */
static int
cli_send_message(struct cli *cli, long long id)
{
	struct outbox_ctx	 o;
	struct record		*out = NULL;
	struct err		*e = NULL;
	size_t			 n = 0, i;
	int			 rv = CLI_OK;

	cli_outbox_ctx(cli, &o);
	if (outbox_send(&o, id, &out, &n, &e) == -1) {
		if (out == NULL)
			return cli_fail(e);
		fprintf(stderr, "tern: %s\n", e->msg);
		err_free(e);
		rv = CLI_IOERR;
	}
	for (i = 0; i < n; i++) {
		if (cli->sendmail)
			cli_sendmail_record(cli, &out[i]);
		else if (cli->due && !cli->json && cli->verbose == 0) {
			/* From a timer: quiet, but a give-up is news. */
			if (out[i].outcome == OUTCOME_FAILED)
				fprintf(stderr, "tern: %s: failed: %s\n",
				    out[i].recipient, out[i].reason != NULL ?
				    out[i].reason : "no reason recorded");
		} else
			cli_print_record(cli, &out[i]);
	}
	rv = cli_merge_code(rv, cli_result_code(out, n));
	record_free_array(out, n);
	return rv;
}

/* Collect message ids. */
static int
cli_collect_id(const struct store_msg *m, void *arg)
{
	struct buf	*b = arg;

	buf_add(b, &m->id, sizeof m->id);
	return 0;
}

/* tern flush: send every queued recipient again, with today's policy. */
static int
cli_flush(struct cli *cli, int argc, char **argv)
{
	struct buf	 ids = BUF_INIT;
	struct err	*e = NULL;
	long long	*v;
	size_t		 i, n;
	int		 rv, r;

	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			cli->json = 1;
		else if (strcmp(argv[i], "--due") == 0)
			cli->due = 1;
		else if (strcmp(argv[i], "-v") == 0)
			cli->verbose++;
		else {
			fprintf(stderr, "usage: tern %s\n", cli_cmds[3].usage);
			return CLI_USAGE;
		}
	}
	if ((rv = cli_load_conf(cli)) != CLI_OK ||
	    (rv = cli_open_store(cli)) != CLI_OK)
		return rv;
	if (store_message_each(cli->store, STORE_OUTBOX, 0, 0, cli_collect_id,
	    &ids, &e) == -1)
		return cli_fail(e);
	v = (long long *)(void *)ids.s;
	n = ids.len / sizeof *v;
	/* One connection per server for the whole queue. */
	cli->pool = deliver_pool_new();
	/* Oldest first. */
	for (i = n; i > 0 && !cli_stop; i--) {
		r = cli_send_message(cli, v[i - 1]);
		rv = cli_merge_code(rv, r);
	}
	if (cli_stop) {
		fprintf(stderr, "tern: stopped on a signal; what was not sent "
		    "stays in the outbox (tern flush sends it)\n");
		rv = cli_merge_code(rv, CLI_TEMPFAIL);
	}
	deliver_pool_free(cli->pool);
	cli->pool = NULL;
	buf_free(&ids);
	return rv;
}

struct cli_outbox_ctx {
	struct cli	*cli;
	size_t		 n;
};

/* One outbox message and its waiting recipients. */
static int
cli_outbox_row(const struct store_msg *m, void *arg)
{
	struct cli_outbox_ctx	*ctx = arg;
	struct store_rcpt	*rc = NULL;
	struct buf		 b = BUF_INIT;
	struct err		*e = NULL;
	size_t			 n = 0, i;

	if (store_message_rcpts(ctx->cli->store, m->id, &rc, &n, &e) == -1) {
		fprintf(stderr, "tern: %s\n", e->msg);
		err_free(e);
		return 1;
	}
	if (!ctx->cli->json)
		printf("#%lld %s %s\n", m->id, m->has_outcome ?
		    outcome_glyph_ascii(m->worst) : "[NEW]", m->subject != NULL ?
		    m->subject : "(no subject)");
	for (i = 0; i < n; i++) {
		if (rc[i].delivered || rc[i].failed)
			continue;
		ctx->n++;
		if (ctx->cli->json) {
			buf_reset(&b);
			buf_addf(&b, "{\"message_id\":%lld,\"recipient\":",
			    m->id);
			buf_add_json(&b, rc[i].address);
			buf_adds(&b, ",\"outcome\":");
			buf_add_json(&b, rc[i].has_outcome ?
			    outcome_name(rc[i].last) : NULL);
			buf_adds(&b, ",\"reason\":");
			buf_add_json(&b, rc[i].reason);
			buf_adds(&b, ",\"subject\":");
			buf_add_json(&b, m->subject);
			buf_addf(&b, ",\"attempts\":%d", rc[i].attempts);
			if (rc[i].next_try > 0)
				buf_addf(&b, ",\"next_try\":%lld",
				    rc[i].next_try);
			else
				buf_adds(&b, ",\"next_try\":null");
			buf_addc(&b, '}');
			printf("%s\n", b.s);
		} else {
			char	when[64];

			cli_next_try(rc[i].next_try, when, sizeof when);
			printf("    %-8s %s%s%s\n             %s\n",
			    rc[i].has_outcome ? outcome_name(rc[i].last) :
			    "queued", rc[i].address, rc[i].reason != NULL ?
			    ": " : "", rc[i].reason != NULL ? rc[i].reason : "",
			    when);
		}
	}
	buf_free(&b);
	store_rcpts_free(rc, n);
	return 0;
}

/* "next try in 4 min (12:05)", or "next try at the next flush". */
static void
cli_next_try(long long when, char *buf, size_t size)
{
	time_t		 t = (time_t)when, now = time(NULL);
	struct tm	 tm;
	char		 hm[16];
	long long	 d;

	if (when <= 0 || t <= now) {
		snprintf(buf, size, "next try: at the next flush (now due)");
		return;
	}
	localtime_r(&t, &tm);
	strftime(hm, sizeof hm, "%H:%M", &tm);
	d = (long long)(t - now);
	if (d < 3600)
		snprintf(buf, size, "next try: in %lld min (%s)",
		    (d + 59) / 60, hm);
	else
		snprintf(buf, size, "next try: in %lld h %lld min (%s)",
		    d / 3600, (d % 3600) / 60, hm);
}

/* tern outbox: what waits, and why. */
static int
cli_outbox(struct cli *cli, int argc, char **argv)
{
	struct cli_outbox_ctx	 ctx;
	struct err		*e = NULL;
	int			 rv;

	if (argc > 1 && strcmp(argv[1], "--json") == 0)
		cli->json = 1;
	else if (argc > 1) {
		fprintf(stderr, "tern: outbox: unknown argument %s\n", argv[1]);
		return cli_usage("outbox");
	}
	if ((rv = cli_open_store(cli)) != CLI_OK)
		return rv;
	ctx.cli = cli;
	ctx.n = 0;
	if (store_message_each(cli->store, STORE_OUTBOX, 0, 0, cli_outbox_row,
	    &ctx, &e) == -1)
		return cli_fail(e);
	if (ctx.n == 0 && !cli->json)
		printf("The outbox is empty.\n");
	return CLI_OK;
}

/* One attempt of the log. */
static int
cli_log_row(long long mid, const struct record *r, void *arg)
{
	struct cli	*cli = arg;
	char		*j, when[32];
	struct tm	 tm;
	time_t		 t = (time_t)r->when;

	if (cli->json) {
		j = record_json(r);
		printf("{\"message_id\":%lld,\"time\":%lld,%s\n", mid, r->when,
		    j + 1);
		free(j);
		return 0;
	}
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	printf("%s #%lld ", when, mid);
	cli_print_record(cli, r);
	return 0;
}

/* tern log: every attempt, newest first. */
static int
cli_log(struct cli *cli, int argc, char **argv)
{
	struct err	*e = NULL;
	size_t		 limit = 0;
	int		 i, rv;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			cli->json = 1;
		else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			limit = (size_t)strtoul(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: tern %s\n", cli_cmds[5].usage);
			return CLI_USAGE;
		}
	}
	if ((rv = cli_open_store(cli)) != CLI_OK)
		return rv;
	if (store_log_each(cli->store, limit, cli_log_row, cli, &e) == -1)
		return cli_fail(e);
	return CLI_OK;
}

/* One contact of a listing. */
static int
cli_contact_row(const struct store_contact *c, void *arg)
{
	struct cli	*cli = arg;
	struct buf	 b = BUF_INIT;
	enum policy_source src;
	enum policy	 eff;

	eff = policy_resolve(cli->conf, c->address, c->policy, &src);
	if (cli->json) {
		buf_adds(&b, "{\"address\":");
		buf_add_json(&b, c->address);
		buf_adds(&b, ",\"name\":");
		buf_add_json(&b, c->name);
		buf_adds(&b, ",\"tls\":");
		buf_add_json(&b, c->policy == POLICY_UNSET ? NULL :
		    policy_name(c->policy));
		buf_adds(&b, ",\"policy\":");
		buf_add_json(&b, policy_name(eff));
		buf_adds(&b, ",\"policy_source\":");
		buf_add_json(&b, policy_source_name(src));
		buf_adds(&b, ",\"notes\":");
		buf_add_json(&b, c->notes);
		buf_adds(&b, ",\"alias\":");
		buf_add_json(&b, c->alias);
		buf_adds(&b, ",\"groups\":[");
		if (c->groups != NULL) {
			const char	*g, *nl;
			char		*one;

			for (g = c->groups; *g != '\0'; g = nl + 1) {
				if ((nl = strchr(g, '\n')) == NULL)
					nl = g + strlen(g);
				one = xstrndup(g, (size_t)(nl - g));
				if (g != c->groups)
					buf_addc(&b, ',');
				buf_add_json(&b, one);
				free(one);
				if (*nl == '\0')
					break;
			}
		}
		buf_adds(&b, "]}");
		printf("%s\n", b.s);
		buf_free(&b);
		return 0;
	}
	printf("%-32s %-7s %-8s %s\n", c->address, policy_name(eff),
	    c->policy == POLICY_UNSET ? policy_source_name(src) : "contact",
	    c->name != NULL ? c->name : "");
	return 0;
}

struct cli_export {
	struct vcard_contact	*v;
	size_t			 n;
};

/* Collect a contact for export. */
static int
cli_export_row(const struct store_contact *c, void *arg)
{
	struct cli_export	*ex = arg;
	struct vcard_contact	*v;

	ex->v = xreallocarray(ex->v, ex->n + 1, sizeof *ex->v);
	v = &ex->v[ex->n++];
	memset(v, 0, sizeof *v);
	v->address = xstrdup(c->address);
	v->name = xstrdup(c->name);
	v->policy = c->policy;
	v->notes = xstrdup(c->notes);
	v->alias = xstrdup(c->alias);
	if (c->groups != NULL) {
		char	*all, *g, *nl;

		all = xstrdup(c->groups);
		for (g = all; g != NULL; g = nl) {
			if ((nl = strchr(g, '\n')) != NULL)
				*nl++ = '\0';
			if (*g == '\0')
				continue;
			v->groups = xreallocarray(v->groups, v->ngroups + 1,
			    sizeof *v->groups);
			v->groups[v->ngroups++] = xstrdup(g);
		}
		free(all);
	}
	return 0;
}

/*
 * Import one contact.  A policy is never lowered: the file's policy is
 * taken only when it is at least as strict as the contact's effective one
 * now, and what is kept is said on stderr.  The alias and groups are
 * added.  CLI_OK or the failure's code (said).
 */
static int
cli_contact_import(struct cli *cli, const char *file,
    const struct vcard_contact *v)
{
	struct store_contact	 c, old;
	struct err		*e = NULL;
	enum policy_source	 src;
	enum policy		 eff;
	size_t			 i;
	int			 found;

	memset(&c, 0, sizeof c);
	if ((found = store_contact_get(cli->store, v->address, &old, &e)) ==
	    -1)
		return cli_fail(e);
	c.address = v->address;
	c.name = v->name;
	c.notes = v->notes;
	c.alias = v->alias;
	c.policy = v->policy;
	if (found) {
		eff = policy_resolve(cli->conf, old.address, old.policy, &src);
		if (v->policy == POLICY_UNSET)
			c.policy = old.policy;
		else if (v->policy < eff) {
			c.policy = old.policy;
			fprintf(stderr, "tern: %s: kept %s at %s%s (the file "
			    "says %s)\n", file, old.address, policy_name(eff),
			    src == POLICY_FROM_DOMAIN ? " from its domain" :
			    src == POLICY_FROM_DEFAULT ? " by default" : "",
			    policy_name(v->policy));
		}
		if (v->policy == POLICY_UNSET && old.policy != POLICY_UNSET)
			fprintf(stderr, "tern: %s: kept %s at %s (the file "
			    "sets no TLS policy)\n", file, old.address,
			    policy_name(old.policy));
	}
	store_contact_clear(&old);
	if (store_contact_put(cli->store, &c, &e) == -1)
		return cli_fail(e);
	for (i = 0; i < v->ngroups; i++)
		if (store_contact_group_add(cli->store, v->groups[i],
		    v->address, &e) == -1)
			return cli_fail(e);
	return CLI_OK;
}

/* Write one card per contact into dir as UID.vcf (a vdir, as khard reads). */
static int
cli_contact_export_dir(const char *dir, const struct vcard_contact *v,
    size_t n)
{
	struct err	*e = NULL;
	char		*uid, *path, *card;
	size_t		 i, len;
	ssize_t		 w;
	int		 fd, rv = CLI_OK;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		err_set(&e, ERR_INPUT, 0, "%s: cannot create: %s", dir,
		    strerror(errno));
		return cli_fail(e);
	}
	for (i = 0; i < n && rv == CLI_OK; i++) {
		uid = vcard_uid(v[i].address);
		path = xasprintf("%s/%s.vcf", dir, uid);
		card = vcard_write(&v[i], 1);
		len = strlen(card);
		if ((fd = safefile_open(path, O_WRONLY | O_CREAT | O_TRUNC,
		    0600, "the contact card", &e)) == -1)
			rv = cli_fail(e);
		else {
			w = write(fd, card, len);
			if (close(fd) == -1 && w == (ssize_t)len)
				w = -1;
			if (w != (ssize_t)len) {
				err_set(&e, ERR_INPUT, 0, "%s: cannot write: "
				    "%s", path, w == -1 ? strerror(errno) :
				    "short write");
				rv = cli_fail(e);
			}
		}
		free(card);
		free(path);
		free(uid);
	}
	return rv;
}

/* tern contacts ... */
static int
cli_contacts(struct cli *cli, int argc, char **argv)
{
	struct store_contact	 c;
	struct vcard_result	 res;
	struct err		*e = NULL;
	const char		*sub, *addr = NULL, *file = NULL;
	const char		*group = NULL, *dir = NULL;
	char			*text = NULL, *out;
	enum policy		 pol = POLICY_UNSET;
	size_t			 i, len = 0;
	int			 rv, a, have_tls = 0;
	FILE			*f;

	memset(&c, 0, sizeof c);
	c.policy = POLICY_UNSET;
	if (argc < 2) {
		fprintf(stderr, "usage: tern %s\n", cli_cmds[6].usage);
		return CLI_USAGE;
	}
	sub = argv[1];
	for (a = 2; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0)
			cli->json = 1;
		else if (strcmp(argv[a], "--name") == 0 && a + 1 < argc)
			c.name = argv[++a];
		else if (strcmp(argv[a], "--notes") == 0 && a + 1 < argc)
			c.notes = argv[++a];
		else if (strcmp(argv[a], "--alias") == 0 && a + 1 < argc)
			c.alias = argv[++a];
		else if (strcmp(argv[a], "--group") == 0 && a + 1 < argc)
			group = argv[++a];
		else if (strcmp(argv[a], "--dir") == 0 && a + 1 < argc)
			dir = argv[++a];
		else if (strcmp(argv[a], "--tls") == 0 && a + 1 < argc) {
			a++;
			have_tls = 1;
			if (strcmp(argv[a], "default") == 0)
				pol = POLICY_UNSET;
			else if (policy_parse(argv[a], &pol) == -1) {
				fprintf(stderr, "tern: --tls %s: use may, "
				    "encrypt, verify or default\n", argv[a]);
				return CLI_USAGE;
			}
		} else if (argv[a][0] == '-' && argv[a][1] != '\0') {
			fprintf(stderr, "tern: contacts: unknown option %s\n",
			    argv[a]);
			return CLI_USAGE;
		} else if (addr == NULL)
			addr = argv[a];
		else {
			fprintf(stderr, "usage: tern %s\n", cli_cmds[6].usage);
			return CLI_USAGE;
		}
	}
	/* The config is only needed to show effective policies. */
	if ((rv = cli_load_conf(cli)) != CLI_OK ||
	    (rv = cli_open_store(cli)) != CLI_OK)
		return rv;
	if (strcmp(sub, "list") == 0) {
		if (group != NULL) {
			if (store_contact_members(cli->store, group,
			    cli_contact_row, cli, &e) == -1)
				return cli_fail(e);
			return CLI_OK;
		}
		if (store_contact_each(cli->store, addr, 0, 0, cli_contact_row,
		    cli, &e) == -1)
			return cli_fail(e);
		return CLI_OK;
	}
	if (strcmp(sub, "add") == 0 || strcmp(sub, "set") == 0) {
		struct store_contact	old;
		int			found;

		if (addr == NULL || addr_check(addr, &e) == -1) {
			if (e != NULL)
				return cli_fail(e);
			fprintf(stderr, "usage: tern %s\n", cli_cmds[6].usage);
			return CLI_USAGE;
		}
		if ((found = store_contact_get(cli->store, addr, &old, &e)) ==
		    -1)
			return cli_fail(e);
		c.address = (char *)addr;
		c.policy = have_tls ? pol : (found ? old.policy :
		    POLICY_UNSET);
		rv = store_contact_put(cli->store, &c, &e);
		store_contact_clear(&old);
		if (rv == -1)
			return cli_fail(e);
		return CLI_OK;
	}
	if (strcmp(sub, "remove") == 0) {
		if (addr == NULL) {
			fprintf(stderr, "usage: tern %s\n", cli_cmds[6].usage);
			return CLI_USAGE;
		}
		if (store_contact_remove(cli->store, addr, &e) == -1)
			return cli_fail(e);
		return CLI_OK;
	}
	if (strcmp(sub, "import") == 0) {
		file = addr;
		if (file == NULL || (f = fopen(file, "r")) == NULL) {
			err_set(&e, ERR_INPUT, 0, "%s: cannot read: %s",
			    file != NULL ? file : "(no file)", file != NULL ?
			    strerror(errno) : "give a file");
			return cli_fail(e);
		}
		{
			struct buf	b = BUF_INIT;
			char		chunk[8192];
			size_t		r;

			while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
				buf_add(&b, chunk, r);
			fclose(f);
			buf_add(&b, "", 0);
			len = b.len;
			text = buf_steal(&b);
		}
		memset(&res, 0, sizeof res);
		if (strcasestr(text, "BEGIN:VCARD") != NULL)
			rv = vcard_parse(text, len, &res, &e);
		else
			rv = vcard_parse_aliases(text, len, &res, &e);
		free(text);
		if (rv == -1)
			return cli_fail(e);
		for (i = 0; i < res.np; i++)
			fprintf(stderr, "tern: %s:%d: skipped: %s\n", file,
			    res.p[i].line, res.p[i].msg);
		rv = CLI_OK;
		for (i = 0; i < res.n && rv == CLI_OK; i++)
			rv = cli_contact_import(cli, file, &res.v[i]);
		printf("imported %zu contact%s, skipped %zu line%s\n", res.n,
		    res.n == 1 ? "" : "s", res.np, res.np == 1 ? "" : "s");
		if (rv == CLI_OK && res.np > 0)
			rv = CLI_DATAERR;
		vcard_result_clear(&res);
		return rv;
	}
	if (strcmp(sub, "export") == 0) {
		struct cli_export	ex = { NULL, 0 };

		if (store_contact_each(cli->store, NULL, 0, 0,
		    cli_export_row, &ex, &e) == -1)
			return cli_fail(e);
		if (dir != NULL) {
			rv = cli_contact_export_dir(dir, ex.v, ex.n);
			for (i = 0; i < ex.n; i++)
				vcard_contact_clear(&ex.v[i]);
			free(ex.v);
			return rv;
		}
		out = vcard_write(ex.v, ex.n);
		for (i = 0; i < ex.n; i++)
			vcard_contact_clear(&ex.v[i]);
		free(ex.v);
		if (addr != NULL) {
			if ((f = fopen(addr, "w")) == NULL ||
			    fputs(out, f) == EOF || fclose(f) == EOF) {
				err_set(&e, ERR_INPUT, 0, "%s: cannot write: "
				    "%s", addr, strerror(errno));
				free(out);
				return cli_fail(e);
			}
		} else
			fputs(out, stdout);
		free(out);
		return CLI_OK;
	}
	fprintf(stderr, "tern: contacts: unknown command '%s'\nusage: tern "
	    "%s\n", sub, cli_cmds[6].usage);
	return CLI_USAGE;
}
