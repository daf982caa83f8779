/*
 * msg-int: what the files of the msg module (msg.c, msg-prep.c,
 * msg-body.c) share.  Not for other modules: msg.h is the interface.
 */
#ifndef TERN_MSG_INT_H
#define TERN_MSG_INT_H

#include <stddef.h>
#include <stdint.h>

struct addr;
struct addr_list;
struct buf;
struct err;

/* RFC 5322: a line is at most 998 octets without its CRLF. */
#define MSG_LINE_MAX	998

/* One header field of a message: its lines without the final line end. */
struct msg_field {
	size_t	off;
	size_t	len;
	size_t	namelen;
	int	line;
};

/* The header of a message, split into fields. */
struct msg_head {
	struct msg_field	*v;
	size_t			 n;
	size_t			 body;	/* offset of the body */
};

/*
 * The bytes of w (eight, in memory order on a little-endian machine) that
 * are c, as the high bit of each such byte; exact (no false hits).
 */
static inline uint64_t
msg_bytes_eq(uint64_t w, unsigned char c)
{
	const uint64_t	low7 = 0x7f7f7f7f7f7f7f7fULL;
	uint64_t	t = w ^ (0x0101010101010101ULL * c);

	return ~(((t & low7) + low7) | t | low7);
}

/* Length of the line end at i (0 if none); *next gets the next line. */
size_t	 msg_eol(const char *, size_t, size_t, size_t *);

/*
 * The lines of a text, found with memchr (a big body is scanned at the
 * speed of memory, not a call per byte): CRLF, CR alone and LF alone
 * each end one line.  All pointers into the text, which is borrowed.
 */
struct msg_lines {
	const char	*p, *end;	/* the next line, the end of the text */
	const char	*cr, *lf;	/* the next CR and LF at or after p
					   (end: none), NULL before a search */
};

void	 msg_lines_init(struct msg_lines *, const char *, size_t);
/*
 * The next line: its start in *line, its length without the line end in
 * *n, the length of its line end in *eol (0 for a last line without one);
 * 1, or 0 after the last line.
 */
int	 msg_lines_next(struct msg_lines *, const char **, size_t *,
	    size_t *);

/* What one pass over a body finds (msg_scan). */
struct msg_scan {
	int	nul_line;	/* line (from 1) of the first NUL, or 0 */
	int	utf8;		/* valid UTF-8 */
	int	eightbit;	/* a byte with the high bit set */
	size_t	longest;	/* the longest line, without its end */
	size_t	crlf_len;	/* the length after msg_crlf */
	int	ends_eol;	/* the last line has a line end (or empty) */
};

/* Scan a body once for what msg_build and msg-prep must know of it. */
void	 msg_scan(const char *, size_t, struct msg_scan *);

/* Append text with every CR, LF and CRLF made CRLF. */
void	 msg_crlf(struct buf *, const char *, size_t);

/* Append text with every CR, LF and CRLF made eol. */
void	 msg_eols(struct buf *, const char *, size_t, const char *);

/*
 * Refuse a header value with a line break or invalid UTF-8: -1 with
 * *errp (what names the field in the message), else 0.
 */
int	 msg_check_header(const char *, const char *, struct err **);

/* Quoted-printable encode a text (any line ends); every line ends CRLF. */
void	 msg_qp(struct buf *, const char *, size_t);

/* Length of the longest line (any line end). */
size_t	 msg_longest_line(const char *, size_t);

/* Line number (from 1) of the first NUL byte, or 0. */
int	 msg_nul_line(const char *, size_t);

/*
 * Split the header block of s into fields in *h (h->v allocated, the
 * caller frees it); -1 on a bad line (its number in h->n, h->v NULL).
 */
int	 msg_head_parse(const char *, size_t, struct msg_head *);

/* Is the field called name (case-insensitive)? */
int	 msg_field_is(const char *, const struct msg_field *, const char *);

/* The unfolded, trimmed value of a field (new string). */
char	*msg_field_value(const char *, const struct msg_field *);

/*
 * Write header fields with libetpan into b: Date (when date is set),
 * From, To, Cc, Message-ID and Subject, each when given.  0, or -1 with
 * *errp.
 */
int	 msg_write_fields(struct buf *, const struct addr *,
	    const struct addr_list *, const struct addr_list *, int,
	    const char *, const char *, struct err **);

#endif
