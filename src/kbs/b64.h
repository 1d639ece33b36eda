/* SPDX-License-Identifier: Apache-2.0 */
/* Strict base64 (RFC 4648 §4, padded) and base64url (§5, unpadded) on mbedTLS.
 * Decoders accept only canonical input: the exact alphabet, no whitespace, correct
 * padding (std) or none (url), zero trailing bits. The checks, lengths and chunking are
 * common/b64_canon.c, shared with the server's server/b64_ossl.c; mbedTLS codes blocks. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* Characters produced for len input bytes, without the NUL. */
size_t kbs_b64_encoded_len(size_t len);
size_t kbs_b64url_encoded_len(size_t len);
/* Upper bound of decoded bytes for in_len input characters. */
size_t kbs_b64_decoded_max(size_t in_len);

/* Encodes in[0..len) into out (out_size >= encoded_len + 1, NUL-terminated).
 * Returns 0, -ENOBUFS if out is too small, -EOVERFLOW for absurd lengths. */
int kbs_b64_encode(const uint8_t *in, size_t len, char *out, size_t out_size);
int kbs_b64url_encode(const uint8_t *in, size_t len, char *out, size_t out_size);

/* Decodes in[0..in_len) (no NUL needed) into out[0..out_max); *out_len = bytes written.
 * Returns 0, -EINVAL for non-canonical input, -ENOBUFS if out_max is too small. */
int kbs_b64_decode(const char *in, size_t in_len, uint8_t *out, size_t out_max, size_t *out_len);
int kbs_b64url_decode(const char *in, size_t in_len, uint8_t *out, size_t out_max, size_t *out_len);
/* b64url decode that must produce exactly n bytes (-EINVAL otherwise). */
int kbs_b64url_decode_exact(const char *in, size_t in_len, uint8_t *out, size_t n);
