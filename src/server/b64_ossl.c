/* SPDX-License-Identifier: Apache-2.0 */
/* OpenSSL block codec (EVP_EncodeBlock/EVP_DecodeBlock) under the shared strict base64
 * of common/b64_canon.c. */
#include "b64_ossl.h"
#include "common/b64_canon.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

size_t ks_b64_encoded_len(size_t len) { return b64_encoded_len(len); }
size_t ks_b64url_encoded_len(size_t len) { return b64url_encoded_len(len); }
size_t ks_b64_decoded_max(size_t in_len) { return b64_decoded_max(in_len); }

/* Blocks are at most B64_CHUNK characters, so the int-sized OpenSSL calls never truncate. */
static int encode_block(unsigned char *dst, size_t dst_size, size_t *olen, const uint8_t *src,
			size_t n)
{
	(void)dst_size; /* B64_CHUNK + 1 holds the encoding of CHUNK / 4 * 3 bytes and the NUL */
	*olen = (size_t)EVP_EncodeBlock(dst, src, (int)n);
	return 0;
}

/* EVP_DecodeBlock counts '=' positions as zero bytes: drop them. */
static int decode_block(uint8_t *dst, size_t dst_max, size_t *olen, const unsigned char *src,
			size_t n)
{
	unsigned char dec[B64_CHUNK / 4 * 3];
	size_t take, pad = 0;
	int got;

	got = EVP_DecodeBlock(dec, src, (int)n);
	while (pad < 2 && pad < n && src[n - 1 - pad] == '=')
		pad++;
	take = got < 0 ? 0 : (size_t)got - pad;
	if (got >= 0 && take <= dst_max)
		memcpy(dst, dec, take);
	OPENSSL_cleanse(dec, sizeof(dec)); /* decoded data may be key material */
	if (got < 0 || take > dst_max)
		return -EINVAL;
	*olen = take;
	return 0;
}

int ks_b64_encode(const uint8_t *in, size_t len, char *out, size_t out_size)
{
	return b64_canon_encode(in, len, out, out_size, false, encode_block);
}

int ks_b64url_encode(const uint8_t *in, size_t len, char *out, size_t out_size)
{
	return b64_canon_encode(in, len, out, out_size, true, encode_block);
}

int ks_b64_decode(const char *in, size_t in_len, uint8_t *out, size_t out_max, size_t *out_len)
{
	return b64_canon_decode(in, in_len, out, out_max, out_len, false, decode_block);
}

int ks_b64url_decode(const char *in, size_t in_len, uint8_t *out, size_t out_max, size_t *out_len)
{
	return b64_canon_decode(in, in_len, out, out_max, out_len, true, decode_block);
}

int ks_b64url_decode_exact(const char *in, size_t in_len, uint8_t *out, size_t n)
{
	return b64url_canon_decode_exact(in, in_len, out, n, decode_block);
}
