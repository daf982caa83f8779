/* Unit tests for conf.c. */
#include "config.h"

#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "err.h"
#include "policy.h"

static char	*write_temp(const char *, mode_t);
static void	 parse_bad(const char *, const char *);
static void	 test_defaults(void **);
static void	 test_design_example(void **);
static void	 test_relay(void **);
static void	 test_resolver(void **);
static void	 test_comments(void **);
static void	 test_tilde(void **);
static void	 test_sections(void **);
static void	 test_errors(void **);
static void	 test_errors_escaped(void **);
static void	 test_load_file(void **);
static void	 test_load_permissions(void **);
static void	 test_load_missing(void **);
static void	 test_paths(void **);

static const char design_example[] =
    "# $XDG_CONFIG_HOME/tern/config\n"
    "from     = Alice Example <alice@example.org>\n"
    "relay    = smtp://mail.example.org:587   # or smtps://host:465, or direct\n"
    "user     = alice\n"
    "passcmd  = pass show mail/alice          # run when a password is needed; never stored\n"
    "tls      = may                           # default policy: may | encrypt | verify\n"
    "ca_file  = /etc/ssl/extra-ca.pem         # optional, added to the system trust store\n"
    "helo     = laptop.example.org            # optional\n"
    "timeout  = 30                            # seconds per network step\n"
    "fcc      = ~/Mail/Sent                   # optional Maildir copy of sent mail\n"
    "downgrade = warn                         # warn | hold, for a server that stopped offering TLS\n"
    "resolver = 127.0.0.1:5353                # optional DNS server for direct mode (tests, split horizon)\n"
    "\n"
    "[domain bank.example]                    # policy for a whole domain\n"
    "tls = verify\n"
    "\n"
    "[route example.net]                      # deliver this domain to a fixed host:port\n"
    "host = localhost:2525\n";

/* Write text to a new temporary file with the given mode. */
static char *
write_temp(const char *text, mode_t mode)
{
	char	*path;
	int	 fd;

	path = strdup("/tmp/tern-test-conf.XXXXXX");
	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd != -1);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

/* Parsing text must fail with ERR_CONFIG and this message. */
static void
parse_bad(const char *text, const char *msg)
{
	struct conf	*c;
	struct err	*e = NULL;

	c = conf_parse(text, "t.conf", &e);
	if (c != NULL)
		fail_msg("accepted: %s", text);
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_CONFIG);
	if (strstr(e->msg, msg) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e->msg, msg);
	err_free(e);
}

/* A new config has every default. */
static void
test_defaults(void **state)
{
	struct conf	*c;
	struct err	*e = NULL;

	(void)state;
	c = conf_new();
	assert_int_equal(c->relay_mode, RELAY_DIRECT);
	assert_null(c->relay_host);
	assert_int_equal(c->tls, POLICY_MAY);
	assert_int_equal(c->timeout, 30);
	assert_int_equal(c->downgrade, DOWNGRADE_WARN);
	assert_null(c->resolver_host);
	assert_int_equal(c->resolver_port, 53);
	assert_int_equal(c->allow_plain_auth, 0);
	assert_int_equal(c->concurrency, CONF_CONCURRENCY);
	assert_string_equal(c->ascii, "auto");
	assert_int_equal(c->ndomains, 0);
	assert_int_equal(c->nroutes, 0);
	conf_free(c);
	conf_free(NULL);

	/* An empty file and a file of comments give the same. */
	c = conf_parse("", "t.conf", &e);
	assert_non_null(c);
	assert_int_equal(c->timeout, 30);
	assert_string_equal(c->path, "t.conf");
	conf_free(c);
	c = conf_parse("# nothing\n\n   # more\n\t\n", "t.conf", &e);
	assert_non_null(c);
	assert_null(e);
	conf_free(c);
}

/* The example of DESIGN.md parses to what it says. */
static void
test_design_example(void **state)
{
	struct conf			*c;
	struct err			*e = NULL;
	const struct conf_domain	*d;
	const struct conf_route		*r;

	(void)state;
	setenv("HOME", "/home/alice", 1);
	c = conf_parse(design_example, "config", &e);
	if (e != NULL)
		fail_msg("%s", e->msg);
	assert_non_null(c);
	assert_string_equal(c->from, "Alice Example <alice@example.org>");
	assert_int_equal(c->relay_mode, RELAY_SMTP);
	assert_string_equal(c->relay_host, "mail.example.org");
	assert_int_equal(c->relay_port, 587);
	assert_string_equal(c->user, "alice");
	assert_string_equal(c->passcmd, "pass show mail/alice");
	assert_int_equal(c->tls, POLICY_MAY);
	assert_string_equal(c->ca_file, "/etc/ssl/extra-ca.pem");
	assert_string_equal(c->helo, "laptop.example.org");
	assert_int_equal(c->timeout, 30);
	assert_string_equal(c->fcc, "/home/alice/Mail/Sent");
	assert_int_equal(c->downgrade, DOWNGRADE_WARN);
	assert_string_equal(c->resolver_host, "127.0.0.1");
	assert_int_equal(c->resolver_port, 5353);
	assert_int_equal(c->ndomains, 1);
	d = conf_find_domain(c, "BANK.example");
	assert_non_null(d);
	assert_string_equal(d->name, "bank.example");
	assert_int_equal(d->tls, POLICY_VERIFY);
	assert_int_equal(d->line, 14);
	assert_int_equal(c->nroutes, 1);
	r = conf_find_route(c, "Example.NET");
	assert_non_null(r);
	assert_string_equal(r->host, "localhost");
	assert_int_equal(r->port, 2525);
	assert_int_equal(r->tls, POLICY_UNSET);
	assert_int_equal(r->line, 17);
	assert_null(conf_find_route(c, "bank.example"));
	assert_null(conf_find_domain(c, "example.net"));
	conf_free(c);
}

/* The relay forms and their default ports. */
static void
test_relay(void **state)
{
	static const struct {
		const char	*text;
		enum relay_mode	 mode;
		const char	*host;
		int		 port;
	} good[] = {
		{ "relay = smtp://mx.example", RELAY_SMTP, "mx.example", 587 },
		{ "relay = smtps://mx.example", RELAY_SMTPS, "mx.example",
		    465 },
		{ "relay = smtp://mx.example:2525", RELAY_SMTP, "mx.example",
		    2525 },
		{ "relay = SMTPS://mx.example:10465/", RELAY_SMTPS,
		    "mx.example", 10465 },
		{ "relay = smtp://[::1]:2525", RELAY_SMTP, "::1", 2525 },
		{ "relay = smtps://[2001:db8::1]", RELAY_SMTPS, "2001:db8::1",
		    465 },
		{ "relay = smtp://x\nrelay = direct", RELAY_DIRECT, NULL, 0 },
	};
	struct conf	*c;
	struct err	*e = NULL;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		c = conf_parse(good[i].text, "t.conf", &e);
		if (c == NULL)
			fail_msg("%s: %s", good[i].text, e->msg);
		assert_int_equal(c->relay_mode, good[i].mode);
		if (good[i].host == NULL)
			assert_null(c->relay_host);
		else
			assert_string_equal(c->relay_host, good[i].host);
		assert_int_equal(c->relay_port, good[i].port);
		conf_free(c);
	}
	parse_bad("relay = mail.example.org", "t.conf:1: relay must be");
	parse_bad("relay = imap://mail.example.org", "t.conf:1: relay must be");
	parse_bad("relay = smtp://", "t.conf:1: relay \"smtp://\"");
	parse_bad("relay = smtp://x:0",
	    "port must be a number from 1 to 65535");
	parse_bad("relay = smtp://x:70000", "port must be");
	parse_bad("relay = smtp://x:25x", "port must be");
	parse_bad("relay = smtp://::1:25", "in brackets");
	parse_bad("relay = smtp://[::1", "without ']'");
}

/* The resolver: HOST, HOST:PORT, [IPv6]:PORT. */
static void
test_resolver(void **state)
{
	struct conf	*c;
	struct err	*e = NULL;

	(void)state;
	c = conf_parse("resolver = 192.0.2.53", "t.conf", &e);
	assert_non_null(c);
	assert_string_equal(c->resolver_host, "192.0.2.53");
	assert_int_equal(c->resolver_port, 53);
	conf_free(c);
	c = conf_parse("resolver = [::1]:5353", "t.conf", &e);
	assert_non_null(c);
	assert_string_equal(c->resolver_host, "::1");
	assert_int_equal(c->resolver_port, 5353);
	conf_free(c);
	c = conf_parse("resolver = [::1]", "t.conf", &e);
	assert_non_null(c);
	assert_int_equal(c->resolver_port, 53);
	conf_free(c);
	assert_null(e);
	parse_bad("resolver = ::1", "t.conf:1: resolver \"::1\": an IPv6 "
	    "address must be written in brackets");
	parse_bad("resolver = [::1]x", "t.conf:1: resolver");
}

/* Whole-line and trailing comments; '#' inside a value stays. */
static void
test_comments(void **state)
{
	struct conf	*c;
	struct err	*e = NULL;

	(void)state;
	c = conf_parse(
	    "  # indented comment\n"
	    "user = bob\t# tab before the comment\n"
	    "passcmd = pass show mail#2   # the password\n"
	    "helo=host.example#x\n"
	    "timeout = 45\r\n", "t.conf", &e);
	if (c == NULL)
		fail_msg("%s", e->msg);
	assert_string_equal(c->user, "bob");
	assert_string_equal(c->passcmd, "pass show mail#2");
	assert_string_equal(c->helo, "host.example#x");
	assert_int_equal(c->timeout, 45);
	conf_free(c);
}

/* ~ expands to $HOME in ca_file and fcc only at the start. */
static void
test_tilde(void **state)
{
	struct conf	*c;
	struct err	*e = NULL;

	(void)state;
	setenv("HOME", "/home/t", 1);
	c = conf_parse("ca_file = ~/ca.pem\nfcc = ~\nuser = ~bob\n",
	    "t.conf", &e);
	assert_non_null(c);
	assert_string_equal(c->ca_file, "/home/t/ca.pem");
	assert_string_equal(c->fcc, "/home/t");
	assert_string_equal(c->user, "~bob");
	conf_free(c);
	c = conf_parse("fcc = /m/~/x\nca_file = ~other/x\n", "t.conf", &e);
	assert_non_null(c);
	assert_string_equal(c->fcc, "/m/~/x");
	assert_string_equal(c->ca_file, "~other/x");
	conf_free(c);
}

/* Sections, routes, and the other keys. */
static void
test_sections(void **state)
{
	struct conf			*c;
	struct err			*e = NULL;
	const struct conf_route		*r;

	(void)state;
	c = conf_parse(
	    "tls = Encrypt\n"
	    "downgrade = hold\n"
	    "auth_plaintext = yes\n"
	    "concurrency = 256\n"
	    "glyphs = ascii\n"
	    "edit_headers = yes\n"
	    "[route Plain.Example]\n"
	    "host = mx.plain.example\n"
	    "tls = encrypt\n"
	    "[ route v6.example ]\n"
	    "host = [::1]:2525\n"
	    "[domain A.example]\n"
	    "tls = may\n", "t.conf", &e);
	if (c == NULL)
		fail_msg("%s", e->msg);
	assert_int_equal(c->tls, POLICY_ENCRYPT);
	assert_int_equal(c->downgrade, DOWNGRADE_HOLD);
	assert_int_equal(c->allow_plain_auth, 1);
	assert_int_equal(c->concurrency, 256);
	assert_string_equal(c->ascii, "ascii");
	assert_int_equal(c->edit_headers, 1);
	r = conf_find_route(c, "plain.example");
	assert_non_null(r);
	assert_string_equal(r->name, "plain.example");
	assert_string_equal(r->host, "mx.plain.example");
	assert_int_equal(r->port, 25);
	assert_int_equal(r->tls, POLICY_ENCRYPT);
	r = conf_find_route(c, "V6.example");
	assert_non_null(r);
	assert_string_equal(r->host, "::1");
	assert_int_equal(r->port, 2525);
	assert_int_equal(conf_find_domain(c, "a.example")->tls, POLICY_MAY);
	assert_null(conf_find_domain(c, "b.example"));
	assert_null(conf_find_domain(NULL, "a.example"));
	conf_free(c);
}

/* Every kind of broken line says FILE:LINE and what to do. */
static void
test_errors(void **state)
{
	(void)state;
	parse_bad("user = a\n\nfrobnicate = 1\n",
	    "t.conf:3: unknown key \"frobnicate\"");
	parse_bad("tls = sometimes\n", "t.conf:1: tls must be may, encrypt or "
	    "verify, not \"sometimes\"");
	parse_bad("# c\nuser alice\n", "t.conf:2: expected \"key = value\"");
	parse_bad("user =\n", "t.conf:1: user needs a value");
	parse_bad("= x\n", "t.conf:1: a line starts with '='");
	parse_bad("[mailbox x.example]\n", "t.conf:1: unknown section "
	    "[mailbox]");
	parse_bad("[domain]\n", "t.conf:1: [domain] needs one domain name");
	parse_bad("[domain a.example\n", "t.conf:1: a section line must be");
	parse_bad("[domain a.example] x\n", "t.conf:1: a section line must be");
	parse_bad("[domain a.example]\ntls = verify\n[domain A.EXAMPLE]\n",
	    "t.conf:3: duplicate section [domain a.example] (first at line 1)");
	parse_bad("[route a.example]\nhost = h\n[route a.example]\nhost = h\n",
	    "t.conf:3: duplicate section [route a.example]");
	parse_bad("[route a.example]\ntls = verify\n[domain b.example]\n",
	    "t.conf:1: [route a.example] has no host");
	parse_bad("\n[route a.example]\n", "t.conf:2: [route a.example] has no "
	    "host");
	parse_bad("[domain a.example]\nhost = h:25\n", "t.conf:2: unknown key "
	    "\"host\" in [domain a.example]");
	parse_bad("[route a.example]\nfrom = a@b.c\n", "t.conf:2: unknown key "
	    "\"from\" in [route a.example]");
	parse_bad("[route a.example]\nhost = h:x\n", "t.conf:2: host \"h:x\"");
	parse_bad("[route a.example]\nhost = h\ntls = yes\n", "t.conf:3: tls "
	    "must be");
	parse_bad("timeout = 0\n",
	    "t.conf:1: timeout must be a number of seconds");
	parse_bad("timeout = -5\n", "t.conf:1: timeout must be a number of seconds");
	parse_bad("timeout = 86401\n", "t.conf:1: timeout must be a number of "
	    "seconds from 1 to 86400, not \"86401\"");
	parse_bad("timeout = 10s\n", "t.conf:1: timeout must be a number of seconds");
	parse_bad("concurrency = 0\n", "t.conf:1: concurrency must be a number "
	    "from 1 to 256");
	parse_bad("concurrency = 257\n", "t.conf:1: concurrency");
	parse_bad("downgrade = drop\n", "t.conf:1: downgrade must be warn or "
	    "hold");
	parse_bad("auth_plaintext = true\n", "t.conf:1: auth_plaintext must be "
	    "yes or no");
	parse_bad("edit_headers = on\n", "t.conf:1: edit_headers must be "
	    "yes or no");
	parse_bad("glyphs = emoji\n", "t.conf:1: glyphs must be auto, ascii or "
	    "utf-8");
	parse_bad("from = Alice <alice@@example.org>\n", "t.conf:1: from: "
	    "invalid address");
	parse_bad("from = not an address\n", "t.conf:1: from:");
	parse_bad("helo = two words\n", "t.conf:1: helo must be one host name");
}

/*
 * What the file says is echoed escaped: no control byte, no
 * bidirectional control of the file reaches the terminal, also in the
 * file's name; ordinary UTF-8 stays as it is.
 */
static void
test_errors_escaped(void **state)
{
	struct conf	*c;
	struct err	*e = NULL;
	const char	*p;

	(void)state;
	c = conf_parse("res\033[2Jolver = 1\n", "t.conf", &e);
	assert_null(c);
	assert_non_null(e);
	assert_string_equal(e->msg, "t.conf:1: unknown key "
	    "\"res\\x1b[2Jolver\"");
	err_free(e);
	e = NULL;
	c = conf_parse("tls = \033]52;c;cHduZWQ=\007\n", "t\x9b.conf", &e);
	assert_null(c);
	assert_non_null(e);
	assert_string_equal(e->msg, "t\\x9b.conf:1: tls must be may, encrypt "
	    "or verify, not \"\\x1b]52;c;cHduZWQ=\\x07\"");
	err_free(e);
	e = NULL;
	c = conf_parse("[domain a\xe2\x80\xae" "example]\nh\xc3\xb6st = 1\n",
	    "t.conf", &e);
	assert_null(c);
	assert_non_null(e);
	assert_string_equal(e->msg, "t.conf:2: unknown key \"h\xc3\xb6st\" in "
	    "[domain a\\xe2\\x80\\xaeexample] (the only key here is tls; "
	    "top-level keys go before the first section)");
	for (p = e->msg; *p != '\0'; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	err_free(e);
}

/* A real file: values and errors carry its name. */
static void
test_load_file(void **state)
{
	struct conf	*c;
	struct err	*e = NULL;
	char		*path, *want;

	(void)state;
	path = write_temp(design_example, 0600);
	c = conf_load(path, &e);
	if (c == NULL)
		fail_msg("%s", e->msg);
	assert_string_equal(c->path, path);
	assert_string_equal(c->passcmd, "pass show mail/alice");
	conf_free(c);
	unlink(path);
	free(path);

	path = write_temp("user = a\ntls = verify\n[domain x]\ntls = never\n",
	    0644);
	c = conf_load(path, &e);
	assert_null(c);
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_CONFIG);
	want = NULL;
	assert_true(asprintf(&want, "%s:4: tls must be", path) > 0);
	assert_non_null(strstr(e->msg, want));
	assert_true(strncmp(e->msg, path, strlen(path)) == 0);
	free(want);
	err_free(e);
	unlink(path);
	free(path);
}

/* A password command in a file others can read is refused. */
static void
test_load_permissions(void **state)
{
	struct conf	*c;
	struct err	*e = NULL;
	char		*path, *want = NULL;

	(void)state;
	path = write_temp("user = a\npasscmd = pass show x\n", 0644);
	c = conf_load(path, &e);
	assert_null(c);
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_CONFIG);
	assert_true(asprintf(&want, "%s: permissions 0644 are too open for a "
	    "file that names a password command; chmod 600 %s", path,
	    path) > 0);
	assert_string_equal(e->msg, want);
	free(want);
	err_free(e);
	e = NULL;

	/* Group-readable is too open as well. */
	assert_int_equal(chmod(path, 0640), 0);
	c = conf_load(path, &e);
	assert_null(c);
	assert_non_null(strstr(e->msg, "permissions 0640 are too open"));
	err_free(e);
	e = NULL;

	assert_int_equal(chmod(path, 0600), 0);
	c = conf_load(path, &e);
	assert_non_null(c);
	assert_null(e);
	conf_free(c);
	unlink(path);
	free(path);

	/* Without passcmd, a readable file is fine. */
	path = write_temp("user = a\n", 0644);
	c = conf_load(path, &e);
	assert_non_null(c);
	assert_null(e);
	conf_free(c);
	unlink(path);
	free(path);
}

/* A missing file is an error naming it. */
static void
test_load_missing(void **state)
{
	struct conf	*c;
	struct err	*e = NULL;

	(void)state;
	c = conf_load("/nonexistent/tern/config", &e);
	assert_null(c);
	assert_non_null(e);
	assert_int_equal(e->cls, ERR_CONFIG);
	assert_string_equal(e->msg, "/nonexistent/tern/config: cannot read: "
	    "No such file or directory");
	err_free(e);
	e = NULL;
	assert_null(conf_load(NULL, &e));
	assert_int_equal(e->cls, ERR_CONFIG);
	err_free(e);
}

/* XDG directories with their fallbacks. */
static void
test_paths(void **state)
{
	char	*p;

	(void)state;
	setenv("HOME", "/home/h", 1);
	setenv("XDG_CONFIG_HOME", "/xdg/conf", 1);
	setenv("XDG_DATA_HOME", "/xdg/data", 1);
	p = conf_default_path();
	assert_string_equal(p, "/xdg/conf/tern/config");
	free(p);
	p = conf_data_dir();
	assert_string_equal(p, "/xdg/data/tern");
	free(p);

	/* Relative XDG values are ignored, as the spec says. */
	setenv("XDG_CONFIG_HOME", "relative", 1);
	setenv("XDG_DATA_HOME", "", 1);
	p = conf_default_path();
	assert_string_equal(p, "/home/h/.config/tern/config");
	free(p);
	p = conf_data_dir();
	assert_string_equal(p, "/home/h/.local/share/tern");
	free(p);

	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_DATA_HOME");
	p = conf_default_path();
	assert_string_equal(p, "/home/h/.config/tern/config");
	free(p);
}

/* [account NAME]: its own identity, the top's rules and settings. */
static void
test_accounts(void **state)
{
	const struct conf	*w, *h;
	struct conf		*c;
	struct err		*e = NULL;

	(void)state;
	c = conf_parse(
	    "from = Alice <alice@example.org>\n"
	    "relay = smtp://home.example:587\n"
	    "user = alice\n"
	    "passcmd = pass home\n"
	    "tls = encrypt\n"
	    "timeout = 7\n"
	    "queue_lifetime = 2d\n"
	    "[domain bank.example]\n"
	    "tls = verify\n"
	    "[account work]\n"
	    "from = Alice Work <alice@work.example>\n"
	    "relay = smtps://smtp.work.example\n"
	    "timeout = 9\n"
	    "[account list]\n"
	    "from = lists@example.org\n"
	    "tls = may\n", "cfg", &e);
	if (e != NULL)
		fail_msg("%s", e->msg);
	assert_non_null(c);
	assert_int_equal(c->naccounts, 2);
	assert_string_equal(c->name, "default");
	assert_ptr_equal(conf_account(c, NULL), c);
	assert_ptr_equal(conf_account(c, "default"), c);
	assert_null(conf_account(c, "nosuch"));
	w = conf_account(c, "work");
	assert_non_null(w);
	assert_string_equal(w->name, "work");
	assert_string_equal(w->from_addr, "alice@work.example");
	assert_int_equal(w->relay_mode, RELAY_SMTPS);
	assert_int_equal(w->relay_port, 465);
	/* Settings inherited unless set; credentials never. */
	assert_int_equal(w->timeout, 9);
	assert_int_equal(w->tls, POLICY_ENCRYPT);
	assert_int_equal(w->queue_lifetime, 2 * 86400);
	assert_null(w->user);
	assert_null(w->passcmd);
	/* The top's rules hold for every account. */
	assert_non_null(conf_find_domain(w, "bank.example"));
	h = conf_account(w, "list");
	assert_int_equal(h->tls, POLICY_MAY);
	assert_ptr_equal(conf_account(w, "default"), c);
	/* Choice by sender address, without case; else the top. */
	assert_ptr_equal(conf_account_for(c, "ALICE@work.example"), w);
	assert_ptr_equal(conf_account_for(c, "alice@example.org"), c);
	assert_ptr_equal(conf_account_for(c, "stranger@example.org"), c);
	conf_free(c);

	/* Errors name the line. */
	assert_null(conf_parse("[account work]\n[account work]\n", "cfg",
	    &e));
	assert_non_null(strstr(e->msg, "cfg:2: duplicate section [account "
	    "work]"));
	err_free(e);
	e = NULL;
	assert_null(conf_parse("[account default]\n", "cfg", &e));
	assert_non_null(strstr(e->msg, "cfg:1:"));
	err_free(e);
	e = NULL;
	assert_null(conf_parse("queue_lifetime = soon\n", "cfg", &e));
	assert_non_null(strstr(e->msg, "queue_lifetime"));
	err_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_design_example),
		cmocka_unit_test(test_relay),
		cmocka_unit_test(test_resolver),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_tilde),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_errors_escaped),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_load_permissions),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
