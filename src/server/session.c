/* SPDX-License-Identifier: Apache-2.0 */
#include "session.h"
#include "../common/log.h"
#include "../common/mono_time.h"
#include "../common/hex.h"
#include "../common/secmem.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

/* Open addressing with linear probing; a slot is free when used == false. Deletions use
 * backward-shift so lookups never need tombstones. Capacity is a power of two with at
 * least 25 % slack over the session limit.
 *
 * Challenged sessions cost a client one unauthenticated request each, so they must not
 * be able to crowd out attested ones (issue 14): they expire after challenge_ms (a TD
 * answers its challenge within seconds: one quote), each peer (peer.h: an IPv4 address or
 * an IPv6 /64) holds at most per_peer of them (counted in pending), and a full table
 * evicts the oldest challenged session instead of refusing. The order of creation is a
 * ring of ids; entries whose session was attested or has gone are skipped when they reach
 * the head, so eviction is O(1) amortised. All challenged sessions share one lifetime, so
 * the oldest created is the first to expire.
 *
 * Attested sessions cost a genuine TD quote each, but any TDX guest has those, and a
 * session outlives its flow (it is good for the session lifetime): a table full of
 * attested sessions evicts the oldest attested one (a second ring, in attestation order)
 * rather than refusing every TD for minutes. A TD whose session went this way attests
 * again. */
struct slot {
	bool used;
	struct ks_session s;
};

/* Session ids in the order they entered a state; limit entries. */
struct id_ring {
	uint8_t (*ids)[KS_SESSION_ID_LEN];
	size_t head, len, cap;
};

struct ks_sessions {
	pthread_mutex_t lock;
	struct slot *slots;
	size_t mask, live, limit;
	int64_t lifetime_ms, challenge_ms;
	int64_t next_purge_ms;
	unsigned per_peer;
	struct ks_peer_counts *pending;    /* challenged sessions per peer */
	struct id_ring pending_order, attested_order;
	int64_t last_evict_log_ms;
};

int ks_sessions_new(size_t capacity, int64_t lifetime_ms, struct ks_sessions **out)
{
	struct ks_sessions *t;
	size_t n = 16;

	if (capacity == 0 || capacity > (1u << 24))
		return -EINVAL;
	while (n < capacity + capacity / 4)
		n *= 2;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->slots = calloc(n, sizeof(*t->slots));
	t->pending_order.ids = calloc(capacity, sizeof(*t->pending_order.ids));
	t->attested_order.ids = calloc(capacity, sizeof(*t->attested_order.ids));
	if (!t->slots || !t->pending_order.ids || !t->attested_order.ids ||
	    ks_peer_counts_new(capacity, &t->pending) < 0) {
		free(t->slots);
		free(t->pending_order.ids);
		free(t->attested_order.ids);
		free(t);
		return -ENOMEM;
	}
	t->pending_order.cap = t->attested_order.cap = capacity;
	t->last_evict_log_ms = INT64_MIN / 2;
	pthread_mutex_init(&t->lock, NULL);
	t->mask = n - 1;
	t->limit = capacity;
	t->lifetime_ms = lifetime_ms > 0 ? lifetime_ms : 5 * 60 * 1000;
	ks_sessions_set_challenge_limits(t, 30 * 1000, 256);
	*out = t;
	return 0;
}

void ks_sessions_set_challenge_limits(struct ks_sessions *t, int64_t challenge_ms, unsigned per_peer)
{
	pthread_mutex_lock(&t->lock);
	t->challenge_ms = challenge_ms > 0 && challenge_ms < t->lifetime_ms ? challenge_ms : t->lifetime_ms;
	t->per_peer = per_peer ? per_peer : UINT_MAX;
	pthread_mutex_unlock(&t->lock);
}

void ks_sessions_free(struct ks_sessions *t)
{
	if (!t)
		return;
	secure_wipe(t->slots, (t->mask + 1) * sizeof(*t->slots));
	free(t->slots);
	free(t->pending_order.ids);
	free(t->attested_order.ids);
	ks_peer_counts_free(t->pending);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static size_t slot_of(const struct ks_sessions *t, const uint8_t id[KS_SESSION_ID_LEN])
{
	uint64_t h;

	memcpy(&h, id, sizeof(h)); /* ids are random: any 8 bytes hash well */
	return (size_t)h & t->mask;
}

static struct slot *find(struct ks_sessions *t, const uint8_t id[KS_SESSION_ID_LEN])
{
	for (size_t i = slot_of(t, id);; i = (i + 1) & t->mask) {
		struct slot *sl = &t->slots[i];

		if (!sl->used)
			return NULL;
		if (memcmp(sl->s.id, id, KS_SESSION_ID_LEN) == 0)
			return sl;
	}
}

static void remove_at(struct ks_sessions *t, size_t i)
{
	size_t j = i;

	if (t->slots[i].s.state == KS_SESSION_CHALLENGED)
		ks_peer_count_del(t->pending, &t->slots[i].s.peer, 1);
	secure_wipe(&t->slots[i], sizeof(t->slots[i]));
	t->live--;
	for (;;) {
		j = (j + 1) & t->mask;
		if (!t->slots[j].used)
			return;
		size_t home = slot_of(t, t->slots[j].s.id);
		/* Move j back into the hole at i unless its home lies cyclically in (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			t->slots[i] = t->slots[j];
			memset(&t->slots[j], 0, sizeof(t->slots[j]));
			i = j;
		}
	}
}

static void purge_expired(struct ks_sessions *t, int64_t now)
{
	for (size_t i = 0; i <= t->mask;) {
		if (t->slots[i].used && t->slots[i].s.expires_ms <= now)
			remove_at(t, i); /* re-examine i: a later entry may have moved here */
		else
			i++;
	}
	t->next_purge_ms = now + 60 * 1000;
}

static void ring_push(struct id_ring *r, const uint8_t id[KS_SESSION_ID_LEN])
{
	if (r->len == r->cap) { /* only when the caller made no room: forget the oldest */
		r->head = (r->head + 1) % r->cap;
		r->len--;
	}
	memcpy(r->ids[(r->head + r->len) % r->cap], id, KS_SESSION_ID_LEN);
	r->len++;
}

/* Drops entries from the head of r whose session is no longer in state (or gone); with
 * evict, also the first one still in state (the oldest), removing its session. Returns
 * true when a session was evicted. */
static bool ring_advance(struct ks_sessions *t, struct id_ring *r, enum ks_session_state state, bool evict)
{
	while (r->len) {
		struct slot *sl = find(t, r->ids[r->head]);
		bool current = sl && sl->s.state == state;

		if (current && !evict)
			return false;
		r->head = (r->head + 1) % r->cap;
		r->len--;
		if (current) {
			remove_at(t, (size_t)(sl - t->slots));
			return true;
		}
	}
	return false;
}

int ks_session_create(struct ks_sessions *t, const struct ks_peer *peer, struct ks_session *out)
{
	static const struct ks_peer anonymous;
	struct ks_session s = { 0 };
	uint8_t nonce[32];
	int64_t now = mono_ms();
	int r = 0;

	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		return -EIO;
	EVP_EncodeBlock((unsigned char *)s.nonce, nonce, sizeof(nonce));
	s.attested_expires_ms = now + t->lifetime_ms;
	s.expires_wall = (int64_t)time(NULL) + t->lifetime_ms / 1000;
	s.state = KS_SESSION_CHALLENGED;
	s.peer = peer ? *peer : anonymous;

	pthread_mutex_lock(&t->lock);
	s.expires_ms = now + t->challenge_ms;
	if (t->live >= t->limit || now >= t->next_purge_ms)
		purge_expired(t, now);
	if (ks_peer_count_get(t->pending, &s.peer) >= t->per_peer) {
		r = -EBUSY;
		goto out;
	}
	ring_advance(t, &t->pending_order, KS_SESSION_CHALLENGED, false);
	/* The ring holds one entry per session created since its head: full means the table
	 * is about full too. Make room by evicting the oldest challenged session, else the
	 * oldest attested one. */
	while ((t->live >= t->limit || t->pending_order.len == t->limit) &&
	       ring_advance(t, &t->pending_order, KS_SESSION_CHALLENGED, true))
		;
	if (t->live >= t->limit && ring_advance(t, &t->attested_order, KS_SESSION_ATTESTED, true) &&
	    now - t->last_evict_log_ms >= 10 * 1000) {
		log_warn("session table full of attested sessions (max_sessions %zu): evicting the oldest; "
			 "TDs whose session goes attest again", t->limit);
		t->last_evict_log_ms = now;
	}
	if (t->live >= t->limit) {
		r = -ENOSPC;
		goto out;
	}
	if (ks_peer_count_add(t->pending, &s.peer, 1, t->per_peer) < 0) {
		r = -EBUSY;
		goto out;
	}
	do {
		if (RAND_bytes(s.id, sizeof(s.id)) != 1) {
			ks_peer_count_del(t->pending, &s.peer, 1);
			r = -EIO;
			goto out;
		}
	} while (find(t, s.id));
	size_t i = slot_of(t, s.id);
	while (t->slots[i].used)
		i = (i + 1) & t->mask;
	t->slots[i].used = true;
	t->slots[i].s = s;
	t->live++;
	ring_push(&t->pending_order, s.id);
	*out = s;
out:
	pthread_mutex_unlock(&t->lock);
	return r;
}

static struct slot *find_live(struct ks_sessions *t, const uint8_t id[KS_SESSION_ID_LEN], int *err)
{
	struct slot *sl = find(t, id);

	*err = 0;
	if (!sl) {
		*err = -ENOENT;
		return NULL;
	}
	if (sl->s.expires_ms <= mono_ms()) {
		remove_at(t, (size_t)(sl - t->slots));
		*err = -ETIMEDOUT;
		return NULL;
	}
	return sl;
}

int ks_session_get(struct ks_sessions *t, const uint8_t id[KS_SESSION_ID_LEN], struct ks_session *out)
{
	struct slot *sl;
	int r;

	pthread_mutex_lock(&t->lock);
	sl = find_live(t, id, &r);
	if (sl)
		*out = sl->s;
	pthread_mutex_unlock(&t->lock);
	return r;
}

int ks_session_attest(struct ks_sessions *t, const uint8_t id[KS_SESSION_ID_LEN], const struct ks_claims *c)
{
	struct slot *sl;
	int r;

	pthread_mutex_lock(&t->lock);
	sl = find_live(t, id, &r);
	if (sl && sl->s.state == KS_SESSION_CHALLENGED) {
		ks_peer_count_del(t->pending, &sl->s.peer, 1);
		sl->s.claims = *c;
		sl->s.state = KS_SESSION_ATTESTED;
		sl->s.expires_ms = sl->s.attested_expires_ms;
		ring_advance(t, &t->attested_order, KS_SESSION_ATTESTED, false);
		ring_push(&t->attested_order, id);
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

size_t ks_sessions_count(struct ks_sessions *t)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	purge_expired(t, mono_ms());
	n = t->live;
	pthread_mutex_unlock(&t->lock);
	return n;
}

int ks_session_id_parse(const char *hex, size_t len, uint8_t id[KS_SESSION_ID_LEN])
{
	char buf[KS_SESSION_ID_HEX];

	if (len != 2 * KS_SESSION_ID_LEN)
		return -EINVAL;
	memcpy(buf, hex, len);
	buf[len] = '\0';
	return hex_decode(buf, id, KS_SESSION_ID_LEN) == KS_SESSION_ID_LEN ? 0 : -EINVAL;
}
