/*
 * event: progress of a delivery, reported through a callback as it happens
 * (from worker threads in direct mode: the callback must be thread-safe).
 * Every pointer in an event is borrowed for the duration of the call.
 */
#ifndef TERN_EVENT_H
#define TERN_EVENT_H

#include <stddef.h>

struct record;
struct tls_facts;

enum event_type {
	EVENT_RESOLVE,		/* looking up MX/A for a domain */
	EVENT_CONNECTING,	/* TCP connect to server/address:port */
	EVENT_CONNECTED,
	EVENT_GREETING,		/* 220 banner: code + text */
	EVENT_EHLO,		/* EHLO answered: text = extensions */
	EVENT_STARTTLS,		/* STARTTLS sent / answered */
	EVENT_TLS,		/* TLS established: tls facts */
	EVENT_PLAINTEXT,	/* going on without TLS: text = why */
	EVENT_AUTH,		/* AUTH result */
	EVENT_MAIL,		/* MAIL FROM answered */
	EVENT_RCPT,		/* RCPT TO answered: recipient + code + text */
	EVENT_DATA,		/* DATA started */
	EVENT_PROGRESS,		/* DATA bytes sent: done/total */
	EVENT_OUTCOME,		/* a recipient's outcome: record */
	EVENT_INFO,		/* anything else worth saying: text */
	EVENT_WARNING,		/* a problem to show even when quiet: text */
	EVENT_LAST
};

struct event {
	enum event_type		 type;
	const char		*server;	/* host name, may be NULL */
	const char		*address;	/* IP address, may be NULL */
	int			 port;
	const char		*recipient;	/* may be NULL */
	int			 code;		/* SMTP code or 0 */
	const char		*text;		/* sanitized, may be NULL */
	size_t			 done, total;	/* EVENT_PROGRESS */
	const struct tls_facts	*tls;		/* EVENT_TLS */
	const struct record	*record;	/* EVENT_OUTCOME */
};

typedef void (*event_cb)(const struct event *, void *);

const char	*event_type_name(enum event_type);
/* One line describing the event for a log or the CLI; caller frees. */
char		*event_format(const struct event *);

#endif
