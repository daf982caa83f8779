/*
 * tern: the program.  Commands go to the CLI (so does tern called as
 * sendmail, by name or with sendmail's options); "tern demo" runs the
 * demo; no command opens the interface.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ui-app.h"
#include "ui-demo.h"

static int	tern_is_demo(int, char **);

/* Is the command "demo"? */
static int
tern_is_demo(int argc, char **argv)
{
	int	i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-F") == 0 || strcmp(argv[i], "-a") == 0) {
			i++;
			continue;
		}
		if (argv[i][0] == '-')
			continue;
		return strcmp(argv[i], "demo") == 0;
	}
	return 0;
}

/* Dispatch between the command line, the demo and the interface. */
int
main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	/* sendmail first: "sendmail -t demo" is a recipient, not the demo. */
	if (cli_is_sendmail(argc, argv))
		return cli_main(argc, argv);
	if (tern_is_demo(argc, argv))
		return ui_demo_main(argc, argv);
	if (cli_is_command(argc, argv))
		return cli_main(argc, argv);
	return ui_app_main(argc, argv, NULL);
}
