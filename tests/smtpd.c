/*
 * smtpd: the fault-injecting SMTP test server.
 *
 * One thread per connection. Accepted messages and sessions are recorded
 * in a spool directory as files and JSON lines, so that integration tests
 * can check what really went over the wire (and whether it was TLS);
 * commands.jsonl gets each command and event the moment it arrives, so a
 * test can wait for "the client is in DATA" or "every session has ended".
 * Run "smtpd --help" for the options.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#define IBUF_SIZE	16384		/* input buffer, also the longest line */
#define CMD_MAX		2048		/* longest command line accepted */
#define MAX_RCPTS	1000
#define MAX_LOGGED	1000		/* commands kept per session */
#define MAX_ERRORS	50		/* bad commands before 421 */
#define FAULT_BYTES	1024		/* DATA bytes read before a DATA fault */
#define STALL_SECS	600		/* longest stall */
#define DEFAULT_SIZE	52428800UL
#define ESCAPES		" \033[2J\033]0;pwned\007\233"

enum starttls_mode {
	STLS_UNSET,
	STLS_NONE,
	STLS_OK,
	STLS_454,
	STLS_FAIL,
	STLS_INJECT,
	STLS_INJECT_LATER,
	STLS_CLOSE,
	STLS_STRIP,
	STLS_INJECT_SOON	/* injection in its own segment, at once */
};

enum fault {
	FAULT_NONE,
	FAULT_STALL,
	FAULT_STALL_DATA,
	FAULT_DROP_DATA,
	FAULT_CLOSE_AFTER_MAIL,
	FAULT_STALL_AFTER_EHLO,
	FAULT_STALL_QUIT	/* QUIT gets no reply: the client is killed */
};

struct custom {
	char		*addr;		/* RCPT address, or NULL */
	int		 code;
	char		*line;		/* the whole reply line, no CRLF */
};

struct opts {
	const char	*listen;
	const char	*port;
	const char	*portfile;
	const char	*spool;
	const char	*cert;
	const char	*key;
	const char	*priority;
	const char	*hostname;
	enum starttls_mode starttls;
	enum fault	 fault;
	bool		 implicit;
	bool		 no8bit;
	bool		 requiretls;
	bool		 fewer;
	bool		 escape;
	bool		 auth_plaintext;
	char		*auth_user;
	char		*auth_pass;
	char		*auth_mech;	/* "AUTH ..." of --auth-mech */
	unsigned long	 size;
	struct custom	*rcpt;
	size_t		 nrcpt;
	struct custom	 mail;
	struct custom	 data;
	int		 greeting_code;
	long		 delay_ms;
	long		 dot_delay_ms;	/* after a message is saved, before 250 */
	const char	*quit_kill;	/* SIGKILL the pid in this file at QUIT */
	long		 data_delay_ms;	/* before the 354 to DATA */
	bool		 smtputf8;	/* offer SMTPUTF8 (RFC 6531) */
	bool		 tickets;	/* offer TLS session tickets */
	int		 timeout;
	unsigned long	 max_sessions;
};

struct sbuf {
	char		*s;
	size_t		 len;
	size_t		 cap;
};

struct sess {
	int		 fd;
	unsigned long	 id;
	unsigned long	 reads;		/* reads so far: "read" in commands.jsonl */
	gnutls_session_t tls;
	bool		 tls_on;
	char		 ibuf[IBUF_SIZE];
	size_t		 rpos;
	size_t		 wpos;
	char		 line[IBUF_SIZE + 1];
	const char	*starttls;
	const char	*tls_error;
	bool		 tls_resumed;	/* the handshake resumed a session */
	const char	*end;
	char		*helo;
	bool		 helo_after_tls;
	char		*user;
	const char	*auth_mech;	/* the one that succeeded */
	bool		 auth_plaintext;
	bool		 no_service;
	bool		 in_mail;
	char		*from;
	char		**rcpts;
	size_t		 nrcpt;
	bool		 smtputf8;
	bool		 requiretls;
	const char	*body;
	unsigned long	 decl_size;
	struct sbuf	 cmds;
	size_t		 ncmds;
	size_t		 discarded;
	size_t		 pipelined;	/* commands sent early, unoffered */
	bool		 offered_pipelining;
	int		 errors;
};

static _Noreturn void usage(void);
static _Noreturn void die(const char *, ...);
static void	*xcalloc(size_t, size_t);
static char	*xstrdup(const char *);
static void	 sb_add(struct sbuf *, const void *, size_t);
static void	 sb_adds(struct sbuf *, const char *);
static void	 sb_addf(struct sbuf *, const char *, ...);
static void	 sb_json(struct sbuf *, const char *);
static size_t	 utf8_len(const unsigned char *, size_t);
static int	 parse_code(const char *, int *, const char **);
static void	 parse_custom(struct custom *, const char *);
static void	 parse_rcpt_reply(const char *);
static unsigned long parse_ulong(const char *, const char *);
static void	 parse_opts(int, char **);
static void	 setup_tls(void);
static void	 setup_spool(void);
static int	 setup_listen(void);
static void	 write_portfile(int);
static void	 on_signal(int);
static void	 append_line(int, struct sbuf *);
static ssize_t	 sess_recv(struct sess *, void *, size_t);
static int	 sess_send(struct sess *, const void *, size_t);
static void	 sess_delay(long);
static int	 sess_reply(struct sess *, const char *, ...);
static int	 sess_custom(struct sess *, const struct custom *);
static ssize_t	 sess_getline(struct sess *, bool *);
static void	 sess_end(struct sess *, ssize_t);
static void	 sess_stall(struct sess *);
static void	 sess_drop(struct sess *);
static void	 sess_reset(struct sess *);
static void	 sess_log_command(struct sess *, const char *);
static void	 sess_log(struct sess *);
static void	 sess_live(struct sess *, const char *, const char *, size_t);
static void	 sess_free(struct sess *);
static int	 tls_start(struct sess *);
static int	 read_auth_line(struct sess *, char **);
static char	*b64_decode(const char *, size_t *);
static int	 parse_path(char **, char **);
static int	 has_8bit(const char *);
static int	 cmd_helo(struct sess *, char *, bool);
static int	 cmd_starttls(struct sess *, char *);
static int	 cmd_auth(struct sess *, char *);
static bool	 auth_offered(const char *);
static int	 cmd_auth_oauth(struct sess *, const char *, char *);
static int	 cmd_mail(struct sess *, char *);
static int	 cmd_rcpt(struct sess *, char *);
static int	 cmd_data(struct sess *, char *);
static int	 save_message(struct sess *, const char *, size_t);
static int	 command(struct sess *, char *);
static void	*sess_main(void *);

static struct opts opts = {
	.listen = "127.0.0.1",
	.port = "0",
	.hostname = "smtpd.test",
	.timeout = 60,
	.delay_ms = 0,
};

static gnutls_certificate_credentials_t cred;
static gnutls_priority_t prio;
static gnutls_datum_t ticket_key;	/* --session-tickets: this run's */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long	 msg_count;
static unsigned long	 sess_count;
static unsigned long	 sess_done;
static int		 log_fd = -1;
static int		 sessions_fd = -1;
static int		 live_fd = -1;	/* commands.jsonl, as they happen */
static volatile sig_atomic_t quit;

/* Print the usage to stderr and exit. */
static _Noreturn void
usage(void)
{
	fprintf(stderr,
	    "usage: smtpd [-l addr] [-p port] [-P portfile] [-d spooldir]\n"
	    "  [--cert file --key file] [--starttls ok|none|454|fail|inject|"
	    "inject-later|close|strip|inject-soon]\n"
	    "  [--implicit-tls] [--tls-priority str] [--auth user:pass]"
	    " [--auth-plaintext]\n"
	    "  [--auth-mech 'PLAIN LOGIN XOAUTH2 OAUTHBEARER']\n"
	    "  [--requiretls] [--no-8bitmime] [--size n]"
	    " [--rcpt-reply addr=code[ text]]\n"
	    "  [--mail-reply code[ text]] [--data-reply code[ text]]"
	    " [--greeting-code code]\n"
	    "  [--fault stall|stall-data|drop-data|close-after-mail|"
	    "stall-after-ehlo|stall-quit]\n"
	    "  [--delay ms] [--escape-replies] [--ehlo-after-tls-fewer]"
	    " [--hostname name]\n"
	    "  [--max-sessions n] [--timeout secs] [--dot-delay ms]"
	    " [--quit-kill pidfile] [--data-delay ms] [--smtputf8]\n"
	    "  [--session-tickets]\n");
	exit(2);
}

/* Print an error to stderr and exit. */
static _Noreturn void
die(const char *fmt, ...)
{
	va_list	ap;

	fputs("smtpd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Allocate zeroed memory or die. */
static void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n, size)) == NULL)
		die("out of memory");
	return p;
}

/* Copy a string or die. */
static char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		die("out of memory");
	return p;
}

/* Append n bytes to a buffer, keeping it NUL-terminated. */
static void
sb_add(struct sbuf *b, const void *p, size_t n)
{
	size_t	 need = b->len + n + 1;
	char	*s;

	if (need > b->cap || b->s == NULL) {
		if (b->cap == 0)
			b->cap = 256;
		while (b->cap < need)
			b->cap *= 2;
		if ((s = realloc(b->s, b->cap)) == NULL)
			die("out of memory");
		b->s = s;
	}
	if (n > 0)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Append a string to a buffer. */
static void
sb_adds(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Append formatted text to a buffer. */
static void
sb_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list	ap;
	char	tmp[1024];
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof tmp)
		n = sizeof tmp - 1;
	sb_add(b, tmp, (size_t)n);
}

/* Return the length of the valid UTF-8 sequence at p, or 0. */
static size_t
utf8_len(const unsigned char *p, size_t left)
{
	size_t		n, i;
	unsigned char	lo = 0x80, hi = 0xbf;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (left < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	}
	return n;
}

/* Append a JSON string literal, or null; invalid UTF-8 bytes become \u00XX. */
static void
sb_json(struct sbuf *b, const char *s)
{
	const unsigned char	*p;
	size_t			 left, n;

	if (s == NULL) {
		sb_adds(b, "null");
		return;
	}
	sb_addf(b, "\"");
	p = (const unsigned char *)s;
	left = strlen(s);
	while (left > 0) {
		if (*p == '"' || *p == '\\') {
			sb_addf(b, "\\%c", *p);
			n = 1;
		} else if (*p < 0x20 || *p == 0x7f) {
			sb_addf(b, "\\u%04x", *p);
			n = 1;
		} else if ((n = utf8_len(p, left)) > 0)
			sb_add(b, p, n);
		else {
			sb_addf(b, "\\u%04x", *p);
			n = 1;
		}
		p += n;
		left -= n;
	}
	sb_adds(b, "\"");
}

/* Parse a reply code at the start of s; set *rest to what follows. */
static int
parse_code(const char *s, int *code, const char **rest)
{
	if (s[0] < '2' || s[0] > '5' || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[2]))
		return -1;
	if (s[3] != '\0' && s[3] != ' ')
		return -1;
	*code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	*rest = s[3] == ' ' ? s + 4 : s + 3;
	return 0;
}

/* Parse "CODE[ TEXT]" into a custom reply. */
static void
parse_custom(struct custom *c, const char *arg)
{
	const char	*text;
	char		 line[1024];

	if (parse_code(arg, &c->code, &text) != 0)
		die("bad reply \"%s\": want CODE[ TEXT]", arg);
	if (*text != '\0')
		snprintf(line, sizeof line, "%d %s", c->code, text);
	else if (c->code / 100 == 2)
		snprintf(line, sizeof line, "%d 2.0.0 Ok", c->code);
	else
		snprintf(line, sizeof line, "%d %d.0.0 Reply from test server",
		    c->code, c->code / 100);
	c->line = xstrdup(line);
}

/* Parse "ADDR=CODE[ TEXT]" for --rcpt-reply. */
static void
parse_rcpt_reply(const char *arg)
{
	const char	*eq, *rest;
	struct custom	*c;
	int		 code;

	for (eq = strchr(arg, '='); eq != NULL; eq = strchr(eq + 1, '=')) {
		if (parse_code(eq + 1, &code, &rest) == 0)
			break;
	}
	if (eq == NULL || eq == arg)
		die("bad --rcpt-reply \"%s\": want ADDR=CODE[ TEXT]", arg);
	c = realloc(opts.rcpt, (opts.nrcpt + 1) * sizeof *opts.rcpt);
	if (c == NULL)
		die("out of memory");
	opts.rcpt = c;
	c = &opts.rcpt[opts.nrcpt++];
	parse_custom(c, eq + 1);
	c->addr = xstrdup(arg);
	c->addr[eq - arg] = '\0';
}

/* Parse a non-negative number or die. */
static unsigned long
parse_ulong(const char *s, const char *what)
{
	char		*end;
	unsigned long	 n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-')
		die("bad %s \"%s\"", what, s);
	return n;
}

/* Parse the command line into opts. */
static void
parse_opts(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cert", required_argument, NULL, 1 },
		{ "key", required_argument, NULL, 2 },
		{ "starttls", required_argument, NULL, 3 },
		{ "implicit-tls", no_argument, NULL, 4 },
		{ "tls-priority", required_argument, NULL, 5 },
		{ "auth", required_argument, NULL, 6 },
		{ "auth-plaintext", no_argument, NULL, 7 },
		{ "auth-mech", required_argument, NULL, 60 },
		{ "requiretls", no_argument, NULL, 8 },
		{ "no-8bitmime", no_argument, NULL, 9 },
		{ "size", required_argument, NULL, 10 },
		{ "rcpt-reply", required_argument, NULL, 11 },
		{ "mail-reply", required_argument, NULL, 12 },
		{ "data-reply", required_argument, NULL, 13 },
		{ "greeting-code", required_argument, NULL, 14 },
		{ "fault", required_argument, NULL, 15 },
		{ "delay", required_argument, NULL, 16 },
		{ "escape-replies", no_argument, NULL, 17 },
		{ "ehlo-after-tls-fewer", no_argument, NULL, 18 },
		{ "require-ehlo-after-tls", no_argument, NULL, 19 },
		{ "hostname", required_argument, NULL, 20 },
		{ "max-sessions", required_argument, NULL, 21 },
		{ "timeout", required_argument, NULL, 22 },
		{ "dot-delay", required_argument, NULL, 23 },
		{ "quit-kill", required_argument, NULL, 24 },
		{ "data-delay", required_argument, NULL, 25 },
		{ "smtputf8", no_argument, NULL, 26 },
		{ "session-tickets", no_argument, NULL, 27 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *modes[] = {
		"", "none", "ok", "454", "fail", "inject", "inject-later",
		"close", "strip", "inject-soon", NULL
	};
	static const char *faults[] = {
		"none", "stall", "stall-data", "drop-data", "close-after-mail",
		"stall-after-ehlo", "stall-quit", NULL
	};
	const char	*text;
	char		*colon;
	int		 ch, i;

	while ((ch = getopt_long(argc, argv, "l:p:P:d:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'l':
			opts.listen = optarg;
			break;
		case 'p':
			opts.port = optarg;
			break;
		case 'P':
			opts.portfile = optarg;
			break;
		case 'd':
			opts.spool = optarg;
			break;
		case 1:
			opts.cert = optarg;
			break;
		case 2:
			opts.key = optarg;
			break;
		case 3:
			for (i = 1; modes[i] != NULL; i++) {
				if (strcmp(optarg, modes[i]) == 0)
					break;
			}
			if (modes[i] == NULL)
				die("bad --starttls mode \"%s\"", optarg);
			opts.starttls = (enum starttls_mode)i;
			break;
		case 4:
			opts.implicit = true;
			break;
		case 5:
			opts.priority = optarg;
			break;
		case 6:
			if ((colon = strchr(optarg, ':')) == NULL)
				die("bad --auth: want USER:PASS");
			opts.auth_user = xstrdup(optarg);
			opts.auth_user[colon - optarg] = '\0';
			opts.auth_pass = xstrdup(colon + 1);
			break;
		case 7:
			opts.auth_plaintext = true;
			break;
		case 60:
			free(opts.auth_mech);
			opts.auth_mech = xcalloc(strlen(optarg) + 6, 1);
			snprintf(opts.auth_mech, strlen(optarg) + 6, "AUTH %s",
			    optarg);
			break;
		case 8:
			opts.requiretls = true;
			break;
		case 9:
			opts.no8bit = true;
			break;
		case 10:
			opts.size = parse_ulong(optarg, "--size");
			break;
		case 11:
			parse_rcpt_reply(optarg);
			break;
		case 12:
			parse_custom(&opts.mail, optarg);
			break;
		case 13:
			parse_custom(&opts.data, optarg);
			break;
		case 14:
			if (parse_code(optarg, &opts.greeting_code, &text) != 0 ||
			    *text != '\0')
				die("bad --greeting-code \"%s\"", optarg);
			break;
		case 15:
			for (i = 0; faults[i] != NULL; i++) {
				if (strcmp(optarg, faults[i]) == 0)
					break;
			}
			if (faults[i] == NULL)
				die("bad --fault \"%s\"", optarg);
			opts.fault = (enum fault)i;
			break;
		case 16:
			opts.delay_ms = (long)parse_ulong(optarg, "--delay");
			break;
		case 17:
			opts.escape = true;
			break;
		case 18:
			opts.fewer = true;
			break;
		case 19:
			break;
		case 20:
			opts.hostname = optarg;
			break;
		case 21:
			opts.max_sessions = parse_ulong(optarg, "--max-sessions");
			break;
		case 24:
			opts.quit_kill = optarg;
			break;
		case 26:
			opts.smtputf8 = true;
			break;
		case 27:
			opts.tickets = true;
			break;
		case 25:
			opts.data_delay_ms = (long)parse_ulong(optarg,
			    "--data-delay");
			break;
		case 23:
			opts.dot_delay_ms = (long)parse_ulong(optarg,
			    "--dot-delay");
			break;
		case 22:
			opts.timeout = (int)parse_ulong(optarg, "--timeout");
			if (opts.timeout <= 0 || opts.timeout > 86400)
				die("bad --timeout");
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if ((opts.cert == NULL) != (opts.key == NULL))
		die("--cert and --key go together");
	if (opts.starttls == STLS_UNSET)
		opts.starttls = opts.cert != NULL ? STLS_OK : STLS_NONE;
	if (opts.cert == NULL && (opts.implicit ||
	    (opts.starttls != STLS_NONE && opts.starttls != STLS_454 &&
	    opts.starttls != STLS_FAIL && opts.starttls != STLS_CLOSE)))
		die("this TLS mode needs --cert and --key");
	if (opts.size == 0)
		opts.size = DEFAULT_SIZE;
}

/* Load the certificate and the priorities. */
static void
setup_tls(void)
{
	const char	*errpos = NULL;
	int		 r;

	if ((r = gnutls_global_init()) < 0)
		die("gnutls_global_init: %s", gnutls_strerror(r));
	if ((r = gnutls_priority_init(&prio, opts.priority, &errpos)) < 0)
		die("bad --tls-priority at \"%s\": %s",
		    errpos != NULL ? errpos : "", gnutls_strerror(r));
	if (opts.cert == NULL)
		return;
	if ((r = gnutls_certificate_allocate_credentials(&cred)) < 0)
		die("gnutls: %s", gnutls_strerror(r));
	if ((r = gnutls_certificate_set_x509_key_file(cred, opts.cert,
	    opts.key, GNUTLS_X509_FMT_PEM)) < 0)
		die("%s, %s: %s", opts.cert, opts.key, gnutls_strerror(r));
	/* A new key each start: a restarted server resumes nothing. */
	if (opts.tickets &&
	    (r = gnutls_session_ticket_key_generate(&ticket_key)) < 0)
		die("gnutls_session_ticket_key_generate: %s",
		    gnutls_strerror(r));
}

/* Create the spool, open its logs and continue its message numbers. */
static void
setup_spool(void)
{
	char	 path[PATH_MAX];
	char	 buf[4096];
	ssize_t	 n, i;

	if (opts.spool == NULL)
		return;
	if (mkdir(opts.spool, 0777) == -1 && errno != EEXIST)
		die("%s: %s", opts.spool, strerror(errno));
	snprintf(path, sizeof path, "%s/log.jsonl", opts.spool);
	if ((log_fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
	    0666)) == -1)
		die("%s: %s", path, strerror(errno));
	while ((n = read(log_fd, buf, sizeof buf)) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n')
				msg_count++;
		}
	}
	snprintf(path, sizeof path, "%s/sessions.jsonl", opts.spool);
	if ((sessions_fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
	    0666)) == -1)
		die("%s: %s", path, strerror(errno));
	while ((n = read(sessions_fd, buf, sizeof buf)) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n')
				sess_count++;
		}
	}
	snprintf(path, sizeof path, "%s/commands.jsonl", opts.spool);
	if ((live_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0666)) == -1)
		die("%s: %s", path, strerror(errno));
}

/* Bind and listen; return the socket. */
static int
setup_listen(void)
{
	struct addrinfo	 hints, *res;
	char		 host[256];
	size_t		 len;
	int		 fd, r, one = 1;

	/* Accept an IPv6 literal in brackets too. */
	len = strlen(opts.listen);
	if (len >= 2 && len < sizeof host && opts.listen[0] == '[' &&
	    opts.listen[len - 1] == ']') {
		memcpy(host, opts.listen + 1, len - 2);
		host[len - 2] = '\0';
		opts.listen = xstrdup(host);
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((r = getaddrinfo(opts.listen, opts.port, &hints, &res)) != 0)
		die("%s port %s: %s", opts.listen, opts.port, gai_strerror(r));
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC,
	    res->ai_protocol);
	if (fd == -1)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, res->ai_addr, res->ai_addrlen) == -1)
		die("bind %s port %s: %s", opts.listen, opts.port,
		    strerror(errno));
	freeaddrinfo(res);
	if (listen(fd, 128) == -1)
		die("listen: %s", strerror(errno));
	return fd;
}

/* Write the listening port to the port file, atomically. */
static void
write_portfile(int fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	char			 tmp[PATH_MAX];
	FILE			*fp;
	int			 port;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		die("getsockname: %s", strerror(errno));
	if (ss.ss_family == AF_INET6)
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (opts.portfile == NULL)
		return;
	snprintf(tmp, sizeof tmp, "%s.tmp", opts.portfile);
	if ((fp = fopen(tmp, "w")) == NULL)
		die("%s: %s", tmp, strerror(errno));
	fprintf(fp, "%d\n", port);
	if (fclose(fp) != 0)
		die("%s: %s", tmp, strerror(errno));
	if (rename(tmp, opts.portfile) == -1)
		die("%s: %s", opts.portfile, strerror(errno));
}

/* Note a request to stop. */
static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/* Append one JSON line to a log file, under the lock. */
static void
append_line(int fd, struct sbuf *b)
{
	sb_adds(b, "\n");
	if (fd != -1 && write(fd, b->s, b->len) != (ssize_t)b->len)
		fprintf(stderr, "smtpd: log write: %s\n", strerror(errno));
}

/* Read some bytes: >0 bytes, 0 end of file, -1 error, -2 timeout. */
static ssize_t
sess_recv(struct sess *s, void *p, size_t n)
{
	struct pollfd	pfd;
	ssize_t		r;

	if (!s->tls_on || gnutls_record_check_pending(s->tls) == 0) {
		pfd.fd = s->fd;
		pfd.events = POLLIN;
		for (;;) {
			r = poll(&pfd, 1, opts.timeout * 1000);
			if (r == 0)
				return -2;
			if (r > 0)
				break;
			if (errno != EINTR)
				return -1;
		}
	}
	if (s->tls_on) {
		do
			r = gnutls_record_recv(s->tls, p, n);
		while (r == GNUTLS_E_INTERRUPTED);
		if (r == GNUTLS_E_AGAIN)
			return -2;
		if (r == GNUTLS_E_PREMATURE_TERMINATION)
			return 0;
		return r < 0 ? -1 : r;
	}
	do
		r = recv(s->fd, p, n, 0);
	while (r == -1 && errno == EINTR);
	if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -2;
	return r;
}

/* Write all bytes; 0 or -1. */
static int
sess_send(struct sess *s, const void *p, size_t n)
{
	const char	*c = p;
	ssize_t		 r;

	while (n > 0) {
		if (s->tls_on) {
			do
				r = gnutls_record_send(s->tls, c, n);
			while (r == GNUTLS_E_INTERRUPTED);
		} else {
			do
				r = send(s->fd, c, n, MSG_NOSIGNAL);
			while (r == -1 && errno == EINTR);
		}
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Sleep some milliseconds. */
static void
sess_delay(long ms)
{
	struct timespec	ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Send a one-line reply (escapes added if asked); 0 or -1. */
static int
sess_reply(struct sess *s, const char *fmt, ...)
{
	struct sbuf	b = { NULL, 0, 0 };
	va_list		ap;
	char		tmp[1024];
	int		r;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	sb_adds(&b, tmp);
	if (opts.escape)
		sb_adds(&b, ESCAPES);
	sb_adds(&b, "\r\n");
	sess_delay(opts.delay_ms);
	r = sess_send(s, b.s, b.len);
	free(b.s);
	if (r != 0)
		s->end = "eof";
	return r;
}

/* Send a configured reply. */
static int
sess_custom(struct sess *s, const struct custom *c)
{
	return sess_reply(s, "%s", c->line);
}

/*
 * Read one line with its terminator into s->line: the length, or as
 * sess_recv. A line longer than the buffer comes back in pieces with
 * *complete false.
 */
static ssize_t
sess_getline(struct sess *s, bool *complete)
{
	char	*nl;
	size_t	 len;
	ssize_t	 r;

	for (;;) {
		nl = memchr(s->ibuf + s->rpos, '\n', s->wpos - s->rpos);
		if (nl != NULL || (s->rpos == 0 && s->wpos == IBUF_SIZE)) {
			len = nl != NULL ? (size_t)(nl - (s->ibuf + s->rpos)) + 1 :
			    IBUF_SIZE;
			memcpy(s->line, s->ibuf + s->rpos, len);
			s->line[len] = '\0';
			s->rpos += len;
			*complete = nl != NULL;
			return (ssize_t)len;
		}
		if (s->rpos > 0) {
			memmove(s->ibuf, s->ibuf + s->rpos, s->wpos - s->rpos);
			s->wpos -= s->rpos;
			s->rpos = 0;
		}
		r = sess_recv(s, s->ibuf + s->wpos, IBUF_SIZE - s->wpos);
		if (r <= 0)
			return r;
		s->reads++;
		s->wpos += (size_t)r;
	}
}

/* Record why a read ended the session; say so on a timeout. */
static void
sess_end(struct sess *s, ssize_t r)
{
	if (s->end != NULL)
		return;
	if (r == -2) {
		sess_reply(s, "421 4.4.2 %s Timeout, closing", opts.hostname);
		s->end = "timeout";
	} else
		s->end = "eof";
}

/* Stop answering until the client goes away. */
static void
sess_stall(struct sess *s)
{
	struct pollfd	pfd;
	int		i, r;

	pfd.fd = s->fd;
	pfd.events = POLLRDHUP;
	for (i = 0; i < STALL_SECS && !quit; i++) {
		r = poll(&pfd, 1, 1000);
		if (r > 0) {
			s->end = "eof";
			return;
		}
		if (r == -1 && errno != EINTR)
			break;
	}
	s->end = "timeout";
}

/* Close the connection on the client. */
static void
sess_drop(struct sess *s)
{
	shutdown(s->fd, SHUT_RDWR);
	s->end = "dropped";
}

/* Forget the mail transaction. */
static void
sess_reset(struct sess *s)
{
	size_t	i;

	for (i = 0; i < s->nrcpt; i++)
		free(s->rcpts[i]);
	free(s->rcpts);
	free(s->from);
	s->rcpts = NULL;
	s->nrcpt = 0;
	s->from = NULL;
	s->in_mail = false;
	s->requiretls = false;
	s->smtputf8 = false;
	s->body = NULL;
	s->decl_size = 0;
}

/* Keep a command for the session record, AUTH redacted. */
static void
sess_log_command(struct sess *s, const char *line)
{
	if (strncasecmp(line, "AUTH", 4) == 0 &&
	    (line[4] == '\0' || line[4] == ' '))
		line = "AUTH <redacted>";
	sess_live(s, NULL, line, 0);
	if (s->ncmds >= MAX_LOGGED)
		return;
	sb_adds(&s->cmds, s->ncmds++ > 0 ? "," : "");
	sb_json(&s->cmds, line);
}

/*
 * Append to commands.jsonl at once, before any reply: an event
 * ("connect", "stall-data" with the DATA bytes read) or a command.
 */
static void
sess_live(struct sess *s, const char *event, const char *command,
    size_t bytes)
{
	struct sbuf	b = { NULL, 0, 0 };

	sb_addf(&b, "{\"session\":%lu,", s->id);
	if (event != NULL) {
		sb_adds(&b, "\"event\":");
		sb_json(&b, event);
		if (bytes > 0)
			sb_addf(&b, ",\"bytes\":%zu", bytes);
	} else {
		sb_adds(&b, "\"command\":");
		sb_json(&b, command);
	}
	/* The read that brought the line's last byte (pipelining). */
	sb_addf(&b, ",\"read\":%lu}", s->reads);
	pthread_mutex_lock(&lock);
	append_line(live_fd, &b);
	pthread_mutex_unlock(&lock);
	free(b.s);
}

/* Append the session record to sessions.jsonl. */
static void
sess_log(struct sess *s)
{
	struct sbuf	b = { NULL, 0, 0 };

	sb_addf(&b, "{\"session\":%lu,\"starttls\":", s->id);
	sb_json(&b, s->starttls);
	sb_addf(&b, ",\"tls\":%s,\"tls_version\":", s->tls_on ? "true" :
	    "false");
	sb_json(&b, s->tls_on ? gnutls_protocol_get_name(
	    gnutls_protocol_get_version(s->tls)) : NULL);
	sb_adds(&b, ",\"tls_error\":");
	sb_json(&b, s->tls_error);
	sb_addf(&b, ",\"tls_resumed\":%s", s->tls_resumed ? "true" :
	    "false");
	sb_adds(&b, ",\"helo\":");
	sb_json(&b, s->helo);
	sb_adds(&b, ",\"auth\":");
	sb_json(&b, s->user);
	sb_adds(&b, ",\"auth_mech\":");
	sb_json(&b, s->auth_mech);
	sb_addf(&b, ",\"auth_plaintext\":%s,\"discarded\":%zu,"
	    "\"pipelined\":%zu,\"commands\":[",
	    s->auth_plaintext ? "true" : "false", s->discarded, s->pipelined);
	if (s->cmds.s != NULL)
		sb_adds(&b, s->cmds.s);
	sb_adds(&b, "],\"end\":");
	sb_json(&b, s->end != NULL ? s->end : "eof");
	sb_adds(&b, "}");
	pthread_mutex_lock(&lock);
	append_line(sessions_fd, &b);
	pthread_mutex_unlock(&lock);
	free(b.s);
}

/* Free a session and close its socket. */
static void
sess_free(struct sess *s)
{
	sess_reset(s);
	if (s->tls != NULL)
		gnutls_deinit(s->tls);
	close(s->fd);
	free(s->helo);
	free(s->user);
	free(s->cmds.s);
	free(s);
}

/* Run the server side of a TLS handshake; 0 or -1. */
static int
tls_start(struct sess *s)
{
	int	r;

	if ((r = gnutls_init(&s->tls, GNUTLS_SERVER)) < 0) {
		s->tls = NULL;
		goto fail;
	}
	if ((r = gnutls_priority_set(s->tls, prio)) < 0 ||
	    (r = gnutls_credentials_set(s->tls, GNUTLS_CRD_CERTIFICATE,
	    cred)) < 0)
		goto fail;
	gnutls_certificate_server_set_request(s->tls, GNUTLS_CERT_IGNORE);
	if (opts.tickets && (r = gnutls_session_ticket_enable_server(s->tls,
	    &ticket_key)) < 0)
		goto fail;
	gnutls_transport_set_int(s->tls, s->fd);
	gnutls_handshake_set_timeout(s->tls, (unsigned)opts.timeout * 1000);
	do
		r = gnutls_handshake(s->tls);
	while (r < 0 && r != GNUTLS_E_AGAIN && !gnutls_error_is_fatal(r));
	if (r < 0)
		goto fail;
	s->tls_on = true;
	s->tls_resumed = gnutls_session_is_resumed(s->tls) != 0;
	return 0;

fail:
	s->tls_error = gnutls_strerror(r);
	s->starttls = "failed";
	s->end = (r == GNUTLS_E_AGAIN || r == GNUTLS_E_TIMEDOUT) ? "timeout" :
	    "eof";
	return -1;
}

/* Read one AUTH continuation line (not logged); 0, 1 to stop, -1 bad. */
static int
read_auth_line(struct sess *s, char **out)
{
	bool	complete;
	ssize_t	r;
	size_t	len;

	if ((r = sess_getline(s, &complete)) <= 0) {
		sess_end(s, r);
		return 1;
	}
	if (!complete) {
		while (!complete) {
			if ((r = sess_getline(s, &complete)) <= 0) {
				sess_end(s, r);
				return 1;
			}
		}
		return sess_reply(s, "500 5.5.6 Authentication Exchange line "
		    "is too long") == 0 ? -1 : 1;
	}
	len = (size_t)r;
	while (len > 0 && (s->line[len - 1] == '\n' || s->line[len - 1] == '\r'))
		len--;
	s->line[len] = '\0';
	if (strcmp(s->line, "*") == 0)
		return sess_reply(s, "501 5.7.0 Authentication cancelled") == 0 ?
		    -1 : 1;
	*out = xstrdup(s->line);
	return 0;
}

/* Decode base64; NULL if invalid. The result is NUL-terminated. */
static char *
b64_decode(const char *in, size_t *outlen)
{
	static const char	 tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*p;
	char			*out;
	unsigned int		 acc = 0;
	size_t			 n = 0;
	int			 bits = 0, pad = 0;

	out = xcalloc(strlen(in) + 1, 1);
	for (; *in != '\0'; in++) {
		if (*in == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (p = strchr(tab, *in)) == NULL)
			goto fail;
		acc = (acc << 6) | (unsigned int)(p - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	if (pad > 2)
		goto fail;
	out[n] = '\0';
	*outlen = n;
	return out;

fail:
	free(out);
	return NULL;
}

/* Is there a non-ASCII byte in s? */
static int
has_8bit(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/* Parse "<addr>" at *p (leading spaces allowed); 0 or -1. */
static int
parse_path(char **p, char **addr)
{
	char	*s = *p, *end;

	while (*s == ' ')
		s++;
	if (*s != '<' || (end = strchr(s, '>')) == NULL)
		return -1;
	*end = '\0';
	*addr = s + 1;
	*p = end + 1;
	return 0;
}

/* HELO and EHLO. */
static int
cmd_helo(struct sess *s, char *arg, bool ehlo)
{
	struct sbuf	 b = { NULL, 0, 0 };
	const char	*ext[10];
	size_t		 n = 0, i;
	int		 r;
	bool		 fewer = opts.fewer && s->tls_on;
	char		 size[64];

	while (*arg == ' ')
		arg++;
	if (*arg == '\0')
		return sess_reply(s, "501 5.5.4 Syntax: %s hostname",
		    ehlo ? "EHLO" : "HELO") == 0 ? 0 : 1;
	free(s->helo);
	s->helo = xstrdup(arg);
	if (strlen(s->helo) > 255)
		s->helo[255] = '\0';
	s->helo_after_tls = s->tls_on;
	sess_reset(s);
	if (!ehlo)
		return sess_reply(s, "250 %s", opts.hostname) == 0 ? 0 : 1;

	s->offered_pipelining = !fewer;
	if (!fewer)
		ext[n++] = "PIPELINING";
	snprintf(size, sizeof size, "SIZE %lu", opts.size);
	ext[n++] = size;
	if (!opts.no8bit)
		ext[n++] = "8BITMIME";
	if (opts.smtputf8)
		ext[n++] = "SMTPUTF8";
	ext[n++] = "ENHANCEDSTATUSCODES";
	if (!s->tls_on && (opts.starttls == STLS_OK ||
	    opts.starttls == STLS_454 || opts.starttls == STLS_FAIL ||
	    opts.starttls == STLS_CLOSE ||
	    opts.starttls == STLS_INJECT || opts.starttls == STLS_INJECT_LATER ||
	    opts.starttls == STLS_INJECT_SOON))
		ext[n++] = "STARTTLS";
	if (opts.auth_user != NULL && (s->tls_on || opts.auth_plaintext))
		ext[n++] = opts.auth_mech != NULL ? opts.auth_mech : fewer ?
		    "AUTH PLAIN" : "AUTH PLAIN LOGIN";
	if (opts.requiretls && s->tls_on)
		ext[n++] = "REQUIRETLS";

	sb_addf(&b, "250-%s Hello %s", opts.hostname, s->helo);
	if (opts.escape)
		sb_adds(&b, ESCAPES);
	sb_adds(&b, "\r\n");
	for (i = 0; i < n; i++)
		sb_addf(&b, "250%c%s\r\n", i + 1 == n ? ' ' : '-', ext[i]);
	sess_delay(opts.delay_ms);
	r = sess_send(s, b.s, b.len);
	free(b.s);
	if (r != 0) {
		s->end = "eof";
		return 1;
	}
	if (opts.fault == FAULT_STALL_AFTER_EHLO) {
		sess_stall(s);
		return 1;
	}
	return 0;
}

/* STARTTLS, with its faults. */
static int
cmd_starttls(struct sess *s, char *arg)
{
	static const char	inject[] = "220 Ready\r\n250 injected\r\n";
	static const char	garbage[] = "\x15\x03\x03 this is not TLS \xff\xfe"
	    "\r\n250 garbage\r\n";

	if (*arg != '\0')
		return sess_reply(s, "501 5.5.4 Syntax: STARTTLS") == 0 ? 0 : 1;
	if (s->tls_on)
		return sess_reply(s, "503 5.5.1 TLS already active") == 0 ?
		    0 : 1;
	switch (opts.starttls) {
	case STLS_NONE:
	case STLS_UNSET:
		return sess_reply(s, "502 5.5.1 STARTTLS not supported") == 0 ?
		    0 : 1;
	case STLS_454:
		s->starttls = "454";
		return sess_reply(s, "454 4.7.0 TLS not available") == 0 ? 0 : 1;
	case STLS_CLOSE:
		/* 220, then the connection closes before any handshake. */
		s->starttls = "closed";
		(void)sess_reply(s, "220 2.0.0 Ready to start TLS");
		sess_drop(s);
		return 1;
	case STLS_FAIL:
		s->starttls = "failed";
		if (sess_reply(s, "220 2.0.0 Ready to start TLS") != 0)
			return 1;
		sess_delay(20);
		sess_send(s, garbage, sizeof garbage - 1);
		sess_drop(s);
		return 1;
	case STLS_INJECT:
		sess_delay(opts.delay_ms);
		if (sess_send(s, inject, sizeof inject - 1) != 0) {
			s->end = "eof";
			return 1;
		}
		break;
	case STLS_INJECT_LATER:
		if (sess_reply(s, "220 2.0.0 Ready to start TLS") != 0)
			return 1;
		sess_delay(50);
		if (sess_send(s, "250 injected\r\n", 14) != 0) {
			s->end = "eof";
			return 1;
		}
		break;
	case STLS_INJECT_SOON:
		/*
		 * A segment of its own (TCP_NODELAY) 1 ms after the 220: the
		 * client has read the 220 alone and is mostly still making
		 * its ClientHello when it lands.
		 */
		if (sess_reply(s, "220 2.0.0 Ready to start TLS") != 0)
			return 1;
		sess_delay(1);
		if (sess_send(s, "250 injected\r\n", 14) != 0) {
			s->end = "eof";
			return 1;
		}
		break;
	case STLS_OK:
	case STLS_STRIP:
		if (sess_reply(s, "220 2.0.0 Ready to start TLS") != 0)
			return 1;
		break;
	}
	/* RFC 3207: forget plaintext that came after the command. */
	s->discarded += s->wpos - s->rpos;
	s->rpos = s->wpos = 0;
	free(s->helo);
	s->helo = NULL;
	s->helo_after_tls = false;
	free(s->user);
	s->user = NULL;
	sess_reset(s);
	if (tls_start(s) != 0)
		return 1;
	s->starttls = "ok";
	return 0;
}

/* AUTH PLAIN and LOGIN. */
static int
cmd_auth(struct sess *s, char *arg)
{
	char	*mech, *init, *resp = NULL, *user = NULL, *pass = NULL;
	char	*dec = NULL, *authcid, *pw;
	size_t	 len;
	int	 r, ret = 0;
	bool	 ok = false;

	if (!s->tls_on)
		s->auth_plaintext = true;
	if (opts.auth_user == NULL)
		return sess_reply(s, "502 5.5.1 AUTH not supported") == 0 ? 0 : 1;
	if (!s->tls_on && !opts.auth_plaintext)
		return sess_reply(s, "538 5.7.11 Encryption required for "
		    "requested authentication mechanism") == 0 ? 0 : 1;
	if (s->helo == NULL)
		return sess_reply(s, "503 5.5.1 EHLO first") == 0 ? 0 : 1;
	if (s->user != NULL)
		return sess_reply(s, "503 5.5.1 Already authenticated") == 0 ?
		    0 : 1;
	if (s->in_mail)
		return sess_reply(s, "503 5.5.1 AUTH not permitted during a "
		    "mail transaction") == 0 ? 0 : 1;
	while (*arg == ' ')
		arg++;
	mech = arg;
	if ((init = strchr(arg, ' ')) != NULL) {
		*init++ = '\0';
		while (*init == ' ')
			init++;
		if (*init == '\0')
			init = NULL;
	}

	if (!auth_offered(mech)) {
		ret = sess_reply(s, "504 5.5.4 Unrecognized authentication "
		    "type") == 0 ? 0 : 1;
		goto out;
	}
	if (strcasecmp(mech, "XOAUTH2") == 0 ||
	    strcasecmp(mech, "OAUTHBEARER") == 0)
		return cmd_auth_oauth(s, mech, init);
	if (strcasecmp(mech, "PLAIN") == 0) {
		if (init == NULL) {
			if (sess_reply(s, "334 ") != 0)
				return 1;
			if ((r = read_auth_line(s, &resp)) != 0)
				return r > 0 ? 1 : 0;
			init = resp;
		}
		if (strcmp(init, "=") == 0) {
			dec = xstrdup("");
			len = 0;
		} else if ((dec = b64_decode(init, &len)) == NULL)
			goto badb64;
		if ((authcid = memchr(dec, '\0', len)) == NULL ||
		    authcid == dec + len)
			goto bad;
		authcid++;
		if ((pw = memchr(authcid, '\0', len - (size_t)(authcid - dec))) ==
		    NULL)
			goto bad;
		pw++;
		if (strlen(pw) != len - (size_t)(pw - dec))
			goto bad;
		ok = strcmp(authcid, opts.auth_user) == 0 &&
		    strcmp(pw, opts.auth_pass) == 0;
		user = xstrdup(authcid);
	} else if (strcasecmp(mech, "LOGIN") == 0 && !(opts.fewer &&
	    s->tls_on)) {
		if (init == NULL) {
			if (sess_reply(s, "334 VXNlcm5hbWU6") != 0)
				return 1;
			if ((r = read_auth_line(s, &resp)) != 0)
				return r > 0 ? 1 : 0;
			init = resp;
		}
		if ((user = b64_decode(init, &len)) == NULL)
			goto badb64;
		if (sess_reply(s, "334 UGFzc3dvcmQ6") != 0) {
			ret = 1;
			goto out;
		}
		if ((r = read_auth_line(s, &pass)) != 0) {
			ret = r > 0 ? 1 : 0;
			goto out;
		}
		if ((dec = b64_decode(pass, &len)) == NULL)
			goto badb64;
		ok = strcmp(user, opts.auth_user) == 0 &&
		    strcmp(dec, opts.auth_pass) == 0 && strlen(dec) == len;
	} else {
		ret = sess_reply(s, "504 5.5.4 Unrecognized authentication "
		    "type") == 0 ? 0 : 1;
		goto out;
	}
	if (ok) {
		s->user = user;
		user = NULL;
		s->auth_mech = strcasecmp(mech, "PLAIN") == 0 ? "PLAIN" :
		    "LOGIN";
		ret = sess_reply(s, "235 2.7.0 Authentication successful") == 0 ?
		    0 : 1;
	} else
		ret = sess_reply(s, "535 5.7.8 Authentication credentials "
		    "invalid") == 0 ? 0 : 1;
	goto out;

badb64:
	ret = sess_reply(s, "501 5.5.2 Cannot decode response") == 0 ? 0 : 1;
	goto out;
bad:
	ret = sess_reply(s, "535 5.7.8 Authentication credentials invalid") ==
	    0 ? 0 : 1;
out:
	free(resp);
	free(user);
	free(pass);
	free(dec);
	return ret;
}

/* Whether mech is one the EHLO offers (--auth-mech; PLAIN and LOGIN). */
static bool
auth_offered(const char *mech)
{
	const char	*w;
	size_t		 len = strlen(mech);

	if (opts.auth_mech == NULL)
		return strcasecmp(mech, "PLAIN") == 0 ||
		    strcasecmp(mech, "LOGIN") == 0;
	for (w = opts.auth_mech + 5; *w != '\0'; w += strcspn(w, " ")) {
		w += strspn(w, " ");
		if (strncasecmp(w, mech, len) == 0 &&
		    (w[len] == ' ' || w[len] == '\0'))
			return true;
	}
	return false;
}

/*
 * AUTH XOAUTH2 (as Google documents it: user=U^Aauth=Bearer T^A^A) and
 * OAUTHBEARER (RFC 7628: n,a=U,^Ahost=H^Aport=P^Aauth=Bearer T^A^A),
 * the initial response on the AUTH line or after a "334 ".  The token is
 * the password of --auth user:token.  A wrong one gets each mechanism's
 * error dance: 334 and a base64 JSON error, then the client's end of the
 * exchange (an empty line for XOAUTH2, "AQ==", a single ^A, for
 * OAUTHBEARER), then 535; a client that answers the 334 otherwise gets 501.
 */
static int
cmd_auth_oauth(struct sess *s, const char *mech, char *init)
{
	/* {"status":"401","schemes":"bearer","scope":"https://mail.google.com/"} */
	static const char xoauth2_err[] = "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoi"
	    "YmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==";
	/*
	 * {"status":"invalid_token","scope":"smtp","openid-configuration":
	 * "https://smtpd.test/.well-known/openid-configuration"}
	 */
	static const char bearer_err[] = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwi"
	    "c2NvcGUiOiJzbXRwIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL3Nt"
	    "dHBkLnRlc3QvLndlbGwta25vd24vb3BlbmlkLWNvbmZpZ3VyYXRpb24ifQ==";
	bool	 bearer = strcasecmp(mech, "OAUTHBEARER") == 0, ok, host = false;
	char	*resp = NULL, *dec = NULL, *user = NULL, *ack = NULL;
	char	*p, *kv, *end, *token = NULL, *q, *o;
	size_t	 len;
	int	 r, ret = 0;

	if (init == NULL) {
		if (sess_reply(s, "334 ") != 0)
			return 1;
		if ((r = read_auth_line(s, &resp)) != 0)
			return r > 0 ? 1 : 0;
		init = resp;
	}
	if ((dec = b64_decode(init, &len)) == NULL || strlen(dec) != len)
		goto bad;
	p = dec;
	if (bearer) {
		/* The GS2 header: no channel binding, a=authzid. */
		if ((p[0] != 'n' && p[0] != 'y') || p[1] != ',')
			goto bad;
		p += 2;
		if (strncmp(p, "a=", 2) == 0) {
			if ((end = strchr(p, ',')) == NULL)
				goto bad;
			*end = '\0';
			user = xstrdup(p + 2);
			for (q = o = user; *q != '\0'; q++, o++) {
				if (strncmp(q, "=2C", 3) == 0) {
					*o = ',';
					q += 2;
				} else if (strncmp(q, "=3D", 3) == 0) {
					*o = '=';
					q += 2;
				} else
					*o = *q;
			}
			*o = '\0';
			p = end + 1;
		} else if (*p++ != ',')
			goto bad;
		if (*p++ != '\1')
			goto bad;
	}
	/* key=value pairs, each ended by ^A, then a last ^A. */
	for (;;) {
		if (*p == '\1' && p[1] == '\0')
			break;
		if ((end = strchr(p, '\1')) == NULL)
			goto bad;
		*end = '\0';
		kv = p;
		p = end + 1;
		if (!bearer && strncmp(kv, "user=", 5) == 0) {
			free(user);
			user = xstrdup(kv + 5);
		} else if (strncmp(kv, "auth=", 5) == 0) {
			if (strncasecmp(kv + 5, "Bearer ", 7) != 0)
				goto bad;
			token = kv + 12;
		} else if (bearer && strncmp(kv, "host=", 5) == 0)
			host = true;
		else if (!bearer || strchr(kv, '=') == NULL)
			goto bad;
	}
	if (user == NULL || token == NULL || (bearer && !host))
		goto bad;
	ok = strcmp(user, opts.auth_user) == 0 &&
	    strcmp(token, opts.auth_pass) == 0;
	if (ok) {
		s->user = user;
		user = NULL;
		s->auth_mech = bearer ? "OAUTHBEARER" : "XOAUTH2";
		ret = sess_reply(s, "235 2.7.0 Authentication successful") == 0 ?
		    0 : 1;
		goto out;
	}
	if (sess_reply(s, "334 %s", bearer ? bearer_err : xoauth2_err) != 0) {
		ret = 1;
		goto out;
	}
	if ((r = read_auth_line(s, &ack)) != 0) {
		ret = r > 0 ? 1 : 0;
		goto out;
	}
	if (strcmp(ack, bearer ? "AQ==" : "") != 0)
		ret = sess_reply(s, "501 5.5.2 Bad end of the %s error "
		    "exchange", mech) == 0 ? 0 : 1;
	else
		ret = sess_reply(s, "535 5.7.8 Username and Password not "
		    "accepted") == 0 ? 0 : 1;
	goto out;

bad:
	ret = sess_reply(s, "501 5.5.2 Malformed %s initial response",
	    bearer ? "OAUTHBEARER" : "XOAUTH2") == 0 ? 0 : 1;
out:
	free(resp);
	free(dec);
	free(user);
	free(ack);
	return ret;
}

/* MAIL FROM. */
static int
cmd_mail(struct sess *s, char *arg)
{
	char		*p, *addr, *param, *val;
	bool		 requiretls = false;
	const char	*body = NULL;
	unsigned long	 size = 0;

	if (s->helo == NULL)
		return sess_reply(s, "503 5.5.1 EHLO first") == 0 ? 0 : 1;
	if (opts.auth_user != NULL && s->user == NULL)
		return sess_reply(s, "530 5.7.0 Authentication required") == 0 ?
		    0 : 1;
	if (s->in_mail)
		return sess_reply(s, "503 5.5.1 Nested MAIL command") == 0 ?
		    0 : 1;
	if (strncasecmp(arg, "FROM:", 5) != 0)
		goto syntax;
	p = arg + 5;
	if (parse_path(&p, &addr) != 0)
		goto syntax;
	while ((param = strsep(&p, " ")) != NULL) {
		if (*param == '\0')
			continue;
		if ((val = strchr(param, '=')) != NULL)
			*val++ = '\0';
		if (strcasecmp(param, "SIZE") == 0 && val != NULL &&
		    isdigit((unsigned char)*val)) {
			size = strtoul(val, NULL, 10);
			if (size > opts.size)
				return sess_reply(s, "552 5.3.4 Message size "
				    "exceeds fixed maximum message size") == 0 ?
				    0 : 1;
		} else if (strcasecmp(param, "BODY") == 0 && val != NULL &&
		    strcasecmp(val, "7BIT") == 0)
			body = "7BIT";
		else if (strcasecmp(param, "BODY") == 0 && val != NULL &&
		    strcasecmp(val, "8BITMIME") == 0 && !opts.no8bit)
			body = "8BITMIME";
		else if (strcasecmp(param, "REQUIRETLS") == 0 && val == NULL &&
		    opts.requiretls && s->tls_on)
			requiretls = true;
		else if (strcasecmp(param, "AUTH") == 0 && val != NULL)
			continue;
		else if (strcasecmp(param, "SMTPUTF8") == 0 && val == NULL &&
		    opts.smtputf8)
			s->smtputf8 = true;
		else
			return sess_reply(s, "555 5.5.4 Unsupported option: %.100s",
			    param) == 0 ? 0 : 1;
	}
	if (opts.mail.line != NULL) {
		if (sess_custom(s, &opts.mail) != 0)
			return 1;
		if (opts.mail.code / 100 != 2)
			return 0;
	} else if (sess_reply(s, "250 2.1.0 Ok") != 0)
		return 1;
	s->in_mail = true;
	s->from = xstrdup(addr);
	s->requiretls = requiretls;
	s->body = body;
	s->decl_size = size;
	if (opts.fault == FAULT_CLOSE_AFTER_MAIL) {
		sess_drop(s);
		return 1;
	}
	return 0;

syntax:
	return sess_reply(s, "501 5.5.4 Syntax: MAIL FROM:<address>") == 0 ?
	    0 : 1;
}

/* RCPT TO. */
static int
cmd_rcpt(struct sess *s, char *arg)
{
	char	*p, *addr, **v;
	size_t	 i;

	if (!s->in_mail)
		return sess_reply(s, "503 5.5.1 Need MAIL first") == 0 ? 0 : 1;
	if (strncasecmp(arg, "TO:", 3) != 0)
		goto syntax;
	p = arg + 3;
	if (parse_path(&p, &addr) != 0)
		goto syntax;
	if (*addr == '\0')
		return sess_reply(s, "501 5.1.3 Bad recipient address syntax") ==
		    0 ? 0 : 1;
	if (!s->smtputf8 && has_8bit(addr))
		return sess_reply(s, "553 5.6.7 Non-ASCII address without "
		    "SMTPUTF8") == 0 ? 0 : 1;
	if (s->nrcpt >= MAX_RCPTS)
		return sess_reply(s, "452 4.5.3 Too many recipients") == 0 ?
		    0 : 1;
	for (i = 0; i < opts.nrcpt; i++) {
		if (strcasecmp(opts.rcpt[i].addr, addr) == 0)
			break;
	}
	if (i < opts.nrcpt) {
		if (sess_custom(s, &opts.rcpt[i]) != 0)
			return 1;
		if (opts.rcpt[i].code / 100 != 2)
			return 0;
	} else if (sess_reply(s, "250 2.1.5 Ok") != 0)
		return 1;
	if ((v = realloc(s->rcpts, (s->nrcpt + 1) * sizeof *v)) == NULL)
		die("out of memory");
	s->rcpts = v;
	s->rcpts[s->nrcpt++] = xstrdup(addr);
	return 0;

syntax:
	return sess_reply(s, "501 5.5.4 Syntax: RCPT TO:<address>") == 0 ?
	    0 : 1;
}

/* Number the message, move it into place and log it; the number. */
static int
save_message(struct sess *s, const char *tmp, size_t size)
{
	struct sbuf	 b = { NULL, 0, 0 };
	char		 path[PATH_MAX];
	unsigned long	 n;
	size_t		 i;

	pthread_mutex_lock(&lock);
	n = ++msg_count;
	if (tmp != NULL) {
		snprintf(path, sizeof path, "%s/msg-%lu.eml", opts.spool, n);
		if (rename(tmp, path) == -1)
			fprintf(stderr, "smtpd: %s: %s\n", path,
			    strerror(errno));
	}
	sb_addf(&b, "{\"n\":%lu,\"session\":%lu,\"tls\":%s,\"tls_version\":", n,
	    s->id, s->tls_on ? "true" : "false");
	sb_json(&b, s->tls_on ? gnutls_protocol_get_name(
	    gnutls_protocol_get_version(s->tls)) : NULL);
	sb_adds(&b, ",\"helo\":");
	sb_json(&b, s->helo);
	sb_addf(&b, ",\"helo_after_tls\":%s,\"from\":",
	    s->helo_after_tls ? "true" : "false");
	sb_json(&b, s->from);
	sb_adds(&b, ",\"rcpts\":[");
	for (i = 0; i < s->nrcpt; i++) {
		if (i > 0)
			sb_adds(&b, ",");
		sb_json(&b, s->rcpts[i]);
	}
	sb_addf(&b, "],\"size\":%zu,\"auth\":", size);
	sb_json(&b, s->user);
	sb_addf(&b, ",\"requiretls\":%s,\"body\":",
	    s->requiretls ? "true" : "false");
	sb_json(&b, s->body);
	sb_addf(&b, ",\"smtputf8\":%s}", s->smtputf8 ? "true" : "false");
	if (opts.spool != NULL)
		append_line(log_fd, &b);
	pthread_mutex_unlock(&lock);
	free(b.s);
	return (int)n;
}

/* DATA: read, unstuff and store the message, with the DATA faults. */
static int
cmd_data(struct sess *s, char *arg)
{
	char		 tmp[PATH_MAX];
	FILE		*fp = NULL;
	size_t		 raw = 0, total = 0, threshold = FAULT_BYTES, n;
	ssize_t		 r;
	const char	*p;
	bool		 bol = true, complete, too_big = false, failed = false;
	int		 num;

	if (*arg != '\0')
		return sess_reply(s, "501 5.5.4 Syntax: DATA") == 0 ? 0 : 1;
	if (!s->in_mail)
		return sess_reply(s, "503 5.5.1 Need MAIL first") == 0 ? 0 : 1;
	if (s->nrcpt == 0)
		return sess_reply(s, "554 5.5.1 No valid recipients") == 0 ?
		    0 : 1;
	if (s->decl_size > 0 && s->decl_size / 2 < threshold)
		threshold = s->decl_size / 2 > 0 ? s->decl_size / 2 : 1;
	if (opts.spool != NULL) {
		snprintf(tmp, sizeof tmp, "%s/tmp-%lu.eml", opts.spool, s->id);
		if ((fp = fopen(tmp, "w")) == NULL) {
			fprintf(stderr, "smtpd: %s: %s\n", tmp, strerror(errno));
			return sess_reply(s, "451 4.3.0 Cannot store message") ==
			    0 ? 0 : 1;
		}
	}
	sess_delay(opts.data_delay_ms);
	if (sess_reply(s, "354 End data with <CR><LF>.<CR><LF>") != 0)
		goto stop;
	for (;;) {
		if ((r = sess_getline(s, &complete)) <= 0) {
			sess_end(s, r);
			goto stop;
		}
		raw += (size_t)r;
		if (bol && complete && (strcmp(s->line, ".\r\n") == 0 ||
		    strcmp(s->line, ".\n") == 0)) {
			sess_live(s, "dot", NULL, 0);
			break;
		}
		if ((opts.fault == FAULT_STALL_DATA ||
		    opts.fault == FAULT_DROP_DATA) && raw >= threshold)
			break;
		p = s->line;
		n = (size_t)r;
		if (bol && *p == '.') {
			p++;
			n--;
		}
		if (total + n > opts.size)
			too_big = true;
		else if (fp != NULL && fwrite(p, 1, n, fp) != n)
			failed = true;
		total += n;
		bol = complete;
	}
	if (opts.fault == FAULT_STALL_DATA) {
		sess_live(s, "stall-data", NULL, raw);
		sess_stall(s);
		goto stop;
	}
	if (opts.fault == FAULT_DROP_DATA) {
		sess_drop(s);
		goto stop;
	}
	if (fp != NULL) {
		if (fclose(fp) != 0)
			failed = true;
		fp = NULL;
	}
	if (too_big) {
		r = sess_reply(s, "552 5.3.4 Message size exceeds fixed maximum "
		    "message size");
	} else if (failed) {
		r = sess_reply(s, "451 4.3.0 Cannot store message");
	} else if (opts.data.line != NULL && opts.data.code / 100 != 2) {
		r = sess_custom(s, &opts.data);
	} else {
		num = save_message(s, opts.spool != NULL ? tmp : NULL, total);
		if (opts.dot_delay_ms > 0) {
			/* The message is kept; its 250 comes later. */
			sess_live(s, "saved", NULL, total);
			sess_delay(opts.dot_delay_ms);
		}
		if (opts.data.line != NULL)
			r = sess_custom(s, &opts.data);
		else
			r = sess_reply(s, "250 2.0.0 Ok: queued as %d", num);
		sess_reset(s);
		return r == 0 ? 0 : 1;
	}
	if (opts.spool != NULL)
		unlink(tmp);
	sess_reset(s);
	return r == 0 ? 0 : 1;

stop:
	if (fp != NULL)
		fclose(fp);
	if (opts.spool != NULL)
		unlink(tmp);
	return 1;
}

/* Run one command line; 0 to go on, 1 to end the session. */
static int
command(struct sess *s, char *line)
{
	char	*verb, *arg;

	sess_log_command(s, line);
	verb = line;
	if ((arg = strchr(line, ' ')) != NULL)
		*arg++ = '\0';
	else
		arg = line + strlen(line);

	if (strcasecmp(verb, "QUIT") == 0) {
		if (opts.quit_kill != NULL) {
			/* A server that kills its client the moment QUIT comes. */
			FILE	*pf = fopen(opts.quit_kill, "r");
			long	 pid = 0;

			if (pf != NULL) {
				if (fscanf(pf, "%ld", &pid) != 1)
					pid = 0;
				fclose(pf);
			}
			if (pid > 1)
				(void)kill((pid_t)pid, SIGKILL);
			sess_live(s, "quit-kill", NULL, 0);
		}
		if (opts.fault == FAULT_STALL_QUIT) {
			sess_live(s, "stall-quit", NULL, 0);
			sess_stall(s);
			return 1;
		}
		sess_reply(s, "221 2.0.0 Bye");
		s->end = "quit";
		return 1;
	}
	if (s->no_service)
		return sess_reply(s, "503 5.5.1 No service here; QUIT") == 0 ?
		    0 : 1;
	if (strcasecmp(verb, "EHLO") == 0)
		return cmd_helo(s, arg, true);
	if (strcasecmp(verb, "HELO") == 0)
		return cmd_helo(s, arg, false);
	if (strcasecmp(verb, "STARTTLS") == 0)
		return cmd_starttls(s, arg);
	if (strcasecmp(verb, "AUTH") == 0)
		return cmd_auth(s, arg);
	if (strcasecmp(verb, "MAIL") == 0)
		return cmd_mail(s, arg);
	if (strcasecmp(verb, "RCPT") == 0)
		return cmd_rcpt(s, arg);
	if (strcasecmp(verb, "DATA") == 0)
		return cmd_data(s, arg);
	if (strcasecmp(verb, "RSET") == 0) {
		sess_reset(s);
		return sess_reply(s, "250 2.0.0 Ok") == 0 ? 0 : 1;
	}
	if (strcasecmp(verb, "NOOP") == 0)
		return sess_reply(s, "250 2.0.0 Ok") == 0 ? 0 : 1;
	if (strcasecmp(verb, "VRFY") == 0)
		return sess_reply(s, "252 2.5.2 Cannot VRFY user") == 0 ? 0 : 1;
	if (strcasecmp(verb, "HELP") == 0)
		return sess_reply(s, "214 2.0.0 See RFC 5321") == 0 ? 0 : 1;
	if (++s->errors >= MAX_ERRORS) {
		sess_reply(s, "421 4.7.0 %s Too many errors", opts.hostname);
		s->end = "dropped";
		return 1;
	}
	return sess_reply(s, "500 5.5.2 Command not recognized") == 0 ? 0 : 1;
}

/* Serve one connection. */
static void *
sess_main(void *arg)
{
	struct sess	*s = arg;
	struct timeval	 tv;
	ssize_t		 r;
	size_t		 len;
	bool		 complete;

	tv.tv_sec = opts.timeout;
	tv.tv_usec = 0;
	setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(s->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	s->starttls = "none";
	sess_live(s, "connect", NULL, 0);

	if (opts.fault == FAULT_STALL) {
		sess_stall(s);
		goto done;
	}
	if (opts.implicit && tls_start(s) != 0)
		goto done;
	if (opts.greeting_code != 0 && opts.greeting_code / 100 != 2) {
		if (sess_reply(s, "%d %s %s", opts.greeting_code,
		    opts.hostname, "Service not available") != 0)
			goto done;
		if (opts.greeting_code / 100 == 4) {
			sess_drop(s);
			goto done;
		}
		s->no_service = true;
	} else if (sess_reply(s, "%d %s ESMTP tern test server",
	    opts.greeting_code != 0 ? opts.greeting_code : 220,
	    opts.hostname) != 0)
		goto done;

	for (;;) {
		if ((r = sess_getline(s, &complete)) <= 0) {
			sess_end(s, r);
			break;
		}
		if (!complete) {
			while (!complete) {
				if ((r = sess_getline(s, &complete)) <= 0)
					break;
			}
			if (r <= 0) {
				sess_end(s, r);
				break;
			}
			sess_log_command(s, "<line too long>");
			if (sess_reply(s, "500 5.5.2 Line too long") != 0)
				break;
			continue;
		}
		len = (size_t)r;
		while (len > 0 && (s->line[len - 1] == '\n' ||
		    s->line[len - 1] == '\r'))
			len--;
		s->line[len] = '\0';
		/*
		 * A command followed by more input before its reply, when
		 * PIPELINING was not offered, was sent without waiting.
		 */
		if (!s->offered_pipelining && s->helo != NULL &&
		    s->wpos > s->rpos)
			s->pipelined++;
		if (len > CMD_MAX) {
			sess_log_command(s, "<line too long>");
			if (sess_reply(s, "500 5.5.2 Line too long") != 0)
				break;
			continue;
		}
		if (command(s, s->line) != 0)
			break;
	}

done:
	if (s->tls_on && s->end != NULL && strcmp(s->end, "quit") == 0)
		gnutls_bye(s->tls, GNUTLS_SHUT_WR);
	sess_log(s);
	sess_free(s);
	pthread_mutex_lock(&lock);
	sess_done++;
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* Parse options, listen, and serve until killed. */
int
main(int argc, char **argv)
{
	struct sigaction	 sa;
	struct pollfd		 pfd;
	pthread_attr_t		 attr;
	pthread_t		 th;
	struct sess		*s;
	unsigned long		 accepted = 0, done;
	int			 one_nodelay = 1;
	int			 lfd, fd;

	parse_opts(argc, argv);
	setup_tls();
	setup_spool();

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	lfd = setup_listen();
	write_portfile(lfd);

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pfd.fd = lfd;
	pfd.events = POLLIN;
	while (!quit) {
		if (opts.max_sessions > 0 && accepted >= opts.max_sessions) {
			pthread_mutex_lock(&lock);
			done = sess_done;
			pthread_mutex_unlock(&lock);
			if (done >= opts.max_sessions)
				break;
			sess_delay(50);
			continue;
		}
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
			if (errno != EINTR && errno != EAGAIN &&
			    errno != ECONNABORTED)
				fprintf(stderr, "smtpd: accept: %s\n",
				    strerror(errno));
			if (errno == EMFILE || errno == ENFILE)
				sess_delay(100);
			continue;
		}
		/* Replies to pipelined commands must not wait on Nagle. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one_nodelay,
		    sizeof one_nodelay);
		s = xcalloc(1, sizeof *s);
		s->fd = fd;
		pthread_mutex_lock(&lock);
		s->id = ++sess_count;
		pthread_mutex_unlock(&lock);
		accepted++;
		if (pthread_create(&th, &attr, sess_main, s) != 0) {
			fprintf(stderr, "smtpd: pthread_create failed\n");
			close(fd);
			free(s);
			pthread_mutex_lock(&lock);
			sess_done++;
			pthread_mutex_unlock(&lock);
		}
	}
	close(lfd);
	return 0;
}
