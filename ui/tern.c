/* tern: the program.  Commands go to the CLI; no command opens the interface. */
#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "cli.h"

/* Dispatch between the command line and the interface. */
int
main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (cli_is_command(argc, argv))
		return cli_main(argc, argv);
	fprintf(stderr, "tern: the interface is not built yet; use the "
	    "commands:\n");
	return cli_main(argc, argv);
}
