/*
 * outlog: one line per recipient outcome for a log file (logfile =,
 * sendmail -X) and syslog (syslog =), as msmtp writes them.  Lines hold
 * no secret: the account, sender, recipient, outcome, server, TLS, the
 * reason and the server's reply (both sanitized when they were made).
 */
#ifndef TERN_OUTLOG_H
#define TERN_OUTLOG_H

#include <stddef.h>

#include "record.h"

struct conf;
struct err;

/*
 * "account=A from=F recipient=R outcome=O server=... tls=... reason="..."
 * reply="..." exitcode=EX_..." for one record; a new string.
 */
char	*outlog_line(const char *, const char *, const struct record *);
/*
 * Append "TIME LINE\n" to the file at path (created 0600, never through a
 * symbolic link); 0, or -1 with *errp (ERR_STORE) naming the file.
 */
int	 outlog_append(const char *, const char *, struct err **);
/*
 * Log n outcomes of a message from sender as the account's config says:
 * to its logfile and to syslog.  0, or -1 with *errp when the logfile
 * could not be written (syslog never fails).
 */
int	 outlog_records(const struct conf *, const char *,
	    const struct record *, size_t, struct err **);

#endif
