/*
 * fuzz-conf: libFuzzer harness for the config parser (conf_parse).  Any
 * input must give a config or an error with words, never both, never a
 * crash or a leak.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "err.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Parse one input as a config file. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	*c;
	struct err	*e = NULL;
	char		*text;
	size_t		 i;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	c = conf_parse(text, "fuzz.conf", &e);
	if ((c == NULL) == (e == NULL))
		abort();
	if (e != NULL && (e->msg == NULL || strncmp(e->msg, "fuzz.conf",
	    9) != 0))
		abort();
	if (c != NULL) {
		for (i = 0; i < c->ndomains; i++)
			(void)conf_find_domain(c, c->domains[i].name);
		for (i = 0; i < c->nroutes; i++)
			if (conf_find_route(c, c->routes[i].name) == NULL)
				abort();
	}
	conf_free(c);
	err_free(e);
	free(text);
	return 0;
}
