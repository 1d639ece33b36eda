/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 3394 AES key wrap (client implementation on mbedTLS): the RFC's 256-bit-KEK
 * vectors, tampering, and agreement with OpenSSL's EVP_aes_256_wrap. */
#include "kbs_testutil.h"
#include "common/cleanup.h"
#include "common/hex.h"
#include "common/log.h"
#include "kbs/aes_kw.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

static const char kek_hex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/* RFC 3394 §4.3, §4.5 and §4.6: the vectors with a 256-bit KEK. */
static const struct {
	const char *key, *wrapped;
} rfc[] = {
	{ "00112233445566778899aabbccddeeff",
	  "64e8c3f9ce0f5ba263e9777905818a2a93c8191e7d6e8ae7" },
	{ "00112233445566778899aabbccddeeff0001020304050607",
	  "a8f9bc1612c68b3ff6e6f4fbe30e71e4769c8b80a32cb8958cd5d17d6b254da1" },
	{ "00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f",
	  "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21" },
};

static void test_rfc3394_vectors(void **state)
{
	uint8_t kek[32], key[32], wrapped[40], out[40];
	(void)state;

	assert_int_equal(hex_decode(kek_hex, kek, sizeof(kek)), 32);
	for (size_t i = 0; i < ARRAY_SIZE(rfc); i++) {
		int kl = hex_decode(rfc[i].key, key, sizeof(key));
		int wl = hex_decode(rfc[i].wrapped, wrapped, sizeof(wrapped));

		assert_int_equal(wl, kl + 8);
		assert_int_equal(kbs_aes_kw_wrap(kek, key, (size_t)kl, out), 0);
		assert_memory_equal(out, wrapped, (size_t)wl);
		assert_int_equal(kbs_aes_kw_unwrap(kek, wrapped, (size_t)wl, out), 0);
		assert_memory_equal(out, key, (size_t)kl);
	}
}

static void test_tamper_fails_icv(void **state)
{
	uint8_t kek[32], wrapped[40], out[32], zero[32] = { 0 };
	(void)state;

	hex_decode(kek_hex, kek, sizeof(kek));
	hex_decode(rfc[2].wrapped, wrapped, sizeof(wrapped));
	for (size_t byte = 0; byte < sizeof(wrapped); byte++) {
		wrapped[byte] ^= 0x01;
		memset(out, 0x55, sizeof(out));
		assert_int_equal(kbs_aes_kw_unwrap(kek, wrapped, sizeof(wrapped), out), -EBADMSG);
		assert_memory_equal(out, zero, sizeof(out)); /* nothing leaks on failure */
		wrapped[byte] ^= 0x01;
	}
	kek[31] ^= 0x80;
	assert_int_equal(kbs_aes_kw_unwrap(kek, wrapped, sizeof(wrapped), out), -EBADMSG);
}

static void test_bad_lengths(void **state)
{
	uint8_t kek[32] = { 0 }, buf[KBS_AES_KW_MAX + 16] = { 0 }, out[KBS_AES_KW_MAX + 16];
	(void)state;

	assert_int_equal(kbs_aes_kw_unwrap(kek, buf, 0, out), -EINVAL);
	assert_int_equal(kbs_aes_kw_unwrap(kek, buf, 16, out), -EINVAL);
	assert_int_equal(kbs_aes_kw_unwrap(kek, buf, 39, out), -EINVAL);
	assert_int_equal(kbs_aes_kw_unwrap(kek, buf, KBS_AES_KW_MAX + 16, out), -EINVAL);
	assert_int_equal(kbs_aes_kw_wrap(kek, buf, 8, out), -EINVAL);
	assert_int_equal(kbs_aes_kw_wrap(kek, buf, 33, out), -EINVAL);
	assert_int_equal(kbs_aes_kw_wrap(kek, buf, KBS_AES_KW_MAX + 8, out), -EINVAL);
}

static void ossl_wrap(const uint8_t kek[32], const uint8_t *in, int len, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0;

	assert_non_null(c);
	EVP_CIPHER_CTX_set_flags(c, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_256_wrap(), NULL, kek, NULL), 1);
	assert_int_equal(EVP_EncryptUpdate(c, out, &l1, in, len), 1);
	assert_int_equal(EVP_EncryptFinal_ex(c, out + l1, &l2), 1);
	assert_int_equal(l1 + l2, len + 8);
	EVP_CIPHER_CTX_free(c);
}

static void test_agrees_with_openssl(void **state)
{
	uint8_t kek[32], key[64], a[72], b[72], back[64];
	(void)state;

	for (int round = 0; round < 200; round++) {
		int len = 16 + 8 * (round % 7);

		assert_int_equal(RAND_bytes(kek, sizeof(kek)), 1);
		assert_int_equal(RAND_bytes(key, len), 1);
		ossl_wrap(kek, key, len, a);
		assert_int_equal(kbs_aes_kw_wrap(kek, key, (size_t)len, b), 0);
		assert_memory_equal(a, b, (size_t)len + 8);
		assert_int_equal(kbs_aes_kw_unwrap(kek, a, (size_t)len + 8, back), 0);
		assert_memory_equal(back, key, (size_t)len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3394_vectors),
		cmocka_unit_test(test_tamper_fails_icv),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_agrees_with_openssl),
	};
	log_set_sink(kbs_test_quiet, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
