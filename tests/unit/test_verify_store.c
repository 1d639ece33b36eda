/* SPDX-License-Identifier: Apache-2.0 */
/* The collateral store with real Intel documents: install verified and atomic, lookup by
 * FMSPC and PCK CA, rollback refused with the store byte-identical, the one-directory
 * layout still read, PEM/DER/hex CRL bodies. */
#include "testutil.h"
#include "store_testutil.h"
#include "tdx/quote.h"
#include "verify/store.h"
#include "verify/store_list.h"
#include "verify/store_txn.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static int64_t t_of(const char *s)
{
	int64_t t;

	assert_int_equal(vf_parse_time(s, &t), 0);
	return t;
}

static struct vf_ctx *intel_ctx(void)
{
	struct vf_options opt = { .anchor_mode = VF_ANCHOR_INTEL, .collateral_recheck_ms = 1 };
	struct vf_ctx *ctx;

	assert_int_equal(vf_ctx_new(&opt, &ctx), 0);
	return ctx;
}

/* One document of the shared TDX test data (body and chain relative to it; no chain: NULL)
 * put into the store at time `at`; returns store_test_put_file's result. */
static int put_doc(struct vf_ctx *ctx, const char *store, const char *at, enum vf_doc_kind kind,
		   const char *key, const char *body, const char *chain)
{
	const char *base = testdata_tdx_dir();
	char b[PATH_MAX], c[PATH_MAX];

	snprintf(b, sizeof(b), "%s/%s", base, body);
	if (chain)
		snprintf(c, sizeof(c), "%s/%s", base, chain);
	return store_test_put_file(ctx, store, t_of(at), kind, key, b, chain ? c : NULL);
}

/* The PCK CRL FILE (pck_crl.der or .pem) of pcs-extra/DIR for the PCK CA `ca`, with that
 * directory's issuer chain. */
static int put_crl(struct vf_ctx *ctx, const char *store, const char *at, const char *ca, const char *dir,
		   const char *file)
{
	char b[PATH_MAX], c[PATH_MAX];

	snprintf(b, sizeof(b), "pcs-extra/%s/%s", dir, file);
	snprintf(c, sizeof(c), "pcs-extra/%s/pck_crl_issuer_chain.pem", dir);
	return put_doc(ctx, store, at, VF_DOC_PCK_CRL, ca, b, c);
}

/* The verdict through the store equals the one-directory verdict (dcapqvl, Platform CA). */
static void test_store_verify_case(void **state)
{
	const char *base = testdata_tdx_dir();
	char store[PATH_MAX - 256], dir[PATH_MAX - 64], coll[PATH_MAX];
	struct vf_result a, b;
	struct vf_platform plat;
	struct tdx_quote q;
	struct vf_ctx *ctx;
	const char *why;
	uint8_t *quote;
	size_t len;
	int64_t at = t_of("2025-07-19T10:00:34Z");

	(void)state;
	SKIP_WITHOUT_TESTDATA(base);
	snprintf(dir, sizeof(dir), "%s/dcapqvl_v4_uptodate", base);
	snprintf(coll, sizeof(coll), "%s/collateral", dir);
	quote = test_read(dir, "quote.bin", &len);
	assert_int_equal(tdx_quote_parse(quote, len, &q, &why), 0);
	ctx = intel_ctx();
	store_test_mkdtemp(store, sizeof(store));

	/* empty store: the platform is named, nothing verifies */
	{
		struct vf_store_txn *t;

		assert_int_equal(vf_store_begin(ctx, store, at, &t), 0);
		assert_int_equal(vf_store_commit(t), 0);
	}
	assert_int_equal(vf_verify_store(ctx, quote, &q, store, NULL, at, &a, &plat), -ENOENT);
	assert_string_equal(plat.fmspc_hex, "B0C06F000000");
	assert_int_equal(plat.ca, VF_CA_PLATFORM);

	store_test_put_case(ctx, store, coll, VF_CA_PLATFORM, at, VF_PUT_INSTALLED);
	assert_int_equal(vf_verify_store(ctx, quote, &q, store, NULL, at, &a, NULL), 0);
	assert_int_equal(vf_verify(ctx, quote, len, coll, at, &b), 0);
	assert_true(a.ok);
	assert_true(b.ok);
	assert_int_equal(a.tcb_status, b.tcb_status);
	/* the same documents again: unchanged, no new generation */
	store_test_put_case(ctx, store, coll, VF_CA_PLATFORM, at, VF_PUT_UNCHANGED);
	/* a one-directory collateral given as the store still verifies */
	assert_int_equal(vf_verify_store(ctx, quote, &q, coll, NULL, at, &b, NULL), 0);
	assert_true(b.ok);
	/* expired: the reason names the platform's document */
	assert_int_equal(vf_verify_store(ctx, quote, &q, store, NULL, t_of("2025-07-20T10:00:35Z"), &a, NULL), 0);
	assert_false(a.ok);
	assert_non_null(strstr(a.reason_text, "FMSPC B0C06F000000"));
	/* early collateral is another document: absent here */
	assert_int_equal(vf_verify_store(ctx, quote, &q, store, "early", at, &a, NULL), -ENOENT);
	store_test_rmtree(store);
	vf_ctx_free(ctx);
	free(quote);
}

/* Several platforms in one store: each quote finds its own FMSPC's TCB info. */
static void test_store_many_platforms(void **state)
{
	static const struct { const char *name, *at, *fmspc; } cases[] = {
		{ "dcapqvl_v4_uptodate", "2025-07-19T10:00:34Z", "B0C06F000000" },
		{ "automata_v4_onchain_0625", "2025-06-05T03:45:00Z", "00806F050000" },
		{ "trustee_v4_quote4_with_goTdx2023", "2023-06-28T08:03:58Z", "50806F000000" },
	};
	const char *base = testdata_tdx_dir();
	char store[PATH_MAX - 256], dir[PATH_MAX - 64], body[PATH_MAX], chain[PATH_MAX];
	struct vf_store_entry *ent;
	struct vf_ctx *ctx;
	size_t n;

	(void)state;
	SKIP_WITHOUT_TESTDATA(base);
	ctx = intel_ctx();
	store_test_mkdtemp(store, sizeof(store));
	/* oldest first, so every document is newer than the installed one */
	for (int i = 2; i >= 0; i--) {
		snprintf(body, sizeof(body), "%s/collateral/tcb_info.json", cases[i].name);
		snprintf(chain, sizeof(chain), "%s/collateral/tcb_info_issuer_chain.pem", cases[i].name);
		assert_int_equal(put_doc(ctx, store, cases[i].at, VF_DOC_TCB_INFO, cases[i].fmspc, body, chain),
				 VF_PUT_INSTALLED);
	}
	assert_int_equal(vf_store_list(store, &ent, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(ent[0].fmspc_hex, "00806F050000");
	assert_int_equal(ent[0].s.eval_num, 17);
	assert_string_equal(ent[2].fmspc_hex, "B0C06F000000");
	free(ent);
	assert_int_equal(put_doc(ctx, store, cases[0].at, VF_DOC_QE_IDENTITY, NULL,
				 "dcapqvl_v4_uptodate/collateral/qe_identity.json",
				 "dcapqvl_v4_uptodate/collateral/qe_identity_issuer_chain.pem"), VF_PUT_INSTALLED);
	assert_int_equal(put_doc(ctx, store, cases[0].at, VF_DOC_PCK_CRL, "platform",
				 "dcapqvl_v4_uptodate/collateral/pck_crl.der",
				 "dcapqvl_v4_uptodate/collateral/pck_crl_issuer_chain.pem"), VF_PUT_INSTALLED);
	assert_int_equal(put_doc(ctx, store, cases[0].at, VF_DOC_ROOT_CRL, NULL,
				 "dcapqvl_v4_uptodate/collateral/root_ca_crl.der", NULL), VF_PUT_INSTALLED);
	for (int i = 0; i < 3; i++) {
		struct vf_result res;
		struct tdx_quote q;
		const char *why;
		uint8_t *quote;
		size_t len;

		snprintf(dir, sizeof(dir), "%s/%s", base, cases[i].name);
		quote = test_read(dir, "quote.bin", &len);
		assert_int_equal(tdx_quote_parse(quote, len, &q, &why), 0);
		/* each quote is matched with its own FMSPC's TCB info; only the newest case
		 * has the rest of its set (one QE identity and CRL per store) */
		assert_int_equal(vf_verify_store(ctx, quote, &q, store, NULL, t_of(cases[i].at), &res, NULL), 0);
		assert_false(res.failed & (1ull << VF_FMSPC_MATCH));
		assert_false(res.failed & (1ull << VF_TCBINFO_SIG));
		assert_int_equal(res.ok, i == 0);
		free(quote);
	}
	store_test_rmtree(store);
	vf_ctx_free(ctx);
}

/* Rollback: lower tcbEvaluationDataNumber, older issueDate, older thisUpdate are refused
 * and leave the store byte-identical; a bad signature too. */
static void test_store_rollback(void **state)
{
	const char *base = testdata_tdx_dir();
	const char *pcs_tcb = "pcs-extra/tdx_2025-05-27/tcb_info_00806F050000.json";
	const char *pcs_tcb_chain = "pcs-extra/tdx_2025-05-27/tcb_info_issuer_chain.pem";
	char store[PATH_MAX - 256];
	uint8_t d0[32], d1[32];
	struct vf_ctx *ctx;

	(void)state;
	SKIP_WITHOUT_TESTDATA(base);
	ctx = intel_ctx();
	store_test_mkdtemp(store, sizeof(store));

	/* QE identity 18 (2026) installed, then 17 (2025) offered at its own time */
	assert_int_equal(put_doc(ctx, store, "2026-02-25T00:45:50Z", VF_DOC_QE_IDENTITY, NULL,
				 "goTdx_v5_sample_2026/collateral/qe_identity.json",
				 "goTdx_v5_sample_2026/collateral/qe_identity_issuer_chain.pem"), VF_PUT_INSTALLED);
	store_test_tree_digest(store, d0);
	assert_int_equal(put_doc(ctx, store, "2025-07-19T10:00:34Z", VF_DOC_QE_IDENTITY, NULL,
				 "dcapqvl_v4_uptodate/collateral/qe_identity.json",
				 "dcapqvl_v4_uptodate/collateral/qe_identity_issuer_chain.pem"), -ESTALE);
	store_test_tree_digest(store, d1);
	assert_memory_equal(d0, d1, 32);

	/* TCB info 00806F050000, both number 17: automata's (06-04) then PCS's (05-27) */
	assert_int_equal(put_doc(ctx, store, "2025-06-05T03:45:00Z", VF_DOC_TCB_INFO, "00806F050000",
				 "automata_v4_onchain_0625/collateral/tcb_info.json",
				 "automata_v4_onchain_0625/collateral/tcb_info_issuer_chain.pem"), VF_PUT_INSTALLED);
	store_test_tree_digest(store, d0);
	assert_int_equal(put_doc(ctx, store, "2025-06-01T00:00:00Z", VF_DOC_TCB_INFO, "00806F050000",
				 pcs_tcb, pcs_tcb_chain), -ESTALE);
	/* stored under another FMSPC: refused */
	assert_int_equal(put_doc(ctx, store, "2025-06-01T00:00:00Z", VF_DOC_TCB_INFO, "00806F050001",
				 pcs_tcb, pcs_tcb_chain), -EBADMSG);
	/* wrong chain (a PCK CA chain for a TCB info): refused */
	assert_int_equal(put_doc(ctx, store, "2025-06-01T00:00:00Z", VF_DOC_TCB_INFO, "00806F050000", pcs_tcb,
				 "pcs-extra/processor_crl_2025-05-27T19-23-09Z/pck_crl_issuer_chain.pem"), -EBADMSG);
	/* outside its window: refused */
	assert_int_equal(put_doc(ctx, store, "2025-07-01T00:00:00Z", VF_DOC_TCB_INFO, "00806F050000",
				 pcs_tcb, pcs_tcb_chain), -EBADMSG);
	store_test_tree_digest(store, d1);
	assert_memory_equal(d0, d1, 32);

	/* Processor CA CRLs: 19:23:09 installed, 18:46:25 (PEM body) older: refused */
	assert_int_equal(put_crl(ctx, store, "2025-05-27T20:00:00Z", "processor",
				 "processor_crl_2025-05-27T19-23-09Z", "pck_crl.der"), VF_PUT_INSTALLED);
	/* the same CRL under the platform CA: refused (chain names the Processor CA) */
	assert_int_equal(put_crl(ctx, store, "2025-05-27T20:00:00Z", "platform",
				 "processor_crl_2025-05-27T19-23-09Z", "pck_crl.der"), -EBADMSG);
	store_test_tree_digest(store, d0);
	assert_int_equal(put_crl(ctx, store, "2025-05-27T20:00:00Z", "processor",
				 "processor_crl_2025-05-27T18-46-25Z", "pck_crl.pem"), -ESTALE);
	store_test_tree_digest(store, d1);
	assert_memory_equal(d0, d1, 32);
	/* a later one is installed */
	assert_int_equal(put_crl(ctx, store, "2025-06-20T00:00:00Z", "processor",
				 "processor_crl_2025-06-19T10-23-18Z", "pck_crl.der"), VF_PUT_INSTALLED);
	store_test_rmtree(store);
	vf_ctx_free(ctx);
}

/* A PEM CRL body (PCS without encoding=der) is stored as the DER Intel also serves. */
static void test_store_pem_crl_stored_der(void **state)
{
	const char *base = testdata_tdx_dir();
	char store[PATH_MAX - 256], cur[PATH_MAX];
	uint8_t *want, *got;
	size_t wl, gl;
	struct vf_ctx *ctx;

	(void)state;
	SKIP_WITHOUT_TESTDATA(base);
	ctx = intel_ctx();
	store_test_mkdtemp(store, sizeof(store));
	assert_int_equal(put_crl(ctx, store, "2025-05-28T00:00:00Z", "platform", "platform_crl_2025-05-27T19-25-05Z",
				 "pck_crl.pem"), VF_PUT_INSTALLED);
	want = test_read(base, "pcs-extra/platform_crl_2025-05-27T19-25-05Z/pck_crl.der", &wl);
	assert_int_equal(vf_store_resolve(store, cur, sizeof(cur)), 0);
	got = test_read(cur, "pck_crl-platform.der", &gl);
	assert_int_equal(wl, gl);
	assert_memory_equal(want, got, wl);
	free(want);
	free(got);
	store_test_rmtree(store);
	vf_ctx_free(ctx);
}

/* Each accepted install is a new generation; the two before the newest are kept, older
 * ones and a crashed writer's staging directory are removed; unchanged files are links. */
static void test_store_generations(void **state)
{
	static const char *const crls[][3] = {
		{ "processor", "processor_crl_2025-05-27T18-46-25Z", "2025-05-27T20:00:00Z" },
		{ "processor", "processor_crl_2025-05-27T19-23-09Z", "2025-05-27T20:00:00Z" },
		{ "platform", "platform_crl_2025-05-27T19-25-05Z", "2025-05-27T20:00:00Z" },
		{ "processor", "processor_crl_2025-06-19T10-23-18Z", "2025-06-20T00:00:00Z" },
	};
	const char *base = testdata_tdx_dir();
	char store[PATH_MAX - 256], a[PATH_MAX], b[PATH_MAX], cur[PATH_MAX];
	struct stat st1, st2;
	struct vf_ctx *ctx;

	(void)state;
	SKIP_WITHOUT_TESTDATA(base);
	ctx = intel_ctx();
	store_test_mkdtemp(store, sizeof(store));
	snprintf(a, sizeof(a), "%s/.staging-999999", store);
	assert_int_equal(mkdir(a, 0755), 0);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(put_crl(ctx, store, crls[i][2], crls[i][0], crls[i][1], "pck_crl.der"), VF_PUT_INSTALLED);
	snprintf(a, sizeof(a), "%s/.staging-999999", store);
	assert_int_equal(access(a, F_OK), -1);
	assert_int_equal(vf_store_resolve(store, cur, sizeof(cur)), 0);
	assert_non_null(strstr(cur, "gen-000004"));
	snprintf(a, sizeof(a), "%s/gen-000001", store);
	assert_int_equal(access(a, F_OK), -1);
	snprintf(a, sizeof(a), "%s/gen-000002", store);
	assert_int_equal(access(a, F_OK), 0);
	/* the platform CRL of generation 3 is the same inode in generation 4 */
	snprintf(a, sizeof(a), "%s/gen-000003/pck_crl-platform.der", store);
	snprintf(b, sizeof(b), "%s/gen-000004/pck_crl-platform.der", store);
	assert_int_equal(stat(a, &st1), 0);
	assert_int_equal(stat(b, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	store_test_rmtree(store);
	vf_ctx_free(ctx);
}

/* The signed TCB evaluation data numbers of 2025-05-27 (TDX: 19, 18, 17; SGX likewise). */
static void test_eval_numbers(void **state)
{
	const char *base = testdata_tdx_dir();
	static const char *const tee[] = { "tdx", "sgx" };
	struct vf_ctx *ctx;

	(void)state;
	SKIP_WITHOUT_TESTDATA(base);
	ctx = intel_ctx();
	for (int i = 0; i < 2; i++) {
		char rel[128], why[256];
		uint8_t *body, *chain;
		size_t blen, clen, n;
		int nums[8];

		snprintf(rel, sizeof(rel), "pcs-extra/tcbevaluationdatanumbers/%s.json", tee[i]);
		body = test_read(base, rel, &blen);
		snprintf(rel, sizeof(rel), "pcs-extra/tcbevaluationdatanumbers/%s_issuer_chain.pem", tee[i]);
		chain = test_read(base, rel, &clen);
		assert_int_equal(vf_eval_numbers_check(ctx, body, blen, (char *)chain, clen,
						       t_of("2025-05-28T00:00:00Z"), nums, 8, &n, why, sizeof(why)), 0);
		assert_true(n >= 3);
		assert_int_equal(nums[0], 19);
		assert_int_equal(nums[1], 18);
		assert_int_equal(nums[2], 17);
		body[blen - 5] ^= 1; /* inside the signature */
		assert_int_equal(vf_eval_numbers_check(ctx, body, blen, (char *)chain, clen,
						       t_of("2025-05-28T00:00:00Z"), nums, 8, &n, why, sizeof(why)),
				 -EBADMSG);
		free(body);
		free(chain);
	}
	vf_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_verify_case),
		cmocka_unit_test(test_store_many_platforms),
		cmocka_unit_test(test_store_rollback),
		cmocka_unit_test(test_store_pem_crl_stored_der),
		cmocka_unit_test(test_eval_numbers),
		cmocka_unit_test(test_store_generations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
