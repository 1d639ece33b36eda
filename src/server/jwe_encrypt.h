/* SPDX-License-Identifier: Apache-2.0 */
/* Server side of protocol §8.10: encrypt a resource to the client's P-256 tee-pubkey as
 * a flattened JSON JWE with ECDH-ES+A256KW and A256GCM (OpenSSL libcrypto). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "tee_pubkey.h"

#define KS_JWE_MAX_PLAINTEXT (512u << 10) /* the client refuses larger ciphertexts */

/* Encrypts pt[0..pt_len) to key with a fresh ephemeral key, CEK and IV. *out is the
 * malloc'd, NUL-terminated JSON {"protected","encrypted_key","iv","ciphertext","tag"}
 * (*out_len excludes the NUL). Returns 0, -EMSGSIZE over KS_JWE_MAX_PLAINTEXT, -EINVAL
 * for an unusable key, -EIO for a crypto failure. Intermediate keys are wiped. */
int ks_jwe_encrypt(const struct ks_tee_pubkey *key, const uint8_t *pt, size_t pt_len,
		   char **out, size_t *out_len);
