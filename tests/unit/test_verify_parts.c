/* SPDX-License-Identifier: Apache-2.0 */
/* Verifier building blocks: the raw signed-member scanner, the OpenSSL SGX extension
 * decoder (against the mbedTLS one on real chains), status names and check names. */
#include "testutil.h"
#include "verify/internal.h"
#include "verify/p256.h"
#include "tdx/quote.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

static int slice(const char *doc, const char *key, char *out, size_t outlen)
{
	const char *s;
	size_t l;
	int r = vf_json_member_slice(doc, strlen(doc), key, &s, &l);

	if (r == 0)
		snprintf(out, outlen, "%.*s", (int)l, s);
	return r;
}

static void test_json_slice(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(slice("{\"tcbInfo\":{\"a\":1},\"signature\":\"x\"}", "tcbInfo", out, sizeof(out)), 0);
	assert_string_equal(out, "{\"a\":1}");
	/* braces and quotes inside strings, nested objects, whitespace kept byte for byte */
	assert_int_equal(slice("{ \"s\" : \"}{\\\"\", \"tcbInfo\" : { \"b\" : \"}\\\\\" , \"c\":[{\"d\":\"{\"}]} }\n",
			       "tcbInfo", out, sizeof(out)), 0);
	assert_string_equal(out, "{ \"b\" : \"}\\\\\" , \"c\":[{\"d\":\"{\"}]}");
	/* a nested key of the same name is not the member */
	assert_int_equal(slice("{\"x\":{\"tcbInfo\":{}}}", "tcbInfo", out, sizeof(out)), -ENOENT);
	/* duplicates, non-object values, truncation and trailing data are refused */
	assert_int_equal(slice("{\"tcbInfo\":{},\"tcbInfo\":{}}", "tcbInfo", out, sizeof(out)), -EBADMSG);
	assert_int_equal(slice("{\"tcbInfo\":\"{}\"}", "tcbInfo", out, sizeof(out)), -EBADMSG);
	assert_int_equal(slice("{\"tcbInfo\":{\"a\":1}", "tcbInfo", out, sizeof(out)), -EBADMSG);
	assert_int_equal(slice("{\"tcbInfo\":{\"a\":[1}}}", "tcbInfo", out, sizeof(out)), -EBADMSG);
	assert_int_equal(slice("{\"tcbInfo\":{}} {}", "tcbInfo", out, sizeof(out)), -EBADMSG);
	assert_int_equal(slice("", "tcbInfo", out, sizeof(out)), -EBADMSG);
}

static void test_json_signature(void **state)
{
	char doc[300];
	uint8_t sig[64];

	(void)state;
	snprintf(doc, sizeof(doc), "{\"x\":{},\"signature\":\"%0128d\"}", 7);
	assert_int_equal(vf_json_signature(doc, strlen(doc), sig), 0);
	assert_int_equal(sig[63], 7);
	snprintf(doc, sizeof(doc), "{\"x\":{},\"signature\":\"%0126d\"}", 7);
	assert_int_equal(vf_json_signature(doc, strlen(doc), sig), -EBADMSG);
	snprintf(doc, sizeof(doc), "{\"x\":{},\"signature\":\"%0127dg\"}", 7);
	assert_int_equal(vf_json_signature(doc, strlen(doc), sig), -EBADMSG);
}

/* Every shared case with a PEM chain: the OpenSSL decoder gives the documented FMSPC. */
static void test_sgx_ext_real(void **state)
{
	static const struct { const char *name, *fmspc; } cases[] = {
		{ "dcapqvl_v4_uptodate", "b0c06f000000" },
		{ "goTdx_v5_sample_2026", "90c06f000000" },
		{ "automata_v4_onchain_0625", "00806f050000" },
		{ "trustee_v4_quote4_with_goTdx2023", "50806f000000" },
	};
	const char *base = testdata_tdx_dir();

	(void)state;
	SKIP_WITHOUT_TESTDATA(base);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char dir[PATH_MAX - 64], hex[13];
		struct tdx_quote q;
		struct sgx_pck_ext ext;
		X509 *certs[4];
		uint8_t *buf;
		size_t len;
		int n;

		snprintf(dir, sizeof(dir), "%s/%s", base, cases[i].name);
		buf = test_read(dir, "quote.bin", &len);
		assert_int_equal(tdx_quote_parse(buf, len, &q, NULL), 0);
		n = vf_certs_from_pem(q.pck_chain_pem, q.pck_chain_len, certs, 4);
		assert_int_equal(n, 3);
		assert_int_equal(vf_sgx_ext_from_cert(certs[0], &ext), 0);
		for (int k = 0; k < 6; k++)
			snprintf(hex + 2 * k, 3, "%02x", ext.fmspc[k]);
		assert_string_equal(hex, cases[i].fmspc);
		assert_int_equal(ext.pce_id[0] | ext.pce_id[1], 0);
		assert_int_equal(memcmp(ext.sgx_svn, ext.cpusvn, 16), 0);
		assert_int_equal(vf_sgx_ext_from_cert(certs[2], &ext), -ENOENT);
		vf_certs_free(certs, n);
		free(buf);
	}
}

static void test_sgx_ext_malformed(void **state)
{
	struct sgx_pck_ext ext;
	static const uint8_t empty_seq[] = { 0x30, 0x00 };
	static const uint8_t indefinite[] = { 0x30, 0x80, 0x00, 0x00 };
	static const uint8_t overlong[] = { 0x30, 0x05, 0x30, 0x10 };

	(void)state;
	assert_int_equal(vf_sgx_ext_decode(empty_seq, sizeof(empty_seq), &ext), -EBADMSG);
	assert_int_equal(vf_sgx_ext_decode(indefinite, sizeof(indefinite), &ext), -EBADMSG);
	assert_int_equal(vf_sgx_ext_decode(overlong, sizeof(overlong), &ext), -EBADMSG);
	assert_int_equal(vf_sgx_ext_decode(empty_seq, 0, &ext), -EBADMSG);
}

static void test_names(void **state)
{
	enum vf_tcb_status s;

	(void)state;
	assert_string_equal(vf_check_name(VF_HEADER_VALID), "header_valid");
	assert_string_equal(vf_check_name(VF_TCB_LEVEL), "tcb_level");
	assert_null(vf_check_name(VF_CHECK_COUNT));
	assert_null(vf_check_name(-1));
	for (int i = 0; i < VF_TCB_NOT_SUPPORTED; i++) {
		assert_int_equal(vf_tcb_status_parse(vf_tcb_status_name((enum vf_tcb_status)i), &s), 0);
		assert_int_equal(s, i);
	}
	assert_int_equal(vf_tcb_status_parse("TCB_NOT_SUPPORTED", &s), -EINVAL);
	assert_int_equal(vf_tcb_status_parse("uptodate", &s), -EINVAL);
}

/* vf_p256_point_valid() accepts exactly what vf_p256_key_from_point() imports. */
static void test_p256_point_valid(void **state)
{
	uint8_t pts[6][65], pub[65];
	EVP_PKEY *k = vf_p256_generate(), *imp;
	size_t len = 0;

	(void)state;
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_get_octet_string_param(k, "encoded-pub-key", pub, sizeof(pub), &len), 1);
	assert_int_equal(len, 65);
	for (int i = 0; i < 6; i++)
		memcpy(pts[i], pub, 65);
	pts[1][64] ^= 1;               /* off the curve */
	pts[2][0] = 0x02;              /* not the uncompressed form */
	memset(pts[3] + 1, 0xff, 32);  /* x >= p */
	memset(pts[4] + 1, 0, 64);     /* (0, 0) */
	memset(pts[5] + 33, 0xff, 32); /* y >= p */
	for (int i = 0; i < 6; i++) {
		imp = vf_p256_key_from_point(pts[i]);
		assert_int_equal(vf_p256_point_valid(pts[i]), imp != NULL);
		assert_int_equal(imp != NULL, i == 0);
		EVP_PKEY_free(imp);
	}
	EVP_PKEY_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_slice),
		cmocka_unit_test(test_json_signature),
		cmocka_unit_test(test_sgx_ext_real),
		cmocka_unit_test(test_sgx_ext_malformed),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_p256_point_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
