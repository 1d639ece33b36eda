/* SPDX-License-Identifier: Apache-2.0 */
/* Concat KDF of RFC 7518 §4.6.2 (NIST SP 800-56A) with SHA-256, for a 256-bit key:
 * KEK = SHA-256(00000001 || Z || len(alg) || alg || len(apu) || apu || len(apv) || apv || 00000100). */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* z: ECDH shared secret (z_len bytes); alg: the JWE "alg" value (AlgorithmID);
 * apu/apv: decoded PartyUInfo/PartyVInfo (NULL, 0 when absent); kek: 32-byte output. */
int kbs_concat_kdf(const uint8_t *z, size_t z_len, const char *alg, const uint8_t *apu,
		   size_t apu_len, const uint8_t *apv, size_t apv_len, uint8_t kek[32]);
