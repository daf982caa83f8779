/*
 * cli: tern's command line (send, sendmail, probe, ...).  Prints results
 * on stdout, progress (-v) and errors on stderr, and returns a sysexits
 * code; it never calls exit() itself.
 */
#ifndef TERN_CLI_H
#define TERN_CLI_H

struct err;

/* sysexits codes tern uses. */
#define CLI_OK		0
#define CLI_USAGE	64	/* EX_USAGE */
#define CLI_DATAERR	65	/* EX_DATAERR */
#define CLI_UNAVAILABLE	69	/* EX_UNAVAILABLE */
#define CLI_SOFTWARE	70	/* EX_SOFTWARE */
#define CLI_IOERR	74	/* EX_IOERR */
#define CLI_TEMPFAIL	75	/* EX_TEMPFAIL */
#define CLI_CONFIG	78	/* EX_CONFIG */

/*
 * 1 when tern is called as sendmail: its name ends in "sendmail" (a
 * link), or the first argument after tern's own options (-F, -a, -v) is
 * one of sendmail's options (git's smtpServer = /path/to/tern runs
 * "tern -i RCPT...").
 */
int	cli_is_sendmail(int, char **);
/*
 * 1 when argv is for the CLI: sendmail, a command, help, --version, or
 * anything the interface does not take (after -F, -a, -v).
 */
int	cli_is_command(int, char **);
/* Run the command line; returns the process exit code. */
int	cli_main(int, char **);
/* The exit code for an error (msmtp's smtp_exitcode()). */
int	cli_exitcode(const struct err *);

#endif
