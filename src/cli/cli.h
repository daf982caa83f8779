/*
 * cli: tern's command line (send, sendmail, probe, flush, ...), built into
 * the tern binary only; the core library (src/) knows nothing of it.
 * cli_parse reads the global options once and decides what the program
 * runs; cli_run runs a command or sendmail.  Results go to stdout,
 * progress (-v) and errors to stderr; it returns a sysexits code and never
 * calls exit() itself.
 */
#ifndef TERN_CLI_H
#define TERN_CLI_H

/* What a command line asks for. */
enum cli_mode {
	CLI_MODE_INTERFACE,	/* no command: the interface */
	CLI_MODE_DEMO,		/* tern demo */
	CLI_MODE_COMMAND,	/* a command, help, --version or a bad word */
	CLI_MODE_SENDMAIL	/* tern called as sendmail */
};

/* The global options and what follows them; argv's strings are borrowed. */
struct cli_args {
	enum cli_mode	 mode;
	const char	*conf_path;	/* -F CONFIG, or NULL */
	const char	*account;	/* -a NAME, or NULL: the default */
	int		 verbose;	/* -v, counted */
	int		 bench;		/* --bench-startup[=FILE] */
	const char	*bench_file;	/* its FILE, or NULL */
	const char	*mailto;	/* the interface: a mailto URL, or NULL */
	const char	*draft_file;	/* the interface: -H FILE, or NULL */
	/*
	 * CLI_MODE_COMMAND: argv[0] is the command (or the unknown word or
	 * option), then its arguments.  CLI_MODE_SENDMAIL: sendmail's
	 * argument vector (argv[0] stands for the program, then sendmail's
	 * options and recipients).  Otherwise 0 and NULL.
	 */
	int		 argc;
	char		**argv;
};

/*
 * Read argv once: tern's global options (-F CONFIG, -a ACCOUNT, -v,
 * --bench-startup), then the first other word decides.  A mailto: URL
 * or -H FILE (mutt's draft file), after any global options and alone,
 * is the interface with the composer filled in.  A program named
 * *sendmail (a link) is sendmail with all of argv; so is a first word
 * that is one of sendmail's options (git's smtpServer = /path/to/tern
 * runs "tern -i RCPT..."), even "tern -t demo".  Then "demo" (after any
 * options) is the demo; no word at all is the interface; anything else
 * (a command, help, -h, --help, --version, an unknown word or option) is
 * for cli_run.  Fills *a and returns a->mode.
 */
enum cli_mode	cli_parse(int, char **, struct cli_args *);
/*
 * Run what cli_parse found (CLI_MODE_COMMAND or CLI_MODE_SENDMAIL); may
 * reorder a->argv.  Returns the process exit code.
 */
int		cli_run(const struct cli_args *);

#endif
