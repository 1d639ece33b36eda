/* SPDX-License-Identifier: Apache-2.0 */
#include "peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

void ks_peer_from_sockaddr(const struct sockaddr *sa, struct ks_peer *key, char *name, size_t len)
{
	memset(key, 0, sizeof(*key));
	if (name && len)
		snprintf(name, len, "?");
	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		key->b[10] = key->b[11] = 0xff;
		memcpy(key->b + 12, &in->sin_addr, 4);
		if (name)
			inet_ntop(AF_INET, &in->sin_addr, name, (socklen_t)len);
	} else if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			memcpy(key->b, &in6->sin6_addr, 16);
			if (name)
				inet_ntop(AF_INET, (const uint8_t *)&in6->sin6_addr + 12, name, (socklen_t)len);
		} else {
			memcpy(key->b, &in6->sin6_addr, 8);
			if (name)
				inet_ntop(AF_INET6, &in6->sin6_addr, name, (socklen_t)len);
		}
	}
}

/* Open addressing with linear probing and backward-shift deletion, as the session table.
 * The hash is keyed with a random seed so that clients cannot pick addresses that all
 * land in one probe run. */
struct entry {
	struct ks_peer peer;
	uint64_t count; /* 0 = free slot */
};

struct ks_peer_counts {
	struct entry *e;
	size_t mask, live, capacity;
	uint64_t seed;
};

int ks_peer_counts_new(size_t capacity, struct ks_peer_counts **out)
{
	struct ks_peer_counts *m;
	size_t n = 16;

	if (capacity == 0 || capacity > (1u << 24))
		return -EINVAL;
	while (n < 2 * capacity)
		n *= 2;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->e = calloc(n, sizeof(*m->e));
	if (!m->e || RAND_bytes((unsigned char *)&m->seed, sizeof(m->seed)) != 1) {
		free(m->e);
		free(m);
		return -ENOMEM;
	}
	m->mask = n - 1;
	m->capacity = capacity;
	*out = m;
	return 0;
}

void ks_peer_counts_free(struct ks_peer_counts *m)
{
	if (!m)
		return;
	free(m->e);
	free(m);
}

static size_t home_of(const struct ks_peer_counts *m, const struct ks_peer *p)
{
	uint64_t a, b, h;

	memcpy(&a, p->b, 8);
	memcpy(&b, p->b + 8, 8);
	h = (a ^ m->seed) * 0x9e3779b97f4a7c15ull;
	h = (h ^ (h >> 29) ^ b) * 0xbf58476d1ce4e5b9ull;
	return (size_t)(h ^ (h >> 32)) & m->mask;
}

static size_t find(const struct ks_peer_counts *m, const struct ks_peer *p, bool *found)
{
	size_t i = home_of(m, p);

	while (m->e[i].count && memcmp(&m->e[i].peer, p, sizeof(*p)) != 0)
		i = (i + 1) & m->mask;
	*found = m->e[i].count != 0;
	return i;
}

int ks_peer_count_add(struct ks_peer_counts *m, const struct ks_peer *peer, uint64_t n, uint64_t limit)
{
	bool found;
	size_t i = find(m, peer, &found);

	if (n == 0 || n > limit || (found && m->e[i].count > limit - n))
		return -EBUSY;
	if (found) {
		m->e[i].count += n;
		return 0;
	}
	if (m->live >= m->capacity)
		return -ENOSPC;
	m->e[i].peer = *peer;
	m->e[i].count = n;
	m->live++;
	return 0;
}

void ks_peer_count_del(struct ks_peer_counts *m, const struct ks_peer *peer, uint64_t n)
{
	bool found;
	size_t i = find(m, peer, &found), j = i;

	if (!found)
		return;
	m->e[i].count -= n < m->e[i].count ? n : m->e[i].count;
	if (m->e[i].count)
		return;
	m->live--;
	for (;;) {
		j = (j + 1) & m->mask;
		if (!m->e[j].count)
			return;
		size_t home = home_of(m, &m->e[j].peer);
		/* Move j back into the hole at i unless its home lies cyclically in (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			m->e[i] = m->e[j];
			memset(&m->e[j], 0, sizeof(m->e[j]));
			i = j;
		}
	}
}

uint64_t ks_peer_count_get(const struct ks_peer_counts *m, const struct ks_peer *peer)
{
	bool found;
	size_t i = find(m, peer, &found);

	return found ? m->e[i].count : 0;
}
