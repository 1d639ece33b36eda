/* SPDX-License-Identifier: Apache-2.0 */
/* Readers never see a half-written store: three threads verify a simulator quote from the
 * store while the main thread installs re-signed documents again and again (a new
 * generation per document, old ones pruned under the readers). Every verification must
 * succeed; the readers must end up on the newest generation. */
#include "testutil.h"
#include "store_testutil.h"
#include "tdx/quote.h"
#include "verify/store.h"
#include "../sim/sim_pki.h"
#include "../sim/sim_quote.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct reader {
	struct vf_ctx *ctx;
	const uint8_t *quote;
	const struct tdx_quote *q;
	const char *store;
	int64_t at;
	atomic_bool *stop;
	long runs, errors;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct vf_result res;

	while (!atomic_load(r->stop)) {
		int rc = vf_verify_store(r->ctx, r->quote, r->q, r->store, NULL, r->at, &res, NULL);

		r->runs++;
		if (rc < 0 || !res.ok) {
			r->errors++;
			print_message("reader: rc %d %s\n", rc, rc < 0 ? "" : res.reason_text);
		}
	}
	return NULL;
}

static void test_swap_under_readers(void **state)
{
	char pki[PATH_MAX - 128], store[PATH_MAX - 256], coll[PATH_MAX - 64], anchor[PATH_MAX];
	struct vf_options opt = { .anchor_mode = VF_ANCHOR_FILE, .anchor_file = anchor, .collateral_recheck_ms = 1 };
	time_t now = time(NULL);
	struct sim_pki_opts po = { .now = now - 7200 };
	struct reader rd[3];
	pthread_t th[3];
	atomic_bool stop = false;
	struct vf_ctx *rctx, *wctx;
	struct tdx_td_info td;
	struct sim_pki *sp;
	struct tdx_quote q;
	uint8_t report_data[64] = { 0 }, *quote;
	const char *why;
	size_t len;

	(void)state;
	store_test_mkdtemp(pki, sizeof(pki));
	store_test_mkdtemp(store, sizeof(store));
	assert_int_equal(sim_pki_create(pki, &po), 0);
	snprintf(coll, sizeof(coll), "%s/collateral", pki);
	snprintf(anchor, sizeof(anchor), "%s/root_ca.pem", coll);
	assert_int_equal(sim_pki_load(pki, &sp), 0);
	assert_int_equal(sim_profile_default(&td), 0);
	assert_int_equal(sim_quote_build(sp, &td, report_data, 4, 0, &quote, &len), 0);
	assert_int_equal(tdx_quote_parse(quote, len, &q, &why), 0);
	/* trusting Intel's root, the simulator's chain is forged: rejected before any lookup,
	 * so it could never make a server fetch collateral (not -ENOENT) */
	{
		struct vf_options iopt = { .anchor_mode = VF_ANCHOR_INTEL };
		struct vf_platform plat;
		struct vf_result res;
		struct vf_ctx *ictx;

		assert_int_equal(vf_ctx_new(&iopt, &ictx), 0);
		assert_int_equal(vf_verify_store(ictx, quote, &q, store, NULL, now, &res, &plat), 0);
		assert_false(res.ok);
		assert_int_equal(res.reason, VF_PCK_CHAIN_SIGS);
		assert_non_null(strstr(res.reason_text, "trust anchor"));
		vf_ctx_free(ictx);
	}
	assert_int_equal(vf_ctx_new(&opt, &rctx), 0);
	assert_int_equal(vf_ctx_new(&opt, &wctx), 0);
	store_test_put_case(wctx, store, coll, VF_CA_PLATFORM, now, VF_PUT_INSTALLED);

	for (int i = 0; i < 3; i++) {
		rd[i] = (struct reader){ .ctx = rctx, .quote = quote, .q = &q, .store = store, .at = now, .stop = &stop };
		assert_int_equal(pthread_create(&th[i], NULL, reader_main, &rd[i]), 0);
	}
	for (int k = 0; k < 12; k++) {
		struct timespec ts = { 0, 5 * 1000000L };

		po.have_issue_date = true;
		po.issue_date = now - 3600 + k; /* later each round: every document is newer */
		assert_int_equal(sim_pki_resign(pki, &po), 0);
		store_test_put_case(wctx, store, coll, VF_CA_PLATFORM, now, VF_PUT_INSTALLED);
		nanosleep(&ts, NULL);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		assert_true(rd[i].runs > 0);
		assert_int_equal(rd[i].errors, 0);
	}
	/* the readers' context now serves the last generation's documents */
	{
		char cur[PATH_MAX];
		struct vf_result res;
		struct timespec ts = { 0, 5 * 1000000L };

		nanosleep(&ts, NULL);
		assert_int_equal(vf_verify_store(rctx, quote, &q, store, NULL, now, &res, NULL), 0);
		assert_true(res.ok);
		assert_int_equal(vf_store_resolve(store, cur, sizeof(cur)), 0);
		assert_non_null(strstr(cur, "gen-000052")); /* 4 documents x 13 transactions */
	}
	vf_ctx_free(rctx);
	vf_ctx_free(wctx);
	sim_pki_free(sp);
	free(quote);
	store_test_rmtree(store);
	store_test_rmtree(pki);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_under_readers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
