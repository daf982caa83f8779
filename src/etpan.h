/*
 * etpan: libetpan's SMTP client as tern uses it, in one place (STYLE.md
 * 19).  The session reads a reply's code and text, the stream and the
 * AUTH flags only through these functions, and the few functions
 * libetpan 1.9.4 exports without declaring them are declared here once
 * (configure checks that the library has them).  Tested with libetpan
 * 1.9.4 (Debian 12).
 */
#ifndef TERN_ETPAN_H
#define TERN_ETPAN_H

#include <libetpan/libetpan.h>

/* Write a raw command (with its CRLF); 0, or -1 on a broken stream. */
int		 etpan_smtp_send(mailsmtp *, const char *);
/* The same, kept out of libetpan's logger (AUTH lines: a secret). */
int		 etpan_smtp_send_private(mailsmtp *, const char *);
/* Read one reply; its code, or 0 when the stream broke. */
int		 etpan_smtp_read(mailsmtp *);
/*
 * Parse the last reply as an EHLO answer (libetpan's AUTH flags).  Tabs
 * and lone CRs become spaces first: libetpan's parser loops forever on
 * either after an unknown mechanism.
 */
void		 etpan_smtp_parse_ehlo(mailsmtp *);
/* Forget what EHLO said (after STARTTLS, RFC 3207 4.2; after HELO). */
void		 etpan_smtp_forget_ehlo(mailsmtp *);
/* Forget the last reply's code (before a step that may read none). */
void		 etpan_smtp_clear_code(mailsmtp *);
/* The last reply's code (0: none) and text (lines joined by '\n'). */
int		 etpan_smtp_code(const mailsmtp *);
const char	*etpan_smtp_text(const mailsmtp *);
/* libetpan's AUTH flags from the last EHLO (MAILSMTP_AUTH_*). */
int		 etpan_smtp_auth_flags(const mailsmtp *);
/* The session's stream (NULL once libetpan closed it); set it. */
mailstream	*etpan_smtp_stream(const mailsmtp *);
void		 etpan_smtp_set_stream(mailsmtp *, mailstream *);
/* Bytes libetpan has read from the stream and not yet parsed. */
size_t		 etpan_stream_pending(const mailstream *);

#endif
