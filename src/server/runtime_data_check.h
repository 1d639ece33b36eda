/* SPDX-License-Identifier: Apache-2.0 */
/* Server side of the REPORTDATA binding (protocol §5.3): re-serialize the received
 * runtime data canonically (RFC 8785 JCS), hash it, compare with the quote's 64 bytes.
 * The string is common/runtime_data.c (shared with the client); the hashing here is
 * OpenSSL. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "common/runtime_data.h"
#include "tee_pubkey.h"

enum ks_hash {
	KS_HASH_SHA256 = RUNTIME_HASH_SHA256,
	KS_HASH_SHA384 = RUNTIME_HASH_SHA384,
	KS_HASH_SHA512 = RUNTIME_HASH_SHA512,
};

/* Digest length in bytes (32, 48, 64). */
size_t ks_hash_len(enum ks_hash h);

/* Canonical {"additional-evidence":A,"nonce":N,"tee-pubkey":{alg,crv,kty,x,y}} from
 * the received nonce string, the parsed key and the received additional-evidence
 * string (NUL-terminated, "" when empty). Strings are JCS-escaped; invalid UTF-8 gives
 * -EINVAL. *out is malloc'd and NUL-terminated; *out_len excludes the NUL. */
int ks_runtime_data_canon(const char *nonce, const struct ks_tee_pubkey *key,
			  const char *additional_evidence, char **out, size_t *out_len);
/* report_data = H(canon) || zero bytes up to 64 (the first ks_hash_len(h) bytes are
 * the bare digest, as the "sample" TEE uses it). */
int ks_report_data(enum ks_hash h, const char *canon, size_t canon_len, uint8_t out[64]);
/* Recomputes report_data from the received values and compares all 64 bytes with
 * quote_report_data. Returns 0 on a match, -EPERM on a mismatch. */
int ks_runtime_data_check(const char *nonce, const struct ks_tee_pubkey *key,
			  const char *additional_evidence, enum ks_hash h,
			  const uint8_t quote_report_data[64]);
