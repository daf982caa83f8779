/*
 * err: errors as values with words.  A failing function sets *errp to a new
 * struct err (when errp is not NULL and *errp is still NULL: the first error
 * wins) and returns -1; on success *errp is untouched.  The caller frees it
 * with err_free().  Messages are meant for the user: say what failed and
 * what to do.  They never contain a secret.
 */
#ifndef TERN_ERR_H
#define TERN_ERR_H

enum err_class {
	ERR_INTERNAL,		/* a bug or a system failure */
	ERR_CONFIG,		/* broken configuration (EX_CONFIG) */
	ERR_INPUT,		/* bad input from the user (EX_DATAERR) */
	ERR_CONNECTION,		/* could not reach or lost the server */
	ERR_PROTOCOL,		/* the server broke the protocol */
	ERR_FEATURE,		/* the server lacks something we need */
	ERR_REJECTED,		/* the server said no */
	ERR_POLICY,		/* our policy forbids it (TLS required, ...) */
	ERR_STORE,		/* the store or the disk */
	ERR_LAST
};

struct err {
	enum err_class	 cls;
	int		 temporary;	/* 1: retrying later may work */
	int		 code;		/* SMTP code, 0 when none */
	char		*reply;		/* server reply (sanitized), or NULL */
	char		*msg;		/* words for the user */
};

/* Set *errp (if errp and not already set) to a new error; returns -1. */
int	 err_set(struct err **, enum err_class, int, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
/* As err_set, with the SMTP code and (copied, sanitized) reply. */
int	 err_set_reply(struct err **, enum err_class, int, int, const char *,
	    const char *, ...) __attribute__((format(printf, 6, 7)));
/* Free an error; NULL-safe. */
void	 err_free(struct err *);
/* Name of a class ("connection", ...). */
const char *err_class_name(enum err_class);

#endif
