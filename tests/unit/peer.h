/*
 * peer: a scripted SMTP server in the test's own process, for the unit
 * tests of the session, the delivery engine and the outbox.  A thread
 * listens on 127.0.0.1 (a port of its own), plays a script of steps
 * (accept, expect a command and answer, read the message, close) and
 * records every line it received, so a test can assert the exact
 * commands a client sent.
 *
 * The peer never asserts (cmocka's asserts belong to the test's thread):
 * the first step that does not match is kept as words (peer_error), the
 * connection is closed and the script stops there.  A connection after
 * the script's end is a failure too (peer_error), so "nothing more was
 * sent" is checked by peer_end, not by waiting.  Each wait of the peer
 * is on the client's socket and the stop pipe at once, and what the
 * client did before peer_end is always handled before the stop: no
 * timing decides a result.
 */
#ifndef TERN_TEST_PEER_H
#define TERN_TEST_PEER_H

#include <stddef.h>

struct peer;

enum peer_op {
	PEER_ACCEPT,	/* accept a connection, send text (the greeting) */
	PEER_LINE,	/* read lines, each starting with its prefix in arg
			   ('\n' between several: all are read before the
			   reply, which is how pipelining is checked) */
	PEER_BODY,	/* read the message up to its "." line, then reply */
	PEER_BODY_EOF,	/* read the message; the client must close before
			   its "." line (recorded as "<eof>") */
	PEER_EOF,	/* the client closes ("<eof>"): nothing else comes */
	PEER_RAW,	/* read some bytes, whatever they are (a ClientHello),
			   then send text */
	PEER_SEND,	/* send text */
	PEER_CLOSE,	/* close the connection from the server's side */
	PEER_END	/* the script's end: no further connection allowed */
};

struct peer_step {
	enum peer_op	 op;
	const char	*arg;		/* LINE: the expected prefix(es) */
	const char	*text;		/* sent after the step, or NULL */
	/*
	 * Called from the peer's thread once the step has read what it
	 * expects, before text goes out (the client is waiting then): for a
	 * look at the client's state at that moment.  May be NULL.
	 */
	void		(*hook)(struct peer *, void *);
};

#define P_GREET(t)		{ PEER_ACCEPT, NULL, (t), NULL }
#define P_GREET_HOOK(t, h)	{ PEER_ACCEPT, NULL, (t), (h) }
#define P_LINE(c, t)		{ PEER_LINE, (c), (t), NULL }
#define P_LINE_HOOK(c, t, h)	{ PEER_LINE, (c), (t), (h) }
#define P_BODY(t)		{ PEER_BODY, NULL, (t), NULL }
#define P_BODY_EOF		{ PEER_BODY_EOF, NULL, NULL, NULL }
#define P_EOF			{ PEER_EOF, NULL, NULL, NULL }
#define P_RAW(t)		{ PEER_RAW, NULL, (t), NULL }
#define P_SEND(t)		{ PEER_SEND, NULL, (t), NULL }
#define P_CLOSE			{ PEER_CLOSE, NULL, NULL, NULL }
#define P_END			{ PEER_END, NULL, NULL, NULL }

/*
 * Listen and start playing the script (borrowed: keep it alive, ending
 * with P_END); ctx is passed to the hooks.  Aborts the test program when
 * the socket or the thread cannot be made.
 */
struct peer	*peer_start(const struct peer_step *, void *);
/* The port it listens on. */
int		 peer_port(const struct peer *);
/*
 * Stop the peer once it has handled everything the client did so far,
 * and wait for its thread.  Returns the first failure in words (a
 * mismatch, an unfinished script, a connection after the end), borrowed
 * from the peer, or NULL when the client did exactly what the script
 * says.
 */
const char	*peer_end(struct peer *);
void		 peer_free(struct peer *);

/*
 * What the peer received, usable from any thread at any time: every
 * line in order, "." for a message's final dot and "<eof>" where a
 * client closed, joined with '\n' (a new string: the caller frees).
 * The message lines themselves are kept apart (peer_body).
 */
char		*peer_lines(struct peer *);
/* How many received lines start with prefix. */
size_t		 peer_count(struct peer *, const char *);
/* Connections accepted. */
int		 peer_connections(struct peer *);
/*
 * For a hook (the peer's thread): bytes the client has sent that the
 * script has not read yet.  With the client waiting for the step's
 * reply, anything here was sent too early.
 */
size_t		 peer_pending(struct peer *);
/* The last message received (dot-unstuffed, '\n' line ends; new string). */
char		*peer_body(struct peer *);

#endif
