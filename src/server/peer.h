/* SPDX-License-Identifier: Apache-2.0 */
/* Client addresses as the server's per-address limits see them, and an exact count per
 * address (connections, pending challenges). An IPv4 client (also one arriving as an
 * IPv4-mapped IPv6 address on a dual-stack socket) is its address; an IPv6 client is its
 * /64, since one host is normally handed a whole /64 and could otherwise take a fresh
 * address for every connection. */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct sockaddr;

struct ks_peer {
	uint8_t b[16]; /* IPv4: ::ffff:a.b.c.d; IPv6: the /64 prefix, then zeros */
};

/* The peer key of sa (all zeros when sa is NULL or not IP) and, when name is not NULL,
 * the full printable address (IPv4-mapped addresses printed as IPv4; "?" when unknown). */
void ks_peer_from_sockaddr(const struct sockaddr *sa, struct ks_peer *key, char *name, size_t len);

/* Exact counts (of things or bytes) per peer in a bounded open-addressing table; not
 * thread-safe (the owner locks). capacity: most distinct peers counted at once. */
struct ks_peer_counts;
int ks_peer_counts_new(size_t capacity, struct ks_peer_counts **out);
void ks_peer_counts_free(struct ks_peer_counts *m);
/* Adds n (> 0) for peer unless that would take it over limit: 0, or -EBUSY (over limit),
 * -ENOSPC (more distinct peers than capacity). */
int ks_peer_count_add(struct ks_peer_counts *m, const struct ks_peer *peer, uint64_t n, uint64_t limit);
/* Takes n away (the entry goes at zero). */
void ks_peer_count_del(struct ks_peer_counts *m, const struct ks_peer *peer, uint64_t n);
uint64_t ks_peer_count_get(const struct ks_peer_counts *m, const struct ks_peer *peer);
