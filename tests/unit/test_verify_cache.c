/* SPDX-License-Identifier: Apache-2.0 */
/* Verifier caches: many threads on one context with a tiny cache (results stay exact),
 * and collateral replaced on disk is picked up (no stale verdicts). */
#include "testutil.h"
#include "verify/verify.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct job {
	struct vf_ctx *ctx;
	uint8_t *good, *bad;
	size_t len;
	const char *coll;
	int64_t at;
	int errors;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	struct vf_result res;

	for (int i = 0; i < 400; i++) {
		bool use_bad = i % 3 == 0;

		if (vf_verify(j->ctx, use_bad ? j->bad : j->good, j->len, j->coll, j->at, &res) < 0 ||
		    res.ok == use_bad)
			__atomic_add_fetch(&j->errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_threads(void **state)
{
	const char *base = testdata_tdx_dir();
	struct vf_options opt = { .cache_entries = 1 };
	char dir[PATH_MAX - 64], coll[PATH_MAX];
	pthread_t th[4];
	struct job j = { 0 };

	(void)state;
	SKIP_WITHOUT_TESTDATA(base);
	snprintf(dir, sizeof(dir), "%s/dcapqvl_v4_uptodate", base);
	snprintf(coll, sizeof(coll), "%s/collateral", dir);
	j.good = test_read(dir, "quote.bin", &j.len);
	j.bad = malloc(j.len);
	memcpy(j.bad, j.good, j.len);
	j.bad[834] ^= 1; /* QE report: different QE cache entry, same chain */
	j.coll = coll;
	assert_int_equal(vf_parse_time("2025-07-19T10:00:34Z", &j.at), 0);
	assert_int_equal(vf_ctx_new(&opt, &j.ctx), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker, &j), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(j.errors, 0);
	vf_ctx_free(j.ctx);
	free(j.good);
	free(j.bad);
}

static void copy(const char *from, const char *to)
{
	char cmd[4 * PATH_MAX];

	snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s' && chmod -R u+w '%s'", from, to, to);
	assert_int_equal(system(cmd), 0);
}

static void test_collateral_reload(void **state)
{
	const char *base = testdata_tdx_dir();
	struct vf_options opt = { .collateral_recheck_ms = 1 };
	char dir[PATH_MAX - 64], src[PATH_MAX], tmp[] = "/tmp/vf-coll-XXXXXX", coll[PATH_MAX - 64];
	char path[PATH_MAX + 32];
	struct vf_ctx *ctx;
	struct vf_result res;
	uint8_t *q, *json;
	size_t len, jlen;
	int64_t at;
	FILE *f;
	char *sig;

	(void)state;
	SKIP_WITHOUT_TESTDATA(base);
	snprintf(dir, sizeof(dir), "%s/dcapqvl_v4_uptodate", base);
	snprintf(src, sizeof(src), "%s/collateral", dir);
	assert_non_null(mkdtemp(tmp));
	snprintf(coll, sizeof(coll), "%s/c", tmp);
	copy(src, coll);
	q = test_read(dir, "quote.bin", &len);
	assert_int_equal(vf_parse_time("2025-07-19T10:00:34Z", &at), 0);
	assert_int_equal(vf_ctx_new(&opt, &ctx), 0);
	assert_int_equal(vf_verify(ctx, q, len, coll, at, &res), 0);
	assert_true(res.ok);
	/* replace qe_identity.json with a copy whose signature is altered */
	json = test_read(coll, "qe_identity.json", &jlen);
	sig = strstr((char *)json, "\"signature\":\"");
	assert_non_null(sig);
	sig[13] = sig[13] == '0' ? '1' : '0';
	snprintf(path, sizeof(path), "%s/qe_identity.json.new", coll);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(json, 1, jlen, f);
	fclose(f);
	snprintf(src, sizeof(src), "%s/qe_identity.json", coll);
	assert_int_equal(rename(path, src), 0);
	usleep(5000);
	assert_int_equal(vf_verify(ctx, q, len, coll, at, &res), 0);
	assert_false(res.ok);
	assert_string_equal(vf_check_name(res.reason), "qeid_sig");
	vf_ctx_free(ctx);
	free(q);
	free(json);
	snprintf(path, sizeof(path), "rm -rf '%s'", tmp);
	assert_int_equal(system(path), 0);
}

/* A missing collateral file is an I/O error, not a verdict. */
static void test_missing_collateral(void **state)
{
	const char *base = testdata_tdx_dir();
	char dir[PATH_MAX - 64];
	struct vf_ctx *ctx;
	struct vf_result res;
	uint8_t *q;
	size_t len;

	(void)state;
	SKIP_WITHOUT_TESTDATA(base);
	snprintf(dir, sizeof(dir), "%s/dcapqvl_v4_uptodate", base);
	q = test_read(dir, "quote.bin", &len);
	assert_int_equal(vf_ctx_new(NULL, &ctx), 0);
	assert_true(vf_verify(ctx, q, len, "/nonexistent-collateral", 0, &res) < 0);
	vf_ctx_free(ctx);
	free(q);
}

/* vf_verify_parsed() on the caller's parse gives vf_verify()'s verdict, good or bad. */
static void test_verify_parsed(void **state)
{
	const char *base = testdata_tdx_dir();
	char dir[PATH_MAX - 64], coll[PATH_MAX];
	struct vf_ctx *ctx;
	struct vf_result a, b;
	struct tdx_quote q;
	uint8_t *buf;
	size_t len;
	int64_t at;

	(void)state;
	SKIP_WITHOUT_TESTDATA(base);
	snprintf(dir, sizeof(dir), "%s/dcapqvl_v4_uptodate", base);
	snprintf(coll, sizeof(coll), "%s/collateral", dir);
	buf = test_read(dir, "quote.bin", &len);
	assert_int_equal(vf_parse_time("2025-07-19T10:00:34Z", &at), 0);
	assert_int_equal(vf_ctx_new(NULL, &ctx), 0);
	for (int flip = 0; flip < 2; flip++) {
		if (flip)
			buf[100] ^= 1; /* in the TD body: the quote signature no longer verifies */
		assert_int_equal(tdx_quote_parse(buf, len, &q, NULL), 0);
		assert_int_equal(vf_verify(ctx, buf, len, coll, at, &a), 0);
		assert_int_equal(vf_verify_parsed(ctx, buf, &q, coll, at, &b), 0);
		assert_int_equal(a.ok, !flip);
		assert_int_equal(b.ok, a.ok);
		assert_int_equal(b.reason, a.reason);
		assert_int_equal(b.failed, a.failed);
		assert_int_equal(b.tcb_status, a.tcb_status);
		assert_true(b.have_quote);
		assert_memory_equal(b.quote.td.mr_td, a.quote.td.mr_td, sizeof(a.quote.td.mr_td));
	}
	vf_ctx_free(ctx);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_collateral_reload),
		cmocka_unit_test(test_missing_collateral),
		cmocka_unit_test(test_verify_parsed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
