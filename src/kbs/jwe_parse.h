/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing and validation of the KBS resource response: an RFC 7516 flattened JSON JWE
 * {"protected","encrypted_key","iv","ciphertext","tag"} with the protected header
 * {"alg":"ECDH-ES+A256KW","enc":"A256GCM","epk":{P-256 EC JWK}} (protocol §8.1-8.3). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define KBS_JWE_MAX_LEN (1u << 20)          /* whole JSON document */
#define KBS_JWE_MAX_CIPHERTEXT (512u << 10) /* decoded ciphertext = plaintext */
#define KBS_JWE_MAX_PROTECTED 4096          /* b64url protected header, characters */
#define KBS_JWE_MAX_PARTY_INFO 256          /* decoded apu / apv */
#define KBS_JWE_WRAPPED_KEY_LEN 40
#define KBS_JWE_IV_LEN 12
#define KBS_JWE_TAG_LEN 16

struct kbs_jwe {
	char *protected_b64; /* the received protected member: the GCM AAD */
	size_t protected_len;
	uint8_t epk_x[32], epk_y[32];
	uint8_t apu[KBS_JWE_MAX_PARTY_INFO], apv[KBS_JWE_MAX_PARTY_INFO];
	size_t apu_len, apv_len;
	uint8_t encrypted_key[KBS_JWE_WRAPPED_KEY_LEN];
	uint8_t iv[KBS_JWE_IV_LEN];
	uint8_t tag[KBS_JWE_TAG_LEN];
	uint8_t *ciphertext;
	size_t ciphertext_len;
};

/* Parses json[0..len) into *out, requiring header alg == expected_alg (the alg of the
 * client's JWK). Errors: -EMSGSIZE (over a size cap), -ENOTSUP (alg, enc, epk type or
 * curve, zip, crit, aad/unprotected/header members: not what was asked for), -EINVAL
 * (malformed JSON, base64url or sizes). Release with kbs_jwe_clear(). */
int kbs_jwe_parse(const char *json, size_t len, const char *expected_alg, struct kbs_jwe *out);
void kbs_jwe_clear(struct kbs_jwe *jwe);
