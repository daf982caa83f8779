/* Sending through the store. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"
#include "deliver.h"
#include "err.h"
#include "maildir.h"
#include "mtasts.h"
#include "nexthop.h"
#include "msg.h"
#include "outbox.h"
#include "outlog.h"
#include "secret.h"
#include "store.h"
#include "xmalloc.h"

struct outbox_prep;
struct outbox_flush_ctx;

static int	outbox_collect(const struct store_msg *, void *);
static char	*outbox_signature(const struct conf *, const char *, size_t,
		    struct err **);
static int	outbox_queue(const struct outbox_ctx *, const char *,
		    const char *, const char **, size_t, const char *, size_t,
		    long long, long long *, struct err **);
static void	outbox_published(const struct outbox_ctx *,
		    struct deliver_req *, struct deliver_sts *,
		    struct deliver_hop *);
static int	outbox_sts_lookup(void *, const struct conf *, const char *,
		    struct mtasts_policy *);
static int	outbox_fill(void *, store_put_fn, void *);
static int	outbox_hop_cached(void *, const struct conf *, const char *,
		    struct next_hop *);
static void	outbox_hop_lookup(void *, const struct conf *, const char *,
		    struct next_hop *);
static int	outbox_queue_built(const struct outbox_ctx *, const char *,
		    const char *, const char **, size_t,
		    const struct msg_built *, long long, long long *,
		    struct err **);
static int	outbox_memory_lookup(void *, const char *, int,
		    struct deliver_seen *);
static void	outbox_memory_update(void *, const char *, int,
		    const struct deliver_seen *);
static int	outbox_ticket_get(void *, const char *, int, const char *,
		    struct tls_ticket *);
static void	outbox_ticket_put(void *, const char *, int, const char *,
		    const struct tls_ticket *, const char *);
static void	outbox_fcc(const struct outbox_ctx *, long long, const char *,
		    size_t);
static int	outbox_before_dot(void *, const size_t *, size_t);
static int	outbox_settle(void *, const size_t *, size_t, struct record *);
static int	outbox_store(const struct outbox_ctx *, struct store_rcpt *,
		    const size_t *, size_t, struct record *, int *);
static void	outbox_mark_resent(struct record *);
static void	outbox_log(const struct outbox_ctx *, const char *,
		    const struct record *, size_t);
static size_t	outbox_expire(const struct outbox_ctx *, struct store_rcpt *,
		    size_t *, struct record **);
static char	*outbox_passcmd(const struct conf *, int, struct err **);
static int	outbox_prepare(const struct outbox_ctx *, long long,
		    struct outbox_prep *, struct err **);
static int	outbox_prepare_claimed(const struct outbox_ctx *, long long,
		    struct store_rcpt *, size_t, struct outbox_prep *,
		    struct err **);
static int	outbox_deliver(struct outbox_prep *, struct outbox_flush_ctx *,
		    struct record **, size_t *, struct err **);
static void	outbox_prep_free(struct outbox_prep *);
static int	outbox_next(void *, struct deliver_next *);

/*
 * A message claimed and ready to go: its account, claimed recipients
 * (those past queue_lifetime already failed into expired), text and
 * policies.  Made at its turn, or ahead by a flush while the message
 * before it is at its final dot (claim ahead, for pipelining).
 */
struct outbox_prep {
	long long		 id;
	struct outbox_ctx	 oc;		/* conf: the message's account */
	struct store_rcpt	*rc;
	size_t			 n;
	struct record		*expired;
	size_t			 nexp;
	char			*text;
	char			*from;
	size_t			 len;
	struct deliver_rcpt	*dr;
};

/* A flush: the queue and the message claimed ahead. */
struct outbox_flush_ctx {
	const struct outbox_ctx	*o;
	const long long		*ids;		/* the queue, oldest first */
	size_t			 n;
	size_t			 cur;		/* ids[cur] is being sent */
	struct outbox_prep	 ahead;
	int			 have_ahead;	/* ahead is ids[cur + 1] */
	int			 tried_ahead;
	/* ids[cur + 1]'s recipients, claimed with ids[cur]'s uncertain mark */
	struct store_rcpt	*pre_rc;
	size_t			 pre_n;
	int			 preclaimed;
};

/* One send's link between the engine and the store. */
struct outbox_send_ctx {
	const struct outbox_ctx	*o;
	struct store_rcpt	*rc;
	int			*stored;	/* record written */
	int			*hopless;	/* ... without its next hop */
	long long		*ids;		/* scratch */
	size_t			*idx;		/* scratch */
	struct outbox_flush_ctx	*flush;		/* NULL: not a flush */
};

/* Commit to the outbox. */
int
outbox_add(const struct outbox_ctx *o, const char *from, const char *subject,
    const char **rcpts, size_t n, const char *msg, size_t len, long long *id,
    struct err **errp)
{
	return outbox_queue(o, from, subject, rcpts, n, msg, len, 0, id, errp);
}

/* Commit a built message to the outbox, its body written in pieces. */
int
outbox_add_built(const struct outbox_ctx *o, const char *from,
    const char *subject, const char **rcpts, size_t n,
    const struct msg_built *mb, long long *id, struct err **errp)
{
	return outbox_queue_built(o, from, subject, rcpts, n, mb, 0, id,
	    errp);
}

/* Queue a message under o's account (and remove its draft, if any). */
static int
outbox_queue(const struct outbox_ctx *o, const char *from, const char *subject,
    const char **rcpts, size_t n, const char *msg, size_t len,
    long long draft, long long *id, struct err **errp)
{
	char	*msgid;
	int	 rv;

	msgid = msg_header(msg, len, "Message-ID");
	rv = store_outbox_add(o->store, from, subject, msg, len, rcpts, n,
	    o->conf->name, msgid, draft, id, NULL, errp);
	free(msgid);
	return rv;
}

/* store_outbox_fill's filler for a built message: its pieces in order. */
static int
outbox_fill(void *arg, store_put_fn put, void *putarg)
{
	return msg_built_write(arg, put, putarg);
}

/* outbox_queue of a built message, its body written in pieces. */
static int
outbox_queue_built(const struct outbox_ctx *o, const char *from,
    const char *subject, const char **rcpts, size_t n,
    const struct msg_built *mb, long long draft, long long *id,
    struct err **errp)
{
	char	*msgid;
	int	 rv;

	msgid = msg_header(mb->head, mb->headlen, "Message-ID");
	rv = store_outbox_fill(o->store, from, subject, mb->len, outbox_fill,
	    (void *)mb, rcpts, n, o->conf->name, msgid, draft, id, NULL,
	    errp);
	free(msgid);
	return rv;
}

/* Build, queue, and let the draft go: one service for both front ends. */
int
outbox_submit(const struct outbox_ctx *o, const struct msg_draft *d,
    long long draft, long long *id, struct err **errp)
{
	const struct addr_list	*lists[3] = { d->to, d->cc, d->bcc };
	struct msg_draft	 dd = *d;
	struct addr		 from;
	struct msg_built	 mb;
	const char		**v = NULL;
	char			*sig = NULL;
	size_t			 n = 0, i, j, k;
	int			 rv = -1;

	memset(&from, 0, sizeof from);
	memset(&mb, 0, sizeof mb);
	if (dd.from == NULL)
		dd.from = o->conf->from;
	/* The account's signature below "-- " (RFC 3676 4.3), once. */
	if (o->conf->signature != NULL && (sig = outbox_signature(o->conf,
	    dd.body != NULL ? dd.body : "", dd.body != NULL ? dd.bodylen : 0,
	    errp)) == NULL)
		return -1;
	if (sig != NULL) {
		dd.body = sig;
		dd.bodylen = strlen(sig);
	}
	if (dd.from == NULL || addr_parse(dd.from, &from, errp) == -1) {
		if (dd.from == NULL)
			err_set(errp, ERR_CONFIG, 0, "%s: no 'from' address; add "
			    "a line like: from = Your Name <you@example.org>",
			    o->conf->path != NULL ? o->conf->path : "config");
		return -1;
	}
	if (msg_build_parts(&dd, &mb, errp) == -1)
		goto out;
	for (k = 0; k < 3; k++)
		n += lists[k] != NULL ? lists[k]->n : 0;
	v = xcalloc(n > 0 ? n : 1, sizeof *v);
	for (n = 0, k = 0; k < 3; k++) {
		for (i = 0; lists[k] != NULL && i < lists[k]->n; i++) {
			for (j = 0; j < n; j++)
				if (strcmp(v[j], lists[k]->v[i].mailbox) == 0)
					break;
			if (j == n)
				v[n++] = lists[k]->v[i].mailbox;
		}
	}
	if (n == 0) {
		err_set(errp, ERR_INPUT, 0, "no recipient: give To, Cc or Bcc");
		goto out;
	}
	/* The draft leaves in the commit that makes the message safe. */
	if (outbox_queue_built(o, from.mailbox, d->subject, v, n, &mb, draft,
	    id, errp) == -1)
		goto out;
	rv = 0;
out:
	free(v);
	msg_built_clear(&mb);
	free(sig);
	addr_clear(&from);
	return rv;
}

/*
 * The body with the account's signature file below a "-- " line (a new
 * string), the body itself (a copy) when it has one already, or NULL
 * with *errp when the file cannot be read: a message is not sent without
 * the signature the user asked for.
 */
static char *
outbox_signature(const struct conf *c, const char *body, size_t len,
    struct err **errp)
{
	struct buf	 b = BUF_INIT;
	char		 chunk[4096];
	size_t		 r;
	FILE		*f;

	if (strncmp(body, "-- \n", 4) == 0 || strstr(body, "\n-- \n") != NULL)
		return xstrdup(body);
	if ((f = fopen(c->signature, "r")) == NULL) {
		err_set(errp, ERR_CONFIG, 0, "signature %s: %s (fix the "
		    "signature line of %s)", c->signature, strerror(errno),
		    c->path != NULL ? c->path : "the config");
		return NULL;
	}
	buf_add(&b, body, len);
	if (len > 0 && body[len - 1] != '\n')
		buf_addc(&b, '\n');
	buf_adds(&b, "-- \n");
	while ((r = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < 65536)
		buf_add(&b, chunk, r);
	fclose(f);
	return buf_steal(&b);
}

/* The effective policy of a recipient now. */
enum policy
outbox_policy(const struct outbox_ctx *o, const char *addr,
    enum policy_source *src)
{
	return conf_policy(o->conf, addr, o->store != NULL ?
	    store_contact_policy(o->store, addr) : POLICY_UNSET, src);
}

/* Collect a message id. */
static int
outbox_collect(const struct store_msg *m, void *arg)
{
	struct buf	*b = arg;

	buf_add(b, &m->id, sizeof m->id);
	return 0;
}

/*
 * Send the whole queue, oldest first, over kept connections; the next
 * message is claimed ahead at each final dot, so that its commands go
 * with that dot where the server offers PIPELINING.
 */
int
outbox_flush(const struct outbox_ctx *o, outbox_flush_cb fn, void *arg,
    struct err **errp)
{
	struct outbox_ctx	 oc = *o;
	struct outbox_flush_ctx	 fl;
	struct outbox_prep	 p;
	struct buf		 ids = BUF_INIT;
	struct record		*out;
	struct err		*e;
	long long		*v;
	size_t			 i, n, nrec;

	if (store_message_each(o->store, STORE_OUTBOX, 0, 0, outbox_collect,
	    &ids, errp) == -1)
		return -1;
	n = ids.len / sizeof *v;
	/* The list is newest first. */
	v = xcalloc(n > 0 ? n : 1, sizeof *v);
	for (i = 0; i < n; i++)
		memcpy(&v[i], ids.s + (n - 1 - i) * sizeof *v, sizeof *v);
	if (oc.pool == NULL)
		oc.pool = deliver_pool_new();
	memset(&fl, 0, sizeof fl);
	fl.o = &oc;
	fl.ids = v;
	fl.n = n;
	for (i = 0; i < n; i++) {
		if (o->stop != NULL && *o->stop)
			break;
		out = NULL;
		nrec = 0;
		e = NULL;
		fl.cur = i;
		fl.tried_ahead = 0;
		if (fl.have_ahead) {
			p = fl.ahead;
			fl.have_ahead = 0;
		} else if (fl.preclaimed) {
			/* Claimed ahead, not written ahead (no PIPELINING). */
			fl.preclaimed = 0;
			if (outbox_prepare_claimed(&oc, v[i], fl.pre_rc,
			    fl.pre_n, &p, &e) == -1) {
				if (fn != NULL)
					fn(v[i], NULL, 0, e, arg);
				err_free(e);
				continue;
			}
		} else if (outbox_prepare(&oc, v[i], &p, &e) == -1) {
			if (fn != NULL)
				fn(v[i], NULL, 0, e, arg);
			err_free(e);
			continue;
		}
		(void)outbox_deliver(&p, &fl, &out, &nrec, &e);
		outbox_prep_free(&p);
		if (fn != NULL && (nrec > 0 || e != NULL))
			fn(v[i], out, nrec, e, arg);
		record_free_array(out, nrec);
		err_free(e);
	}
	/* Stopped with a message claimed ahead: it stays queued. */
	if (fl.have_ahead) {
		(void)store_release(o->store, fl.ahead.id, NULL);
		record_free_array(fl.ahead.expired, fl.ahead.nexp);
		fl.ahead.expired = NULL;
		outbox_prep_free(&fl.ahead);
	}
	if (fl.preclaimed) {
		(void)store_release(o->store, v[fl.cur + 1], NULL);
		store_rcpts_free(fl.pre_rc, fl.pre_n);
	}
	if (o->pool == NULL)
		deliver_pool_free(oc.pool);
	free(v);
	buf_free(&ids);
	return 0;
}

/*
 * deliver's next hook: claim the flush's next message now (its
 * envelope, text and policies ready), while this one is at its final dot.
 */
static int
outbox_next(void *ctx, struct deliver_next *dn)
{
	struct outbox_send_ctx	*sc = ctx;
	struct outbox_flush_ctx	*fl = sc->flush;
	struct err		*e = NULL;

	if (fl == NULL || fl->cur + 1 >= fl->n ||
	    (fl->o->stop != NULL && *fl->o->stop))
		return 0;
	if (!fl->have_ahead) {
		if (fl->tried_ahead)
			return 0;
		fl->tried_ahead = 1;
		/* A failure is reported at its turn, when it is tried again. */
		if (fl->preclaimed) {
			fl->preclaimed = 0;
			if (outbox_prepare_claimed(fl->o, fl->ids[fl->cur + 1],
			    fl->pre_rc, fl->pre_n, &fl->ahead, &e) == -1) {
				err_free(e);
				return 0;
			}
		} else if (outbox_prepare(fl->o, fl->ids[fl->cur + 1],
		    &fl->ahead, &e) == -1) {
			err_free(e);
			return 0;
		}
		fl->have_ahead = 1;
	}
	if (fl->ahead.n == 0)
		return 0;
	dn->conf = fl->ahead.oc.conf;
	dn->from = fl->ahead.from != NULL ? fl->ahead.from : "";
	dn->rcpts = fl->ahead.dr;
	dn->n = fl->ahead.n;
	dn->msg = fl->ahead.text;
	dn->len = fl->ahead.len;
	return 1;
}

/* Probe the recipients' servers. */
int
outbox_probe(const struct outbox_ctx *o, const char **addrs, size_t n,
    struct record **outp, struct err **errp)
{
	struct deliver_req	 req;
	struct deliver_sts	 sts;
	struct deliver_hop	 hop;
	struct deliver_rcpt	*dr;
	struct record		*out;
	size_t			 i;
	int			 rv;

	dr = xcalloc(n, sizeof *dr);
	out = xcalloc(n, sizeof *out);
	for (i = 0; i < n; i++) {
		dr[i].addr = addrs[i];
		dr[i].policy = outbox_policy(o, addrs[i], &dr[i].source);
	}
	memset(&req, 0, sizeof req);
	req.conf = o->conf;
	req.from = "";
	req.rcpts = dr;
	req.n = n;
	req.ev = o->ev;
	req.ev_ctx = o->ev_ctx;
	req.password = o->password;
	req.password_ctx = o->password_ctx;
	req.verbose = o->verbose;
	req.probe = 1;
	/* The probe says what the domains publish and promise too. */
	outbox_published(o, &req, &sts, &hop);
	rv = deliver_run(&req, out, errp);
	free(dr);
	if (rv == -1) {
		free(out);
		out = NULL;
	}
	*outp = out;
	return rv;
}

/* Claim, deliver, record. */
int
outbox_send(const struct outbox_ctx *o, long long id, struct record **outp,
    size_t *np, struct err **errp)
{
	struct outbox_prep	p;
	int			rv;

	*outp = NULL;
	*np = 0;
	if (outbox_prepare(o, id, &p, errp) == -1)
		return -1;
	rv = outbox_deliver(&p, NULL, outp, np, errp);
	outbox_prep_free(&p);
	return rv;
}

/*
 * Claim message id's due recipients, fail those past queue_lifetime,
 * read its text and resolve each policy now: 0 (p->n may be 0: nothing
 * to send), or -1 with *errp (the claims given back).
 */
static int
outbox_prepare(const struct outbox_ctx *o, long long id,
    struct outbox_prep *p, struct err **errp)
{
	struct store_rcpt	*rc;
	size_t			 n;

	if (store_claim(o->store, id, o->due, &rc, &n, errp) == -1) {
		memset(p, 0, sizeof *p);
		return -1;
	}
	return outbox_prepare_claimed(o, id, rc, n, p, errp);
}

/* outbox_prepare once rc (n of them, now p's) are claimed. */
static int
outbox_prepare_claimed(const struct outbox_ctx *o, long long id,
    struct store_rcpt *rc, size_t n, struct outbox_prep *p,
    struct err **errp)
{
	const struct conf	*acct;
	char			*aname;
	size_t			 i;

	memset(p, 0, sizeof *p);
	p->id = id;
	p->rc = rc;
	p->n = n;
	if (p->n == 0)
		return 0;
	/* A queued message goes out through its own account. */
	if ((p->text = store_message_out(o->store, id, &p->len, &p->from,
	    &aname, errp)) == NULL)
		goto release;
	acct = conf_account(o->conf, aname);
	if (acct == NULL) {
		err_set(errp, ERR_CONFIG, 0, "message %lld was queued with the "
		    "account \"%s\", which %s no longer has: add it back, or "
		    "delete the message", id, aname, o->conf->path != NULL ?
		    o->conf->path : "the config");
		free(aname);
		goto release;
	}
	free(aname);
	p->oc = *o;
	p->oc.conf = acct;
	p->nexp = outbox_expire(&p->oc, p->rc, &p->n, &p->expired);
	if (p->n == 0)
		return 0;
	p->dr = xcalloc(p->n, sizeof *p->dr);
	for (i = 0; i < p->n; i++) {
		p->dr[i].addr = p->rc[i].address;
		p->dr[i].policy = outbox_policy(&p->oc, p->dr[i].addr,
		    &p->dr[i].source);
	}
	return 0;
release:
	(void)store_release(o->store, id, NULL);
	outbox_prep_free(p);
	return -1;
}

/* Free a prepared message (its expired records too, unless taken). */
static void
outbox_prep_free(struct outbox_prep *p)
{
	record_free_array(p->expired, p->nexp);
	store_rcpts_free(p->rc, p->n);
	free(p->dr);
	free(p->text);
	free(p->from);
	memset(p, 0, sizeof *p);
}

/* Deliver a prepared message and record every outcome. */
static int
outbox_deliver(struct outbox_prep *p, struct outbox_flush_ctx *fl,
    struct record **outp, size_t *np, struct err **errp)
{
	const struct outbox_ctx	*o = &p->oc;
	struct deliver_memory	 mem;
	struct deliver_sts	 sts;
	struct deliver_hop	 hop;
	struct deliver_req	 req;
	struct store_rcpt	*rc = p->rc, *now = NULL;
	struct record		*out = NULL;
	struct outbox_send_ctx	 sc;
	long long		 id = p->id;
	size_t			 n = p->n, nnow = 0, i, left, nexp = p->nexp;
	int			 rv = -1;

	*outp = NULL;
	*np = 0;
	if (n == 0) {
		if (nexp > 0) {
			outbox_log(o, NULL, p->expired, nexp);
			*outp = p->expired;
			*np = nexp;
			p->expired = NULL;
			p->nexp = 0;
		}
		return 0;
	}
	out = xcalloc(n, sizeof *out);
	mem.lookup = outbox_memory_lookup;
	mem.update = outbox_memory_update;
	mem.ticket_get = outbox_ticket_get;
	mem.ticket_put = outbox_ticket_put;
	mem.ctx = o->store;
	memset(&req, 0, sizeof req);
	req.conf = o->conf;
	req.from = p->from != NULL ? p->from : "";
	req.rcpts = p->dr;
	req.n = n;
	req.msg = p->text;
	req.len = p->len;
	req.ev = o->ev;
	req.ev_ctx = o->ev_ctx;
	req.password = o->password;
	req.password_ctx = o->password_ctx;
	req.memory = &mem;
	outbox_published(o, &req, &sts, &hop);
	req.verbose = o->verbose;
	req.pool = o->pool;
	req.stop = o->stop;
	memset(&sc, 0, sizeof sc);
	sc.o = o;
	sc.rc = rc;
	sc.flush = fl;
	sc.stored = xcalloc(n, sizeof *sc.stored);
	sc.hopless = xcalloc(n, sizeof *sc.hopless);
	sc.ids = xcalloc(n, sizeof *sc.ids);
	sc.idx = xcalloc(n, sizeof *sc.idx);
	req.before_dot = outbox_before_dot;
	req.settle = outbox_settle;
	req.next = fl != NULL ? outbox_next : NULL;
	req.hook_ctx = &sc;
	if (deliver_run(&req, out, errp) == -1) {
		free(out);
		free(sc.stored);
		free(sc.hopless);
		free(sc.ids);
		free(sc.idx);
		(void)store_release(o->store, id, NULL);
		return -1;
	}
	rv = 0;
	/*
	 * Those the server answered at the final dot are stored already;
	 * the rest now (and a settle that failed gets a second chance).
	 */
	for (left = 0, i = 0; i < n; i++)
		if (!sc.stored[i])
			sc.idx[left++] = i;
	if (outbox_store(o, rc, sc.idx, left, out, sc.stored) == -1) {
		/* One by one: a record that can be stored is not lost. */
		for (i = 0; i < left; i++)
			(void)outbox_store(o, rc, &sc.idx[i], 1, out,
			    sc.stored);
	}
	for (i = 0; i < n; i++) {
		out[i].unrecorded = !sc.stored[i];
		if (!sc.stored[i] && rv == 0) {
			err_set(errp, ERR_STORE, 1, "%s: tern could not record "
			    "the outcome of %s (is the disk full?): the next "
			    "flush tries it again", store_path(o->store),
			    rc[i].address);
			rv = -1;
		}
	}
	/* Next-hop facts that came after their record: best effort. */
	for (i = 0; i < n; i++)
		if (sc.stored[i] && sc.hopless[i] && out[i].next_hop.known)
			(void)store_record_next_hop(o->store, rc[i].id,
			    &out[i].next_hop, NULL);
	free(sc.idx);
	free(sc.stored);
	free(sc.hopless);
	free(sc.ids);
	/*
	 * Claims whose record could not be written wait for the next flush
	 * (skipped when every record was stored: nothing is left claimed).
	 */
	if (rv == -1)
		(void)store_release(o->store, id, NULL);
	/* The fcc copy once the message has left the outbox. */
	if (o->conf->fcc != NULL &&
	    store_message_rcpts(o->store, id, &now, &nnow, NULL) == 0) {
		for (left = 0, i = 0; i < nnow; i++)
			left += !now[i].delivered && !now[i].failed;
		if (left == 0)
			outbox_fcc(o, id, p->text, p->len);
		store_rcpts_free(now, nnow);
	}
	if (nexp > 0) {
		out = xreallocarray(out, n + nexp, sizeof *out);
		memcpy(out + n, p->expired, nexp * sizeof *out);
		free(p->expired);
		p->expired = NULL;
		p->nexp = 0;
	}
	outbox_log(o, p->from, out, n + nexp);
	*outp = out;
	*np = n + nexp;
	return rv;
}

/* Copy a sent message into the fcc Maildir, with each outcome. */
static void
outbox_fcc(const struct outbox_ctx *o, long long id, const char *text,
    size_t len)
{
	struct store_rcpt	*rc = NULL;
	struct record		*att = NULL;
	struct buf		 h = BUF_INIT;
	struct err		*e = NULL;
	size_t			 n = 0, na = 0, i;
	char			*line;

	if (store_message_rcpts(o->store, id, &rc, &n, &e) == -1 ||
	    store_attempts(o->store, id, &att, &na, &e) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		const struct record	*last;

		last = record_latest(att, na, rc[i].address, NULL);
		if (last == NULL)
			continue;
		line = maildir_tls_header(last->recipient,
		    outcome_name(last->outcome), last->tls.used ?
		    last->tls.version : NULL, last->tls.used ?
		    last->tls.cipher : NULL, last->tls.used ?
		    last->tls.verify : NULL);
		buf_adds(&h, line);
		free(line);
	}
	(void)maildir_deliver(o->conf->fcc, text, len, h.s, NULL, &e);
out:
	if (e != NULL && o->ev != NULL) {
		struct event	ev;
		char		*t = xasprintf("fcc: %s", e->msg);

		memset(&ev, 0, sizeof ev);
		ev.type = EVENT_WARNING;
		ev.text = t;
		o->ev(&ev, o->ev_ctx);
		free(t);
	}
	err_free(e);
	buf_free(&h);
	store_rcpts_free(rc, n);
	record_free_array(att, na);
}

/*
 * What the recipients' domains publish, through the store's caches: the
 * MTA-STS policies direct mode applies, and in relay mode (unless
 * next_hop = no) what each domain promises after the relay.  sts and hop
 * are the caller's, living as long as req.
 */
static void
outbox_published(const struct outbox_ctx *o, struct deliver_req *req,
    struct deliver_sts *sts, struct deliver_hop *hop)
{
	sts->lookup = outbox_sts_lookup;
	sts->ctx = o->store;
	req->sts = sts;
	hop->cached = outbox_hop_cached;
	hop->lookup = outbox_hop_lookup;
	hop->ctx = o->store;
	if (o->conf->next_hop && o->conf->relay_mode != RELAY_DIRECT)
		req->next_hop = hop;
}

/*
 * The MTA-STS policy of a domain through the store's cache (RFC 8461
 * 5.1); with no store, fetched each time.  A failure is no policy.
 */
static int
outbox_sts_lookup(void *ctx, const struct conf *c, const char *domain,
    struct mtasts_policy *out)
{
	struct err	*e = NULL;

	if (mtasts_policy_for(ctx, c->resolver_host, c->resolver_port,
	    c->ca_file, c->timeout, domain, time(NULL), out, &e) == -1) {
		err_free(e);
		memset(out, 0, sizeof *out);
		return -1;
	}
	return 0;
}

/* A domain's next hop facts from the store's cache (fresh ones only). */
static int
outbox_hop_cached(void *ctx, const struct conf *c, const char *domain,
    struct next_hop *out)
{
	(void)c;
	return nexthop_cached(ctx, domain, time(NULL), out);
}

/* A domain's next hop facts looked up now, and cached. */
static void
outbox_hop_lookup(void *ctx, const struct conf *c, const char *domain,
    struct next_hop *out)
{
	nexthop_lookup(ctx, c, domain, time(NULL), out);
}

/* Server memory backed by the store: its strings pass to *seen. */
static int
outbox_memory_lookup(void *ctx, const char *host, int port,
    struct deliver_seen *seen)
{
	struct store_server	sv;
	int			found;

	found = store_server_get(ctx, host, port, &sv);
	seen->starttls = sv.starttls;
	seen->tls = sv.tls;
	seen->issuer = sv.issuer;
	seen->fingerprint = sv.fingerprint;
	return found;
}

/* Remember what a server gave. */
static void
outbox_memory_update(void *ctx, const char *host, int port,
    const struct deliver_seen *seen)
{
	struct store_server	sv;

	sv.starttls = seen->starttls;
	sv.tls = seen->tls;
	sv.issuer = seen->issuer;
	sv.fingerprint = seen->fingerprint;
	store_server_note(ctx, host, port, &sv);
}

/* A server's TLS ticket from the store. */
static int
outbox_ticket_get(void *ctx, const char *host, int port, const char *key,
    struct tls_ticket *tk)
{
	return store_ticket_get(ctx, host, port, key, tk);
}

/* Keep or forget a server's TLS ticket. */
static void
outbox_ticket_put(void *ctx, const char *host, int port, const char *key,
    const struct tls_ticket *tk, const char *shown)
{
	store_ticket_put(ctx, host, port, key, tk, shown);
}

/* Mark the recipients uncertain before their final dot. */
static int
outbox_before_dot(void *ctx, const size_t *idx, size_t n)
{
	struct outbox_send_ctx	*sc = ctx;
	struct outbox_flush_ctx	*fl = sc->flush;
	size_t			 k;

	for (k = 0; k < n; k++)
		sc->ids[k] = sc->rc[idx[k]].id;
	/*
	 * A flush claims its next message in this commit (claim ahead
	 * without a commit of its own): for pipelining, or at its turn.
	 */
	if (fl != NULL && fl->cur + 1 < fl->n && !fl->have_ahead &&
	    !fl->preclaimed && !fl->tried_ahead &&
	    (fl->o->stop == NULL || !*fl->o->stop)) {
		if (store_mark_uncertain_claim(sc->o->store, sc->ids, n,
		    fl->ids[fl->cur + 1], fl->o->due, &fl->pre_rc, &fl->pre_n,
		    NULL) == -1)
			return -1;
		fl->preclaimed = 1;
		return 0;
	}
	return store_mark_uncertain(sc->o->store, sc->ids, n, NULL);
}

/* Store a transaction's outcomes as soon as the server gave them. */
static int
outbox_settle(void *ctx, const size_t *idx, size_t n, struct record *out)
{
	struct outbox_send_ctx	*sc = ctx;
	size_t			 k;
	int			 rv;

	rv = outbox_store(sc->o, sc->rc, idx, n, out, sc->stored);
	for (k = 0; k < n && rv == 0; k++)
		sc->hopless[idx[k]] = !out[idx[k]].next_hop.known;
	return rv;
}

/*
 * Store the outcomes of recipients idx (into rc and out) in one commit,
 * flagging resends; stored[i] is set for each one stored.  0 or -1.
 */
static int
outbox_store(const struct outbox_ctx *o, struct store_rcpt *rc,
    const size_t *idx, size_t n, struct record *out, int *stored)
{
	const struct record	**recs;
	long long		 *ids;
	size_t			  k;
	int			  rv;

	if (n == 0)
		return 0;
	ids = xcalloc(n, sizeof *ids);
	recs = xcalloc(n, sizeof *recs);
	for (k = 0; k < n; k++) {
		if (rc[idx[k]].uncertain)
			outbox_mark_resent(&out[idx[k]]);
		ids[k] = rc[idx[k]].id;
		recs[k] = &out[idx[k]];
	}
	rv = store_record_batch(o->store, ids, recs, n, NULL);
	for (k = 0; k < n && rv == 0; k++)
		stored[idx[k]] = 1;
	free(ids);
	free(recs);
	return rv;
}

/* Say in the record that this was a resend after an interrupted one. */
static void
outbox_mark_resent(struct record *r)
{
	char	*t;

	if (r->resent)
		return;
	r->resent = 1;
	t = xasprintf("resent after an interrupted delivery; may be a "
	    "duplicate%s%s", r->reason != NULL ? "; " : "",
	    r->reason != NULL ? r->reason : "");
	free(r->reason);
	r->reason = t;
}

/*
 * Recipients queued longer than the account's queue_lifetime fail now
 * (recorded, with a reason of kind expired) instead of being tried; they
 * leave rc, which keeps the others in order.  Returns how many, their
 * records in *outp (a new array).
 */
static size_t
outbox_expire(const struct outbox_ctx *o, struct store_rcpt *rc, size_t *n,
    struct record **outp)
{
	struct record	*ex = NULL, *r;
	long long	 now = (long long)time(NULL);
	long		 life = o->conf->queue_lifetime;
	size_t		 i, k = 0, ne = 0;

	for (i = 0; i < *n; i++) {
		if (rc[i].first_try == 0 || life <= 0 ||
		    now - rc[i].first_try <= life) {
			rc[k++] = rc[i];
			continue;
		}
		ex = xreallocarray(ex, ne + 1, sizeof *ex);
		r = &ex[ne++];
		memset(r, 0, sizeof *r);
		r->recipient = xstrdup(rc[i].address);
		r->outcome = OUTCOME_FAILED;
		r->kind = REASON_EXPIRED;
		r->policy = outbox_policy(o, rc[i].address, &r->policy_source);
		r->when = now;
		if (life % 86400 == 0)
			r->reason = xasprintf("tern gave up after %ld day%s in "
			    "the queue (%d tries; queue_lifetime): see tern log "
			    "for why each failed", life / 86400, life == 86400 ?
			    "" : "s", rc[i].attempts);
		else
			r->reason = xasprintf("tern gave up after %ld minutes in "
			    "the queue (%d tries; queue_lifetime): see tern log "
			    "for why each failed", life / 60, rc[i].attempts);
		if (store_record(o->store, rc[i].id, r, NULL) == -1)
			r->unrecorded = 1;
		free(rc[i].address);
		free(rc[i].reason);
	}
	*n = k;
	*outp = ex;
	return ne;
}

/* The account's logfile and syslog; a failure is a warning. */
static void
outbox_log(const struct outbox_ctx *o, const char *from,
    const struct record *r, size_t n)
{
	struct event	 ev;
	struct err	*e = NULL;

	if (outlog_records(o->conf, from, r, n, &e) == 0 || o->ev == NULL) {
		err_free(e);
		return;
	}
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_WARNING;
	ev.text = e->msg;
	o->ev(&ev, o->ev_ctx);
	err_free(e);
}

/* The account's passcmd, its stderr passed on when quiet is 0. */
static char *
outbox_passcmd(const struct conf *c, int quiet, struct err **errp)
{
	if (c->passcmd == NULL) {
		err_set(errp, ERR_CONFIG, 0, "the server needs a password: set "
		    "passcmd in %s", c->path != NULL ? c->path : "the config");
		return NULL;
	}
	return secret_from_command_timeout(c->passcmd, quiet, c->timeout,
	    errp);
}

/* The password callback of the command line. */
char *
outbox_password(const char *user, void *conf, struct err **errp)
{
	(void)user;
	return outbox_passcmd(conf, 0, errp);
}

/* The password callback of the interface. */
char *
outbox_password_quiet(const char *user, void *conf, struct err **errp)
{
	(void)user;
	return outbox_passcmd(conf, 1, errp);
}
