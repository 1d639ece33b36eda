/* SPDX-License-Identifier: Apache-2.0 */
/* mbedTLS block codec under the shared strict base64 of common/b64_canon.c. */
#include "b64.h"
#include "common/b64_canon.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <mbedtls/base64.h>

size_t kbs_b64_encoded_len(size_t len) { return b64_encoded_len(len); }
size_t kbs_b64url_encoded_len(size_t len) { return b64url_encoded_len(len); }
size_t kbs_b64_decoded_max(size_t in_len) { return b64_decoded_max(in_len); }

static int encode_block(unsigned char *dst, size_t dst_size, size_t *olen, const uint8_t *src,
			size_t n)
{
	return mbedtls_base64_encode(dst, dst_size, olen, src, n) != 0 ? -EINVAL : 0;
}

/* mbedTLS checks the output size itself and returns the length without the padding. */
static int decode_block(uint8_t *dst, size_t dst_max, size_t *olen, const unsigned char *src,
			size_t n)
{
	return mbedtls_base64_decode(dst, dst_max, olen, src, n) != 0 ? -EINVAL : 0;
}

int kbs_b64_encode(const uint8_t *in, size_t len, char *out, size_t out_size)
{
	return b64_canon_encode(in, len, out, out_size, false, encode_block);
}

int kbs_b64url_encode(const uint8_t *in, size_t len, char *out, size_t out_size)
{
	return b64_canon_encode(in, len, out, out_size, true, encode_block);
}

int kbs_b64_decode(const char *in, size_t in_len, uint8_t *out, size_t out_max, size_t *out_len)
{
	return b64_canon_decode(in, in_len, out, out_max, out_len, false, decode_block);
}

int kbs_b64url_decode(const char *in, size_t in_len, uint8_t *out, size_t out_max, size_t *out_len)
{
	return b64_canon_decode(in, in_len, out, out_max, out_len, true, decode_block);
}

int kbs_b64url_decode_exact(const char *in, size_t in_len, uint8_t *out, size_t n)
{
	return b64url_canon_decode_exact(in, in_len, out, n, decode_block);
}
