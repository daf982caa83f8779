/*
 * ui-hop: the composer's next hop sentences (nexthop.h).  A domain's
 * sentence comes from the store's cache at once when it is there; else a
 * worker thread of this module looks it up (nexthop_for: DNS and HTTPS,
 * bounded by the account's timeout) while the keyboard goes on, and the
 * screen asks again at its next draw.  One table per interface, freed at
 * its end.
 */
#ifndef TERN_UI_HOP_H
#define TERN_UI_HOP_H

struct conf;
struct store;
struct ui_hop;

/* A new, empty table over st (borrowed: it must outlive the table). */
struct ui_hop	*ui_hop_new(struct store *);
/* Free it, waiting for the lookup under way (bounded by its timeout). */
void		 ui_hop_free(struct ui_hop *);
/*
 * The sentence for mail to domain under account c (borrowed: it must
 * outlive the table), a new string; NULL while it is being looked up
 * (the lookup starts now if it has not).
 */
char		*ui_hop_words(struct ui_hop *, const struct conf *,
		    const char *);
/* 1 when a lookup ended since the last call (the screen redraws). */
int		 ui_hop_changed(struct ui_hop *);

#endif
