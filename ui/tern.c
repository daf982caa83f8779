/*
 * tern: the program.  cli_parse reads the command line once and says
 * what runs: a command (or tern called as sendmail, by name or with
 * sendmail's options) goes to the CLI, "tern demo" runs the demo, no
 * command opens the interface.
 */
#include "config.h"

#include <locale.h>
#include <stddef.h>

#include "cli/cli.h"
#include "ui-app.h"
#include "ui-demo.h"

/* Dispatch between the command line, the demo and the interface. */
int
main(int argc, char **argv)
{
	struct cli_args	a;

	setlocale(LC_ALL, "");
	switch (cli_parse(argc, argv, &a)) {
	case CLI_MODE_INTERFACE:
		return ui_app_main(&a, NULL);
	case CLI_MODE_DEMO:
		return ui_demo_main(&a);
	case CLI_MODE_COMMAND:
	case CLI_MODE_SENDMAIL:
		break;
	}
	return cli_run(&a);
}
