/* SPDX-License-Identifier: Apache-2.0 */
/* Attestation tokens (kbs-protocol.md §9): JWT-shaped, ES256-signed by the server, with
 * iat/exp, "jti" = the kbs-session-id of the attested session, and the TEE key at
 * submods.cpu0."ear.veraison.annotated-evidence".runtime_data_claims."tee-pubkey" (plus a
 * few TD measurements, for readers of the token only).
 *
 * The token is a signed reference to the session, not a carrier of claims: the key server
 * decides a Bearer request on the claims stored in the session the token names, the very
 * copy the cookie path reads (../verify/claims.h). So a token is usable while its session
 * lives on this server (not across a restart), and new claim members never touch this
 * file. */
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

/* Issues a token for the attested session `session_id` (whose claims are c) valid
 * lifetime_s from now into out (NUL-terminated). */
int ks_token_issue(struct ks_token_key *k, const uint8_t session_id[KS_SESSION_ID_LEN],
		   const struct ks_claims *c, int64_t lifetime_s, char *out, size_t out_size);
/* Verifies signature and expiry and gives back the session id the token names (the caller
 * looks the claims up there). Returns 0, -EKEYREJECTED (bad signature or malformed),
 * -ETIMEDOUT (expired). */
int ks_token_verify(struct ks_token_key *k, const char *token, size_t len,
		    uint8_t session_id[KS_SESSION_ID_LEN]);
