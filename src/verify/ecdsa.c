/* SPDX-License-Identifier: Apache-2.0 */
/* ECDSA P-256 / SHA-256 with raw r||s signatures (quotes, QE reports, JSON collateral),
 * through OpenSSL 3 EVP. */
#include "internal.h"

#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/sha.h>

/* DER INTEGER of a 32-byte big-endian unsigned value. Returns bytes written (<= 35). */
static size_t der_uint(const uint8_t v[32], uint8_t *out)
{
	size_t i = 0, n;

	while (i < 31 && v[i] == 0)
		i++;
	n = 32 - i;
	out[0] = 0x02;
	if (v[i] & 0x80) {
		out[1] = (uint8_t)(n + 1);
		out[2] = 0;
		memcpy(out + 3, v + i, n);
		return n + 3;
	}
	out[1] = (uint8_t)n;
	memcpy(out + 2, v + i, n);
	return n + 2;
}

int vf_ecdsa_verify_digest(EVP_PKEY *key, const uint8_t digest[32], const uint8_t sig[64])
{
	uint8_t der[80];
	size_t lr, ls;
	EVP_PKEY_CTX *ctx;
	int r;

	if (!key)
		return 0;
	lr = der_uint(sig, der + 2);
	ls = der_uint(sig + 32, der + 2 + lr);
	der[0] = 0x30;
	der[1] = (uint8_t)(lr + ls);
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (!ctx)
		return -ENOMEM;
	r = EVP_PKEY_verify_init(ctx);
	if (r == 1)
		r = EVP_PKEY_verify(ctx, der, 2 + lr + ls, digest, 32);
	EVP_PKEY_CTX_free(ctx);
	return r == 1 ? 1 : 0;
}

int vf_ecdsa_verify(EVP_PKEY *key, const uint8_t *msg, size_t len, const uint8_t sig[64])
{
	uint8_t h[32];

	SHA256(msg, len, h);
	return vf_ecdsa_verify_digest(key, h, sig);
}

static bool key_point(EVP_PKEY *key, uint8_t pt[65])
{
	char group[32];
	size_t len = 0;

	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
		return false;
	if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					   &len) != 1 || strcmp(group, "prime256v1") != 0)
		return false;
	if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, 65,
					    &len) != 1 || len != 65 || pt[0] != 0x04)
		return false;
	return true;
}

bool vf_key_equals_point(EVP_PKEY *key, const uint8_t pt[65])
{
	uint8_t mine[65];

	return key_point(key, mine) && memcmp(mine, pt, 65) == 0;
}

bool vf_keys_equal(EVP_PKEY *a, EVP_PKEY *b)
{
	uint8_t pa[65];

	return key_point(a, pa) && vf_key_equals_point(b, pa);
}

bool vf_key_is_p256(EVP_PKEY *key)
{
	uint8_t pt[65];

	return key_point(key, pt);
}
