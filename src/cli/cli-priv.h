/*
 * cli-priv: what the command line's modules share.  cli.c holds the
 * command table, the dispatch, exit codes and the helpers below;
 * cli-send.c sending and probing through the outbox; cli-sendmail.c the
 * sendmail(8) interface; cli-queue.c flush, outbox and log;
 * cli-contacts.c the contacts.  Not for anything outside src/cli/.
 */
#ifndef TERN_CLI_PRIV_H
#define TERN_CLI_PRIV_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>

struct addr_list;
struct conf;
struct err;
struct msg_built;
struct outbox_ctx;
struct record;
struct store;

/* sysexits codes tern uses. */
#define CLI_OK		0
#define CLI_USAGE	64	/* EX_USAGE */
#define CLI_DATAERR	65	/* EX_DATAERR */
#define CLI_UNAVAILABLE	69	/* EX_UNAVAILABLE */
#define CLI_SOFTWARE	70	/* EX_SOFTWARE */
#define CLI_IOERR	74	/* EX_IOERR */
#define CLI_TEMPFAIL	75	/* EX_TEMPFAIL */
#define CLI_CONFIG	78	/* EX_CONFIG */

/* One run of the command line. */
struct cli {
	const char	*conf_path;	/* -F (sendmail: -C) */
	const char	*account;	/* -a NAME, or NULL: the default */
	int		 verbose;	/* -v */
	int		 json;
	int		 sendmail;	/* says only what failed */
	FILE		*logf;		/* sendmail -X: one line per outcome */
	const char	*envfrom;	/* the sender, for the -X log */
	struct conf	*root;		/* the whole config (owned) */
	const struct conf *conf;	/* the account in use (in root) */
	struct store	*store;
	pthread_mutex_t	 lock;		/* serializes output from workers */
	int		 due;		/* flush --due: only what is due */
	/*
	 * tern probe: what the delivery engine said about each domain and
	 * MX host (DNSSEC, MTA-STS, DANE), printed before the records.
	 */
	int		 probing;
	char		**info;
	size_t		 ninfo;
	/* Set by the signal handler: stop before the next transaction. */
	const volatile sig_atomic_t *stop;
};

/* A command: argv[0] is its name; returns an exit code. */
typedef int	(*cli_cmd_fn)(struct cli *, int, char **);

/* cli.c */
/* The exit code for an error (msmtp's smtp_exitcode()). */
int	cli_exitcode(const struct err *);
/* Say an error on stderr ("tern: ...", the server's reply). */
void	cli_say(const struct err *);
/* Say the error on stderr, free it, return its exit code. */
int	cli_fail(struct err *);
/*
 * "usage: tern ..." of the command called name (NULL: tern's own) on
 * stderr; returns CLI_USAGE.
 */
int	cli_usage(const char *);
/* The same on stdout, asked for (-h); returns CLI_OK. */
int	cli_usage_asked(const char *);
/*
 * Load the config (-F or the default) and the account (-a) into
 * cli->root and cli->conf; CLI_OK, or the failure's code (said).
 */
int	cli_load_conf(struct cli *);
/* Open the default store into cli->store once; CLI_OK or the code (said). */
int	cli_open_store(struct cli *);
/*
 * All of standard input as a new NUL-terminated string, *len with the
 * NUL; NULL with *errp (ERR_INPUT) when it cannot be read.
 */
char	*cli_read_stdin(size_t *, struct err **);
/*
 * Add the addresses of one argument (a list allowed) to l, bare local
 * parts qualified with domain when not NULL; CLI_OK or the code (said).
 */
int	cli_add_addrs(struct addr_list *, const char *, const char *);
/* The worse of two exit codes of one run. */
int	cli_merge_code(int, int);
/* One recipient's outcome on stdout, as lines or JSON (cli->json). */
void	cli_print_record(struct cli *, const struct record *);

/* cli-send.c */
/* tern send [-s SUBJECT] [-c ADDR] [-b ADDR] [--json] ADDR... */
int	cli_send_main(struct cli *, int, char **);
/* tern probe [--json] ADDR|DOMAIN... */
int	cli_send_probe(struct cli *, int, char **);
/*
 * Commit a built message for rcpts to the outbox (mb cleared and *inp,
 * the input its body is borrowed from, freed and set to NULL once the
 * store has it), then send it; the run's exit code.
 */
int	cli_send_submit(struct cli *, const char *, const char *,
	    struct addr_list *, struct msg_built *, char **);
/* Send a message's queued recipients and show each outcome. */
int	cli_send_message(struct cli *, long long);
/*
 * Show one message's outcomes (n records) and its error (NULL, or why it
 * could not start when n is 0, or why a record was not saved); returns
 * the exit code they make.  Nothing is freed.
 */
int	cli_send_show(struct cli *, const struct record *, size_t,
	    const struct err *);
/* Fill o for this run: config, store, events, password, stop, --due. */
void	cli_send_ctx(struct cli *, struct outbox_ctx *);

/* cli-sendmail.c */
/* tern sendmail ...: the sendmail(8) interface. */
int	cli_sendmail_main(struct cli *, int, char **);
/*
 * Is this word one of sendmail's options (so a command line starting
 * with it is for sendmail)?  Every option but -h, --help and --version
 * and long ones sendmail does not have.
 */
int	cli_sendmail_is_option(const char *);
/* One outcome in sendmail's manner: a reason on stderr, the -X log line. */
void	cli_sendmail_record(struct cli *, const struct record *);

/* cli-queue.c */
/* tern flush [--due] [--json] [-v] */
int	cli_queue_flush(struct cli *, int, char **);
/* tern outbox [--json] */
int	cli_queue_outbox(struct cli *, int, char **);
/* tern log [--json] [-n N] */
int	cli_queue_log(struct cli *, int, char **);

/* cli-contacts.c */
/* tern contacts list|add|set|remove|import|export ... */
int	cli_contacts_main(struct cli *, int, char **);

#endif
