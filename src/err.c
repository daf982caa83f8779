/* Errors as values. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>

#include "err.h"
#include "text.h"
#include "xmalloc.h"

static const char *err_class_names[ERR_LAST] = {
	"internal", "config", "input", "connection", "protocol", "feature",
	"rejected", "policy", "store"
};

static int	err_vset(struct err **, enum err_class, int, int, const char *,
		    const char *, va_list);

/* Fill a new error unless one is already set. */
static int
err_vset(struct err **errp, enum err_class cls, int temporary, int code,
    const char *reply, const char *fmt, va_list ap)
{
	struct err	*e;

	if (errp == NULL || *errp != NULL)
		return -1;
	e = xcalloc(1, sizeof *e);
	e->cls = cls;
	e->temporary = temporary;
	e->code = code;
	e->reply = reply != NULL ? text_sanitize(reply) : NULL;
	e->msg = xvasprintf(fmt, ap);
	*errp = e;
	return -1;
}

/* Set an error without a server reply. */
int
err_set(struct err **errp, enum err_class cls, int temporary,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	err_vset(errp, cls, temporary, 0, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

/* Set an error carrying a server reply. */
int
err_set_reply(struct err **errp, enum err_class cls, int temporary, int code,
    const char *reply, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	err_vset(errp, cls, temporary, code, reply, fmt, ap);
	va_end(ap);
	return -1;
}

/* Free an error. */
void
err_free(struct err *e)
{
	if (e == NULL)
		return;
	free(e->reply);
	free(e->msg);
	free(e);
}

/* Name of an error class. */
const char *
err_class_name(enum err_class cls)
{
	if (cls >= ERR_LAST)
		return "unknown";
	return err_class_names[cls];
}
