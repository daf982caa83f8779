/*
 * vcard: importing contacts from vCards (2.1, 3.0, 4.0), and exporting
 * them as vCard 3.0 (what khard and most address books read).  Parsing is forgiving: a broken line or card is skipped
 * and reported (with its line number, in words) and the rest is
 * imported.  Only input that is not text at all is an error.  Mutt
 * alias files are read by alias.h into the same struct vcard_result.
 *
 * A contact is one address: a card with several EMAIL lines gives one
 * contact per address, all with the card's name (as khard's "email"
 * listing and mutt's query see them), because each address has a policy
 * of its own.  A name equal to the address is no name.
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
	char		*alias;		/* mutt alias key / NICKNAME, or NULL */
	char		**groups;	/* mutt groups / CATEGORIES */
	size_t		 ngroups;
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
 * Parse vCards 2.1, 3.0 and 4.0 (RFC 2426, RFC 6350): BEGIN:VCARD..
 * END:VCARD, folded lines (CRLF or LF then space or tab; in a 2.1 card
 * the blank is kept), FN (N as fallback), EMAIL (one contact per EMAIL,
 * the preferred one (PREF=1, TYPE=pref) first), NOTE (escapes undone),
 * NICKNAME (the alias key of the first contact), CATEGORIES (groups),
 * property groups, case-insensitive names and tern's
 * X-TERN-TLS:may|encrypt|verify.  Values in ENCODING=QUOTED-PRINTABLE
 * (soft line breaks joined) or BASE64 are decoded and a CHARSET other
 * than UTF-8 converted, with libetpan (an encoded value without CHARSET
 * that is not UTF-8 is read as windows-1252, as Outlook writes it).  A
 * card with no END, no EMAIL, a bad address, a bad X-TERN-TLS or bytes
 * that are not UTF-8 is skipped
 * and reported; a FN, N or NOTE in an unknown encoding or charset is
 * reported and left out, the card kept.  Fills *out as
 * alias_parse() does.  Returns 0, or -1 with *errp (ERR_INPUT) when
 * the input is not text or holds no BEGIN:VCARD at all.
 */
int	 vcard_parse(const char *, size_t, struct vcard_result *,
	    struct err **);

/*
 * Write n contacts as vCard 3.0, one card each: VERSION, UID (vcard_uid),
 * N and FN (the address when there is no name), NICKNAME (the alias),
 * EMAIL, CATEGORIES (the groups), NOTE and X-TERN-TLS, with CRLF line
 * ends, lines folded at 75 octets without splitting a UTF-8 character,
 * into a new string the caller frees.  vcard_parse() of the result gives
 * back the same contacts.
 */
char	*vcard_write(const struct vcard_contact *, size_t);

/*
 * A stable UID for the contact with this address (any case of the
 * domain gives the same one), shaped as a UUID (RFC 9562 version 8): a
 * new string the caller frees.  It also names the card's
 * file in a vdir ("UID.vcf").
 */
char	*vcard_uid(const char *);

/* Free one contact's strings (not the struct); NULL-safe. */
void	 vcard_contact_clear(struct vcard_contact *);

/* Free everything in a result and empty it; NULL-safe. */
void	 vcard_result_clear(struct vcard_result *);

#endif
