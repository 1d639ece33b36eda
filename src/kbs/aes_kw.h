/* SPDX-License-Identifier: Apache-2.0 */
/* AES-256 key wrap (RFC 3394 §2.2, default IV A6A6A6A6A6A6A6A6) on mbedTLS's AES
 * block function: Debian's mbedTLS 2.28 is built without MBEDTLS_NIST_KW_C. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define KBS_AES_KW_MAX 512 /* largest key data handled, bytes */

/* Wraps key data in (in_len: multiple of 8, 16..KBS_AES_KW_MAX) with the 32-byte kek
 * into out (in_len + 8 bytes). */
int kbs_aes_kw_wrap(const uint8_t kek[32], const uint8_t *in, size_t in_len, uint8_t *out);
/* Unwraps in (in_len: multiple of 8, 24..KBS_AES_KW_MAX+8) into out (in_len - 8 bytes).
 * Returns -EBADMSG when the integrity check fails; out is then zeroed. */
int kbs_aes_kw_unwrap(const uint8_t kek[32], const uint8_t *in, size_t in_len, uint8_t *out);
