/*
 * fuzz-msg: libFuzzer harness for header and message handling: the
 * sendmail -t parser (msg_prepare), msg_header, msg_to_7bit and msg_wire.
 * What msg_prepare returns must be a message whose header fields hold no
 * bare CR or LF and no Bcc, and whose recipients pass addr_check.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "err.h"
#include "msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Is there a Bcc field in the header of text? */
static int
has_bcc(const char *text, size_t len)
{
	size_t	i = 0;

	while (i < len) {
		if (text[i] == '\r' || text[i] == '\n')
			return 0;	/* the end of the header */
		if (len - i >= 4 && strncasecmp(text + i, "bcc:", 4) == 0)
			return 1;
		while (i < len && text[i] != '\n')
			i++;
		i++;
	}
	return 0;
}

/* Run one input through the message functions. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	*names[] = { "Subject", "From", "To", "Date",
	    "Message-ID", "X-Nope" };
	struct addr_list	 rcpts = { NULL, 0 };
	struct err		*e = NULL;
	const char		*text = (const char *)data;
	char			*out, *h;
	size_t			 len, i;

	out = msg_prepare(text, size, "Fuzz <fuzz@example.org>", &rcpts,
	    &len, &e);
	if (out != NULL) {
		if (e != NULL || memchr(out, '\0', len) != NULL)
			abort();
		if (has_bcc(out, len))
			abort();
		for (i = 0; i < rcpts.n; i++)
			if (addr_check(rcpts.v[i].mailbox, NULL) != 0)
				abort();
		h = msg_header(out, len, "From");
		if (h == NULL)
			abort();	/* msg_prepare adds one */
		free(h);
		free(out);
	} else if (e == NULL)
		abort();
	addr_list_clear(&rcpts);
	err_free(e);
	e = NULL;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		h = msg_header(text, size, names[i]);
		if (h != NULL && strpbrk(h, "\r\033") != NULL)
			abort();	/* sanitized, unfolded */
		free(h);
	}
	out = msg_to_7bit(text, size, &len);
	if (out != NULL) {
		/* The body is 7-bit now (header fields are not touched). */
		if ((h = memmem(out, len, "\r\n\r\n", 4)) == NULL)
			abort();
		for (i = (size_t)(h - out); i < len; i++)
			if ((unsigned char)out[i] >= 0x80)
				abort();
		free(out);
	}
	out = msg_wire(text, size, &len, &e);
	if (out != NULL) {
		for (i = 0; i < len; i++) {
			if (out[i] == '\n' && (i == 0 || out[i - 1] != '\r'))
				abort();
			if (out[i] == '\r' && (i + 1 >= len ||
			    out[i + 1] != '\n'))
				abort();
		}
		free(out);
	}
	err_free(e);
	return 0;
}
