/*
 * msg: building and reading RFC 5322 messages with libetpan (mailimf,
 * mailmime).
 */
#ifndef TERN_MSG_H
#define TERN_MSG_H

#include <stddef.h>

#include "addr.h"

struct attach_list;
struct err;

/* What a user writes; all strings borrowed by msg_build. */
struct msg_draft {
	const char		*from;		/* "Name <addr>" */
	const struct addr_list	*to;
	const struct addr_list	*cc;
	const struct addr_list	*bcc;		/* never in the text */
	const char		*subject;	/* UTF-8, may be NULL */
	const char		*body;		/* UTF-8, any line ends */
	size_t			 bodylen;
	const char		*reply_to;	/* address list, or NULL */
	const char		*in_reply_to;	/* "<id>", or NULL */
	const char		*extra;		/* more fields, "Name: value"
						   lines ended by LF, or NULL */
	const struct attach_list *attach;	/* files, or NULL */
};

/*
 * Build the message text: From, To, Cc, Date, Message-ID, MIME-Version,
 * Subject (RFC 2047 when not ASCII), Reply-To, In-Reply-To and the extra
 * fields when given (one tern writes itself, or Bcc, is refused), a text/plain body in UTF-8 with
 * Content-Transfer-Encoding 7bit when ASCII and 8bit otherwise; CRLF line
 * ends.  With attachments, the text is the first part of a
 * multipart/mixed built with libetpan's mailmime, each file a part of
 * its own (base64 unless it is text in lines MIME allows), its name in
 * the Content-Disposition (RFC 2231 when not ASCII, with an ASCII name
 * beside it).  Refuses (ERR_INPUT) CR or LF in a header value, invalid UTF-8,
 * and NUL in the body.  Returns a new string (caller frees) with its
 * length in *len, or NULL with *errp set.
 */
char	*msg_build(const struct msg_draft *, size_t *, struct err **);

/*
 * A message as msg_build_parts makes it: its header fields and the blank
 * line in head (the whole text when it has attachments or a
 * quoted-printable body), then a 7bit or 8bit body borrowed from the
 * draft, which msg_built_write gives CRLF line ends as it writes.
 */
struct msg_built {
	char		*head;		/* new string */
	size_t		 headlen;
	const char	*body;		/* the draft's, or NULL */
	size_t		 bodylen;
	int		 body_eol;	/* a CRLF follows its last line */
	size_t		 len;		/* the length of the whole text */
};

/*
 * msg_build without the copy of the body: checks and header as
 * msg_build, one pass over the body; 0, or -1 with *errp.  The draft's
 * body must outlive mb.  Free with msg_built_clear.
 */
int	 msg_build_parts(const struct msg_draft *, struct msg_built *,
	    struct err **);
/*
 * Write the text (mb->len bytes in all) through put, in pieces of at
 * most 256 KiB, in order; put returns 0, or -1 to stop.  0 or -1.
 */
int	 msg_built_write(const struct msg_built *,
	    int (*)(void *, const char *, size_t), void *);
void	 msg_built_clear(struct msg_built *);
/*
 * Make a message fit a server without 8BITMIME: an 8bit single-part body
 * becomes quoted-printable (Content-Transfer-Encoding changed to match,
 * MIME-Version and a text/plain Content-Type added when missing).  Returns
 * a new string with CRLF line ends (its length in the size_t), or NULL
 * when there is nothing to do: the body is 7-bit or already encoded, or
 * the message is multipart or message/ *.  Header fields are not touched.
 */
char	*msg_to_7bit(const char *, size_t, size_t *);
/*
 * Prepare text for DATA: LF or CR alone become CRLF, NUL bytes are
 * refused (ERR_INPUT), and a final line end is removed (libetpan adds
 * "\r\n.\r\n" itself; dot-stuffing is done by libetpan).  New string.
 */
char	*msg_wire(const char *, size_t, size_t *, struct err **);
/*
 * 1 when the text already is what msg_wire would make (CRLF line ends
 * only, no NUL), so it can be sent without a copy: *wirelen is then its
 * length without the final line end.  0 otherwise.
 */
int	 msg_wire_ready(const char *, size_t, size_t *);
/*
 * The first LF that a "." follows in the n bytes at s (a line that must
 * be dot-stuffed), or NULL; eight bytes at a time.
 */
const char *msg_next_dot(const char *, size_t);
/*
 * Read a whole message (sendmail): msg_prepare_with with the From to add
 * deffrom and recipients (To, Cc, Bcc; Resent- ones when present)
 * appended to rcpts when rcpts is not NULL.
 */
char	*msg_prepare(const char *, size_t, const char *, struct addr_list *,
	    size_t *, struct err **);

/* What msg_prepare_with is given and what it finds; strings borrowed. */
struct msg_prep {
	const char		*from;		/* From to add, "Name <addr>" */
	const char		*fullname;	/* sendmail -F: its name, or NULL */
	const char		*maildomain;	/* for bare local parts, or NULL */
	struct addr_list	*rcpts;		/* -t: recipients appended, or
						   NULL (not collected) */
	char			*sender;	/* out: the From header's first
						   address, or the From added
						   (new string, caller frees) */
};

/*
 * Read a whole message as sendmail does: with o->rcpts, collect the
 * addresses of To, Cc and Bcc (only Resent-To, Resent-Cc and Resent-Bcc
 * when the message has Resent- fields, RFC 5322 3.6.6); bare local parts
 * qualified with o->maildomain.  Every Bcc and Resent-Bcc field is
 * removed from the text.  Date and Message-ID are added when missing,
 * and From from o->from (its name replaced by o->fullname when set).  A
 * header line over 998 octets is folded at white space (refused,
 * ERR_INPUT, when a run without white space is too long); a body with a
 * line over 998 octets is sent quoted-printable (RFC 5322 2.1.1), MIME
 * headers added (refused when it is multipart or already encoded).  Line
 * ends become CRLF; NUL is refused.  Returns the new text (length in
 * *outlen) or NULL with *errp.
 */
char	*msg_prepare_with(const char *, size_t, struct msg_prep *, size_t *,
	    struct err **);
/*
 * msg_prepare_with without the copy of the body: the new header in
 * mb->head, the body borrowed from the text (which must outlive mb) and
 * given CRLF line ends by msg_built_write; a quoted-printable body is in
 * mb->head with the header.  0, or -1 with *errp.
 */
int	 msg_prepare_parts(const char *, size_t, struct msg_prep *,
	    struct msg_built *, struct err **);
/*
 * The value of the first header field called name (case-insensitive),
 * unfolded, RFC 2047 words decoded to UTF-8 and sanitized; a new string,
 * or NULL when there is none.
 */
char	*msg_header(const char *, size_t, const char *);
/*
 * The body of a message as a person should read it: the first text/plain
 * part (so text/plain wins in multipart/alternative), else the first
 * text part of another subtype; a message without MIME is one text/plain
 * part.  Its Content-Transfer-Encoding (quoted-printable, base64, 7bit,
 * 8bit, binary) is decoded, its charset converted to UTF-8 (text in a
 * charset iconv does not know is kept as it is), CRLF and CR alone become
 * LF, and the result is sanitized as by text_sanitize (control characters
 * and invalid UTF-8 become '?', tabs spaces, newlines kept).  Returns a
 * new string (caller frees) with its length in *outlen when outlen is not
 * NULL, or NULL when the text does not parse as MIME or has no text part:
 * the caller then shows the raw body.
 */
char	*msg_body_text(const char *, size_t, size_t *);
/*
 * The files attached to a message (every part but the body text that has
 * a file name or is not text), decoded, appended to l (path NULL; names
 * from RFC 2231 filename*, filename or name, sanitized).  Returns l->n.
 */
size_t	 msg_attachments(const char *, size_t, struct attach_list *);
/* Is there any 8-bit byte in the text? */
int	 msg_is_8bit(const char *, size_t);
/*
 * A new Message-ID value "<...@domain>" for a From domain (128 random
 * bits from getrandom(2)); "localhost" when domain is NULL or empty.
 * Caller frees.
 */
char	*msg_new_id(const char *);
/*
 * Encode valid UTF-8 header text as RFC 2047 encoded words
 * (=?UTF-8?Q?...?= or, when shorter, =?UTF-8?B?...?=) separated by
 * spaces.  No word is longer than 75 characters and no UTF-8 character
 * is split between words.  New string, caller frees.
 */
char	*msg_rfc2047(const char *);

#endif
