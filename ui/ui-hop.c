/* The composer's next hop sentences, looked up in a worker thread. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "conf.h"
#include "nexthop.h"
#include "record.h"
#include "ui-hop.h"
#include "xmalloc.h"

enum ui_hop_state { UI_HOP_QUEUED, UI_HOP_RUNNING, UI_HOP_DONE };

struct ui_hop_entry {
	char			*domain;	/* lower case */
	const struct conf	*conf;		/* borrowed */
	char			*words;		/* when done */
	enum ui_hop_state	 state;
};

struct ui_hop {
	struct store		*st;		/* borrowed */
	pthread_mutex_t		 lock;
	pthread_t		 thread;
	int			 running;	/* thread started, not joined */
	int			 busy;		/* thread still looking up */
	int			 changed;
	struct ui_hop_entry	*v;
	size_t			 n;
};

static void	*ui_hop_worker(void *);

/* A new table. */
struct ui_hop *
ui_hop_new(struct store *st)
{
	struct ui_hop	*h;

	h = xcalloc(1, sizeof *h);
	h->st = st;
	pthread_mutex_init(&h->lock, NULL);
	return h;
}

/* Wait for the worker, free everything. */
void
ui_hop_free(struct ui_hop *h)
{
	size_t	i;

	if (h == NULL)
		return;
	if (h->running)
		pthread_join(h->thread, NULL);
	for (i = 0; i < h->n; i++) {
		free(h->v[i].domain);
		free(h->v[i].words);
	}
	free(h->v);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

/* Look up the queued domains, one at a time, until none is left. */
static void *
ui_hop_worker(void *arg)
{
	struct ui_hop		*h = arg;
	struct next_hop		 nh;
	const struct conf	*c;
	char			*dom, *w;
	size_t			 i;

	for (;;) {
		pthread_mutex_lock(&h->lock);
		for (i = 0; i < h->n; i++)
			if (h->v[i].state == UI_HOP_QUEUED)
				break;
		if (i == h->n) {
			h->busy = 0;
			pthread_mutex_unlock(&h->lock);
			return NULL;
		}
		h->v[i].state = UI_HOP_RUNNING;
		dom = xstrdup(h->v[i].domain);
		c = h->v[i].conf;
		pthread_mutex_unlock(&h->lock);
		nexthop_for(h->st, c, dom, time(NULL), &nh);
		w = nexthop_words(dom, &nh);
		next_hop_clear(&nh);
		pthread_mutex_lock(&h->lock);
		for (i = 0; i < h->n; i++)
			if (h->v[i].state == UI_HOP_RUNNING &&
			    strcmp(h->v[i].domain, dom) == 0 &&
			    h->v[i].conf == c) {
				h->v[i].words = w;
				h->v[i].state = UI_HOP_DONE;
				w = NULL;
				break;
			}
		h->changed = 1;
		pthread_mutex_unlock(&h->lock);
		free(w);
		free(dom);
	}
}

/* The sentence for a domain, or NULL while it is looked up. */
char *
ui_hop_words(struct ui_hop *h, const struct conf *c, const char *domain)
{
	struct ui_hop_entry	*e;
	struct next_hop		 nh;
	char			*w = NULL, *d;
	size_t			 i;

	if (h == NULL || domain == NULL || *domain == '\0')
		return NULL;
	d = xstrdup(domain);
	for (i = 0; d[i] != '\0'; i++)
		if (d[i] >= 'A' && d[i] <= 'Z')
			d[i] = (char)(d[i] - 'A' + 'a');
	pthread_mutex_lock(&h->lock);
	for (i = 0; i < h->n; i++)
		if (h->v[i].conf == c && strcmp(h->v[i].domain, d) == 0)
			break;
	if (i < h->n) {
		if (h->v[i].state == UI_HOP_DONE)
			w = xstrdup(h->v[i].words);
		pthread_mutex_unlock(&h->lock);
		free(d);
		return w;
	}
	h->v = xreallocarray(h->v, h->n + 1, sizeof *h->v);
	e = &h->v[h->n++];
	memset(e, 0, sizeof *e);
	e->domain = d;
	e->conf = c;
	/* The cache first: a store read, no network. */
	if (nexthop_cached(h->st, d, time(NULL), &nh)) {
		e->words = nexthop_words(d, &nh);
		e->state = UI_HOP_DONE;
		w = xstrdup(e->words);
		next_hop_clear(&nh);
	} else if (!h->busy) {
		if (h->running)
			pthread_join(h->thread, NULL);	/* it has ended */
		h->running = h->busy = pthread_create(&h->thread, NULL,
		    ui_hop_worker, h) == 0;
	}
	pthread_mutex_unlock(&h->lock);
	return w;
}

/* Did a lookup end since the last call? */
int
ui_hop_changed(struct ui_hop *h)
{
	int	c;

	if (h == NULL)
		return 0;
	pthread_mutex_lock(&h->lock);
	c = h->changed;
	h->changed = 0;
	pthread_mutex_unlock(&h->lock);
	return c;
}
