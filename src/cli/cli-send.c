/* Sending and probing through the outbox: tern send, tern probe. */
#include "config.h"

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "attach.h"
#include "conf.h"
#include "err.h"
#include "event.h"
#include "msg.h"
#include "outbox.h"
#include "record.h"
#include "store.h"
#include "xmalloc.h"

#include "cli-priv.h"

static void	cli_send_event(const struct event *, void *);
static int	cli_send_code(const struct record *, size_t);

/* tern send: the body on stdin becomes a message through outbox_submit. */
int
cli_send_main(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "subject", required_argument, NULL, 's' },
		{ "cc", required_argument, NULL, 'c' },
		{ "bcc", required_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "attach", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	struct attach_list	 att = { NULL, 0 };
	struct addr_list	 to = { NULL, 0 }, cc = { NULL, 0 };
	struct addr_list	 bcc = { NULL, 0 };
	struct outbox_ctx	 o;
	struct msg_draft	 d;
	struct err		*e = NULL;
	const char		*subject = NULL;
	char			*body = NULL;
	long long		 id;
	size_t			 bodylen, i;
	int			 ch, rv = CLI_USAGE;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+s:c:b:vA:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'A':
			/* Read now: a file that cannot be read queues nothing. */
			if (attach_add(&att, optarg, &e) != 0) {
				rv = cli_fail(e);
				goto out;
			}
			break;
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
			rv = cli_usage("send");
			goto out;
		}
	}
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if ((rv = cli_add_addrs(&to, argv[i], NULL)) != CLI_OK)
			goto out;
	if (to.n + cc.n + bcc.n == 0) {
		fprintf(stderr, "tern: no recipient\n");
		rv = cli_usage("send");
		goto out;
	}
	if ((rv = cli_load_conf(cli)) != CLI_OK ||
	    (rv = cli_open_store(cli)) != CLI_OK)
		goto out;
	if ((body = cli_read_stdin(&bodylen, &e)) == NULL) {
		rv = cli_fail(e);
		goto out;
	}
	memset(&d, 0, sizeof d);
	d.to = &to;
	d.cc = &cc;
	d.bcc = &bcc;
	d.subject = subject;
	d.body = body;
	d.bodylen = bodylen;
	d.attach = &att;
	cli_send_ctx(cli, &o);
	if (outbox_submit(&o, &d, 0, &id, &e) == -1) {
		if (e->cls == ERR_STORE)
			fprintf(stderr, "tern: nothing was sent.\n");
		rv = cli_fail(e);
		goto out;
	}
	/* The store has it now; a big body is not kept twice. */
	free(body);
	body = NULL;
	rv = cli_send_message(cli, id);
out:
	addr_list_clear(&to);
	addr_list_clear(&cc);
	addr_list_clear(&bcc);
	attach_clear(&att);
	free(body);
	return rv;
}

/* tern probe: what would each recipient's server give, without sending. */
int
cli_send_probe(struct cli *cli, int argc, char **argv)
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
	if (l.n == 0)
		return cli_usage("probe");
	if ((rv = cli_load_conf(cli)) == CLI_OK) {
		struct outbox_ctx	  o;
		struct record		 *out = NULL;
		struct err		 *e = NULL;
		const char		**v;
		char			 *path = store_default_path();
		size_t			  j;

		/* Contacts refine the policy shown; no store is fine too. */
		cli->store = store_open(path, &e);
		err_free(e);
		e = NULL;
		free(path);
		cli_send_ctx(cli, &o);
		v = xcalloc(l.n, sizeof *v);
		for (j = 0; j < l.n; j++)
			v[j] = l.v[j].mailbox;
		cli->probing = 1;
		if (outbox_probe(&o, v, l.n, &out, &e) == -1)
			rv = cli_fail(e);
		else {
			/* What each domain publishes, then the servers' facts. */
			for (j = 0; j < cli->ninfo && !cli->json; j++)
				printf("%s\n", cli->info[j]);
			for (j = 0; j < l.n; j++)
				cli_print_record(cli, &out[j]);
			record_free_array(out, l.n);
		}
		for (j = 0; j < cli->ninfo; j++)
			free(cli->info[j]);
		free(cli->info);
		cli->info = NULL;
		cli->ninfo = 0;
		free(v);
	}
	addr_list_clear(&l);
	return rv;
}

/* Progress on stderr with -v. */
static void
cli_send_event(const struct event *e, void *arg)
{
	struct cli	*cli = arg;
	char		*line;

	if (e->type == EVENT_WARNING && e->text != NULL) {
		pthread_mutex_lock(&cli->lock);
		fprintf(stderr, "tern: %s\n", e->text);
		pthread_mutex_unlock(&cli->lock);
		return;
	}
	if (cli->probing && e->type == EVENT_INFO && e->text != NULL &&
	    cli->verbose == 0) {
		pthread_mutex_lock(&cli->lock);
		cli->info = xreallocarray(cli->info, cli->ninfo + 1,
		    sizeof *cli->info);
		cli->info[cli->ninfo++] = xstrdup(e->text);
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

/* The exit code of a whole send. */
static int
cli_send_code(const struct record *r, size_t n)
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

/*
 * Put a message in the outbox, then send it; *inp (what mb borrows its
 * body from) is freed once the store has the message.
 */
int
cli_send_submit(struct cli *cli, const char *from, const char *subject,
    struct addr_list *rcpts, struct msg_built *mb, char **inp)
{
	struct outbox_ctx	  o;
	struct err		 *e = NULL;
	const char		**v;
	long long		  id;
	size_t			  i;
	int			  rv;

	if ((rv = cli_open_store(cli)) != CLI_OK)
		return rv;
	cli_send_ctx(cli, &o);
	v = xcalloc(rcpts->n, sizeof *v);
	for (i = 0; i < rcpts->n; i++)
		v[i] = rcpts->v[i].mailbox;
	rv = outbox_add_built(&o, from, subject, v, rcpts->n, mb, &id, &e);
	free(v);
	/* The store has it now; a big message is not kept twice. */
	msg_built_clear(mb);
	free(*inp);
	*inp = NULL;
	if (rv == -1) {
		if (!cli->sendmail)
			fprintf(stderr, "tern: nothing was sent.\n");
		return cli_fail(e);
	}
	return cli_send_message(cli, id);
}

/* The outbox context of the CLI. */
void
cli_send_ctx(struct cli *cli, struct outbox_ctx *o)
{
	memset(o, 0, sizeof *o);
	o->conf = cli->conf;
	o->store = cli->store;
	o->ev = cli_send_event;
	o->ev_ctx = cli;
	/* passcmd's stderr is the user's: no screen owns the terminal. */
	o->password = outbox_password;
	o->password_ctx = (void *)cli->conf;
	o->verbose = cli->verbose > 1;
	o->stop = cli->stop;
	o->due = cli->due;
}

/* Send a message's queued recipients and print each outcome. */
int
cli_send_message(struct cli *cli, long long id)
{
	struct outbox_ctx	 o;
	struct record		*out = NULL;
	struct err		*e = NULL;
	size_t			 n = 0;
	int			 rv;

	cli_send_ctx(cli, &o);
	(void)outbox_send(&o, id, &out, &n, &e);
	rv = cli_send_show(cli, out, n, e);
	record_free_array(out, n);
	err_free(e);
	return rv;
}

/* Show one message's outcomes and its error; the exit code. */
int
cli_send_show(struct cli *cli, const struct record *out, size_t n,
    const struct err *e)
{
	size_t	i;
	int	rv = CLI_OK;

	if (e != NULL && n == 0) {
		/* It could not start: nothing was tried. */
		cli_say(e);
		return cli_exitcode(e);
	}
	if (e != NULL) {
		fprintf(stderr, "tern: %s\n", e->msg);
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
	return cli_merge_code(rv, cli_send_code(out, n));
}
