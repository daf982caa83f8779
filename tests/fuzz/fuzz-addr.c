/*
 * fuzz-addr: libFuzzer harness for address handling: addr_parse_list,
 * addr_parse and addr_check.  Every mailbox a parse returns must pass
 * addr_check (so nothing that parses can inject SMTP commands), and no
 * mailbox may hold CR or LF.  ('<' and '>' are allowed inside a quoted
 * local part, as RFC 5321 allows them: addr.c checks them outside quotes.)
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "err.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Check what a parse gave. */
static void
check_list(const struct addr_list *l)
{
	struct err	*e = NULL;
	size_t		 i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].mailbox == NULL ||
		    strpbrk(l->v[i].mailbox, "\r\n") != NULL)
			abort();
		if (addr_check(l->v[i].mailbox, &e) != 0) {
			/* A parsed address the envelope refuses: a bug. */
			abort();
		}
		(void)addr_domain(l->v[i].mailbox);
	}
}

/* Feed one input to every address entry point. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_list	 l = { NULL, 0 };
	struct addr		 a;
	struct err		*e = NULL;
	char			*s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (addr_parse_list(s, &l, &e) == 0) {
		if (e != NULL)
			abort();
		check_list(&l);
	} else if (e == NULL)
		abort();
	addr_list_clear(&l);
	err_free(e);
	e = NULL;

	memset(&a, 0, sizeof a);
	if (addr_parse(s, &a, &e) == 0) {
		if (a.mailbox == NULL || strpbrk(a.mailbox, "\r\n") != NULL)
			abort();
	} else if (e == NULL)
		abort();
	addr_clear(&a);
	err_free(e);
	e = NULL;

	if (addr_check(s, &e) == 0) {
		if (strpbrk(s, "\r\n") != NULL || strlen(s) > 254)
			abort();
	}
	err_free(e);
	free(s);
	return 0;
}
