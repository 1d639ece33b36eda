/* SPDX-License-Identifier: Apache-2.0 */
/* KBS sessions (kbs-protocol.md §2.3, §4.2): a bounded table keyed by the 16-byte
 * kbs-session-id, each holding the single-use nonce and, once attested, the TEE key
 * and the verified TD claims. Thread-safe. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "peer.h"
#include "../tdx/tdx_types.h"
#include "../verify/claims.h"

#define KS_SESSION_ID_LEN 16
#define KS_SESSION_ID_HEX (2 * KS_SESSION_ID_LEN + 1)
#define KS_NONCE_B64_LEN 44 /* 32 bytes, base64 with padding */

enum ks_session_state { KS_SESSION_CHALLENGED, KS_SESSION_ATTESTED };

/* What the resource step needs from the attestation step: the claims policy decides on
 * (one structure for the cookie and the Bearer path: read ../verify/claims.h before adding
 * a member) and the JWE recipient. */
struct ks_claims {
	struct vf_claims verified;
	uint8_t tee_x[32], tee_y[32]; /* the JWE recipient (P-256) */
};

struct ks_session {
	uint8_t id[KS_SESSION_ID_LEN];
	int64_t expires_ms;       /* CLOCK_MONOTONIC */
	int64_t expires_wall;     /* Unix seconds, for the cookie's Expires */
	int64_t attested_expires_ms; /* CLOCK_MONOTONIC: expires_ms once attested */
	struct ks_peer peer;      /* who asked for the challenge (per-peer quota) */
	enum ks_session_state state;
	char nonce[KS_NONCE_B64_LEN + 1];
	struct ks_claims claims;  /* valid when ATTESTED */
};

struct ks_sessions;

/* capacity: maximum live sessions; lifetime_ms: from creation (default 5 min). */
int ks_sessions_new(size_t capacity, int64_t lifetime_ms, struct ks_sessions **out);
void ks_sessions_free(struct ks_sessions *t);
/* Bounds on challenged (not yet attested) sessions, which anyone can create for free:
 * each lives challenge_ms (at most the session lifetime; default 30 s) unless attested
 * in time, and one peer holds at most per_peer of them at once (default 256; 0 = no
 * bound). A full table evicts the oldest challenged session, and when there is none the
 * oldest attested one. */
void ks_sessions_set_challenge_limits(struct ks_sessions *t, int64_t challenge_ms, unsigned per_peer);

/* Creates a challenged session for peer (NULL: the all-zero peer) with a fresh random id
 * and nonce; copies it to *out. Returns 0, -EBUSY when peer already holds its quota of
 * challenged sessions, or -ENOSPC when no session can make room (not expected). */
int ks_session_create(struct ks_sessions *t, const struct ks_peer *peer, struct ks_session *out);
/* Copies the live session with this id to *out. -ENOENT unknown, -ETIMEDOUT expired
 * (and removed). */
int ks_session_get(struct ks_sessions *t, const uint8_t id[KS_SESSION_ID_LEN], struct ks_session *out);
/* Marks a challenged session attested with these claims; if it was attested meanwhile,
 * leaves it alone (first attestation wins). Returns 0 or -ENOENT/-ETIMEDOUT. */
int ks_session_attest(struct ks_sessions *t, const uint8_t id[KS_SESSION_ID_LEN], const struct ks_claims *c);
/* Live sessions now (after purging expired ones). */
size_t ks_sessions_count(struct ks_sessions *t);

/* Parses a 32-hex-digit session id (as sent in the cookie). */
int ks_session_id_parse(const char *hex, size_t len, uint8_t id[KS_SESSION_ID_LEN]);
