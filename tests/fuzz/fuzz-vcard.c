/*
 * fuzz-vcard: libFuzzer harness for contact import: mutt aliases
 * (alias_parse) and vCards (vcard_parse).  Every imported contact
 * must have a valid bare address, and what vcard_write exports must parse
 * back to the same contacts.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "alias.h"
#include "err.h"
#include "vcard.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Same text or both NULL. */
static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Check a result, and that export then import gives it back. */
static void
check(const struct vcard_result *r)
{
	struct vcard_result	 back;
	struct err		*e = NULL;
	char			*text;
	size_t			 i;

	for (i = 0; i < r->n; i++)
		if (r->v[i].address == NULL ||
		    addr_check(r->v[i].address, NULL) != 0)
			abort();
	for (i = 0; i < r->np; i++)
		if (r->p[i].msg == NULL || r->p[i].line < 1)
			abort();
	if (r->n == 0)
		return;
	if ((text = vcard_write(r->v, r->n)) == NULL)
		abort();
	if (vcard_parse(text, strlen(text), &back, &e) != 0)
		abort();
	if (back.n != r->n)
		abort();
	for (i = 0; i < r->n; i++) {
		if (!same(back.v[i].address, r->v[i].address) ||
		    back.v[i].policy != r->v[i].policy)
			abort();
		/* An empty name exports as an empty FN. */
		if (!same(back.v[i].name, r->v[i].name) &&
		    !(r->v[i].name == NULL && back.v[i].name != NULL &&
		    back.v[i].name[0] == '\0') &&
		    !(back.v[i].name == NULL && r->v[i].name != NULL &&
		    r->v[i].name[0] == '\0'))
			abort();
	}
	vcard_result_clear(&back);
	free(text);
}

/* The first byte picks the parser; the rest is the file. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vcard_result	 r;
	struct err		*e = NULL;
	int			 rc;

	if (size < 1)
		return 0;
	if (data[0] & 1)
		rc = vcard_parse((const char *)data + 1, size - 1, &r, &e);
	else
		rc = alias_parse((const char *)data + 1, size - 1, &r,
		    &e);
	if (rc == 0) {
		if (e != NULL)
			abort();
		check(&r);
	} else if (e == NULL || r.n != 0)
		abort();
	vcard_result_clear(&r);
	err_free(e);
	return 0;
}
