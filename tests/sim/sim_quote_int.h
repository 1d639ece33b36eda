/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to the simulator: the loaded PKI (opaque in sim_quote.h). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

struct sim_pki {
	EVP_PKEY *att_key;  /* signs quotes */
	EVP_PKEY *pck_key;  /* signs QE reports */
	uint8_t att_xy[64]; /* attestation public key X||Y */
	char *chain;        /* PCK chain PEM (NUL-terminated, chain_len excludes the NUL) */
	size_t chain_len;
};
