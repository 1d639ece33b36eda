/* SPDX-License-Identifier: Apache-2.0 */
/* The client's "tee-pubkey" JWK (protocol §6) as the server sees it: EC P-256 with
 * alg ECDH-ES+A256KW. Unknown members are dropped, as Trustee does before hashing. */
#pragma once
#include <stdint.h>

#include <openssl/evp.h>

struct json_object;

struct ks_tee_pubkey {
	uint8_t x[32], y[32]; /* affine coordinates, big-endian */
};

/* Parses jwk (a json-c object): kty "EC", crv "P-256", alg "ECDH-ES+A256KW", x and y
 * canonical base64url of exactly 32 bytes, point on the curve. Returns 0, -ENOTSUP for
 * another key type, curve or alg, -EINVAL for malformed members or an off-curve point. */
int ks_tee_pubkey_from_json(struct json_object *jwk, struct ks_tee_pubkey *out);
/* 0 when the point is on P-256, else -EINVAL (logged); no key is built. */
int ks_tee_pubkey_check(const struct ks_tee_pubkey *k);
/* Builds the OpenSSL public key (validated on the curve); free with EVP_PKEY_free(). */
int ks_tee_pubkey_to_evp(const struct ks_tee_pubkey *k, EVP_PKEY **out);
/* The JWK members x and y re-encoded: 43 b64url characters + NUL each. */
int ks_tee_pubkey_xy_b64(const struct ks_tee_pubkey *k, char x[44], char y[44]);
