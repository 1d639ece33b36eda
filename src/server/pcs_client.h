/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP GET against Intel PCS or a PCCS (libcurl; the key server links it only for this):
 * per-request timeouts, a few retries with doubling backoff, Retry-After on 429 honoured
 * up to a cap, bodies size-limited, an overall deadline, no API key (the collateral
 * endpoints need none: collateral-service.md §2.4). */
#pragma once
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcs_opts {
	const char *ca_file;          /* TLS CA bundle for the PCS/PCCS; NULL = system default */
	unsigned timeout_ms;          /* per request; 0 = 30000 */
	unsigned connect_timeout_ms;  /* 0 = 10000 */
	unsigned retries;             /* after the first attempt; UINT_MAX-safe, default via 0 = 3 */
	bool no_retry;                /* exactly one attempt */
	unsigned backoff_ms;          /* first delay, doubled each retry; 0 = 1000 */
	unsigned retry_after_cap_s;   /* longest Retry-After honoured; 0 = 60 */
	size_t max_body;              /* 0 = 4 MiB */
	int64_t deadline_ms;          /* mono_ms() deadline of the whole call (retries too); 0 = none */
	const atomic_bool *cancel;    /* stop between attempts when set (server shutdown) */
};

struct pcs_response {
	long status;
	uint8_t *body;
	size_t body_len;
	char *chain;                  /* decoded issuer-chain header, NULL when absent */
	size_t chain_len;
	char request_id[80];
};

/* GETs url; chain_headers: NULL-terminated header names carrying the issuer chain (first
 * found wins). Returns 0 (status 200, body set), -ENOENT (404/410: no such document),
 * -EBADMSG (malformed chain header), -EFBIG (body over the limit), -ETIMEDOUT / -EAGAIN
 * (unreachable or still failing after the retries), -ECANCELED. err gets one line. */
int pcs_get(const struct pcs_opts *o, const char *url, const char *const *chain_headers,
	    struct pcs_response *out, char *err, size_t err_len);
void pcs_response_free(struct pcs_response *r);
