#include "session.h"
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
 * the oldest created is the first to expire. */
struct slot {
	bool used;
	struct ks_session s;
};

struct ks_sessions {
	pthread_mutex_t lock;
	struct slot *slots;
	size_t mask, live, limit;
	int64_t lifetime_ms, challenge_ms;
	int64_t next_purge_ms;
	unsigned per_peer;
	struct ks_peer_counts *pending;    /* challenged sessions per peer */
	uint8_t (*ring)[KS_SESSION_ID_LEN]; /* ids in creation order; limit entries */
	size_t ring_head, ring_len;
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
	t->ring = calloc(capacity, sizeof(*t->ring));
	if (!t->slots || !t->ring || ks_peer_counts_new(capacity, &t->pending) < 0) {
		free(t->slots);
		free(t->ring);
		free(t);
		return -ENOMEM;
	}
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
	free(t->ring);
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

/* Drops ring entries from the head whose session is attested or gone; with evict, also
 * the first challenged one (the oldest), removing its session. Returns true when a
 * challenged session was evicted. */
static bool ring_advance(struct ks_sessions *t, bool evict)
{
	while (t->ring_len) {
		struct slot *sl = find(t, t->ring[t->ring_head]);
		bool pending = sl && sl->s.state == KS_SESSION_CHALLENGED;

		if (pending && !evict)
			return false;
		t->ring_head = (t->ring_head + 1) % t->limit;
		t->ring_len--;
		if (pending) {
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
	ring_advance(t, false);
	/* The ring holds one entry per session created since its head: full means the table
	 * is about full too. Make room by evicting the oldest challenged session. */
	while ((t->live >= t->limit || t->ring_len == t->limit) && ring_advance(t, true))
		;
	if (t->live >= t->limit) { /* full of attested sessions */
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
	memcpy(t->ring[(t->ring_head + t->ring_len) % t->limit], s.id, KS_SESSION_ID_LEN);
	t->ring_len++;
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
