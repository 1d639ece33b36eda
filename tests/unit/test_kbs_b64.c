/* SPDX-License-Identifier: Apache-2.0 */
/* Strict base64 / base64url: the client (mbedTLS) and server (OpenSSL) implementations
 * on RFC 4648 vectors, non-canonical input, and agreement on random input. */
#include "kbs_testutil.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "kbs/b64.h"
#include "server/b64_ossl.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *raw, *std, *url;
} rfc4648[] = {
	{ "", "", "" },
	{ "f", "Zg==", "Zg" },
	{ "fo", "Zm8=", "Zm8" },
	{ "foo", "Zm9v", "Zm9v" },
	{ "foob", "Zm9vYg==", "Zm9vYg" },
	{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
	{ "\xfb\xff\xfe", "+//+", "-__-" },
};

/* Decodes with both implementations; asserts they agree; returns the result. */
static int decode_both(const char *in, size_t len, bool url, uint8_t *out, size_t max, size_t *out_len)
{
	uint8_t a[256], b[256];
	size_t la = 0, lb = 0;
	int ra, rb;

	assert_true(max <= sizeof(a));
	ra = url ? kbs_b64url_decode(in, len, a, max, &la) : kbs_b64_decode(in, len, a, max, &la);
	rb = url ? ks_b64url_decode(in, len, b, max, &lb) : ks_b64_decode(in, len, b, max, &lb);
	assert_int_equal(ra, rb);
	if (ra == 0) {
		char re[400];

		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		/* Canonical: whatever is accepted re-encodes to exactly the input. */
		assert_int_equal(url ? kbs_b64url_encode(a, la, re, sizeof(re)) : kbs_b64_encode(a, la, re, sizeof(re)), 0);
		assert_int_equal(strlen(re), len);
		assert_memory_equal(re, in, len);
		memcpy(out, a, la);
		*out_len = la;
	}
	return ra;
}

static void test_rfc4648_vectors(void **state)
{
	char a[64], b[64];
	uint8_t d[64];
	size_t n;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(rfc4648); i++) {
		const uint8_t *raw = (const uint8_t *)rfc4648[i].raw;
		size_t len = strlen(rfc4648[i].raw);

		assert_int_equal(kbs_b64_encode(raw, len, a, sizeof(a)), 0);
		assert_int_equal(ks_b64_encode(raw, len, b, sizeof(b)), 0);
		assert_string_equal(a, rfc4648[i].std);
		assert_string_equal(b, rfc4648[i].std);
		assert_int_equal(kbs_b64url_encode(raw, len, a, sizeof(a)), 0);
		assert_int_equal(ks_b64url_encode(raw, len, b, sizeof(b)), 0);
		assert_string_equal(a, rfc4648[i].url);
		assert_string_equal(b, rfc4648[i].url);
		assert_int_equal(strlen(a), kbs_b64url_encoded_len(len));
		assert_int_equal(decode_both(rfc4648[i].std, strlen(rfc4648[i].std), false, d, sizeof(d), &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(d, raw, len);
		assert_int_equal(decode_both(rfc4648[i].url, strlen(rfc4648[i].url), true, d, sizeof(d), &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(d, raw, len);
	}
}

static void test_rejects_noncanonical(void **state)
{
	static const char *const bad_std[] = {
		"Zg", "Zg=", "Zm8", "Z===", "====", "=", "Zg==Zg==", "Zm=v", "Zh==", "Zm9=",
		"Zm9v\n", " Zm9v", "Zm9v ", "Zm-v", "Zm_v", "Zm9vY===", "Zm\r\n9v", "Zm9vYg=A",
	};
	static const char *const bad_url[] = {
		"Zg==", "Zg=", "Z", "Zm9vY", "Zh", "Zm9", "Zm+v", "Zm/v", "Zm9v=", " Zm9v", "Zm9v\n",
		"Zm.v", "Zm9\x80", "\xff\xfe",
	};
	uint8_t d[64];
	size_t n;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad_std); i++)
		assert_int_equal(decode_both(bad_std[i], strlen(bad_std[i]), false, d, sizeof(d), &n), -EINVAL);
	for (size_t i = 0; i < ARRAY_SIZE(bad_url); i++)
		assert_int_equal(decode_both(bad_url[i], strlen(bad_url[i]), true, d, sizeof(d), &n), -EINVAL);
	/* An embedded NUL inside the counted length is a bad character, not an end. */
	assert_int_equal(decode_both("Zm\0v", 4, true, d, sizeof(d), &n), -EINVAL);
	assert_int_equal(decode_both("Zm\0v", 4, false, d, sizeof(d), &n), -EINVAL);
}

static void test_unpadded_final_group(void **state)
{
	/* The Appendix A tag: 22 characters, 16 bytes (mbedTLS alone would give 15). */
	static const char tag[] = "klE90Fv8S9YmqxVn_XW2wg";
	static const uint8_t want[16] = { 0x92, 0x51, 0x3d, 0xd0, 0x5b, 0xfc, 0x4b, 0xd6,
					  0x26, 0xab, 0x15, 0x67, 0xfd, 0x75, 0xb6, 0xc2 };
	uint8_t d[16];
	size_t n;
	(void)state;

	assert_int_equal(decode_both(tag, strlen(tag), true, d, sizeof(d), &n), 0);
	assert_int_equal(n, 16);
	assert_memory_equal(d, want, 16);
	assert_int_equal(kbs_b64url_decode_exact(tag, strlen(tag), d, 16), 0);
	assert_int_equal(ks_b64url_decode_exact(tag, strlen(tag), d, 16), 0);
	assert_int_equal(kbs_b64url_decode_exact(tag, strlen(tag) - 1, d, 16), -EINVAL);
	assert_int_equal(ks_b64url_decode_exact(tag, strlen(tag) - 1, d, 15), -EINVAL);
	assert_int_equal(kbs_b64url_decode_exact(tag, strlen(tag), d, 15), -EINVAL);
	/* Too small an output buffer is reported, not overrun. */
	assert_int_equal(decode_both(tag, strlen(tag), true, d, 15, &n), -ENOBUFS);
}

static void test_encode_buffer_too_small(void **state)
{
	char out[8];
	(void)state;

	assert_int_equal(kbs_b64_encode((const uint8_t *)"foob", 4, out, 8), -ENOBUFS);
	assert_int_equal(ks_b64_encode((const uint8_t *)"foob", 4, out, 8), -ENOBUFS);
	assert_int_equal(kbs_b64url_encode((const uint8_t *)"foob", 4, out, 7), 0);
	assert_int_equal(ks_b64url_encode((const uint8_t *)"foob", 4, out, 6), -ENOBUFS);
}

/* Round trips of random data of many lengths (chunk boundaries included). */
static void test_random_round_trip(void **state)
{
	static const size_t lens[] = { 0, 1, 2, 3, 46, 47, 48, 49, 50, 95, 96, 97, 1000, 65537 };
	(void)state;

	srand(1234);
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		size_t len = lens[i], n;
		_cleanup_free_ uint8_t *raw = malloc(len + 1), *back = malloc(len + 3);
		_cleanup_free_ char *a = malloc(len * 2 + 8), *b = malloc(len * 2 + 8);

		for (size_t j = 0; j < len; j++)
			raw[j] = (uint8_t)rand();
		for (int url = 0; url < 2; url++) {
			assert_int_equal(url ? kbs_b64url_encode(raw, len, a, len * 2 + 8) :
					       kbs_b64_encode(raw, len, a, len * 2 + 8), 0);
			assert_int_equal(url ? ks_b64url_encode(raw, len, b, len * 2 + 8) :
					       ks_b64_encode(raw, len, b, len * 2 + 8), 0);
			assert_string_equal(a, b);
			assert_int_equal(url ? kbs_b64url_decode(a, strlen(a), back, len + 3, &n) :
					       kbs_b64_decode(a, strlen(a), back, len + 3, &n), 0);
			assert_int_equal(n, len);
			assert_memory_equal(back, raw, len);
			assert_int_equal(url ? ks_b64url_decode(a, strlen(a), back, len + 3, &n) :
					       ks_b64_decode(a, strlen(a), back, len + 3, &n), 0);
			assert_int_equal(n, len);
			assert_memory_equal(back, raw, len);
		}
	}
}

/* Short random strings over the alphabets plus troublemakers: both decoders agree. */
static void test_random_agreement(void **state)
{
	static const char chars[] = "AQgwZz09+/-_=.\n \0";
	char s[12];
	uint8_t d[16];
	size_t n;
	(void)state;

	srand(42);
	for (int round = 0; round < 200000; round++) {
		size_t len = (size_t)rand() % sizeof(s);

		for (size_t i = 0; i < len; i++)
			s[i] = chars[(size_t)rand() % (sizeof(chars) - 1)];
		decode_both(s, len, round & 1, d, sizeof(d), &n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_rejects_noncanonical),
		cmocka_unit_test(test_unpadded_final_group),
		cmocka_unit_test(test_encode_buffer_too_small),
		cmocka_unit_test(test_random_round_trip),
		cmocka_unit_test(test_random_agreement),
	};
	log_set_sink(kbs_test_quiet, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
