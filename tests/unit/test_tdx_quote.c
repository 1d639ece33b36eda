/* SPDX-License-Identifier: Apache-2.0 */
/* Quote parser: real vectors, truncation at every offset, corrupted length fields. */
#include "testutil.h"
#include "common/cleanup.h"
#include "common/hex.h"
#include "tdx/pck_ext.h"
#include "tdx/quote.h"
#include "tdx/td_json.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cases[] = {
	"dcapqvl_v4_uptodate", "goTdx_v5_sample_2026", "automata_v4_onchain_0625",
	"dcapqvl_v5_outdated_fixture", "trustee_v4_quote4_with_goTdx2023", "intelqvl_synthetic_intelroot",
};

static void expect_hex(json_object *exp, const char *key, const uint8_t *p, size_t n)
{
	char hex[2 * 128 + 1];
	json_object *v;

	assert_true(json_object_object_get_ex(exp, key, &v));
	hex_encode(p, n, hex);
	assert_string_equal(json_object_get_string(v), hex);
}

static void test_real_vectors(void **state)
{
	const char *dir = testdata_tdx_dir();
	(void)state;

	SKIP_WITHOUT_TESTDATA(dir);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char rel[PATH_MAX];
		size_t len, elen;
		struct tdx_quote q;
		struct sgx_pck_ext pck;
		const char *why = NULL;
		json_object *exp, *v;

		snprintf(rel, sizeof(rel), "%s/quote.bin", cases[i]);
		_cleanup_free_ uint8_t *buf = test_read(dir, rel, &len);
		snprintf(rel, sizeof(rel), "%s/expected.json", cases[i]);
		_cleanup_free_ uint8_t *ej = test_read(dir, rel, &elen);
		exp = json_tokener_parse((char *)ej);
		assert_non_null(exp);

		assert_int_equal(tdx_quote_parse(buf, len, &q, &why), 0);
		assert_true(json_object_object_get_ex(exp, "version", &v));
		assert_int_equal(q.version, json_object_get_int(v));
		assert_true(json_object_object_get_ex(exp, "body_type", &v));
		assert_int_equal(q.body_type, v ? json_object_get_int(v) : 0);
		expect_hex(exp, "mr_td", q.td.mr_td, 48);
		expect_hex(exp, "report_data", q.td.report_data, 64);
		expect_hex(exp, "td_attributes", q.td.td_attributes, 8);
		expect_hex(exp, "xfam", q.td.xfam, 8);
		expect_hex(exp, "mr_seam", q.td.mr_seam, 48);
		expect_hex(exp, "tee_tcb_svn", q.td.tee_tcb_svn, 16);
		assert_true(json_object_object_get_ex(exp, "trailing_bytes", &v));
		assert_int_equal(len - q.end, json_object_get_int(v));
		assert_true(json_object_object_get_ex(exp, "debug", &v));
		assert_int_equal(tdx_td_is_debug(&q.td), json_object_get_boolean(v));
		assert_int_equal(sgx_pck_ext_from_chain(q.pck_chain_pem, q.pck_chain_len, &pck), 0);
		expect_hex(exp, "fmspc", pck.fmspc, 6);
		if (strncmp(cases[i], "intelqvl", 8) != 0) /* Intel TD-QE: 32 bytes 00..1f */
			assert_int_equal(q.qe_auth_len, 32);
		json_object_put(exp);
	}
}

/* The real quote REL of the shared test data, parsed into q (skips the test without the
 * test data); the buffer is the caller's to free. */
static uint8_t *read_parsed(const char *rel, size_t *len, struct tdx_quote *q)
{
	const char *dir = testdata_tdx_dir();
	uint8_t *buf;

	SKIP_WITHOUT_TESTDATA(dir);
	buf = test_read(dir, rel, len);
	assert_int_equal(tdx_quote_parse(buf, *len, q, NULL), 0);
	return buf;
}

/* Every prefix of a real quote shorter than its signed structures is rejected;
 * longer prefixes only drop trailing bytes and must still parse. */
static void test_truncation_every_offset(void **state)
{
	size_t len;
	struct tdx_quote q;
	(void)state;

	_cleanup_free_ uint8_t *buf = read_parsed("dcapqvl_v4_uptodate/quote.bin", &len, &q);
	size_t end = q.end;
	for (size_t n = 0; n < len; n++) {
		/* A heap copy of exactly n bytes so ASan catches any read past the end. */
		uint8_t *copy = malloc(n ? n : 1);
		const char *why = NULL;

		memcpy(copy, buf, n);
		int r = tdx_quote_parse(copy, n, &q, &why);
		if (n < end) {
			assert_int_equal(r, -EBADMSG);
			assert_non_null(why);
		} else {
			assert_int_equal(r, 0);
		}
		free(copy);
	}
}

static void put32(uint8_t *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }

static void test_corrupted_lengths(void **state)
{
	size_t len;
	struct tdx_quote q;
	(void)state;

	_cleanup_free_ uint8_t *orig = read_parsed("goTdx_v5_sample_2026/quote.bin", &len, &q);
	const size_t sd_len_off = q.signed_len, sd = q.signed_len + 4;
	const size_t cert_size_off = sd + 130, qe = sd + 134;
	const size_t auth_off = qe + 448, inner = qe + 450 + q.qe_auth_len;
	const struct { size_t off; int width; uint32_t val; int err; } bad[] = {
		{ 0, 2, 3, -EPROTONOSUPPORT },            /* version 3 (SGX) */
		{ 2, 2, 3, -EPROTONOSUPPORT },            /* P-384 key type */
		{ 4, 4, 0, -EPROTONOSUPPORT },            /* tee_type SGX */
		{ 12, 4, 0, -EPROTONOSUPPORT },           /* vendor id */
		{ 48, 2, 1, -EPROTONOSUPPORT },           /* body type 1 (SGX report) */
		{ 50, 4, 584, -EBADMSG },                 /* type 3 with the 1.0 size */
		{ 50, 4, 0xffffffff, -EBADMSG },
		{ sd_len_off, 4, 0xffffffff, -EBADMSG },  /* sig data length past the end */
		{ sd_len_off, 4, 100, -EBADMSG },         /* too short for cert data */
		{ sd + 128, 2, 5, -EBADMSG },             /* outer cert type not 6 */
		{ cert_size_off, 4, 0xffffffff, -EBADMSG },
		{ cert_size_off, 4, 449, -EBADMSG },
		{ auth_off, 2, 0xffff, -EBADMSG },
		{ inner, 2, 4, -EBADMSG },                /* inner type not 5 */
		{ inner + 2, 4, 0xffffffff, -EBADMSG },
		{ inner + 2, 4, 0, -EBADMSG },            /* empty chain */
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		_cleanup_free_ uint8_t *b = malloc(len);
		const char *why = NULL;

		memcpy(b, orig, len);
		if (bad[i].width == 2) {
			b[bad[i].off] = (uint8_t)bad[i].val;
			b[bad[i].off + 1] = (uint8_t)(bad[i].val >> 8);
		} else {
			put32(b + bad[i].off, bad[i].val);
		}
		print_message("case %zu: offset %zu\n", i, bad[i].off);
		assert_int_equal(tdx_quote_parse(b, len, &q, &why), bad[i].err);
		assert_non_null(why);
	}
}

static void test_json_fields(void **state)
{
	size_t len;
	struct tdx_quote q;
	json_object *obj, *v;
	(void)state;

	uint8_t *buf = read_parsed("dcapqvl_v4_uptodate/quote.bin", &len, &q); /* q points into it */

	obj = json_object_new_object();
	assert_int_equal(td_json_fill(obj, &q, &q.td, NULL), 0);
	assert_true(json_object_object_get_ex(obj, "body_type", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(obj, "tee_type", &v));
	assert_string_equal(json_object_get_string(v), "81000000");
	assert_true(json_object_object_get_ex(obj, "rtmr", &v));
	assert_int_equal(json_object_array_length(v), 4);
	json_object_put(obj);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_vectors),
		cmocka_unit_test(test_truncation_every_offset),
		cmocka_unit_test(test_corrupted_lengths),
		cmocka_unit_test(test_json_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
