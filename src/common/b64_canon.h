/* SPDX-License-Identifier: Apache-2.0 */
/* The library-independent half of strict base64 (RFC 4648 §4, padded) and base64url
 * (§5, unpadded): length arithmetic, canonical-form validation (exact alphabet, no
 * whitespace, correct padding or none, zero trailing bits), the std <-> url alphabet
 * translation and chunking. The crypto library (mbedTLS on the client, OpenSSL on the
 * server) only supplies a block codec for padded standard base64. Nothing here logs. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Characters per block handed to a codec; bytes per block are B64_CHUNK / 4 * 3. */
#define B64_CHUNK 64

/* Characters produced for len input bytes, without the NUL. */
size_t b64_encoded_len(size_t len);
size_t b64url_encoded_len(size_t len);
/* Upper bound of decoded bytes for in_len input characters. */
size_t b64_decoded_max(size_t in_len);

/* Checks that in[0..len) is canonical base64 (url: base64url); *dec_len = the number of
 * bytes it decodes to. Returns 0 or -EINVAL. */
int b64_canon_check(const char *in, size_t len, bool url, size_t *dec_len);

/* Encodes src[0..n), n <= B64_CHUNK / 4 * 3, as padded standard base64 into dst
 * (dst_size = B64_CHUNK + 1); *olen = characters written. Returns 0 or -EINVAL. */
typedef int (*b64_encode_block_fn)(unsigned char *dst, size_t dst_size, size_t *olen,
				   const uint8_t *src, size_t n);
/* Decodes src[0..n), n a multiple of 4 and <= B64_CHUNK, padded standard base64 that
 * b64_canon_check() accepted, into dst[0..dst_max); *olen = bytes written, padding
 * excluded. Returns 0 or -EINVAL. */
typedef int (*b64_decode_block_fn)(uint8_t *dst, size_t dst_max, size_t *olen,
				   const unsigned char *src, size_t n);

/* The strict codec over a block codec; the contracts of kbs/b64.h and server/b64_ossl.h:
 * encode returns 0, -ENOBUFS (out_size < encoded length + 1), -EOVERFLOW (absurd len);
 * decode returns 0, -EINVAL (not canonical), -ENOBUFS (out_max too small); decode_exact
 * (base64url only) must produce exactly n bytes, -EINVAL otherwise. */
int b64_canon_encode(const uint8_t *in, size_t len, char *out, size_t out_size, bool url,
		     b64_encode_block_fn enc);
int b64_canon_decode(const char *in, size_t in_len, uint8_t *out, size_t out_max,
		     size_t *out_len, bool url, b64_decode_block_fn dec);
int b64url_canon_decode_exact(const char *in, size_t in_len, uint8_t *out, size_t n,
			      b64_decode_block_fn dec);
