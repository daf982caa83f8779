/*
 * vcard: importing contacts from mutt alias files and vCards (3.0, 4.0),
 * and exporting them as vCard 4.0.  Parsing is forgiving: a broken line
 * or card is skipped and reported (with its line number, in words) and
 * the rest is imported.  Only input that is not text at all is an error.
 */
#ifndef TERN_VCARD_H
#define TERN_VCARD_H

#include <stddef.h>

#include "policy.h"

struct err;

struct vcard_contact {
	char		*address;	/* bare address, domain lower-cased */
	char		*name;		/* display name (UTF-8), or NULL */
	enum policy	 policy;	/* X-TERN-TLS, or POLICY_UNSET */
	char		*notes;		/* free text (UTF-8), or NULL */
};

struct vcard_problem {
	int		 line;		/* 1-based line number in the input */
	char		*msg;		/* what is wrong, in words */
};

struct vcard_result {
	struct vcard_contact	*v;
	size_t			 n;
	struct vcard_problem	*p;
	size_t			 np;
};

/*
 * Parse a mutt alias file: "alias KEY [Name] <addr>[, more]" or
 * "alias KEY addr", '#' comments (a comment after the addresses becomes
 * the notes, as neomutt does), blank lines, continuation lines ending in
 * a backslash.  A group alias (several addresses) gives one contact per
 * address, named only when the alias has a single address.  Fills *out
 * (zeroed first; the caller frees it with vcard_result_clear, which is
 * also safe after a failure).  Returns 0, or -1 with *errp (ERR_INPUT)
 * when the input is not text (a NUL byte); out is then empty.
 */
int	 vcard_parse_aliases(const char *, size_t, struct vcard_result *,
	    struct err **);

/*
 * Parse vCards 3.0 and 4.0 (RFC 2426, RFC 6350): BEGIN:VCARD..END:VCARD,
 * folded lines (CRLF or LF then space or tab), FN (N as fallback), EMAIL
 * (one contact per EMAIL, the preferred one (PREF=1, TYPE=pref) first),
 * NOTE (escapes undone), property groups, case-insensitive names and
 * tern's X-TERN-TLS:may|encrypt|verify.  A card with no END, no EMAIL,
 * a bad address, a bad X-TERN-TLS or bytes that are not UTF-8 is skipped
 * and reported; a FN, N or NOTE in a vCard 2.1 encoding (QUOTED-PRINTABLE,
 * BASE64, CHARSET) is skipped and reported, the card kept.  Fills *out as
 * vcard_parse_aliases does.  Returns 0, or -1 with *errp (ERR_INPUT) when
 * the input is not text or holds no BEGIN:VCARD at all.
 */
int	 vcard_parse(const char *, size_t, struct vcard_result *,
	    struct err **);

/*
 * Write n contacts as vCard 4.0, one card each (CRLF line ends, lines
 * folded at 75 octets without splitting a UTF-8 character), into a new
 * string the caller frees.  A contact without a name gets an empty FN.
 * vcard_parse() of the result gives back the same contacts.
 */
char	*vcard_write(const struct vcard_contact *, size_t);

/* Free everything in a result and empty it; NULL-safe. */
void	 vcard_result_clear(struct vcard_result *);

#endif
