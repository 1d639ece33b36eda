/* The KBS client: fetch one or more resources from Trustee-compatible key servers
 * (kbs-protocol.md), with retries, failover and an overall deadline. */
#pragma once
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
};

/* Fetches resources[i] ("repo/type/tag") into secrets[i] through one attestation.
 * Returns 0, or a negative errno once the deadline passed or every server refused
 * permanently (-ETIMEDOUT, -EACCES attestation/policy refusal, -EKEYREJECTED TLS,
 * -EBADMSG protocol/JWE errors, ...). Logs one line per attempt; never logs secrets. */
int kbs_fetch(const struct kbs_client_opts *opts, const char *const *resources, size_t n,
	      struct secret *secrets);
