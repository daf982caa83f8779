/*
 * mailto: a message prefilled from outside: a mailto URL (RFC 6068, as a
 * browser or xdg-open hands it over) or a draft file (mutt's -H: an
 * RFC 5322 header block, a blank line, the body; the same form as the
 * $EDITOR file with edit_headers).  What it finds goes to the composer.
 */
#ifndef TERN_MAILTO_H
#define TERN_MAILTO_H

#include <stddef.h>

struct err;

/*
 * What a URL or a file fills in; every string is UTF-8, owned by the
 * struct (mailto_clear frees them) and NULL when not given.  The address
 * fields are comma-separated lists that addr_parse_list accepts; header
 * values never hold CR or LF; the body has LF line ends.
 */
struct mailto {
	char	*to, *cc, *bcc;
	char	*subject;
	char	*body;
	char	*in_reply_to;
	char	*reply_to;
	char	*from;		/* only from mailto_headers: one address */
	/*
	 * Other header fields to keep on the message ("Name: value" lines,
	 * each ended by LF), or NULL; only from a file (mailto_headers).
	 */
	char	*extra;
	/* The hfields a URL gave that were ignored, comma-separated. */
	char	*ignored;
};

/* Is s a mailto URL (the scheme, case-insensitive)? */
int	 mailto_is_url(const char *);
/*
 * Parse a mailto URL into *m (zeroed first): the addresses of the path
 * and of to= go to To, cc=, bcc=, subject=, body= and in-reply-to= to
 * theirs (repeated ones joined); any other hfield is ignored and named
 * in m->ignored.  Percent-encoded octets are decoded and must form valid
 * UTF-8.  Refused (ERR_INPUT, -1, *m empty): a bad %XX, NUL, a line
 * break (%0D, %0A) in any value but the body (a header injection), an
 * address that does not parse.  0 on success.
 */
int	 mailto_parse(const char *, struct mailto *, struct err **);
/*
 * Parse a header block then a blank line then the body (text, length)
 * into *m (zeroed first).  To, Cc, Bcc, Subject, Reply-To and
 * In-Reply-To fill their fields (addresses checked with addr_parse_list,
 * RFC 2047 words decoded); From fills m->from (one address, for the
 * caller to match with an account); Date, Message-ID, MIME and Content-
 * fields and Return-Path, Received are tern's and dropped; any other
 * field is kept in m->extra.  Refused with "origin:LINE: why" (ERR_INPUT):
 * a line that is not a header field or its continuation, a bad address,
 * a header that is not UTF-8.  0 or -1.
 */
int	 mailto_headers(const char *, size_t, const char *, struct mailto *,
	    struct err **);
/* Read a draft file (mutt's -H) with mailto_headers; the origin is the path. */
int	 mailto_file(const char *, struct mailto *, struct err **);
/*
 * The text mailto_headers reads back for the editor: From (borrowed
 * from, may be NULL), To, Cc, Bcc, Subject, Reply-To, In-Reply-To (each
 * written even when empty, but In-Reply-To only when set), the extra
 * fields, a blank line, the body.  New string.
 */
char	*mailto_format(const struct mailto *, const char *);
/* Free the strings and zero the struct; NULL-safe. */
void	 mailto_clear(struct mailto *);

#endif
