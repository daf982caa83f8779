/* Relay mode's next hop: what a recipient's domain promises. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "conf.h"
#include "dane.h"
#include "dns.h"
#include "err.h"
#include "mtasts.h"
#include "nexthop.h"
#include "store.h"
#include "xmalloc.h"

static int	nexthop_left(time_t, int);
static int	nexthop_dane(const struct conf *, const struct dns_mxlist *,
		    time_t);

/* Fresh cached facts of a domain. */
int
nexthop_cached(struct store *st, const char *domain, time_t now,
    struct next_hop *out)
{
	struct err	*e = NULL;
	long long	 checked;

	memset(out, 0, sizeof *out);
	if (st == NULL)
		return 0;
	if (store_hop_get(st, domain, out, &checked, &e) != 1) {
		err_free(e);
		return 0;
	}
	/* Nothing learned (DNS did not answer): asked again sooner. */
	if (checked > (long long)now || (long long)now - checked >=
	    (out->nmx == 0 && out->dnssec < 0 ? NEXTHOP_RETRY :
	    NEXTHOP_FRESH)) {
		next_hop_clear(out);
		return 0;
	}
	return 1;
}

/* Seconds left until deadline, at least 1 (0: past it). */
static int
nexthop_left(time_t deadline, int timeout)
{
	time_t	now = time(NULL);

	if (now >= deadline)
		return 0;
	if (deadline - now > timeout)
		return timeout;
	return (int)(deadline - now);
}

/*
 * Does one of the first MX hosts have usable TLSA records (RFC 7672:
 * its addresses and the TLSA answer validated)?  1, 0, -1: unknown.
 */
static int
nexthop_dane(const struct conf *c, const struct dns_mxlist *mx,
    time_t deadline)
{
	struct dns_tlsalist	 l;
	struct err		*e = NULL;
	char			**addrs, *name;
	size_t			 i, n;
	int			 t, secure, unknown = 0, found = 0;

	for (i = 0; i < mx->n && i < NEXTHOP_DANE_HOSTS && !found; i++) {
		if ((t = nexthop_left(deadline, c->timeout)) == 0)
			return -1;
		addrs = NULL;
		n = 0;
		secure = 0;
		if (dns_host_addrs_secure(mx->v[i].host, c->resolver_host,
		    c->resolver_port, t, &addrs, &n, &secure, &e) == -1) {
			err_free(e);
			e = NULL;
			unknown = 1;
			continue;
		}
		dns_addrs_free(addrs, n);
		if (!secure)
			continue;	/* insecure addresses: no DANE */
		if ((t = nexthop_left(deadline, c->timeout)) == 0)
			return -1;
		memset(&l, 0, sizeof l);
		name = xasprintf("_25._tcp.%s", mx->v[i].host);
		if (dns_tlsa_lookup(name, c->resolver_host, c->resolver_port,
		    t, &l, &e) == -1) {
			err_free(e);
			e = NULL;
			unknown = 1;
		} else
			found = dane_usable(&l) > 0;
		free(name);
		dns_tlsalist_clear(&l);
	}
	return found ? 1 : unknown ? -1 : 0;
}

/* Look up what a domain promises, and keep it. */
void
nexthop_lookup(struct store *st, const struct conf *c, const char *domain,
    time_t now, struct next_hop *out)
{
	struct dns_mxlist	 mx;
	struct mtasts_policy	 sts;
	struct err		*e = NULL;
	time_t			 deadline;
	size_t			 i;
	int			 t, timeout;

	memset(out, 0, sizeof *out);
	out->known = 1;
	out->mta_sts = NEXT_HOP_STS_UNKNOWN;
	out->dane = -1;
	out->dnssec = -1;
	timeout = c->timeout > 0 ? c->timeout : 30;
	deadline = time(NULL) + timeout;
	memset(&mx, 0, sizeof mx);
	if (dns_mx_lookup(domain, c->resolver_host, c->resolver_port, timeout,
	    &mx, &e) == -1) {
		/*
		 * No answer, a null MX, no such domain: nothing promised.
		 * Kept for NEXTHOP_RETRY, so that a resolver that does not
		 * answer costs one wait, not one per send.
		 */
		err_free(e);
		if (st != NULL)
			(void)store_hop_put(st, domain, out, (long long)now,
			    NULL);
		return;
	}
	out->dnssec = mx.secure != 0;
	if (mx.n > 0)
		out->mx = xcalloc(mx.n, sizeof *out->mx);
	for (i = 0; i < mx.n; i++)
		out->mx[out->nmx++] = xstrdup(mx.v[i].host);

	memset(&sts, 0, sizeof sts);
	if ((t = nexthop_left(deadline, timeout)) > 0 &&
	    mtasts_policy_for(st, c->resolver_host, c->resolver_port,
	    c->ca_file, t, domain, now, &sts, &e) == 0) {
		if (sts.source != MTASTS_SRC_NONE)
			out->mta_sts = sts.mode == MTASTS_ENFORCE ?
			    NEXT_HOP_STS_ENFORCE : sts.mode == MTASTS_TESTING ?
			    NEXT_HOP_STS_TESTING : NEXT_HOP_STS_NONE;
		else if (sts.fail == MTASTS_FAIL_NONE)
			out->mta_sts = NEXT_HOP_STS_NONE;
	}
	err_free(e);
	e = NULL;
	mtasts_policy_clear(&sts);

	/* DANE needs a validated MX answer (RFC 7672 2.2.1). */
	out->dane = mx.secure ? nexthop_dane(c, &mx, deadline) : 0;
	dns_mxlist_clear(&mx);
	if (st != NULL)
		(void)store_hop_put(st, domain, out, (long long)now, NULL);
}

/* Cached, else looked up. */
void
nexthop_for(struct store *st, const struct conf *c, const char *domain,
    time_t now, struct next_hop *out)
{
	if (nexthop_cached(st, domain, now, out))
		return;
	nexthop_lookup(st, c, domain, now, out);
}

/* The sentence: what the domain promises for the hop after the relay. */
char *
nexthop_words(const char *domain, const struct next_hop *h)
{
	const char	*d = domain != NULL ? domain : "the recipient's domain";

	if (h == NULL || !h->known || (h->nmx == 0 && h->dnssec < 0))
		return xasprintf("tern could not learn what %s publishes for "
		    "its mail (DNS did not answer): nothing is known of the "
		    "relay's next hop", d);
	if (h->mta_sts == NEXT_HOP_STS_ENFORCE && h->dane == 1)
		return xasprintf("%s publishes MTA-STS enforce and DANE for its "
		    "mail server (DNSSEC-signed): its servers take mail only "
		    "over verified TLS from senders that honour either", d);
	if (h->mta_sts == NEXT_HOP_STS_ENFORCE)
		return xasprintf("%s publishes MTA-STS enforce: its servers "
		    "take mail only over verified TLS from senders that "
		    "honour it", d);
	if (h->dane == 1)
		return xasprintf("%s publishes DANE for its mail server "
		    "(DNSSEC-signed): a relay that checks DANE must use "
		    "verified TLS", d);
	if (h->mta_sts == NEXT_HOP_STS_TESTING)
		return xasprintf("%s publishes MTA-STS testing: it asks for "
		    "verified TLS but takes mail without it, so the relay's "
		    "next hop may fall back to plaintext", d);
	if (h->mta_sts == NEXT_HOP_STS_NONE && h->dane == 0)
		return xasprintf("%s publishes neither MTA-STS nor DANE: the "
		    "relay's next hop may fall back to plaintext", d);
	if (h->mta_sts == NEXT_HOP_STS_NONE)
		return xasprintf("%s publishes no MTA-STS policy, and whether "
		    "it publishes DANE could not be learned: the relay's next "
		    "hop may fall back to plaintext", d);
	if (h->dane == 0)
		return xasprintf("%s publishes no DANE, and its MTA-STS policy "
		    "could not be learned: the relay's next hop may fall back "
		    "to plaintext", d);
	return xasprintf("tern could not learn whether %s publishes MTA-STS "
	    "or DANE: the relay's next hop may fall back to plaintext", d);
}

/* Its MX hosts in words. */
char *
nexthop_mx_words(const struct next_hop *h)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	if (h == NULL || !h->known || h->nmx == 0)
		return NULL;
	buf_adds(&b, "its mail servers (MX): ");
	for (i = 0; i < h->nmx; i++)
		buf_addf(&b, "%s%s", i > 0 ? ", " : "", h->mx[i]);
	buf_adds(&b, h->dnssec == 1 ? " (a DNSSEC-validated answer)" :
	    " (an answer not DNSSEC-signed)");
	return buf_steal(&b);
}
