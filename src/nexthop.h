/*
 * nexthop: in relay mode, what a recipient's domain promises about the
 * hop after the relay, which tern cannot see (DESIGN.md, "Beyond the
 * first hop"): its MX hosts in order, whether that MX answer was
 * DNSSEC-validated, its MTA-STS mode (mtasts_policy_for, which caches
 * the policy), and whether one of its first MX hosts has usable DANE
 * TLSA records on a signed zone.  DNS and HTTPS only, never port 25.
 *
 * The facts (struct next_hop, record.h) are cached in the store (table
 * next_hop, store_hop_*) for NEXTHOP_FRESH seconds.  A lookup is bounded
 * by the account's timeout; what could not be learned is unknown (-1),
 * never an error: nothing here stops a send.  The words are always a
 * promise of the domain, never an observation of tern's.
 */
#ifndef TERN_NEXTHOP_H
#define TERN_NEXTHOP_H

#include <time.h>

#include "record.h"

struct conf;
struct store;

#define NEXTHOP_FRESH		3600	/* seconds a cached answer is used */
#define NEXTHOP_RETRY		300	/* ... an answer with nothing in it
					   (the MX lookup failed) */
#define NEXTHOP_DANE_HOSTS	3	/* MX hosts asked for TLSA, at most */

/*
 * The cached facts of domain when checked within NEXTHOP_FRESH of now:
 * 1 and *out filled (free with next_hop_clear), else 0 and *out zeroed.
 * A store read only (st may be NULL: 0).
 */
int	 nexthop_cached(struct store *, const char *, time_t,
	    struct next_hop *);
/*
 * Look the facts of domain up now through c's resolver (and c's ca_file
 * for the MTA-STS fetch), each step within what is left of c's timeout,
 * and keep them in the store (st may be NULL); when the MX lookup
 * fails, nothing more is asked and that is kept too (NEXTHOP_RETRY).  Always fills
 * *out with known 1 (free with next_hop_clear); what failed is -1.
 */
void	 nexthop_lookup(struct store *, const struct conf *, const char *,
	    time_t, struct next_hop *);
/* nexthop_cached, else nexthop_lookup. */
void	 nexthop_for(struct store *, const struct conf *, const char *,
	    time_t, struct next_hop *);
/*
 * The one sentence the composer, the view and the log show (a new
 * string), worded as the domain's promise, e.g. "bank.example publishes
 * MTA-STS enforce: its servers take mail only over verified TLS from
 * senders that honour it", "... publishes neither MTA-STS nor DANE: the
 * relay's next hop may fall back to plaintext".
 */
char	*nexthop_words(const char *, const struct next_hop *);
/*
 * Its MX hosts in words (a new string): "its mail servers (MX):
 * mx1.bank.example, mx2.bank.example (a DNSSEC-validated answer)", or
 * NULL when none is known.
 */
char	*nexthop_mx_words(const struct next_hop *);

#endif
