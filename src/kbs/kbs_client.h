/* SPDX-License-Identifier: Apache-2.0 */
/* The KBS client: fetch one or more resources from Trustee-compatible key servers
 * (kbs-protocol.md), with retries, failover and an overall deadline. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "../common/secmem.h"
#include "../tdx/evidence.h"

#define KBS_MAX_URLS 8
#define KBS_MAX_RESOURCES 16

struct kbs_client_opts {
	const char *urls[KBS_MAX_URLS]; /* https://host:port, tried in order */
	size_t n_urls;
	const char *ca_file;            /* pinned CA for the servers' certificates */
	struct evidence_opts evidence;
	int deadline_s;                 /* overall, including quote generation; 0 = 120 */
	long connect_timeout_ms;        /* 0 = 5000 */
	long request_timeout_ms;        /* 0 = 15000 (auth, resource) */
	long attest_timeout_ms;         /* 0 = 30000 */
	/* Optional: asked every 100 ms while waiting for the next try; true stops the client
	 * with -ECANCELED (nothing more logged: the caller says why). */
	bool (*cancel)(void *arg);
	void *cancel_arg;
	/* Set by kbs_fetch/kbs_attest from evidence.ccel_path (read once per call); callers
	 * leave it NULL. NULL = cc_eventlog null. */
	const char *eventlog_b64;
};

/* Fetches resources[i] ("repo/type/tag") into secrets[i] through one attestation.
 * Returns 0, or a negative errno once the deadline passed or every server refused
 * permanently (-ETIMEDOUT, -EACCES attestation/policy refusal, -EKEYREJECTED TLS,
 * -EBADMSG protocol/JWE errors, ...). Logs one line per attempt; never logs secrets. */
int kbs_fetch(const struct kbs_client_opts *opts, const char *const *resources, size_t n,
	      struct secret *secrets);

/* Attestation ahead of the resources (the initrd attests while it waits for its disks):
 * kbs_attest runs auth -> evidence -> attest with kbs_fetch's retries, failover and deadline,
 * and keeps the session of the server that accepted. kbs_session_fetch then fetches over it
 * in one try (no retries: on failure, logged, the caller falls back to kbs_fetch, which
 * attests afresh). deadline_s bounds that try. */
struct kbs_session;
int kbs_attest(const struct kbs_client_opts *opts, struct kbs_session **out);
int kbs_session_fetch(struct kbs_session *s, const char *const *resources, size_t n,
		      struct secret *secrets, int deadline_s);
/* Wipes the session's key and closes its connection; NULL is fine. */
void kbs_session_free(struct kbs_session *s);
static inline void kbs_session_freep(struct kbs_session **s) { kbs_session_free(*s); }
