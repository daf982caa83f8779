/* The queue from the command line: tern flush, tern outbox, tern log. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "outbox.h"
#include "record.h"
#include "store.h"

#include "cli-priv.h"

struct cli_queue_outbox;

static void	cli_queue_flushed(long long, const struct record *, size_t,
		    const struct err *, void *);
static int	cli_queue_outbox_row(const struct store_msg *, void *);
static void	cli_queue_next_try(long long, char *, size_t);
static int	cli_queue_log_row(long long, const struct record *, void *);

/* One run of tern flush. */
struct cli_queue_flush {
	struct cli	*cli;
	int		 rv;		/* the exit code so far */
};

/* One message flushed: its outcomes shown, the exit code merged. */
static void
cli_queue_flushed(long long id, const struct record *r, size_t n,
    const struct err *e, void *arg)
{
	struct cli_queue_flush	*f = arg;

	(void)id;
	f->rv = cli_merge_code(f->rv, cli_send_show(f->cli, r, n, e));
}

/* tern flush: send every queued recipient again, with today's policy. */
int
cli_queue_flush(struct cli *cli, int argc, char **argv)
{
	struct cli_queue_flush	 f;
	struct outbox_ctx	 o;
	struct err		*e = NULL;
	int			 i, rv;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			cli->json = 1;
		else if (strcmp(argv[i], "--due") == 0)
			cli->due = 1;
		else if (strcmp(argv[i], "-v") == 0)
			cli->verbose++;
		else
			return cli_usage("flush");
	}
	if ((rv = cli_load_conf(cli)) != CLI_OK ||
	    (rv = cli_open_store(cli)) != CLI_OK)
		return rv;
	f.cli = cli;
	f.rv = CLI_OK;
	/* Oldest first, one connection per server for the whole queue. */
	cli_send_ctx(cli, &o);
	if (outbox_flush(&o, cli_queue_flushed, &f, &e) == -1)
		return cli_fail(e);
	if (*cli->stop) {
		fprintf(stderr, "tern: stopped on a signal; what was not sent "
		    "stays in the outbox (tern flush sends it)\n");
		f.rv = cli_merge_code(f.rv, CLI_TEMPFAIL);
	}
	return f.rv;
}

struct cli_queue_outbox {
	struct cli	*cli;
	size_t		 n;
};

/* One outbox message and its waiting recipients. */
static int
cli_queue_outbox_row(const struct store_msg *m, void *arg)
{
	struct cli_queue_outbox	*ctx = arg;
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

			cli_queue_next_try(rc[i].next_try, when, sizeof when);
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
cli_queue_next_try(long long when, char *buf, size_t size)
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
int
cli_queue_outbox(struct cli *cli, int argc, char **argv)
{
	struct cli_queue_outbox	 ctx;
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
	if (store_message_each(cli->store, STORE_OUTBOX, 0, 0,
	    cli_queue_outbox_row, &ctx, &e) == -1)
		return cli_fail(e);
	if (ctx.n == 0 && !cli->json)
		printf("The outbox is empty.\n");
	return CLI_OK;
}

/* One attempt of the log. */
static int
cli_queue_log_row(long long mid, const struct record *r, void *arg)
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
int
cli_queue_log(struct cli *cli, int argc, char **argv)
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
			return cli_usage("log");
		}
	}
	if ((rv = cli_open_store(cli)) != CLI_OK)
		return rv;
	if (store_log_each(cli->store, limit, cli_queue_log_row, cli, &e) == -1)
		return cli_fail(e);
	return CLI_OK;
}
