/* SPDX-License-Identifier: Apache-2.0 */
#include "session.h"
#include "../common/mono_time.h"
#include "../common/hex.h"
#include "../common/secmem.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

/* Open addressing with linear probing; a slot is free when used == false. Deletions use
 * backward-shift so lookups never need tombstones. Capacity is a power of two with at
 * least 25 % slack over the session limit. */
struct slot {
	bool used;
	struct ks_session s;
};

struct ks_sessions {
	pthread_mutex_t lock;
	struct slot *slots;
	size_t mask, live, limit;
	int64_t lifetime_ms;
	int64_t next_purge_ms;
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
	if (!t->slots) {
		free(t);
		return -ENOMEM;
	}
	pthread_mutex_init(&t->lock, NULL);
	t->mask = n - 1;
	t->limit = capacity;
	t->lifetime_ms = lifetime_ms > 0 ? lifetime_ms : 5 * 60 * 1000;
	*out = t;
	return 0;
}

void ks_sessions_free(struct ks_sessions *t)
{
	if (!t)
		return;
	secure_wipe(t->slots, (t->mask + 1) * sizeof(*t->slots));
	free(t->slots);
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

int ks_session_create(struct ks_sessions *t, struct ks_session *out)
{
	struct ks_session s = { 0 };
	uint8_t nonce[32];
	int64_t now = mono_ms();
	int r = 0;

	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		return -EIO;
	EVP_EncodeBlock((unsigned char *)s.nonce, nonce, sizeof(nonce));
	s.expires_ms = now + t->lifetime_ms;
	s.expires_wall = (int64_t)time(NULL) + t->lifetime_ms / 1000;
	s.state = KS_SESSION_CHALLENGED;

	pthread_mutex_lock(&t->lock);
	if (t->live >= t->limit || now >= t->next_purge_ms)
		purge_expired(t, now);
	if (t->live >= t->limit) {
		r = -ENOSPC;
		goto out;
	}
	do {
		if (RAND_bytes(s.id, sizeof(s.id)) != 1) {
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
		sl->s.claims = *c;
		sl->s.state = KS_SESSION_ATTESTED;
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
