/* SPDX-License-Identifier: Apache-2.0 */
/* The library-independent half of the runtime data bound into REPORTDATA (protocol §5):
 * the RFC 8785 (JCS) form of {"additional-evidence":A,"nonce":N,"tee-pubkey":{EC JWK}}
 * and the hash selection. The client (kbs/runtime_data.c, mbedTLS) builds it to make
 * evidence, the server (server/runtime_data_check.c, OpenSSL) rebuilds it to check a
 * quote; each hashes it with its own library. */
#pragma once
#include <stddef.h>

enum runtime_hash { RUNTIME_HASH_SHA256, RUNTIME_HASH_SHA384, RUNTIME_HASH_SHA512 };

/* Maps "sha256"/"sha384"/"sha512" (the challenge's selected-hash-algorithm);
 * NULL means the default, SHA-384. Returns -ENOTSUP (logged) for anything else. */
int runtime_hash_from_name(const char *name, enum runtime_hash *out);
/* Digest length in bytes (32, 48, 64). */
size_t runtime_hash_len(enum runtime_hash h);

/* Builds the canonical string from the nonce exactly as received, the JWK coordinates
 * x, y (b64url) and the additional-evidence string ("" normally). Strings are escaped
 * per JCS; invalid UTF-8 is refused. *out is malloc'd, NUL-terminated, *out_len
 * excludes the NUL. Returns 0, -EINVAL (invalid UTF-8) or -ENOMEM, without logging:
 * the caller says which side failed. */
int runtime_data_canon(const char *nonce, const char *x, const char *y,
		       const char *additional_evidence, char **out, size_t *out_len);
