/* SPDX-License-Identifier: Apache-2.0 */
/* The client's ephemeral P-256 key (the JWE recipient, "tee-pubkey" of §6). The
 * private scalar lives only in this object and is wiped by kbs_ec_key_free(). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define KBS_EC_ALG "ECDH-ES+A256KW"
#define KBS_EC_CRV "P-256"
#define KBS_EC_COORD_LEN 32
#define KBS_EC_COORD_B64 44 /* 43 b64url characters + NUL */

struct kbs_ec_key;

/* Generates a fresh key pair (CTR_DRBG seeded from mbedtls_entropy). */
int kbs_ec_key_generate(struct kbs_ec_key **out);
/* Builds a key from a known private scalar d (big-endian, 32 bytes); tests and fuzzing. */
int kbs_ec_key_from_scalar(const uint8_t d[KBS_EC_COORD_LEN], struct kbs_ec_key **out);
/* Builds a key from a PEM/DER P-256 private key (pem_len includes the NUL of PEM text). */
int kbs_ec_key_from_pem(const uint8_t *pem, size_t pem_len, struct kbs_ec_key **out);
/* Wipes and frees; NULL is fine. */
void kbs_ec_key_free(struct kbs_ec_key *key);
static inline void kbs_ec_key_freep(struct kbs_ec_key **key) { kbs_ec_key_free(*key); }
#define _cleanup_ec_key_ __attribute__((cleanup(kbs_ec_key_freep)))

/* The JWK members x and y: 43-character b64url strings (32 bytes, leading zeros kept). */
int kbs_ec_key_jwk(const struct kbs_ec_key *key, char x[KBS_EC_COORD_B64], char y[KBS_EC_COORD_B64]);
/* ECDH with a peer point given by its affine coordinates (32 bytes each, big-endian);
 * rejects points not on the curve (-EINVAL). z = x coordinate of d*Q, 32 bytes. */
int kbs_ec_key_ecdh(struct kbs_ec_key *key, const uint8_t peer_x[KBS_EC_COORD_LEN],
		    const uint8_t peer_y[KBS_EC_COORD_LEN], uint8_t z[KBS_EC_COORD_LEN]);
