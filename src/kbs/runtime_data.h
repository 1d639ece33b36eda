/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime data bound into REPORTDATA (protocol §5): the RFC 8785 (JCS) form of
 * {"additional-evidence":A,"nonce":N,"tee-pubkey":{EC JWK}} and its hash. The string
 * and the hash names are common/runtime_data.c (shared with the server); the hashing
 * here is mbedTLS. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "common/runtime_data.h"

enum kbs_hash {
	KBS_HASH_SHA256 = RUNTIME_HASH_SHA256,
	KBS_HASH_SHA384 = RUNTIME_HASH_SHA384,
	KBS_HASH_SHA512 = RUNTIME_HASH_SHA512,
};

/* Maps "sha256"/"sha384"/"sha512" (the challenge's selected-hash-algorithm);
 * NULL means the default, SHA-384. Returns -ENOTSUP for anything else. */
int kbs_hash_from_name(const char *name, enum kbs_hash *out);
/* Digest length in bytes (32, 48, 64). */
size_t kbs_hash_len(enum kbs_hash h);

/* Builds the canonical string from the nonce exactly as received, the JWK coordinates
 * x, y (b64url, as sent) and the additional-evidence string ("" normally). Strings are
 * escaped per JCS; invalid UTF-8 is refused (-EINVAL). *out is malloc'd, NUL-terminated,
 * *out_len excludes the NUL. */
int kbs_runtime_data_canon(const char *nonce, const char *x, const char *y,
			   const char *additional_evidence, char **out, size_t *out_len);
/* report_data = H(canon) || zero bytes up to 64. */
int kbs_report_data(enum kbs_hash h, const char *canon, size_t canon_len, uint8_t out[64]);
