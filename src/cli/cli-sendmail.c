/* The sendmail(8) interface, as msmtp and Postfix have it. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "addr.h"
#include "conf.h"
#include "err.h"
#include "msg.h"
#include "outlog.h"
#include "record.h"

#include "cli-priv.h"

struct cli_sendmail;

static void	cli_sendmail_account(struct cli *, const char *);
static int	cli_sendmail_option(struct cli *, struct cli_sendmail *, char,
		    const char *);
static int	cli_sendmail_parse(struct cli *, struct cli_sendmail *, int,
		    char **);
/* Long options, with the short one each stands for ('\0': its own). */
static const struct cli_sendmail_long {
	const char	*name;
	int		 arg;		/* takes a value */
	char		 opt;
} cli_sendmail_long[] = {
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

#define CLI_SENDMAIL_NLONG \
	(sizeof cli_sendmail_long / sizeof cli_sendmail_long[0])

/* The long option of n bytes at name (before any '='), or NULL. */
static const struct cli_sendmail_long *
cli_sendmail_find_long(const char *name, size_t n)
{
	size_t	k;

	for (k = 0; k < CLI_SENDMAIL_NLONG; k++)
		if (strlen(cli_sendmail_long[k].name) == n &&
		    strncmp(cli_sendmail_long[k].name, name, n) == 0)
			return &cli_sendmail_long[k];
	return NULL;
}

/*
 * Is this first argument after tern's own options one of sendmail's
 * (git's smtpServer = /path/to/tern calls "tern -i RCPT...")?  Every
 * option but tern's own is: an unknown one gets sendmail's usage.
 */
int
cli_sendmail_is_option(const char *a)
{
	const struct cli_sendmail_long	*l;

	if (a[0] != '-' || a[1] == '\0')
		return 0;
	if (a[1] != '-')
		return strcmp(a, "-h") != 0;
	if ((l = cli_sendmail_find_long(a + 2, strcspn(a + 2, "="))) == NULL)
		return 0;
	return l->opt != 'H' && l->opt != 'W';
}

/*
 * Without -a, the account is the one whose from address is the sender's
 * (an address as written: "Name <addr>" or a bare one).
 */
static void
cli_sendmail_account(struct cli *cli, const char *sender)
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

/* What sendmail's options asked for. */
struct cli_sendmail {
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
#define CLI_SENDMAIL_OFLAGS	"78cDfiImnosv"

/* One option with its value (NULL for a flag); CLI_OK or CLI_USAGE. */
static int
cli_sendmail_option(struct cli *cli, struct cli_sendmail *sm, char opt,
    const char *val)
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
		cli->conf_path = val;
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
cli_sendmail_parse(struct cli *cli, struct cli_sendmail *sm, int argc,
    char **argv)
{
	static const char	 flags[] = "tinvGUImPdq";
	static const char	 withval[] = "aCfFBNRVLXOrpAeb";
	const struct cli_sendmail_long *l;
	const char		*a, *val, *eq;
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
			l = cli_sendmail_find_long(a + 2, strcspn(a + 2, "="));
			if (l == NULL || (eq != NULL && !l->arg)) {
				fprintf(stderr, "tern: sendmail: unknown "
				    "option %s\n", a);
				return CLI_USAGE;
			}
			val = NULL;
			if (l->arg) {
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
			if ((rv = cli_sendmail_option(cli, sm, l->opt, val)) !=
			    CLI_OK)
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
			    strchr(CLI_SENDMAIL_OFLAGS, val[0]) == NULL &&
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
				if ((rv = cli_sendmail_option(cli, sm, a[j],
				    NULL)) != CLI_OK)
					return rv;
				if (a[j] == 'd')	/* -dCLASSES */
					break;
				continue;
			}
			if (strchr(withval, a[j]) == NULL)
				return cli_sendmail_option(cli, sm, a[j], NULL);
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
			if ((rv = cli_sendmail_option(cli, sm, a[j], val)) !=
			    CLI_OK)
				return rv;
			break;
		}
	}
	sm->nrcpt = nrcpt;
	return CLI_OK;
}

/* One outcome of sendmail: a reason on stderr, a line in the -X log. */
void
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
int
cli_sendmail_main(struct cli *cli, int argc, char **argv)
{
	struct addr_list	 rcpts = { NULL, 0 }, uniq = { NULL, 0 };
	struct addr		 from;
	struct msg_prep		 prep;
	struct cli_sendmail	 sm;
	struct err		*e = NULL;
	const char		*dom;
	struct msg_built	 mb;
	char			*in = NULL, *subj;
	size_t			 inlen, i, j;
	int			 rv;

	memset(&from, 0, sizeof from);
	memset(&prep, 0, sizeof prep);
	memset(&mb, 0, sizeof mb);
	memset(&sm, 0, sizeof sm);
	sm.rcpt = 1;
	cli->sendmail = 1;
	if (cli_sendmail_parse(cli, &sm, argc, argv) != CLI_OK) {
		return cli_usage("sendmail");
	}
	if (sm.help)
		return cli_usage_asked("sendmail");
	if (sm.version) {
		printf("tern %s\n", PACKAGE_VERSION);
		return CLI_OK;
	}
	if ((rv = cli_load_conf(cli)) != CLI_OK)
		goto out;
	/* The account of the envelope sender (-f), unless -a chose one. */
	if (sm.envfrom != NULL && !sm.read_envfrom)
		cli_sendmail_account(cli, sm.envfrom);
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
	/* The body stays in the input: one copy of a big message. */
	if (msg_prepare_parts(in, inlen, &prep, &mb, &e) == -1) {
		rv = cli_fail(e);
		goto out;
	}
	/* Else the account of the From header. */
	if (sm.envfrom == NULL || sm.read_envfrom) {
		char	*fh = msg_header(mb.head, mb.headlen, "From");

		if (fh != NULL)
			cli_sendmail_account(cli, fh);
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
	subj = msg_header(mb.head, mb.headlen, "Subject");
	rv = cli_send_submit(cli, from.mailbox, subj, &uniq, &mb, &in);
	free(subj);
out:
	addr_list_clear(&rcpts);
	addr_list_clear(&uniq);
	addr_clear(&from);
	free(prep.sender);
	msg_built_clear(&mb);
	free(in);
	cli->envfrom = NULL;
	return rv;
}
