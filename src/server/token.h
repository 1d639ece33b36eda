/* SPDX-License-Identifier: Apache-2.0 */
/* Attestation tokens (kbs-protocol.md §9): JWT-shaped, ES256-signed by the server, with
 * iat/exp and the TEE key at submods.cpu0."ear.veraison.annotated-evidence"
 * .runtime_data_claims."tee-pubkey", plus the verified TD claims used by resource policy
 * (MRTD, RTMRs, MRCONFIGID, attributes, XFAM, TCB status; other fields come back zero). */
#define KS_TOKEN_MAX 4096
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "session.h"

struct ks_token_key;

/* pem_path NULL: a fresh P-256 key (tokens then die with the process, which is fine:
 * they live 5 minutes). Returns 0 or a negative errno. */
int ks_token_key_load(const char *pem_path, struct ks_token_key **out);
void ks_token_key_free(struct ks_token_key *k);

/* Issues a token for claims valid lifetime_s from now into out (NUL-terminated). */
int ks_token_issue(struct ks_token_key *k, const struct ks_claims *c, int64_t lifetime_s,
		   char *out, size_t out_size);
/* Verifies signature and expiry and recovers the claims. Returns 0, -EKEYREJECTED (bad
 * signature or malformed), -ETIMEDOUT (expired). */
int ks_token_verify(struct ks_token_key *k, const char *token, size_t len, struct ks_claims *out);
