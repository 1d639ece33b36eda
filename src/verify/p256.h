/* SPDX-License-Identifier: Apache-2.0 */
/* P-256 keys built from one shared group template. OpenSSL 3 otherwise builds a new
 * EC_GROUP for every key it imports (EVP_PKEY_fromdata) or generates (EVP_PKEY_Q_keygen):
 * 33 -> 13 µs per import, 36 -> 22 µs per key generation on this machine. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

/* The same from the 64 bytes X || Y of a quote. */
EVP_PKEY *vf_p256_key_from_xy(const uint8_t xy[64]);

/* The public key 04 || x || y, checked on the curve (the verifier's keys: attestation key,
 * pinned root; and the server's: TEE keys). Returns NULL if it is not a P-256
 * point (or out of memory). Free with EVP_PKEY_free(). */
EVP_PKEY *vf_p256_key_from_point(const uint8_t pt[65]);
/* A fresh P-256 key pair, or NULL. Free with EVP_PKEY_free(). */
EVP_PKEY *vf_p256_generate(void);
/* True when 04 || x || y is a point of P-256 (what vf_p256_key_from_point() accepts),
 * without building a key: ~1-2 µs instead of ~12 µs, for input that is only checked. */
bool vf_p256_point_valid(const uint8_t pt[65]);
