/* SPDX-License-Identifier: Apache-2.0 */
#include "body_budget.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

struct ks_body_budget {
	pthread_mutex_t lock;
	size_t total, share, used;
	struct ks_peer_counts *per_peer;
};

int ks_body_budget_new(size_t total, size_t max_body, size_t max_peers, struct ks_body_budget **out)
{
	struct ks_body_budget *b = calloc(1, sizeof(*b));
	int r;

	if (!b)
		return -ENOMEM;
	if ((r = ks_peer_counts_new(max_peers, &b->per_peer)) < 0) {
		free(b);
		return r;
	}
	pthread_mutex_init(&b->lock, NULL);
	b->total = total;
	b->share = total / 8 > max_body + 1 ? total / 8 : max_body + 1;
	*out = b;
	return 0;
}

void ks_body_budget_free(struct ks_body_budget *b)
{
	if (!b)
		return;
	ks_peer_counts_free(b->per_peer);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

int ks_body_budget_take(struct ks_body_budget *b, const struct ks_peer *peer, size_t n)
{
	int r = -EBUSY;

	pthread_mutex_lock(&b->lock);
	if (n <= b->total - b->used && (r = ks_peer_count_add(b->per_peer, peer, n, b->share)) == 0)
		b->used += n;
	pthread_mutex_unlock(&b->lock);
	return r < 0 ? -EBUSY : 0;
}

void ks_body_budget_give(struct ks_body_budget *b, const struct ks_peer *peer, size_t n)
{
	if (!n)
		return;
	pthread_mutex_lock(&b->lock);
	ks_peer_count_del(b->per_peer, peer, n);
	b->used -= n;
	pthread_mutex_unlock(&b->lock);
}

size_t ks_body_budget_used(struct ks_body_budget *b)
{
	size_t n;

	pthread_mutex_lock(&b->lock);
	n = b->used;
	pthread_mutex_unlock(&b->lock);
	return n;
}

size_t ks_body_budget_share(const struct ks_body_budget *b)
{
	return b->share;
}
