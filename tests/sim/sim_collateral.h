/* SPDX-License-Identifier: Apache-2.0 */
/* Signed JSON collateral of the simulated platform: TDX TCB Info v3 and TD QE Identity v2
 * (tdx-formats.md §8.4, §8.5). The signed member is serialised once and written verbatim,
 * so the signature verifies over the raw slice of the file. */
#pragma once
#include <stdbool.h>
#include <time.h>

#include <openssl/evp.h>

struct sim_collateral_spec {
	EVP_PKEY *signing_key; /* TCB Signing key */
	time_t issue_date, next_update;
	bool bad_sig;          /* flip one bit of the signature */
	bool mismatch;         /* TCB info: other FMSPC; QE identity: other MRSIGNER */
};

int sim_tcb_info_write(const char *path, const struct sim_collateral_spec *spec);
int sim_qe_identity_write(const char *path, const struct sim_collateral_spec *spec);
