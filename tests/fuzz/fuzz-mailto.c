/*
 * fuzz-mailto: libFuzzer harness for mailto_parse (the input as a URL)
 * and mailto_headers (the input as a draft file).  Whatever parses holds
 * no CR or LF in a header value (no header can be injected), and what
 * mailto_format writes from it reads back.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mailto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* No header value of m holds a line break; abort() if one does. */
static void
mailto_fuzz_check(const struct mailto *m)
{
	const char	*v[] = { m->to, m->cc, m->bcc, m->subject,
			    m->in_reply_to, m->reply_to, m->ignored };
	size_t		 i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++)
		if (v[i] != NULL && strpbrk(v[i], "\r\n") != NULL)
			abort();
}

/* Feed one input to both parsers. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mailto	 m, back;
	struct err	*e = NULL;
	char		*s, *t;

	if ((s = malloc(size + 8)) == NULL)
		return 0;
	memcpy(s, "mailto:", 7);
	memcpy(s + 7, data, size);
	s[size + 7] = '\0';
	if (mailto_parse(s, &m, &e) == 0) {
		mailto_fuzz_check(&m);
		t = mailto_format(&m, NULL);
		if (mailto_headers(t, strlen(t), "fuzz", &back, &e) != 0)
			abort();
		mailto_fuzz_check(&back);
		mailto_clear(&back);
		free(t);
	} else if (e == NULL)
		abort();
	mailto_clear(&m);
	err_free(e);
	e = NULL;
	if (mailto_headers((const char *)data, size, "fuzz", &m, &e) == 0)
		mailto_fuzz_check(&m);
	else if (e == NULL)
		abort();
	mailto_clear(&m);
	err_free(e);
	free(s);
	return 0;
}
