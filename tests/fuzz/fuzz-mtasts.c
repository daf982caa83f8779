/*
 * fuzz-mtasts: libFuzzer harness for mtasts_parse (the input as a policy
 * body) and mtasts_txt_id (the input as a TXT record).  What parses has a
 * known mode, max_age within its bound, an mx pattern unless the mode is
 * none, and patterns in lower case that match a host of their own shape;
 * a TXT id is 1 to 32 letters and digits.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mtasts.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The properties of a parsed policy; abort() if one fails. */
static void
mtasts_fuzz_check(const struct mtasts_policy *p)
{
	char		 host[300];
	const char	*c;
	size_t		 i;

	if (p->mode >= MTASTS_MODE_LAST || p->max_age < 0 ||
	    p->max_age > MTASTS_MAX_AGE_MAX)
		abort();
	if (p->nmx == 0 && p->mode != MTASTS_NONE)
		abort();
	for (i = 0; i < p->nmx; i++) {
		for (c = p->mx[i]; *c != '\0'; c++)
			if ((*c >= 'A' && *c <= 'Z') || *c == '\n' ||
			    *c == '\r' || *c == ' ')
				abort();
		if (p->mx[i][0] == '*')
			snprintf(host, sizeof host, "x%s", p->mx[i] + 1);
		else
			snprintf(host, sizeof host, "%s", p->mx[i]);
		if (!mtasts_mx_match(p, host))
			abort();
	}
}

/* Feed one input to both parsers. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mtasts_policy	 p;
	struct err		*e = NULL;
	char			*s, *id = NULL;
	size_t			 i;
	int			 r;

	if (mtasts_parse((const char *)data, size, &p, &e) == 0)
		mtasts_fuzz_check(&p);
	else if (e == NULL || p.nmx != 0 || p.mx != NULL)
		abort();
	mtasts_policy_clear(&p);
	err_free(e);

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	r = mtasts_txt_id(s, &id);
	if (r == 1) {
		if (id == NULL || strlen(id) == 0 ||
		    strlen(id) > MTASTS_ID_MAX)
			abort();
		for (i = 0; id[i] != '\0'; i++)
			if (!((id[i] >= 'a' && id[i] <= 'z') ||
			    (id[i] >= 'A' && id[i] <= 'Z') ||
			    (id[i] >= '0' && id[i] <= '9')))
				abort();
	} else if (id != NULL)
		abort();
	free(id);
	free(s);
	return 0;
}
