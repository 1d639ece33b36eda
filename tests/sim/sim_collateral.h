/* SPDX-License-Identifier: Apache-2.0 */
/* Signed JSON collateral of the simulated platform: TDX TCB Info v3 and TD QE Identity v2
 * (tdx-formats.md §8.4, §8.5). The signed member is serialised once and written verbatim,
 * so the signature verifies over the raw slice of the file. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>

struct sim_collateral_spec {
	EVP_PKEY *signing_key; /* TCB Signing key */
	time_t issue_date, next_update;
	bool bad_sig;          /* flip one bit of the signature */
	bool mismatch;         /* TCB info: other FMSPC; QE identity: other MRSIGNER */
	const uint8_t *fmspc;  /* TCB info: 6 bytes (NULL: sim_platform.fmspc) */
	int tcb_eval;          /* tcbEvaluationDataNumber (0: 17) */
};

/* The signed documents as served ({"<member>":...,"signature":"..."}, no newline), in a
 * malloc'd NUL-terminated string. */
int sim_tcb_info_build(const struct sim_collateral_spec *spec, char **out);
int sim_qe_identity_build(const struct sim_collateral_spec *spec, char **out);
/* The same with a newline, written to path (as `tdx-sim pki` stores them). */
int sim_tcb_info_write(const char *path, const struct sim_collateral_spec *spec);
int sim_qe_identity_write(const char *path, const struct sim_collateral_spec *spec);
/* Signs a document member text with key: {"<member>":<text>,"signature":"<128 hex>"}
 * (bad_sig flips one bit). */
int sim_json_sign(EVP_PKEY *key, const char *member, const char *text, bool bad_sig, char **out);
