/* One line per outcome, for a log file and syslog. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "err.h"
#include "outlog.h"
#include "xmalloc.h"

static int	outlog_facility(const char *);

/* The log words of one outcome. */
char *
outlog_line(const char *account, const char *from, const struct record *r)
{
	struct buf	b = BUF_INIT;
	int		ok = outcome_delivered(r->outcome);

	buf_addf(&b, "account=%s from=%s recipient=%s outcome=%s",
	    account != NULL ? account : "default", from != NULL ? from : "",
	    r->recipient != NULL ? r->recipient : "",
	    outcome_name(r->outcome));
	if (r->kind != REASON_NONE)
		buf_addf(&b, " kind=%s", reason_kind_name(r->kind));
	if (r->server != NULL)
		buf_addf(&b, " server=%s", r->server);
	if (r->address != NULL)
		buf_addf(&b, " address=%s port=%d", r->address, r->port);
	if (r->tls.used)
		buf_addf(&b, " tls=%s cipher=%s verified=%s%s%s%s",
		    r->tls.version, r->tls.cipher, r->tls.method !=
		    VERIFY_NONE ? "yes" : "no", r->tls.method != VERIFY_NONE ?
		    " verify_method=" : "", verify_method_name(r->tls.method),
		    r->tls.resumed ? " resumed=yes" : "");
	else
		buf_adds(&b, " tls=no");
	if (r->resent)
		buf_adds(&b, " resent=yes");
	if (r->reason != NULL)
		buf_addf(&b, " reason=\"%s\"", r->reason);
	if (r->reply != NULL)
		buf_addf(&b, " reply=\"%s\"", r->reply);
	buf_addf(&b, " exitcode=%s", ok ? "EX_OK" :
	    r->outcome == OUTCOME_FAILED ? "EX_UNAVAILABLE" : "EX_TEMPFAIL");
	return buf_steal(&b);
}

/* Append a timed line to a log file. */
int
outlog_append(const char *path, const char *line, struct err **errp)
{
	struct tm	 tm;
	time_t		 t = time(NULL);
	char		 when[40], *all;
	size_t		 len, off = 0;
	ssize_t		 w;
	int		 fd, rv = 0;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		return err_set(errp, ERR_STORE, 0, "logfile %s: %s", path,
		    strerror(errno));
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S%z", &tm);
	all = xasprintf("%s %s\n", when, line);
	/* One write: lines of concurrent processes do not mix. */
	len = strlen(all);
	while (off < len) {
		if ((w = write(fd, all + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			rv = err_set(errp, ERR_STORE, 0, "logfile %s: %s",
			    path, strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	free(all);
	if (close(fd) == -1 && rv == 0)
		rv = err_set(errp, ERR_STORE, 0, "logfile %s: %s", path,
		    strerror(errno));
	return rv;
}

/* syslog(3)'s facility for a name. */
static int
outlog_facility(const char *name)
{
	static const struct {
		const char	*name;
		int		 fac;
	} facs[] = {
		{ "mail", LOG_MAIL }, { "user", LOG_USER },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
		{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};
	size_t	i;

	for (i = 0; i < sizeof facs / sizeof facs[0]; i++)
		if (strcasecmp(name, facs[i].name) == 0)
			return facs[i].fac;
	return LOG_MAIL;
}

/* Log a message's outcomes where the config says. */
int
outlog_records(const struct conf *c, const char *from,
    const struct record *r, size_t n, struct err **errp)
{
	char	*line;
	size_t	 i;
	int	 rv = 0;

	if (c->logfile == NULL && c->syslog == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		line = outlog_line(c->name, from, &r[i]);
		if (c->logfile != NULL && rv == 0 &&
		    outlog_append(c->logfile, line, errp) == -1)
			rv = -1;
		if (c->syslog != NULL)
			syslog(outlog_facility(c->syslog) |
			    (outcome_delivered(r[i].outcome) ? LOG_INFO :
			    r[i].outcome == OUTCOME_FAILED ? LOG_ERR :
			    LOG_NOTICE), "%s", line);
		free(line);
	}
	return rv;
}
