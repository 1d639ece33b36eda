/* SPDX-License-Identifier: Apache-2.0 */
#include "aes_kw.h"
#include "common/log.h"

#include <errno.h>
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/platform_util.h>

static const uint8_t default_iv[8] = { 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6 };

/* A ^= BE64(t) */
static void xor_counter(uint8_t a[8], uint64_t t)
{
	for (int i = 7; i >= 0; i--, t >>= 8)
		a[i] ^= (uint8_t)t;
}

static int ct_differs(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d != 0;
}

int kbs_aes_kw_wrap(const uint8_t kek[32], const uint8_t *in, size_t in_len, uint8_t *out)
{
	mbedtls_aes_context aes;
	uint8_t b[16];
	size_t n = in_len / 8;
	int r = 0;

	if (in_len % 8 || n < 2 || in_len > KBS_AES_KW_MAX)
		return log_fail(-EINVAL, "AES key wrap: key data must be 16..%d bytes in 8-byte steps",
				KBS_AES_KW_MAX);
	mbedtls_aes_init(&aes);
	if (mbedtls_aes_setkey_enc(&aes, kek, 256) != 0)
		r = -EINVAL;
	memcpy(b, default_iv, 8);
	memmove(out + 8, in, in_len);
	for (unsigned j = 0; r == 0 && j <= 5; j++) {
		for (size_t i = 1; r == 0 && i <= n; i++) {
			memcpy(b + 8, out + 8 * i, 8);
			if (mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_ENCRYPT, b, b) != 0)
				r = -EIO;
			xor_counter(b, (uint64_t)n * j + i);
			memcpy(out + 8 * i, b + 8, 8);
		}
	}
	memcpy(out, b, 8);
	mbedtls_aes_free(&aes);
	mbedtls_platform_zeroize(b, sizeof(b));
	if (r < 0) {
		mbedtls_platform_zeroize(out, in_len + 8);
		return log_fail(r, "AES key wrap failed");
	}
	return 0;
}

int kbs_aes_kw_unwrap(const uint8_t kek[32], const uint8_t *in, size_t in_len, uint8_t *out)
{
	mbedtls_aes_context aes;
	uint8_t b[16];
	size_t n = in_len / 8 - 1;
	int r = 0;

	if (in_len % 8 || in_len < 24 || in_len > KBS_AES_KW_MAX + 8)
		return log_fail(-EINVAL, "AES key unwrap: wrapped key must be 24..%d bytes in 8-byte steps",
				KBS_AES_KW_MAX + 8);
	mbedtls_aes_init(&aes);
	if (mbedtls_aes_setkey_dec(&aes, kek, 256) != 0)
		r = -EINVAL;
	memcpy(b, in, 8);
	memmove(out, in + 8, in_len - 8);
	for (unsigned j = 6; r == 0 && j-- > 0;) {
		for (size_t i = n; r == 0 && i >= 1; i--) {
			xor_counter(b, (uint64_t)n * j + i);
			memcpy(b + 8, out + 8 * (i - 1), 8);
			if (mbedtls_aes_crypt_ecb(&aes, MBEDTLS_AES_DECRYPT, b, b) != 0)
				r = -EIO;
			memcpy(out + 8 * (i - 1), b + 8, 8);
		}
	}
	mbedtls_aes_free(&aes);
	if (r == 0 && ct_differs(b, default_iv, 8))
		r = -EBADMSG;
	mbedtls_platform_zeroize(b, sizeof(b));
	if (r < 0)
		mbedtls_platform_zeroize(out, in_len - 8);
	if (r == -EBADMSG)
		return log_fail(r, "AES key unwrap: integrity check failed (wrong key or tampered encrypted_key)");
	if (r < 0)
		return log_fail(r, "AES key unwrap: AES failed");
	return 0;
}
