/* SPDX-License-Identifier: Apache-2.0 */
/* DCAP verification against every shared case (../shared/testdata/tdx/ * /expected.json),
 * the single-bit-flip sweep, cache consistency and truncated input. */
#include "testutil.h"
#include "verify/verify.h"
#include "common/hex.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

static bool in_list(json_object *arr, const char *s)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0)
			return true;
	return false;
}

/* Intel mode when the case's root_ca.pem is Intel's root, else its own root (selfroot). */
static enum vf_anchor_mode mode_for(const char *dir)
{
	char *pem;
	size_t len;
	char rel[64];
	bool intel;

	snprintf(rel, sizeof(rel), "collateral/root_ca.pem");
	pem = (char *)test_read(dir, rel, &len);
	/* the Intel root PEM's base64 of its key starts like this */
	intel = strstr(pem, "MIICjzCCAjSgAwIBAgIUImUM1lqdNInzg7SVUr9QGzknBqwwCgYIKoZIzj0EAwIw") != NULL;
	free(pem);
	return intel ? VF_ANCHOR_INTEL : VF_ANCHOR_COLLATERAL;
}

static void check_case(const char *base, const char *name)
{
	char dir[PATH_MAX - 64], coll[PATH_MAX];
	struct vf_options opt = { 0 };
	struct vf_ctx *ctx;
	struct vf_result res;
	json_object *exp, *fc, *adv;
	uint8_t *quote;
	size_t qlen, elen;
	char *etext, fmspc[13];
	int64_t at;

	snprintf(dir, sizeof(dir), "%s/%s", base, name);
	snprintf(coll, sizeof(coll), "%s/collateral", dir);
	etext = (char *)test_read(dir, "expected.json", &elen);
	exp = json_tokener_parse(etext);
	assert_non_null(exp);
	quote = test_read(dir, "quote.bin", &qlen);
	assert_int_equal(vf_parse_time(jstr(exp, "verify_at"), &at), 0);
	opt.anchor_mode = mode_for(dir);
	assert_int_equal(vf_ctx_new(&opt, &ctx), 0);
	for (int round = 0; round < 2; round++) { /* second round: everything from the caches */
		assert_int_equal(vf_verify(ctx, quote, qlen, coll, at, &res), 0);
		print_message("%-36s %s %s %s (%s)\n", name, res.ok ? "ok" : "reject",
			      vf_tcb_status_name(res.tcb_status),
			      res.ok ? "" : vf_check_name(res.reason), res.reason_text);
		assert_string_equal(res.ok ? "ok" : "reject", jstr(exp, "result"));
		assert_string_equal(vf_tcb_status_name(res.tcb_status), jstr(exp, "tcb_status"));
		if (!res.ok) {
			json_object_object_get_ex(exp, "failed_checks", &fc);
			if (strcmp(vf_check_name(res.reason), jstr(exp, "reason_code")) != 0)
				assert_true(in_list(fc, vf_check_name(res.reason)));
			/* and exactly the same set of failing checks */
			for (int c = 0; c < VF_CHECK_COUNT; c++)
				assert_int_equal(!!(res.failed & (1ull << c)), in_list(fc, vf_check_name(c)));
		}
		assert_true(res.have_qe_tcb_status);
		assert_string_equal(vf_tcb_status_name(res.qe_tcb_status), jstr(exp, "qe_tcb_status"));
		json_object_object_get_ex(exp, "advisory_ids", &adv);
		assert_int_equal(res.n_advisory, json_object_array_length(adv));
		for (unsigned i = 0; i < res.n_advisory; i++)
			assert_true(in_list(adv, res.advisory[i]));
		assert_true(res.have_pck);
		hex_encode(res.pck.fmspc, 6, fmspc);
		assert_string_equal(fmspc, jstr(exp, "fmspc"));
	}
	vf_ctx_free(ctx);
	json_object_put(exp);
	free(quote);
	free(etext);
}

static void test_all_cases(void **state)
{
	const char *base = testdata_tdx_dir();
	struct dirent **ents;
	int n, cases = 0;

	(void)state;
	SKIP_WITHOUT_TESTDATA(base);
	n = scandir(base, &ents, NULL, alphasort);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		char p[PATH_MAX];
		FILE *f;

		snprintf(p, sizeof(p), "%s/%s/expected.json", base, ents[i]->d_name);
		f = fopen(p, "r");
		if (f) {
			fclose(f);
			check_case(base, ents[i]->d_name);
			cases++;
		}
		free(ents[i]);
	}
	free(ents);
	assert_true(cases >= 10);
}

struct base_case {
	uint8_t *quote;
	size_t len;
	char coll[PATH_MAX];
	int64_t at;
	struct vf_ctx *ctx;
};

static int setup_base(struct base_case *b)
{
	const char *base = testdata_tdx_dir();
	char dir[PATH_MAX - 64];

	if (!base)
		return -1;
	snprintf(dir, sizeof(dir), "%s/dcapqvl_v4_uptodate", base);
	snprintf(b->coll, sizeof(b->coll), "%s/collateral", dir);
	b->quote = test_read(dir, "quote.bin", &b->len);
	assert_int_equal(vf_parse_time("2025-07-19T10:00:34Z", &b->at), 0);
	assert_int_equal(vf_ctx_new(NULL, &b->ctx), 0);
	return 0;
}

static void teardown_base(struct base_case *b)
{
	vf_ctx_free(b->ctx);
	free(b->quote);
}

/* Every single-bit flip of header, body and quote signature is rejected. */
static void test_bitflip_sweep(void **state)
{
	struct base_case b;
	struct vf_result res;
	size_t sig_off, n = 0;

	(void)state;
	if (setup_base(&b) < 0)
		SKIP_WITHOUT_TESTDATA(NULL);
	assert_int_equal(vf_verify(b.ctx, b.quote, b.len, b.coll, b.at, &res), 0);
	assert_true(res.ok);
	sig_off = res.quote.signed_len + 4;
	for (size_t off = 0; off < sig_off + 64; off++) {
		if (off >= res.quote.signed_len && off < sig_off)
			continue; /* the signature-data length field: covered by the truncation test */
		for (int bit = 0; bit < 8; bit++) {
			struct vf_result r2;

			b.quote[off] ^= (uint8_t)(1u << bit);
			assert_int_equal(vf_verify(b.ctx, b.quote, b.len, b.coll, b.at, &r2), 0);
			if (r2.ok)
				fail_msg("bit %d of byte %zu flipped: still accepted", bit, off);
			b.quote[off] ^= (uint8_t)(1u << bit);
			n++;
		}
	}
	print_message("%zu single-bit flips rejected\n", n);
	assert_int_equal(vf_verify(b.ctx, b.quote, b.len, b.coll, b.at, &res), 0);
	assert_true(res.ok);
	teardown_base(&b);
}

/* Flips in the signature data after the quote signature (key, QE report, auth data, chain)
 * are rejected too; a sample of every 7th byte keeps this quick. */
static void test_bitflip_cert_data(void **state)
{
	struct base_case b;
	struct vf_result res;
	size_t start, step = getenv("VERIFY_FULL_SWEEP") ? 1 : 7;

	(void)state;
	if (setup_base(&b) < 0)
		SKIP_WITHOUT_TESTDATA(NULL);
	assert_int_equal(vf_verify(b.ctx, b.quote, b.len, b.coll, b.at, &res), 0);
	start = res.quote.signed_len + 4 + 64;
	for (size_t off = start; off < res.quote.end; off += step) {
		struct vf_result r2;

		b.quote[off] ^= 0x01;
		assert_int_equal(vf_verify(b.ctx, b.quote, b.len, b.coll, b.at, &r2), 0);
		if (r2.ok)
			fail_msg("byte %zu flipped: still accepted", off);
		b.quote[off] ^= 0x01;
	}
	teardown_base(&b);
}

/* Every truncation is rejected as header_valid, without reading past the buffer. */
static void test_truncation(void **state)
{
	struct base_case b;
	struct vf_result res;

	(void)state;
	if (setup_base(&b) < 0)
		SKIP_WITHOUT_TESTDATA(NULL);
	assert_int_equal(vf_verify(b.ctx, b.quote, b.len, b.coll, b.at, &res), 0);
	for (size_t len = 0; len < res.quote.end; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		struct vf_result r2;

		memcpy(copy, b.quote, len);
		assert_int_equal(vf_verify(b.ctx, copy, len, b.coll, b.at, &r2), 0);
		assert_false(r2.ok);
		free(copy);
	}
	teardown_base(&b);
}

/* Validity at the window edges, and the default anchor against a non-Intel collateral root. */
static void test_time_edges(void **state)
{
	struct base_case b;
	struct vf_result res;
	int64_t t;

	(void)state;
	if (setup_base(&b) < 0)
		SKIP_WITHOUT_TESTDATA(NULL);
	assert_int_equal(vf_parse_time("2025-07-19T10:00:35Z", &t), 0);
	assert_int_equal(vf_verify(b.ctx, b.quote, b.len, b.coll, t, &res), 0);
	assert_true(res.ok);
	assert_int_equal(res.earliest_expiry, t);
	assert_int_equal(vf_verify(b.ctx, b.quote, b.len, b.coll, t + 1, &res), 0);
	assert_false(res.ok);
	assert_string_equal(vf_check_name(res.reason), "pckcrl_time");
	assert_int_equal(vf_parse_time("2025-06-19T10:32:27Z", &t), 0);
	assert_int_equal(vf_verify(b.ctx, b.quote, b.len, b.coll, t, &res), 0);
	assert_true(res.ok);
	assert_int_equal(vf_verify(b.ctx, b.quote, b.len, b.coll, t - 1, &res), 0);
	assert_false(res.ok);
	assert_string_equal(vf_check_name(res.reason), "qeid_time");
	teardown_base(&b);
}

static void test_selfroot_default_anchor(void **state)
{
	const char *base = testdata_tdx_dir();
	char dir[PATH_MAX - 64], coll[PATH_MAX];
	struct vf_ctx *ctx;
	struct vf_result res;
	uint8_t *q;
	size_t len;
	int64_t at;

	(void)state;
	SKIP_WITHOUT_TESTDATA(base);
	snprintf(dir, sizeof(dir), "%s/intelqvl_synthetic_selfroot", base);
	snprintf(coll, sizeof(coll), "%s/collateral", dir);
	q = test_read(dir, "quote.bin", &len);
	assert_int_equal(vf_parse_time("2025-02-05T01:55:14Z", &at), 0);
	assert_int_equal(vf_ctx_new(NULL, &ctx), 0);
	assert_int_equal(vf_verify(ctx, q, len, coll, at, &res), 0);
	assert_false(res.ok);
	assert_true(res.failed & (1ull << VF_PCK_ROOT_IS_ANCHOR));
	assert_true(res.failed & (1ull << VF_TCB_CHAIN_TO_ANCHOR));
	vf_ctx_free(ctx);
	free(q);
}

static void test_time_parse(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(vf_parse_time("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(vf_parse_time("2025-07-19T10:00:34.5Z", &t), 0);
	assert_int_equal(t, 1752919234);
	assert_int_equal(vf_parse_time("2024-02-29T00:00:00Z", &t), 0);
	assert_int_equal(vf_parse_time("2025-02-29T00:00:00Z", &t), -EINVAL);
	assert_int_equal(vf_parse_time("2025-07-19 10:00:34Z", &t), -EINVAL);
	assert_int_equal(vf_parse_time("2025-07-19T10:00:34+01:00", &t), -EINVAL);
	assert_int_equal(vf_parse_time("", &t), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_all_cases),
		cmocka_unit_test(test_bitflip_sweep),
		cmocka_unit_test(test_bitflip_cert_data),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_time_edges),
		cmocka_unit_test(test_selfroot_default_anchor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
