/* SPDX-License-Identifier: Apache-2.0 */
/* The memory request bodies may take while they are buffered (issue 14 item 7): a total
 * over all connections, and a share of it per address (peer.h) so that one client cannot
 * take all of it: an eighth of the total, but never less than one body of max_body_bytes.
 * Thread-safe. */
#pragma once
#include <stddef.h>

#include "peer.h"

struct ks_body_budget;

/* max_peers bounds the addresses holding bytes at once (the connection limit will do). */
int ks_body_budget_new(size_t total, size_t max_body, size_t max_peers, struct ks_body_budget **out);
void ks_body_budget_free(struct ks_body_budget *b);
/* Charges n bytes to peer: 0, or -EBUSY when the total or the peer's share would be
 * exceeded (nothing charged). */
int ks_body_budget_take(struct ks_body_budget *b, const struct ks_peer *peer, size_t n);
void ks_body_budget_give(struct ks_body_budget *b, const struct ks_peer *peer, size_t n);
/* Bytes charged now, and the per-address share (for log lines). */
size_t ks_body_budget_used(struct ks_body_budget *b);
size_t ks_body_budget_share(const struct ks_body_budget *b);
