/* libetpan's SMTP client, behind one wrapper. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include <libetpan/libetpan.h>

#include "etpan.h"

/*
 * Exported by libetpan 1.9.4 (src/low-level/smtp/mailsmtp.c) but missing
 * from its headers: raw commands, for MAIL FROM parameters libetpan does
 * not know (BODY, SMTPUTF8, REQUIRETLS) and for pipelining; the reply
 * reader; the EHLO parser, for the AUTH flags mailsmtp_auth needs.
 */
int	mailsmtp_send_command(mailsmtp *, char *);
int	mailsmtp_send_command_private(mailsmtp *, char *);
int	mailsmtp_read_response(mailsmtp *);
int	mailesmtp_parse_ehlo(mailsmtp *);

/* A raw command. */
int
etpan_smtp_send(mailsmtp *m, const char *cmd)
{
	/* libetpan takes char * but only writes it out. */
	return mailsmtp_send_command(m, (char *)(uintptr_t)cmd) == -1 ? -1 :
	    0;
}

/* A raw command libetpan must not log. */
int
etpan_smtp_send_private(mailsmtp *m, const char *cmd)
{
	return mailsmtp_send_command_private(m, (char *)(uintptr_t)cmd) ==
	    -1 ? -1 : 0;
}

/* One reply. */
int
etpan_smtp_read(mailsmtp *m)
{
	return mailsmtp_read_response(m);
}

/* The EHLO answer, made safe for libetpan's parser first. */
void
etpan_smtp_parse_ehlo(mailsmtp *m)
{
	char	*p;

	/* m->response points into m->response_buffer, which we may change. */
	for (p = m->response; p != NULL && *p != '\0'; p++)
		if (*p == '\t' || *p == '\r')
			*p = ' ';
	(void)mailesmtp_parse_ehlo(m);
}

/* Forget what EHLO said. */
void
etpan_smtp_forget_ehlo(mailsmtp *m)
{
	/* m->esmtp: libetpan's "EHLO was answered" flags. */
	m->esmtp = 0;
	/* m->auth: the AUTH mechanisms flags mailsmtp_auth chooses from. */
	m->auth = MAILSMTP_AUTH_NOT_CHECKED;
}

/* Forget the last reply's code. */
void
etpan_smtp_clear_code(mailsmtp *m)
{
	m->response_code = 0;
}

/* The last reply's code. */
int
etpan_smtp_code(const mailsmtp *m)
{
	/* m->response_code: set by every read, 0 when the stream broke. */
	return m != NULL ? m->response_code : 0;
}

/* The last reply's text. */
const char *
etpan_smtp_text(const mailsmtp *m)
{
	/* m->response: the reply lines without codes, '\n' after each. */
	return m != NULL ? m->response : NULL;
}

/* The AUTH flags. */
int
etpan_smtp_auth_flags(const mailsmtp *m)
{
	return m->auth;
}

/* The stream. */
mailstream *
etpan_smtp_stream(const mailsmtp *m)
{
	/* m->stream: libetpan sets it to NULL when it closes the stream. */
	return m != NULL ? m->stream : NULL;
}

/* Give the session a stream. */
void
etpan_smtp_set_stream(mailsmtp *m, mailstream *s)
{
	m->stream = s;
}

/* What libetpan read ahead. */
size_t
etpan_stream_pending(const mailstream *s)
{
	/* s->read_buffer_len: bytes read from the socket, not yet parsed. */
	return s->read_buffer_len;
}
