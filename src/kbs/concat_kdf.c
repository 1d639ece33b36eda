/* SPDX-License-Identifier: Apache-2.0 */
#include "concat_kdf.h"
#include "common/log.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <mbedtls/sha256.h>

static void be32(uint8_t p[4], uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Hashes a 32-bit big-endian length followed by the data. */
static int put_field(mbedtls_sha256_context *c, const uint8_t *p, size_t len)
{
	uint8_t l[4];
	int r;

	be32(l, (uint32_t)len);
	r = mbedtls_sha256_update_ret(c, l, sizeof(l));
	if (r == 0 && len)
		r = mbedtls_sha256_update_ret(c, p, len);
	return r;
}

int kbs_concat_kdf(const uint8_t *z, size_t z_len, const char *alg, const uint8_t *apu,
		   size_t apu_len, const uint8_t *apv, size_t apv_len, uint8_t kek[32])
{
	mbedtls_sha256_context c;
	uint8_t counter[4], keydatalen[4];
	int r;

	if (z_len > UINT32_MAX || apu_len > UINT32_MAX || apv_len > UINT32_MAX)
		return log_fail(-EOVERFLOW, "Concat KDF: input too long");
	be32(counter, 1);
	be32(keydatalen, 256);
	mbedtls_sha256_init(&c);
	r = mbedtls_sha256_starts_ret(&c, 0);
	if (r == 0)
		r = mbedtls_sha256_update_ret(&c, counter, sizeof(counter));
	if (r == 0)
		r = mbedtls_sha256_update_ret(&c, z, z_len);
	if (r == 0)
		r = put_field(&c, (const uint8_t *)alg, strlen(alg));
	if (r == 0)
		r = put_field(&c, apu, apu_len);
	if (r == 0)
		r = put_field(&c, apv, apv_len);
	if (r == 0)
		r = mbedtls_sha256_update_ret(&c, keydatalen, sizeof(keydatalen));
	if (r == 0)
		r = mbedtls_sha256_finish_ret(&c, kek);
	mbedtls_sha256_free(&c); /* zeroizes the state, which holds Z */
	if (r != 0)
		return log_fail(-EIO, "Concat KDF (mbedTLS -0x%04x)", (unsigned)-r);
	return 0;
}
