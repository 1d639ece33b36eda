/* SPDX-License-Identifier: Apache-2.0 */
/* Decryption of the KBS resource JWE (ECDH-ES+A256KW, A256GCM; protocol §8.4-8.6)
 * with the client's ephemeral key. */
#pragma once
#include <stddef.h>

#include "common/secmem.h"

struct kbs_ec_key;

/* Decrypts the JWE JSON json[0..len) with key; on success *out holds the plaintext in
 * locked memory (release with secret_clear()). Errors: those of kbs_jwe_parse(), and
 * -EBADMSG when the key unwrap integrity check or the GCM tag fails (tampered or not
 * for this key); nothing is returned then. Z, KEK and CEK are wiped before returning. */
int kbs_jwe_decrypt(struct kbs_ec_key *key, const char *json, size_t len, struct secret *out);
