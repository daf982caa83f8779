/*
 * ui-demo: "tern demo".  Two loopback SMTP servers (the test server,
 * installed as tern-smtpd: one with STARTTLS and a certificate from a
 * throw-away CA, one without), a throw-away config and store with a few
 * contacts (one requiring TLS), then the interface; the servers stop and
 * the files go when it ends.
 */
#ifndef TERN_UI_DEMO_H
#define TERN_UI_DEMO_H

/* Run the demo (tern [options] demo, as cli_parse read it); exit code. */
struct cli_args;
int	ui_demo_main(const struct cli_args *);
/*
 * Line i of what the demo says on the first screen (that it is a demo,
 * what each contact will show); NULL past the last, or when no demo runs.
 */
const char *ui_demo_intro(size_t);

#endif
