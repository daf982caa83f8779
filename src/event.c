/* Delivery progress events. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "event.h"
#include "record.h"
#include "xmalloc.h"

static const char *event_names[EVENT_LAST] = {
	"resolve", "connecting", "connected", "greeting", "ehlo", "starttls",
	"tls", "plaintext", "auth", "mail", "rcpt", "data", "progress",
	"outcome", "info", "warning"
};

/* Name of an event type. */
const char *
event_type_name(enum event_type t)
{
	if (t >= EVENT_LAST)
		return "unknown";
	return event_names[t];
}

/* One line for the CLI's -v output. */
char *
event_format(const struct event *e)
{
	struct buf		 b = BUF_INIT;
	const struct tls_facts	*t = e->tls;
	const struct record	*r = e->record;

	if (e->server != NULL) {
		buf_adds(&b, e->server);
		if (e->address != NULL && strcmp(e->address, e->server) != 0)
			buf_addf(&b, " [%s]", e->address);
		if (e->port > 0)
			buf_addf(&b, ":%d", e->port);
		buf_adds(&b, ": ");
	}
	switch (e->type) {
	case EVENT_RESOLVE:
		buf_addf(&b, "looking up %s", e->text != NULL ? e->text : "");
		break;
	case EVENT_CONNECTING:
		buf_adds(&b, "connecting");
		break;
	case EVENT_CONNECTED:
		buf_adds(&b, "connected");
		break;
	case EVENT_TLS:
		if (t == NULL)
			break;
		{
			char	*sum = tls_facts_summary(t, TLS_SUMMARY_FULL);

			buf_addf(&b, "TLS established: %s", sum);
			free(sum);
		}
		break;
	case EVENT_PLAINTEXT:
		buf_addf(&b, "no TLS: %s", e->text != NULL ? e->text : "");
		break;
	case EVENT_PROGRESS:
		buf_addf(&b, "DATA %zu/%zu bytes", e->done, e->total);
		break;
	case EVENT_OUTCOME:
		if (r == NULL)
			break;
		buf_addf(&b, "%s: %s", r->recipient,
		    outcome_name(r->outcome));
		if (r->reason != NULL)
			buf_addf(&b, " (%s)", r->reason);
		break;
	default:
		buf_adds(&b, event_type_name(e->type));
		if (e->recipient != NULL)
			buf_addf(&b, " %s", e->recipient);
		if (e->code != 0)
			buf_addf(&b, " %d", e->code);
		if (e->text != NULL && *e->text != '\0')
			buf_addf(&b, " %s", e->text);
		break;
	}
	return buf_steal(&b);
}
