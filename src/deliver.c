/* The delivery engine: routing, MX fallback, plaintext retry, records. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"
#include "deliver.h"
#include "dns.h"
#include "err.h"
#include "mtasts.h"
#include "tls.h"
#include "xmalloc.h"

/* Relay mode: one recipient domain's next hop facts. */
struct hop_entry {
	char		*domain;
	struct next_hop	 h;
	int		 have;		/* h filled (cached or looked up) */
};

/* The next hop facts of a relay destination's domains. */
struct hops {
	struct run		*run;
	struct hop_entry	*v;
	size_t			 n;
	pthread_t		 thread;
	int			 started;	/* thread running or joined */
	int			 done;		/* every lookup finished */
	atomic_int		 finished;	/* the thread has returned */
	pthread_mutex_t		 lock;
};

/* One destination: a set of recipients that share a way out. */
struct dest {
	char		*domain;	/* direct mode: their domain */
	int		 direct;	/* look up MX hosts */
	char		*host;		/* relay or route host */
	int		 port;
	int		 implicit_tls;
	int		 auth;
	size_t		*idx;		/* recipients (indices into req) */
	size_t		 n;
	struct hops	*hops;		/* relay mode's next hop, or NULL */
};

struct pool_entry {
	char			*key;
	struct smtp_conn	*conn;
};

/* A host's addresses, resolved once for a whole flush. */
struct pool_addrs {
	char			*key;		/* host|resolver */
	char			**v;
	size_t			 n;
};

struct deliver_pool {
	pthread_mutex_t		 lock;
	struct pool_addrs	*addrs;
	size_t			 naddrs;
	struct tls_ctx		*tls;
	char			*ca_file;
	struct pool_entry	*v;
	size_t			 n;
};

/* One session's link between its recipients and the run's records. */
struct sess_link {
	struct run		*run;
	struct dest		*d;
	struct smtp_rcpt	*sub;
	size_t			*map;	/* sub index -> dest index */
	size_t			*tmp;	/* scratch: run indices */
	const char		*host;
	const char		*address;
	int			 port;
	struct smtp_result	*res;
	struct smtp_rcpt	*next_r;	/* the next message's, for
						   next_txn */
};

struct run {
	const struct deliver_req *req;
	struct record		*out;
	struct tls_ctx		*tls;
	struct deliver_pool	*pool;		/* req->pool, when it fits */
	int			*settled;	/* record made at the final dot */
	struct dest		*dests;
	size_t			 ndests;
	size_t			 next;		/* next dest for a worker */
	pthread_mutex_t		 lock;
};

static void	 deliver_plan(struct run *);
static struct dest *deliver_dest(struct run *, const char *, int);
static void	*deliver_worker(void *);
static void	 deliver_dest_run(struct run *, struct dest *);
static void	 deliver_host(struct run *, struct dest *, const char *, int,
		    const char *, const struct smtp_domain *,
		    struct smtp_rcpt *, int *);
static void	 deliver_session(struct run *, struct dest *, const char *,
		    const char *, int, const struct smtp_domain *,
		    struct smtp_rcpt *, int *);
static void	 deliver_direct(struct run *, struct dest *,
		    struct smtp_rcpt *, int *);
static struct hops *deliver_hops_start(struct run *, struct dest *);
static void	*deliver_hops_worker(void *);
static void	 deliver_hops_attach(struct hops *, int, struct record *,
		    const char *);
static void	 deliver_hops_free(struct hops *);
static char	*deliver_sts_words(const struct mtasts_policy *);
static char	*deliver_tlsa_words(const struct dns_tlsalist *);
static void	 deliver_info(struct run *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 deliver_fill(struct run *, size_t, const struct smtp_rcpt *,
		    const char *, const char *, int, const struct tls_facts *);
static void	 deliver_set_all(struct run *, struct dest *, int *,
		    enum outcome, const char *, const char *);
static void	 deliver_outcome_event(struct run *, size_t);
static int	 deliver_before_dot(void *, const size_t *, size_t);
static void	 deliver_after_dot(void *, const size_t *, size_t);
static int	 deliver_next_txn(void *, struct smtp_next *);
static int	 deliver_same_way(const struct conf *, const struct dest *,
		    const char *);
static char	*deliver_pool_key(const char *, const char *, int, int,
		    const char *);
static struct smtp_conn *deliver_pool_take(struct deliver_pool *,
		    const char *);
static void	 deliver_pool_put(struct deliver_pool *, const char *,
		    struct smtp_conn *);
static int	 deliver_pool_addrs(struct deliver_pool *, const char *,
		    const char *, char ***, size_t *);
static void	 deliver_pool_keep_addrs(struct deliver_pool *, const char *,
		    const char *, char **, size_t);
static char	**deliver_addrs_copy(char **, size_t);
static int	 deliver_may_resume(const struct tls_ticket *,
		    const struct smtp_rcpt *, const int *, size_t);
static void	 deliver_keep_ticket(const struct deliver_req *,
		    const char *, int, const char *, const struct smtp_opts *,
		    const struct smtp_result *);

/* A new connection pool. */
struct deliver_pool *
deliver_pool_new(void)
{
	struct deliver_pool	*p;

	p = xcalloc(1, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

/* Close every kept connection and free the pool. */
void
deliver_pool_free(struct deliver_pool *p)
{
	size_t	i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		smtp_conn_close(p->v[i].conn);
		free(p->v[i].key);
	}
	free(p->v);
	for (i = 0; i < p->naddrs; i++) {
		free(p->addrs[i].key);
		dns_addrs_free(p->addrs[i].v, p->addrs[i].n);
	}
	free(p->addrs);
	tls_ctx_free(p->tls);
	free(p->ca_file);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* What makes two connections interchangeable. */
static char *
deliver_pool_key(const char *host, const char *address, int port,
    int implicit_tls, const char *user)
{
	return xasprintf("%s|%s|%d|%d|%s", host, address, port, implicit_tls,
	    user != NULL ? user : "");
}

/* Take a kept connection out of the pool (NULL if none). */
static struct smtp_conn *
deliver_pool_take(struct deliver_pool *p, const char *key)
{
	struct smtp_conn	*k = NULL;
	size_t			 i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->n; i++) {
		if (p->v[i].conn != NULL && strcmp(p->v[i].key, key) == 0) {
			k = p->v[i].conn;
			p->v[i].conn = NULL;
			break;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return k;
}

/* Put a connection back for the next message. */
static void
deliver_pool_put(struct deliver_pool *p, const char *key,
    struct smtp_conn *k)
{
	size_t	i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->n; i++)
		if (p->v[i].conn == NULL && strcmp(p->v[i].key, key) == 0)
			break;
	if (i == p->n) {
		p->v = xreallocarray(p->v, p->n + 1, sizeof *p->v);
		p->v[p->n].key = xstrdup(key);
		p->n++;
	}
	p->v[i].conn = k;
	pthread_mutex_unlock(&p->lock);
}

/* A copy of an address list (free with dns_addrs_free). */
static char **
deliver_addrs_copy(char **v, size_t n)
{
	char	**c;
	size_t	  i;

	c = xcalloc(n > 0 ? n : 1, sizeof *c);
	for (i = 0; i < n; i++)
		c[i] = xstrdup(v[i]);
	return c;
}

/* A host's addresses the pool resolved before: 0 (a copy), or -1. */
static int
deliver_pool_addrs(struct deliver_pool *p, const char *host,
    const char *resolver, char ***v, size_t *n)
{
	char	*key;
	size_t	 i;
	int	 rv = -1;

	if (p == NULL)
		return -1;
	key = xasprintf("%s|%s", host, resolver != NULL ? resolver : "");
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->naddrs; i++) {
		if (strcmp(p->addrs[i].key, key) == 0) {
			*v = deliver_addrs_copy(p->addrs[i].v, p->addrs[i].n);
			*n = p->addrs[i].n;
			rv = 0;
			break;
		}
	}
	pthread_mutex_unlock(&p->lock);
	free(key);
	return rv;
}

/* Keep a host's addresses for the rest of the flush. */
static void
deliver_pool_keep_addrs(struct deliver_pool *p, const char *host,
    const char *resolver, char **v, size_t n)
{
	char	*key;
	size_t	 i;

	if (p == NULL || n == 0)
		return;
	key = xasprintf("%s|%s", host, resolver != NULL ? resolver : "");
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->naddrs; i++)
		if (strcmp(p->addrs[i].key, key) == 0)
			break;
	if (i == p->naddrs) {
		p->addrs = xreallocarray(p->addrs, p->naddrs + 1,
		    sizeof *p->addrs);
		p->addrs[i].key = key;
		p->addrs[i].v = deliver_addrs_copy(v, n);
		p->addrs[i].n = n;
		p->naddrs++;
		key = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	free(key);
}

/* Run the whole delivery. */
int
deliver_run(const struct deliver_req *req, struct record *out,
    struct err **errp)
{
	struct run	 run;
	pthread_t	*threads;
	size_t		 i, nthreads;
	int		 conc;

	memset(&run, 0, sizeof run);
	run.req = req;
	run.out = out;
	if (req->pool != NULL) {
		struct deliver_pool	*p = req->pool;
		const char		*ca = req->conf->ca_file;

		pthread_mutex_lock(&p->lock);
		if (p->tls == NULL) {
			p->tls = tls_ctx_new(ca, errp);
			p->ca_file = xstrdup(ca);
		}
		/* An account with other trust anchors keeps to itself. */
		if ((p->ca_file == NULL) == (ca == NULL) &&
		    (ca == NULL || strcmp(p->ca_file, ca) == 0)) {
			run.tls = p->tls;
			run.pool = p;
		}
		pthread_mutex_unlock(&p->lock);
		if (run.pool == NULL && p->tls != NULL &&
		    (run.tls = tls_ctx_new(ca, errp)) == NULL)
			return -1;
		if (run.tls == NULL)
			return -1;
	} else if ((run.tls = tls_ctx_new(req->conf->ca_file, errp)) == NULL)
		return -1;
	pthread_mutex_init(&run.lock, NULL);
	run.settled = xcalloc(req->n > 0 ? req->n : 1, sizeof *run.settled);
	for (i = 0; i < req->n; i++) {
		memset(&out[i], 0, sizeof out[i]);
		out[i].recipient = xstrdup(req->rcpts[i].addr);
		out[i].policy = req->rcpts[i].policy;
		out[i].policy_source = req->rcpts[i].source;
		out[i].outcome = OUTCOME_DEFERRED;
		out[i].when = (long long)time(NULL);
	}
	deliver_plan(&run);

	conc = req->conf->concurrency > 0 ? req->conf->concurrency :
	    CONF_CONCURRENCY;
	nthreads = run.ndests < (size_t)conc ? run.ndests : (size_t)conc;
	if (nthreads <= 1)
		deliver_worker(&run);
	else {
		threads = xcalloc(nthreads, sizeof *threads);
		for (i = 0; i < nthreads; i++)
			if (pthread_create(&threads[i], NULL, deliver_worker,
			    &run) != 0)
				break;
		if (i == 0)
			deliver_worker(&run);
		nthreads = i;
		for (i = 0; i < nthreads; i++)
			pthread_join(threads[i], NULL);
		free(threads);
	}

	for (i = 0; i < run.ndests; i++) {
		free(run.dests[i].domain);
		free(run.dests[i].host);
		free(run.dests[i].idx);
	}
	free(run.dests);
	free(run.settled);
	pthread_mutex_destroy(&run.lock);
	if (run.pool == NULL)
		tls_ctx_free(run.tls);
	return 0;
}

/* Free what a lookup filled. */
void
deliver_seen_clear(struct deliver_seen *s)
{
	free(s->issuer);
	free(s->fingerprint);
	memset(s, 0, sizeof *s);
}

/* Group recipients by the way their mail leaves. */
static void
deliver_plan(struct run *run)
{
	const struct deliver_req	*req = run->req;
	const struct conf		*c = req->conf;
	const struct conf_route		*rt;
	struct dest			*d;
	const char			*dom;
	size_t				 i;

	for (i = 0; i < req->n; i++) {
		dom = addr_domain(req->rcpts[i].addr);
		if ((rt = conf_find_route(c, dom)) != NULL) {
			d = deliver_dest(run, dom, 0);
			if (d->host == NULL) {
				d->host = xstrdup(rt->host);
				d->port = rt->port;
			}
		} else if (c->relay_mode == RELAY_DIRECT) {
			d = deliver_dest(run, dom, 1);
		} else {
			d = deliver_dest(run, NULL, 0);
			if (d->host == NULL) {
				d->host = xstrdup(c->relay_host);
				d->port = c->relay_port;
				d->implicit_tls = c->relay_mode == RELAY_SMTPS;
				d->auth = c->user != NULL;
			}
		}
		d->idx = xreallocarray(d->idx, d->n + 1, sizeof *d->idx);
		d->idx[d->n++] = i;
	}
}

/* Find or add the destination for a domain (NULL: the relay). */
static struct dest *
deliver_dest(struct run *run, const char *domain, int direct)
{
	struct dest	*d;
	size_t		 i;

	for (i = 0; i < run->ndests; i++) {
		d = &run->dests[i];
		if (domain == NULL && d->domain == NULL)
			return d;
		if (domain != NULL && d->domain != NULL &&
		    strcasecmp(domain, d->domain) == 0)
			return d;
	}
	run->dests = xreallocarray(run->dests, run->ndests + 1,
	    sizeof *run->dests);
	d = &run->dests[run->ndests++];
	memset(d, 0, sizeof *d);
	d->domain = xstrdup(domain);
	d->direct = direct;
	return d;
}

/* A worker: take destinations until none is left. */
static void *
deliver_worker(void *arg)
{
	struct run	*run = arg;
	struct dest	*d;

	for (;;) {
		pthread_mutex_lock(&run->lock);
		d = run->next < run->ndests ? &run->dests[run->next++] : NULL;
		pthread_mutex_unlock(&run->lock);
		if (d == NULL)
			return NULL;
		deliver_dest_run(run, d);
	}
}

/* Deliver to one destination: its hosts in order until all is decided. */
static void
deliver_dest_run(struct run *run, struct dest *d)
{
	struct smtp_rcpt	*r;
	int			*pending;
	size_t			 i;

	r = xcalloc(d->n, sizeof *r);
	pending = xcalloc(d->n, sizeof *pending);
	for (i = 0; i < d->n; i++) {
		r[i].addr = run->req->rcpts[d->idx[i]].addr;
		r[i].policy = run->req->rcpts[d->idx[i]].policy;
		pending[i] = 1;
	}
	/* The relay (not a [route]): what lies after it, beside the session. */
	if (!d->direct && d->domain == NULL && run->req->next_hop != NULL)
		d->hops = deliver_hops_start(run, d);
	if (!d->direct)
		deliver_host(run, d, d->host, d->port, NULL, NULL, r, pending);
	else
		deliver_direct(run, d, r, pending);
	for (i = 0; i < d->n; i++) {
		deliver_hops_attach(d->hops, 1, &run->out[d->idx[i]],
		    run->req->rcpts[d->idx[i]].addr);
		deliver_outcome_event(run, d->idx[i]);
		smtp_rcpt_clear(&r[i]);
	}
	deliver_hops_free(d->hops);
	d->hops = NULL;
	free(r);
	free(pending);
}

/*
 * The next hop facts of d's recipient domains: the cached ones now, the
 * others looked up by a thread of their own while the session runs (in
 * the caller's thread at the first attach, if no thread could start).
 */
static struct hops *
deliver_hops_start(struct run *run, struct dest *d)
{
	const struct deliver_hop	*nh = run->req->next_hop;
	struct hops			*hs;
	struct hop_entry		*e;
	const char			*dom;
	size_t				 i, k, missing = 0;

	hs = xcalloc(1, sizeof *hs);
	hs->run = run;
	pthread_mutex_init(&hs->lock, NULL);
	for (i = 0; i < d->n; i++) {
		dom = addr_domain(run->req->rcpts[d->idx[i]].addr);
		if (dom == NULL || *dom == '\0')
			continue;
		for (k = 0; k < hs->n; k++)
			if (strcasecmp(hs->v[k].domain, dom) == 0)
				break;
		if (k < hs->n)
			continue;
		hs->v = xreallocarray(hs->v, hs->n + 1, sizeof *hs->v);
		e = &hs->v[hs->n++];
		memset(e, 0, sizeof *e);
		e->domain = xstrdup(dom);
		for (k = 0; e->domain[k] != '\0'; k++)
			if (e->domain[k] >= 'A' && e->domain[k] <= 'Z')
				e->domain[k] = (char)(e->domain[k] - 'A' + 'a');
		if (nh->cached != NULL &&
		    nh->cached(nh->ctx, run->req->conf, e->domain, &e->h) == 1)
			e->have = 1;
		else
			missing++;
	}
	if (missing == 0)
		hs->done = 1;
	else if (pthread_create(&hs->thread, NULL, deliver_hops_worker,
	    hs) == 0)
		hs->started = 1;
	return hs;
}

/* Look up the domains the cache did not have. */
static void *
deliver_hops_worker(void *arg)
{
	struct hops			*hs = arg;
	const struct deliver_hop	*nh = hs->run->req->next_hop;
	const struct conf		*c = hs->run->req->conf;
	time_t				 start = time(NULL), t0;
	size_t				 i;
	int				 mute = 0;

	for (i = 0; i < hs->n; i++) {
		if (hs->v[i].have)
			continue;
		memset(&hs->v[i].h, 0, sizeof hs->v[i].h);
		/*
		 * Past the account's timeout, or after a resolver that let a
		 * lookup wait and answered nothing: the rest stay unknown.
		 */
		if (nh->lookup == NULL || mute || time(NULL) - start >=
		    (c->timeout > 0 ? c->timeout : 30)) {
			hs->v[i].h.known = 1;
			hs->v[i].h.mta_sts = NEXT_HOP_STS_UNKNOWN;
			hs->v[i].h.dane = -1;
			hs->v[i].h.dnssec = -1;
		} else {
			t0 = time(NULL);
			nh->lookup(nh->ctx, c, hs->v[i].domain, &hs->v[i].h);
			mute = hs->v[i].h.nmx == 0 && hs->v[i].h.dnssec < 0 &&
			    time(NULL) - t0 >= 2;
		}
		hs->v[i].have = 1;
	}
	atomic_store(&hs->finished, 1);
	return NULL;
}

/*
 * Put the next hop facts of addr's domain into r (unless it has them).
 * wait: wait for the lookups first; else only when they are done.
 */
static void
deliver_hops_attach(struct hops *hs, int wait, struct record *r,
    const char *addr)
{
	const char	*dom;
	size_t		 i;

	if (hs == NULL || r->next_hop.known)
		return;
	if (!wait && !(hs->started && atomic_load(&hs->finished))) {
		pthread_mutex_lock(&hs->lock);
		i = hs->done;
		pthread_mutex_unlock(&hs->lock);
		if (!i)
			return;
	}
	pthread_mutex_lock(&hs->lock);
	if (!hs->done) {
		if (hs->started)
			pthread_join(hs->thread, NULL);
		else
			deliver_hops_worker(hs);
		hs->done = 1;
	}
	pthread_mutex_unlock(&hs->lock);
	if ((dom = addr_domain(addr)) == NULL)
		return;
	for (i = 0; i < hs->n; i++)
		if (hs->v[i].have && strcasecmp(hs->v[i].domain, dom) == 0) {
			next_hop_copy(&r->next_hop, &hs->v[i].h);
			return;
		}
}

/* Wait for the lookups and free them. */
static void
deliver_hops_free(struct hops *hs)
{
	size_t	i;

	if (hs == NULL)
		return;
	if (!hs->done && hs->started)
		pthread_join(hs->thread, NULL);
	for (i = 0; i < hs->n; i++) {
		free(hs->v[i].domain);
		next_hop_clear(&hs->v[i].h);
	}
	free(hs->v);
	pthread_mutex_destroy(&hs->lock);
	free(hs);
}

/* Say something about the way a domain's mail goes (EVENT_INFO). */
static void
deliver_info(struct run *run, const char *fmt, ...)
{
	struct event	 ev;
	va_list		 ap;
	char		*s;

	if (run->req->ev == NULL)
		return;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	memset(&ev, 0, sizeof ev);
	ev.type = EVENT_INFO;
	ev.text = s;
	run->req->ev(&ev, run->req->ev_ctx);
	free(s);
}

/* An MTA-STS policy in words: "enforce (mx: a, b; fetched)".  New string. */
static char *
deliver_sts_words(const struct mtasts_policy *p)
{
	struct buf	 b = BUF_INIT;
	size_t		 i;

	buf_addf(&b, "%s (mx:", mtasts_mode_name(p->mode));
	for (i = 0; i < p->nmx; i++)
		buf_addf(&b, "%s %s", i > 0 ? "," : "", p->mx[i]);
	buf_addf(&b, "; max_age %lld; %s)", p->max_age,
	    mtasts_source_name(p->source));
	return buf_steal(&b);
}

/* TLSA records in words: "3 1 1 0a1b2c3d..., 2 0 1 ...".  New string. */
static char *
deliver_tlsa_words(const struct dns_tlsalist *l)
{
	struct buf	 b = BUF_INIT;
	size_t		 i, j;

	for (i = 0; i < l->n; i++) {
		buf_addf(&b, "%s%u %u %u ", i > 0 ? ", " : "",
		    l->v[i].usage, l->v[i].selector, l->v[i].mtype);
		for (j = 0; j < l->v[i].len && j < 8; j++)
			buf_addf(&b, "%02x", l->v[i].data[j]);
		if (l->v[i].len > 8)
			buf_adds(&b, "...");
	}
	return buf_steal(&b);
}

/*
 * Direct mode for one domain: its MX hosts in order, with what the domain
 * publishes (DESIGN.md "Beyond the first hop"): whether the MX answer was
 * DNSSEC-validated, its MTA-STS policy (in enforce mode only the MX hosts
 * it lists are tried: none listed, nothing connects), and per MX host its
 * DANE TLSA records (deliver_host).  policy_judge applies them.
 */
static void
deliver_direct(struct run *run, struct dest *d, struct smtp_rcpt *r,
    int *pending)
{
	const struct conf	*c = run->req->conf;
	struct dns_mxlist	 mx;
	struct mtasts_policy	 sts;
	struct smtp_domain	 dom;
	struct err		*e = NULL;
	struct event		 ev;
	char			*words = NULL, *held;
	size_t			 i, k, left, listed = 0;

	memset(&mx, 0, sizeof mx);
	memset(&sts, 0, sizeof sts);
	memset(&dom, 0, sizeof dom);
	if (run->req->ev != NULL) {
		memset(&ev, 0, sizeof ev);
		ev.type = EVENT_RESOLVE;
		ev.text = d->domain;
		run->req->ev(&ev, run->req->ev_ctx);
	}
	if (dns_mx_lookup(d->domain, c->resolver_host, c->resolver_port,
	    c->timeout, &mx, &e) == -1) {
		deliver_set_all(run, d, pending, e->temporary ?
		    OUTCOME_DEFERRED : OUTCOME_FAILED, e->msg, NULL);
		for (i = 0; i < d->n; i++)
			run->out[d->idx[i]].kind = REASON_DNS;
		err_free(e);
		return;
	}
	dom.name = d->domain;
	dom.mx_secure = mx.secure;
	if (run->req->sts != NULL && run->req->sts->lookup(run->req->sts->ctx,
	    c, d->domain, &sts) == 0 && sts.mode != MTASTS_NONE) {
		dom.sts = sts.mode == MTASTS_ENFORCE ? POLICY_STS_ENFORCE :
		    POLICY_STS_TESTING;
		words = deliver_sts_words(&sts);
		dom.sts_words = words;
	}
	deliver_info(run, "%s: MX %s%s%s%s", d->domain, mx.secure ?
	    "DNSSEC-signed" : "not DNSSEC-signed", words != NULL ?
	    ", MTA-STS " : "", words != NULL ? words : "",
	    sts.failure != NULL ? "" : "");
	if (sts.failure != NULL)
		deliver_info(run, "%s: %s", d->domain, sts.failure);
	for (i = 0; i < mx.n; i++)
		listed += sts.mode == MTASTS_NONE ||
		    mtasts_mx_match(&sts, mx.v[i].host);
	if (dom.sts == POLICY_STS_ENFORCE && listed == 0) {
		held = xasprintf("no MX host of %s matches the MTA-STS policy "
		    "it publishes, %s: nothing was sent (never to another "
		    "server, never in plaintext)", d->domain, words);
		deliver_set_all(run, d, pending, OUTCOME_HELD, held, NULL);
		for (i = 0; i < d->n; i++)
			run->out[d->idx[i]].kind = REASON_MTA_STS;
		free(held);
		goto out;
	}
	for (i = 0; i < mx.n; i++) {
		for (left = 0, k = 0; k < d->n; k++)
			left += pending[k] != 0;
		if (left == 0)
			break;
		dom.sts_mx_ok = sts.mode != MTASTS_NONE &&
		    mtasts_mx_match(&sts, mx.v[i].host);
		/* Enforce: only the MX hosts the policy lists (RFC 8461 4.1). */
		if (dom.sts == POLICY_STS_ENFORCE && !dom.sts_mx_ok) {
			deliver_info(run, "%s: skipped, not listed in the "
			    "MTA-STS policy of %s", mx.v[i].host, d->domain);
			continue;
		}
		deliver_host(run, d, mx.v[i].host, 25, c->resolver_host, &dom,
		    r, pending);
	}
out:
	free(words);
	mtasts_policy_clear(&sts);
	dns_mxlist_clear(&mx);
}

/*
 * Try one host (every address of it) for the pending recipients.  dom:
 * direct mode's facts (NULL for a relay or a route); where the MX answer
 * and the host's addresses are DNSSEC-validated, its TLSA records
 * (_25._tcp.HOST, RFC 7672 2.2) are looked up for its sessions.
 */
static void
deliver_host(struct run *run, struct dest *d, const char *host, int port,
    const char *resolver, const struct smtp_domain *dom,
    struct smtp_rcpt *r, int *pending)
{
	const struct conf	*c = run->req->conf;
	struct err		*e = NULL;
	struct smtp_domain	 hd;
	struct dns_tlsalist	 tlsa;
	char			**addrs = NULL, *name, *bogus = NULL, *words;
	size_t			 naddrs = 0, i, j;
	int			 any, secure = 0, rc;

	memset(&tlsa, 0, sizeof tlsa);
	if (dom != NULL && dom->mx_secure)
		rc = dns_host_addrs_secure(host, resolver, c->resolver_port,
		    c->timeout, &addrs, &naddrs, &secure, &e);
	else if ((rc = deliver_pool_addrs(run->pool, host, resolver, &addrs,
	    &naddrs)) == -1)
		rc = dns_host_addrs(host, resolver, c->resolver_port,
		    c->timeout, &addrs, &naddrs, &e);
	if (rc == -1) {
		for (j = 0; j < d->n; j++) {
			if (!pending[j] ||
			    run->out[d->idx[j]].outcome == OUTCOME_HELD)
				continue;
			record_set(&run->out[d->idx[j]].reason, e->msg);
			run->out[d->idx[j]].kind = REASON_DNS;
			record_set(&run->out[d->idx[j]].server, host);
			run->out[d->idx[j]].outcome = e->temporary ?
			    OUTCOME_DEFERRED : OUTCOME_FAILED;
		}
		err_free(e);
		return;
	}
	if (dom == NULL || !dom->mx_secure)
		deliver_pool_keep_addrs(run->pool, host, resolver, addrs,
		    naddrs);
	if (dom != NULL) {
		hd = *dom;
		if (dom->mx_secure && secure) {
			name = xasprintf("_25._tcp.%s", host);
			if (dns_tlsa_lookup(name, resolver, c->resolver_port,
			    c->timeout, &tlsa, &e) == -1) {
				/* A failed or bogus answer: this MX fails. */
				hd.tlsa_bogus = 1;
				bogus = xstrdup(e->msg);
				err_free(e);
				e = NULL;
			} else if (tlsa.secure && tlsa.n > 0)
				hd.tlsa = &tlsa;
			free(name);
		}
		hd.tlsa_words = bogus;
		if (hd.tlsa != NULL) {
			words = deliver_tlsa_words(&tlsa);
			deliver_info(run, "%s: DANE, TLSA records (DNSSEC-"
			    "signed): %s", host, words);
			free(words);
		} else
			deliver_info(run, "%s: %s", host, hd.tlsa_bogus ?
			    bogus : dom->mx_secure && secure ? "no DANE TLSA "
			    "records" : "no DANE (its name or addresses are not "
			    "DNSSEC-signed)");
		dom = &hd;
		/* A TLSA answer that fails validation: this MX is unusable. */
		if (hd.tlsa_bogus) {
			name = xasprintf("the DANE TLSA records of %s could not "
			    "be validated (%s): nothing was sent to it", host,
			    bogus);
			/*
			 * Held unless another MX host takes them (RFC 7672
			 * 2.1.1: this one is unusable): they stay pending.
			 */
			for (j = 0; j < d->n; j++) {
				if (!pending[j])
					continue;
				run->out[d->idx[j]].outcome = OUTCOME_HELD;
				run->out[d->idx[j]].kind = REASON_DANE;
				record_set(&run->out[d->idx[j]].reason, name);
				record_set(&run->out[d->idx[j]].server, host);
			}
			free(name);
			goto out;
		}
	}
	for (i = 0; i < naddrs; i++) {
		deliver_session(run, d, host, addrs[i], port, dom, r, pending);
		for (any = 0, j = 0; j < d->n; j++)
			any |= pending[j];
		if (!any)
			break;
	}
out:
	dns_addrs_free(addrs, naddrs);
	dns_tlsalist_clear(&tlsa);
	free(bogus);
}

/* One session at one address, plus its plaintext retry where allowed. */
static void
deliver_session(struct run *run, struct dest *d, const char *host,
    const char *address, int port, const struct smtp_domain *dom,
    struct smtp_rcpt *r, int *pending)
{
	const struct deliver_req	*req = run->req;
	const struct conf		*c = req->conf;
	struct smtp_opts		 o;
	struct smtp_result		 res;
	struct smtp_rcpt		*sub;
	struct deliver_seen		 seen, now;
	struct smtp_conn		*kept;
	struct policy_seen		 ps;
	struct sess_link		 link;
	struct tls_ticket		 tk;
	char				*key = NULL, *tkey = NULL;
	size_t				*map, i, n = 0, k;
	int				 pass, looked = 0;

	sub = xcalloc(d->n, sizeof *sub);
	map = xcalloc(d->n, sizeof *map);
	memset(&o, 0, sizeof o);
	o.host = host;
	o.address = address;
	o.port = port;
	o.implicit_tls = d->implicit_tls;
	o.try_starttls = 1;
	o.helo = c->helo;
	o.timeout = c->timeout;
	o.tls = run->tls;
	o.user = d->auth ? c->user : NULL;
	o.allow_plain_auth = c->allow_plain_auth;
	o.auth = (enum smtp_auth)c->auth;	/* the same order */
	o.password = req->password;
	o.password_ctx = req->password_ctx;
	o.ev = req->ev;
	o.ev_ctx = req->ev_ctx;
	o.verbose = req->verbose;
	o.probe = req->probe;
	o.downgrade_hold = c->downgrade == DOWNGRADE_HOLD;
	o.stop = req->stop;
	o.domain = dom;
	memset(&seen, 0, sizeof seen);
	memset(&ps, 0, sizeof ps);
	memset(&tk, 0, sizeof tk);
	memset(&link, 0, sizeof link);
	link.run = run;
	link.d = d;
	link.sub = sub;
	link.map = map;
	link.tmp = xcalloc(d->n, sizeof *link.tmp);
	link.host = host;
	link.address = address;
	link.port = port;
	link.res = &res;
	o.before_dot = deliver_before_dot;
	o.after_dot = deliver_after_dot;
	o.txn_ctx = &link;
	/* One way out for the whole message: the next may be written ahead. */
	if (req->next != NULL && run->pool != NULL && !req->probe &&
	    run->ndests == 1 && !d->direct)
		o.next_txn = deliver_next_txn;

	for (pass = 0; pass < 2; pass++) {
		n = 0;
		for (i = 0; i < d->n; i++) {
			if (!pending[i])
				continue;
			/*
			 * The plaintext retry is for "may" only, and never
			 * where the domain requires TLS (DANE, MTA-STS).
			 */
			if (pass == 1 && (policy_needs_tls(r[i].policy) ||
			    (dom != NULL && (dom->tlsa != NULL ||
			    dom->tlsa_bogus || dom->sts ==
			    POLICY_STS_ENFORCE))))
				continue;
			sub[n] = r[i];
			sub[n].reply = sub[n].reason = NULL;
			map[n++] = i;
		}
		if (n == 0)
			break;
		kept = NULL;
		o.conn = NULL;
		if (pass == 0 && run->pool != NULL && !req->probe) {
			/*
			 * Direct mode: a connection's DANE and name facts
			 * are its domain's, so it is kept for that domain.
			 */
			key = deliver_pool_key(host, address, port,
			    d->implicit_tls, dom != NULL ? dom->name : o.user);
			kept = deliver_pool_take(run->pool, key);
			o.conn = &kept;
		}
		if (o.conn == NULL)
			o.next_txn = NULL;
		/*
		 * What this server gave before, for the downgrade rule: read
		 * once, and not for a kept connection (its handshake, and
		 * what it showed against that memory, are behind it).
		 */
		if (kept == NULL && !looked && req->memory != NULL &&
		    !req->probe) {
			looked = 1;
			if (req->memory->lookup(req->memory->ctx, host, port,
			    &seen) == 1) {
				ps.known = 1;
				ps.starttls = seen.starttls && !d->implicit_tls;
				ps.tls = seen.tls;
				ps.issuer = seen.issuer;
				o.seen = &ps;
			}
		}
		/*
		 * A ticket for this server, address and trust anchors, for a
		 * new connection: resume its session.  Not in direct mode,
		 * where a verification also depends on the recipient's domain
		 * (its name in the certificate, DANE), which a ticket's facts
		 * do not carry.
		 */
		if (pass == 0 && kept == NULL && tkey == NULL && !d->direct &&
		    req->memory != NULL && req->memory->ticket_get != NULL &&
		    !req->probe) {
			tkey = tls_ticket_key(run->tls, address);
			if (req->memory->ticket_get(req->memory->ctx, host, port,
			    tkey, &tk) == 1 && deliver_may_resume(&tk, r,
			    pending, d->n))
				o.resume = &tk;
		}
		smtp_session_run(&o, req->from, req->msg, req->len, sub, n,
		    &res);
		if (key != NULL) {
			if (kept != NULL)
				deliver_pool_put(run->pool, key, kept);
			free(key);
			key = NULL;
		}
		/*
		 * Server memory is written once per connection: a kept one
		 * showed nothing new.
		 */
		if (pass == 0 && res.end != SMTP_END_CONNECT && !res.reused &&
		    req->memory != NULL && !req->probe) {
			memset(&now, 0, sizeof now);
			now.starttls = res.starttls_offered || d->implicit_tls;
			now.tls = res.tls.used;
			if (res.tls.used && (res.tls.verified ||
			    seen.issuer == NULL)) {
				now.issuer = res.tls.cert_issuer;
				now.fingerprint = res.tls.cert_sha256;
			}
			req->memory->update(req->memory->ctx, host, port, &now);
		}
		if (pass == 0 && tkey != NULL && !res.reused)
			deliver_keep_ticket(req, host, port, tkey, &o, &res);
		for (k = 0; k < n; k++) {
			i = map[k];
			/*
			 * A held is worth more than a later connect failure;
			 * a record settled at the final dot is final.
			 */
			if (!run->settled[d->idx[i]] &&
			    !(res.end == SMTP_END_CONNECT &&
			    run->out[d->idx[i]].outcome == OUTCOME_HELD))
				deliver_fill(run, d->idx[i], &sub[k], host,
				    address, port, &res.tls);
			pending[i] = sub[k].retry &&
			    (sub[k].outcome == OUTCOME_DEFERRED ||
			    sub[k].outcome == OUTCOME_HELD);
			if (res.end == SMTP_END_TLS_FAILED &&
			    policy_needs_tls(sub[k].policy))
				pending[i] = 0;
			smtp_rcpt_clear(&sub[k]);
		}
		if (res.end != SMTP_END_TLS_FAILED || pass == 1) {
			smtp_result_clear(&res);
			break;
		}
		/*
		 * STARTTLS failed: reconnect without it for those policy
		 * lets through in plaintext, carrying why (and a downgrade).
		 */
		o.try_starttls = 0;
		o.plain_reason = res.error;
		o.plain_kind = res.error_kind;
		o.downgrade_in = res.downgrade;
		res.error = res.downgrade = NULL;
		smtp_result_clear(&res);
	}
	free((char *)o.plain_reason);
	free((char *)o.downgrade_in);
	free(link.tmp);
	free(link.next_r);
	deliver_seen_clear(&seen);
	tls_ticket_clear(&tk);
	free(tkey);
	free(sub);
	free(map);
}

/*
 * May this session offer the kept ticket?  Not when it comes from a full
 * handshake that did not verify and a recipient needs verification: that
 * one gets a full handshake, verified now (the server may have mended
 * its certificate).  A resumed session never verifies more than its
 * full handshake did.
 */
static int
deliver_may_resume(const struct tls_ticket *tk, const struct smtp_rcpt *r,
    const int *pending, size_t n)
{
	size_t	i;

	if (tk->facts.verified)
		return 1;
	for (i = 0; i < n; i++)
		if (pending[i] && r[i].policy == POLICY_VERIFY)
			return 0;
	return 1;
}

/*
 * After a session on a new connection: keep the ticket the server sent
 * (each is used once) or forget the one there; a full handshake's
 * certificate makes the tickets of any other certificate go; a ticket
 * offered to a handshake that failed goes too.
 */
static void
deliver_keep_ticket(const struct deliver_req *req, const char *host,
    int port, const char *tkey, const struct smtp_opts *o,
    const struct smtp_result *res)
{
	const struct deliver_memory	*m = req->memory;

	if (res->tls.used)
		m->ticket_put(m->ctx, host, port, tkey, res->has_ticket ?
		    &res->ticket : NULL, res->tls.resumed ? NULL :
		    res->tls.cert_sha256);
	else if (o->resume != NULL && (res->end == SMTP_END_TLS_FAILED ||
	    o->implicit_tls))
		m->ticket_put(m->ctx, host, port, tkey, NULL, NULL);
}

/* Copy a session's result for one recipient into its record. */
static void
deliver_fill(struct run *run, size_t idx, const struct smtp_rcpt *sr,
    const char *host, const char *address, int port,
    const struct tls_facts *tls)
{
	struct record	*rec = &run->out[idx];

	rec->outcome = sr->outcome;
	record_set(&rec->reason, sr->reason);
	rec->kind = sr->kind;
	rec->uncertain = sr->uncertain;
	record_set(&rec->server, host);
	record_set(&rec->address, address);
	rec->port = port;
	rec->code = sr->code;
	record_set(&rec->reply, sr->reply);
	rec->requiretls = sr->requiretls;
	rec->downgrade = sr->downgrade;
	tls_facts_clear(&rec->tls);
	if (tls->used)
		tls_facts_copy(&rec->tls, tls);
	rec->when = (long long)time(NULL);
}

/* Give every pending recipient of a destination the same outcome. */
static void
deliver_set_all(struct run *run, struct dest *d, int *pending, enum outcome o,
    const char *reason, const char *server)
{
	size_t	i;

	for (i = 0; i < d->n; i++) {
		if (!pending[i])
			continue;
		run->out[d->idx[i]].outcome = o;
		record_set(&run->out[d->idx[i]].reason, reason);
		record_set(&run->out[d->idx[i]].server, server);
		pending[i] = 0;
	}
}

/* Tell the caller a recipient's final outcome. */
static void
deliver_outcome_event(struct run *run, size_t idx)
{
	struct event	e;

	if (run->req->ev == NULL)
		return;
	memset(&e, 0, sizeof e);
	e.type = EVENT_OUTCOME;
	e.server = run->out[idx].server;
	e.address = run->out[idx].address;
	e.port = run->out[idx].port;
	e.recipient = run->out[idx].recipient;
	e.code = run->out[idx].code;
	e.record = &run->out[idx];
	run->req->ev(&e, run->req->ev_ctx);
}

/* A transaction's recipients are about to get the final dot. */
static int
deliver_before_dot(void *ctx, const size_t *idx, size_t n)
{
	struct sess_link		*l = ctx;
	const struct deliver_req	*req = l->run->req;
	size_t				 k;

	if (req->before_dot == NULL)
		return 0;
	for (k = 0; k < n; k++)
		l->tmp[k] = l->d->idx[l->map[idx[k]]];
	return req->before_dot(req->hook_ctx, l->tmp, n);
}

/* The server answered the final dot: settle those recipients now. */
static void
deliver_after_dot(void *ctx, const size_t *idx, size_t n)
{
	struct sess_link		*l = ctx;
	struct run			*run = l->run;
	const struct deliver_req	*req = run->req;
	size_t				 k, ri;

	for (k = 0; k < n; k++) {
		ri = l->d->idx[l->map[idx[k]]];
		deliver_fill(run, ri, &l->sub[idx[k]], l->host, l->address,
		    l->port, &l->res->tls);
		/*
		 * Only if the lookups are done: the record is stored now,
		 * right after the 250, never after a wait for DNS (the crash
		 * rules); a later answer reaches it at the end of the run.
		 */
		deliver_hops_attach(l->d->hops, 0, &run->out[ri],
		    req->rcpts[ri].addr);
		l->tmp[k] = ri;
		run->settled[ri] = 1;
	}
	if (req->settle != NULL &&
	    req->settle(req->hook_ctx, l->tmp, n, run->out) == -1)
		for (k = 0; k < n; k++)
			run->out[l->tmp[k]].unrecorded = 1;
}

/* Does mail to addr leave by the way of dest d (a relay or a route)? */
static int
deliver_same_way(const struct conf *c, const struct dest *d, const char *addr)
{
	const struct conf_route	*rt;
	const char		*dom = addr_domain(addr);

	rt = conf_find_route(c, dom);
	if (d->domain == NULL)
		return rt == NULL && c->relay_mode != RELAY_DIRECT;
	return rt != NULL && strcasecmp(rt->host, d->host) == 0 &&
	    rt->port == d->port;
}

/*
 * The session is at its last final dot: the next message of the flush,
 * when it leaves by the same way under the same account, so that its
 * commands go with the dot.
 */
static int
deliver_next_txn(void *ctx, struct smtp_next *nx)
{
	struct sess_link		*l = ctx;
	const struct deliver_req	*req = l->run->req;
	struct deliver_next		 dn;
	size_t				 i;

	memset(&dn, 0, sizeof dn);
	if (req->next(req->hook_ctx, &dn) != 1 || dn.n == 0 ||
	    dn.conf != req->conf)
		return 0;
	for (i = 0; i < dn.n; i++)
		if (!deliver_same_way(req->conf, l->d, dn.rcpts[i].addr))
			return 0;
	free(l->next_r);
	l->next_r = xcalloc(dn.n, sizeof *l->next_r);
	for (i = 0; i < dn.n; i++) {
		l->next_r[i].addr = dn.rcpts[i].addr;
		l->next_r[i].policy = dn.rcpts[i].policy;
	}
	nx->from = dn.from != NULL ? dn.from : "";
	nx->msg = dn.msg;
	nx->msglen = dn.len;
	nx->r = l->next_r;
	nx->n = dn.n;
	return 1;
}
