/* SPDX-License-Identifier: Apache-2.0 */
/* Runtime data canonicalization and report_data (§5), client and server side, against
 * ../shared/testdata/kbs/vectors.json; tee-pubkey parsing on the server. */
#include "kbs_testutil.h"
#include "common/cleanup.h"
#include "common/hex.h"
#include "common/log.h"
#include "kbs/b64.h"
#include "kbs/ec_key.h"
#include "kbs/runtime_data.h"
#include "server/runtime_data_check.h"
#include "server/tee_pubkey.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

static void test_vector_canon_and_report_data(void **state)
{
	_cleanup_free_ char *c1 = NULL, *c2 = NULL;
	struct json_object *jwk;
	struct ks_tee_pubkey key;
	uint8_t rd[64], want[64], legacy[64];
	size_t l1, l2;
	(void)state;

	SKIP_WITHOUT_VECTORS();
	assert_int_equal(hex_decode(kbs_vstr("report_data_hex_64"), want, sizeof(want)), 64);
	assert_int_equal(hex_decode(kbs_vstr("legacy_v0_2_report_data_hex_64"), legacy, sizeof(legacy)), 64);
	/* client */
	assert_int_equal(kbs_runtime_data_canon(kbs_vstr("challenge/nonce"), kbs_vstr("tee_pubkey/x"),
						kbs_vstr("tee_pubkey/y"), "", &c1, &l1), 0);
	assert_string_equal(c1, kbs_vstr("runtime_data_jcs"));
	assert_int_equal(l1, 244);
	assert_int_equal(kbs_report_data(KBS_HASH_SHA384, c1, l1, rd), 0);
	assert_memory_equal(rd, want, 64);
	/* server, from the attest request example */
	assert_true(json_object_object_get_ex(kbs_vectors, "attest_request_example", &jwk));
	assert_true(json_object_object_get_ex(jwk, "runtime-data", &jwk));
	assert_true(json_object_object_get_ex(jwk, "tee-pubkey", &jwk));
	assert_int_equal(ks_tee_pubkey_from_json(jwk, &key), 0);
	assert_int_equal(ks_runtime_data_canon(kbs_vstr("challenge/nonce"), &key, "", &c2, &l2), 0);
	assert_string_equal(c2, kbs_vstr("runtime_data_jcs"));
	assert_int_equal(ks_report_data(KS_HASH_SHA384, c2, l2, rd), 0);
	assert_memory_equal(rd, want, 64);
	assert_int_equal(ks_runtime_data_check(kbs_vstr("challenge/nonce"), &key, "", KS_HASH_SHA384, want), 0);
	/* a quote carrying the 0.2-era value, or any flipped bit, is refused */
	assert_int_equal(ks_runtime_data_check(kbs_vstr("challenge/nonce"), &key, "", KS_HASH_SHA384, legacy), -EPERM);
	for (size_t bit = 0; bit < 512; bit += 7) {
		want[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(ks_runtime_data_check(kbs_vstr("challenge/nonce"), &key, "", KS_HASH_SHA384, want), -EPERM);
		want[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* another nonce or evidence string gives another value */
	assert_int_equal(ks_runtime_data_check("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh4=", &key, "",
					       KS_HASH_SHA384, want), -EPERM);
	assert_int_equal(ks_runtime_data_check(kbs_vstr("challenge/nonce"), &key, "{}", KS_HASH_SHA384, want), -EPERM);
}

static void test_vector_key_from_pem(void **state)
{
	_cleanup_ec_key_ struct kbs_ec_key *k = NULL;
	const char *pem;
	char x[KBS_EC_COORD_B64], y[KBS_EC_COORD_B64];
	(void)state;

	SKIP_WITHOUT_VECTORS();
	pem = kbs_vstr("tee_private_key_pkcs8_pem");
	assert_int_equal(kbs_ec_key_from_pem((const uint8_t *)pem, strlen(pem) + 1, &k), 0);
	assert_int_equal(kbs_ec_key_jwk(k, x, y), 0);
	assert_string_equal(x, kbs_vstr("tee_pubkey/x"));
	assert_string_equal(y, kbs_vstr("tee_pubkey/y"));
}

static void test_trustee_kat_and_hashes(void **state)
{
	static const char kat_in[] = "{\"a\":\"test\",\"b\":1,\"c\":{\"d\":\"e\"}}";
	static const char kat[] = "e71ce8e70d814ba6639c3612ebee0ff1f76f650f8dbb5e47157e0f3f525cd22c"
				  "4597480a186427c813ca941da78870c3";
	static const uint8_t zero[32] = { 0 };
	uint8_t a[64], b[64], want[48];
	enum kbs_hash h;
	(void)state;

	hex_decode(kat, want, sizeof(want));
	assert_int_equal(kbs_report_data(KBS_HASH_SHA384, kat_in, strlen(kat_in), a), 0);
	assert_memory_equal(a, want, 48);
	assert_memory_equal(a + 48, zero, 16);
	assert_int_equal(ks_report_data(KS_HASH_SHA384, kat_in, strlen(kat_in), b), 0);
	assert_memory_equal(a, b, 64);
	assert_int_equal(kbs_report_data(KBS_HASH_SHA256, kat_in, strlen(kat_in), a), 0);
	assert_int_equal(ks_report_data(KS_HASH_SHA256, kat_in, strlen(kat_in), b), 0);
	assert_memory_equal(a, b, 64);
	assert_memory_equal(a + 32, zero, 32);
	assert_int_equal(kbs_report_data(KBS_HASH_SHA512, kat_in, strlen(kat_in), a), 0);
	assert_int_equal(ks_report_data(KS_HASH_SHA512, kat_in, strlen(kat_in), b), 0);
	assert_memory_equal(a, b, 64);
	assert_int_equal(kbs_hash_from_name(NULL, &h), 0);
	assert_int_equal(h, KBS_HASH_SHA384);
	assert_int_equal(kbs_hash_from_name("sha256", &h), 0);
	assert_int_equal(h, KBS_HASH_SHA256);
	assert_int_equal(kbs_hash_from_name("sha512", &h), 0);
	assert_int_equal(kbs_hash_len(h), 64);
	assert_int_equal(kbs_hash_from_name("sm3", &h), -ENOTSUP);
	assert_int_equal(kbs_hash_from_name("SHA384", &h), -ENOTSUP);
}

static void test_jcs_escaping(void **state)
{
	/* additional-evidence with quote, backslash, control characters, non-ASCII */
	static const char ae[] = "{\"tdx\":\"a\\b\"}\n\t\x01\x1f\x7f\xc3\xa9\xf0\x9f\x94\x91/";
	static const char want[] = "{\"additional-evidence\":\"{\\\"tdx\\\":\\\"a\\\\b\\\"}\\n\\t\\u0001\\u001f"
				   "\x7f\xc3\xa9\xf0\x9f\x94\x91/\",\"nonce\":\"N\",\"tee-pubkey\":{\"alg\":"
				   "\"ECDH-ES+A256KW\",\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"";
	_cleanup_ec_key_ struct kbs_ec_key *k = NULL;
	_cleanup_free_ char *c1 = NULL, *c2 = NULL, *jwk = NULL;
	char x[KBS_EC_COORD_B64], y[KBS_EC_COORD_B64];
	struct ks_tee_pubkey key;
	struct json_object *o;
	size_t l1, l2;
	(void)state;

	assert_int_equal(kbs_ec_key_generate(&k), 0);
	assert_int_equal(kbs_ec_key_jwk(k, x, y), 0);
	assert_int_equal(kbs_runtime_data_canon("N", x, y, ae, &c1, &l1), 0);
	assert_int_equal(strncmp(c1, want, strlen(want)), 0);
	assert_int_equal(asprintf(&jwk, "{\"kty\":\"EC\",\"crv\":\"P-256\",\"alg\":\"ECDH-ES+A256KW\",\"x\":\"%s\",\"y\":\"%s\"}", x, y) > 0, 1);
	o = json_tokener_parse(jwk);
	assert_int_equal(ks_tee_pubkey_from_json(o, &key), 0);
	json_object_put(o);
	assert_int_equal(ks_runtime_data_canon("N", &key, ae, &c2, &l2), 0);
	assert_int_equal(l1, l2);
	assert_string_equal(c1, c2);
	/* invalid UTF-8 is refused by both */
	free(c1);
	c1 = NULL;
	assert_int_equal(kbs_runtime_data_canon("N", x, y, "\xc3(", &c1, &l1), -EINVAL);
	assert_int_equal(ks_runtime_data_canon("N", &key, "\xed\xa0\x80", &c1, &l1), -EINVAL);
	assert_int_equal(kbs_runtime_data_canon("\xff", x, y, "", &c1, &l1), -EINVAL);
	assert_int_equal(ks_runtime_data_canon("N", &key, "\xe0\x80\x80", &c1, &l1), -EINVAL);
	assert_null(c1);
}

/* Client and server agree for fresh keys, including one with a leading zero byte in x. */
static void test_generated_keys_agree(void **state)
{
	int have_zero = 0;
	(void)state;

	for (int i = 0; i < 4000 && (i < 20 || !have_zero); i++) {
		_cleanup_ec_key_ struct kbs_ec_key *k = NULL;
		_cleanup_free_ char *c1 = NULL, *c2 = NULL, *jwk = NULL;
		char x[KBS_EC_COORD_B64], y[KBS_EC_COORD_B64];
		struct ks_tee_pubkey key;
		struct json_object *o;
		uint8_t bx[32], rd[64];
		size_t l1, l2;

		assert_int_equal(kbs_ec_key_generate(&k), 0);
		assert_int_equal(kbs_ec_key_jwk(k, x, y), 0);
		assert_int_equal(strlen(x), 43);
		assert_int_equal(strlen(y), 43);
		assert_int_equal(kbs_b64url_decode_exact(x, 43, bx, 32), 0);
		if (bx[0] != 0 && i >= 20)
			continue;
		have_zero |= bx[0] == 0;
		assert_int_equal(kbs_runtime_data_canon("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", x, y, "",
							&c1, &l1), 0);
		assert_int_equal(l1, 244);
		/* the server drops unknown members and does not care about order */
		assert_true(asprintf(&jwk, "{\"use\":\"enc\",\"y\":\"%s\",\"x\":\"%s\",\"alg\":\"ECDH-ES+A256KW\","
				     "\"kid\":\"1\",\"crv\":\"P-256\",\"kty\":\"EC\"}", y, x) > 0);
		o = json_tokener_parse(jwk);
		assert_int_equal(ks_tee_pubkey_from_json(o, &key), 0);
		json_object_put(o);
		assert_memory_equal(key.x, bx, 32);
		assert_int_equal(ks_runtime_data_canon("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", &key, "",
						       &c2, &l2), 0);
		assert_string_equal(c1, c2);
		assert_int_equal(kbs_report_data(KBS_HASH_SHA384, c1, l1, rd), 0);
		assert_int_equal(ks_runtime_data_check("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", &key, "",
						       KS_HASH_SHA384, rd), 0);
	}
	assert_true(have_zero);
}

static int parse_jwk(const char *kty, const char *crv, const char *alg, const char *x, const char *y)
{
	_cleanup_free_ char *s = NULL;
	struct ks_tee_pubkey key;
	struct json_object *o;
	int r;

	assert_true(asprintf(&s, "{\"kty\":\"%s\",\"crv\":\"%s\",\"alg\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"}",
			     kty, crv, alg, x, y) > 0);
	o = json_tokener_parse(s);
	assert_non_null(o);
	r = ks_tee_pubkey_from_json(o, &key);
	json_object_put(o);
	return r;
}

static void test_server_rejects_bad_jwk(void **state)
{
	static const char x[] = "a_cLHk1O51CNzekSTdnXhcFRf6aa3pTAjHg5j4VTuuk";
	static const char y[] = "qWtHvGT_q8opJeYqxTiNO1OCsr77qRKpL-94G_wUfr0";
	struct ks_tee_pubkey key;
	struct json_object *o;
	(void)state;

	assert_int_equal(parse_jwk("EC", "P-256", "ECDH-ES+A256KW", x, y), 0);
	assert_int_equal(parse_jwk("RSA", "P-256", "ECDH-ES+A256KW", x, y), -ENOTSUP);
	assert_int_equal(parse_jwk("EC", "P-384", "ECDH-ES+A256KW", x, y), -ENOTSUP);
	assert_int_equal(parse_jwk("EC", "P-256", "ECDH-ES", x, y), -ENOTSUP);
	assert_int_equal(parse_jwk("EC", "P-256", "RSA-OAEP-256", x, y), -ENOTSUP);
	/* off the curve: last bit of y flipped */
	assert_int_equal(parse_jwk("EC", "P-256", "ECDH-ES+A256KW", x, "qWtHvGT_q8opJeYqxTiNO1OCsr77qRKpL-94G_wUfr4"),
			 -EINVAL);
	/* stripped leading zero, padding, std alphabet, too long */
	assert_int_equal(parse_jwk("EC", "P-256", "ECDH-ES+A256KW", "_cLHk1O51CNzekSTdnXhcFRf6aa3pTAjHg5j4VTuuk", y),
			 -EINVAL);
	assert_int_equal(parse_jwk("EC", "P-256", "ECDH-ES+A256KW", "a_cLHk1O51CNzekSTdnXhcFRf6aa3pTAjHg5j4VTuuk=", y),
			 -EINVAL);
	assert_int_equal(parse_jwk("EC", "P-256", "ECDH-ES+A256KW", "a/cLHk1O51CNzekSTdnXhcFRf6aa3pTAjHg5j4VTuuk", y),
			 -EINVAL);
	assert_int_equal(parse_jwk("EC", "P-256", "ECDH-ES+A256KW", "AAa_cLHk1O51CNzekSTdnXhcFRf6aa3pTAjHg5j4VTuuk", y),
			 -EINVAL);
	o = json_tokener_parse("{\"kty\":\"EC\",\"crv\":\"P-256\",\"alg\":\"ECDH-ES+A256KW\",\"x\":\"a_cLHk1O51CNzekSTdnXhcFRf6aa3pTAjHg5j4VTuuk\"}");
	assert_int_equal(ks_tee_pubkey_from_json(o, &key), -EINVAL);
	json_object_put(o);
	o = json_tokener_parse("[1]");
	assert_int_equal(ks_tee_pubkey_from_json(o, &key), -EINVAL);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_canon_and_report_data),
		cmocka_unit_test(test_vector_key_from_pem),
		cmocka_unit_test(test_trustee_kat_and_hashes),
		cmocka_unit_test(test_jcs_escaping),
		cmocka_unit_test(test_generated_keys_agree),
		cmocka_unit_test(test_server_rejects_bad_jwk),
	};
	log_set_sink(kbs_test_quiet, NULL);
	return cmocka_run_group_tests(tests, kbs_vectors_load, kbs_vectors_free);
}
