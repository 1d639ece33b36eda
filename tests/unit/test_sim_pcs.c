/* SPDX-License-Identifier: Apache-2.0 */
/* The PCS simulator's building blocks: fault specifications (parse, match by path and
 * query, counts, the fault file re-read when it changes), the issuer-chain URL encoding,
 * the platform options of `tdx-sim pki`, and the CRL encodings. */
#include "testutil.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "../sim/sim_pcs_docs.h"
#include "../sim/sim_pcs_fault.h"
#include "../sim/sim_pki.h"
#include "verify/store_doc.h"
#include "verify/verify.h"

#include <ftw.h>
#include <time.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_fault_parse(void **state)
{
	struct sim_pcs_fault f;

	(void)state;
	assert_int_equal(sim_pcs_fault_parse("bad-sig", &f), 0);
	assert_int_equal(f.kind, SIM_FAULT_BAD_SIG);
	assert_string_equal(f.match, "");
	assert_int_equal(f.count, 0);
	assert_int_equal(sim_pcs_fault_parse("429:7@pckcrl#2", &f), 0);
	assert_int_equal(f.kind, SIM_FAULT_429);
	assert_int_equal(f.arg, 7);
	assert_string_equal(f.match, "pckcrl");
	assert_int_equal(f.count, 2);
	assert_int_equal(sim_pcs_fault_parse("429", &f), 0);
	assert_int_equal(f.arg, 1);
	assert_int_equal(sim_pcs_fault_parse("503@/tdx/certification/v4/tcb?fmspc=50C06F000001", &f), 0);
	assert_int_equal(f.kind, SIM_FAULT_STATUS);
	assert_int_equal(f.arg, 503);
	assert_string_equal(f.match, "/tdx/certification/v4/tcb?fmspc=50C06F000001");
	assert_int_equal(sim_pcs_fault_parse("status:404", &f), 0);
	assert_int_equal(f.arg, 404);
	assert_int_equal(sim_pcs_fault_parse("slow", &f), 0);
	assert_int_equal(f.arg, 3000);
	assert_int_equal(sim_pcs_fault_parse("old-eval@qe#1", &f), 0);
	assert_int_equal(f.kind, SIM_FAULT_OLD);
	/* '#' inside MATCH before '@' is not a count */
	assert_int_equal(sim_pcs_fault_parse("short@a#b#3", &f), 0);
	assert_string_equal(f.match, "a#b");
	assert_int_equal(f.count, 3);

	static const char *const bad[] = {
		"", "teapot", "bad-sig:1", "status:200", "status:", "200", "5000", "429:x",
		"slow:-1", "truncate@", "truncate#", "truncate#x", "old@x#1000001",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sim_pcs_fault_parse(bad[i], &f), -EINVAL);
}

static void test_fault_match_and_count(void **state)
{
	struct sim_pcs_fault f[3];
	struct sim_pcs_faults *set = NULL;
	struct sim_pcs_faults_hit hit;

	(void)state;
	assert_int_equal(sim_pcs_fault_parse("bad-sig@fmspc=50C06F000001", &f[0]), 0);
	assert_int_equal(sim_pcs_fault_parse("500@pckcrl#1", &f[1]), 0);
	assert_int_equal(sim_pcs_fault_parse("slow:5@qe", &f[2]), 0);
	assert_int_equal(sim_pcs_faults_new(f, 3, NULL, &set), 0);

	sim_pcs_faults_match(set, "/tdx/certification/v4/tcb?fmspc=50C06F000001", &hit);
	assert_true(hit.bad_sig);
	assert_int_equal(hit.status, 0);
	sim_pcs_faults_match(set, "/tdx/certification/v4/tcb?fmspc=50C06F000002", &hit);
	assert_false(hit.bad_sig);
	sim_pcs_faults_match(set, "/sgx/certification/v4/pckcrl?ca=platform", &hit);
	assert_int_equal(hit.status, 500);
	sim_pcs_faults_match(set, "/sgx/certification/v4/pckcrl?ca=platform", &hit);
	assert_int_equal(hit.status, 0); /* #1 used up */
	sim_pcs_faults_reload(set);
	sim_pcs_faults_match(set, "/sgx/certification/v4/pckcrl?ca=platform", &hit);
	assert_int_equal(hit.status, 500); /* SIGHUP resets the counts */
	sim_pcs_faults_match(set, "/tdx/certification/v4/qe/identity", &hit);
	assert_int_equal(hit.delay_ms, 5);
	sim_pcs_faults_free(set);
}

static void write_text(const char *path, const char *text)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	assert_int_equal(file_write_all(tmp, (const uint8_t *)text, strlen(text), 0644), 0);
	assert_int_equal(rename(tmp, path), 0);
}

static void test_fault_file(void **state)
{
	char dir[] = "/tmp/test_sim_pcs.XXXXXX", path[PATH_MAX];
	struct sim_pcs_faults *set = NULL;
	struct sim_pcs_faults_hit hit;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/faults", dir);
	assert_int_equal(sim_pcs_faults_new(NULL, 0, path, &set), 0);
	sim_pcs_faults_match(set, "/x", &hit); /* no file yet: no faults */
	assert_int_equal(hit.status, 0);
	write_text(path, "# comment\n\n 429:3@/x\ntruncate\n");
	sim_pcs_faults_match(set, "/x", &hit);
	assert_int_equal(hit.status, 429);
	assert_int_equal(hit.retry_after, 3);
	assert_true(hit.truncate);
	write_text(path, "short\nno-such-fault\n"); /* a bad file keeps the previous set */
	sim_pcs_faults_match(set, "/x", &hit);
	assert_int_equal(hit.status, 429);
	assert_false(hit.short_body);
	write_text(path, "bad-chain\n");
	sim_pcs_faults_match(set, "/x", &hit);
	assert_int_equal(hit.status, 0);
	assert_true(hit.bad_chain);
	unlink(path);
	sim_pcs_faults_match(set, "/x", &hit); /* removed: no faults */
	assert_false(hit.bad_chain);
	sim_pcs_faults_free(set);
	rmdir(dir);
}

static void test_urlencode(void **state)
{
	const char pem[] = "-----BEGIN CERTIFICATE-----\nMII+/=a_b.c~d\n";
	_cleanup_free_ char *enc = sim_pcs_urlencode(pem, strlen(pem));

	(void)state;
	assert_string_equal(enc, "-----BEGIN%20CERTIFICATE-----%0AMII%2B%2F%3Da_b.c~d%0A");
}

static void test_platform_options(void **state)
{
	struct sim_pki_platform p;

	(void)state;
	assert_int_equal(sim_pki_platform_parse("00806f050000", &p), 0);
	assert_memory_equal(p.fmspc, "\x00\x80\x6f\x05\x00\x00", 6);
	assert_int_equal(p.ca, SIM_CA_PLATFORM);
	assert_int_equal(sim_pki_platform_parse("00806F050000:processor", &p), 0);
	assert_int_equal(p.ca, SIM_CA_PROCESSOR);
	assert_int_equal(sim_pki_platform_parse("00806F05000", &p), -EINVAL);
	assert_int_equal(sim_pki_platform_parse("00806F05000G", &p), -EINVAL);
	assert_int_equal(sim_pki_platform_parse("00806F050000:other", &p), -EINVAL);
	sim_pki_platform_nth(0, &p);
	assert_memory_equal(p.fmspc, "\x50\xc0\x6f\x00\x00\x00", 6);
	assert_int_equal(p.ca, SIM_CA_PLATFORM);
	sim_pki_platform_nth(257, &p);
	assert_memory_equal(p.fmspc, "\x50\xc0\x6f\x00\x01\x01", 6);
	assert_int_equal(p.ca, SIM_CA_PROCESSOR);
}

static void test_crl_encodings(void **state)
{
	static const uint8_t der[] = { 0x30, 0x03, 0x02, 0x01, 0xab };
	struct sim_pcs_doc d = { 0 };

	(void)state;
	d.body = malloc(sizeof(der));
	assert_non_null(d.body);
	memcpy(d.body, der, sizeof(der));
	d.len = sizeof(der);
	assert_int_equal(sim_pcs_crl_encode(&d, SIM_CRL_HEX), 0);
	assert_int_equal(d.len, 10);
	assert_memory_equal(d.body, "30030201ab", 10);
	assert_string_equal(d.content_type, "application/x-pem-file");
	sim_pcs_doc_free(&d);

	d.body = malloc(sizeof(der));
	assert_non_null(d.body);
	memcpy(d.body, der, sizeof(der));
	d.len = sizeof(der);
	assert_int_equal(sim_pcs_crl_encode(&d, SIM_CRL_PEM), 0);
	assert_int_equal(d.len, strlen("-----BEGIN X509 CRL-----\nMAMCAas=\n-----END X509 CRL-----\n"));
	assert_memory_equal(d.body, "-----BEGIN X509 CRL-----\nMAMCAas=\n-----END X509 CRL-----\n", d.len);
	sim_pcs_doc_free(&d);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

/* The simulated tcbevaluationdatanumbers is what the store's parser accepts: signature over
 * the raw member, issuer chain to the simulator's root, the numbers newest first. */
static void test_eval_numbers_parse(void **state)
{
	char dir[] = "/tmp/test_sim_pcs.XXXXXX", anchor[PATH_MAX], why[256];
	struct sim_pki_opts o = { .now = time(NULL) };
	struct vf_options vo = { .anchor_mode = VF_ANCHOR_FILE, .anchor_file = anchor };
	struct sim_pcs_doc d = { 0 };
	struct vf_ctx *ctx = NULL;
	_cleanup_free_ char *chain = NULL;
	int nums[8];
	size_t n = 0, clen = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(anchor, sizeof(anchor), "%s/collateral/root_ca.pem", dir);
	assert_int_equal(sim_pki_create(dir, &o), 0);
	o.early = true;
	o.tcb_eval = 19;
	assert_int_equal(sim_pki_resign(dir, &o), 0);
	assert_int_equal(sim_pcs_doc_eval_numbers(dir, false, false, &d), 0);
	assert_string_equal(d.chain_header, "TCB-Evaluation-Data-Numbers-Issuer-Chain");
	/* the header value decoded: every %XX back to its byte */
	chain = malloc(strlen(d.chain) + 1);
	assert_non_null(chain);
	for (const char *p = d.chain; *p; p++) {
		unsigned v;

		if (*p == '%' && sscanf(p + 1, "%2x", &v) == 1) {
			chain[clen++] = (char)v;
			p += 2;
		} else {
			chain[clen++] = *p;
		}
	}
	chain[clen] = '\0';
	assert_int_equal(vf_ctx_new(&vo, &ctx), 0);
	assert_int_equal(vf_eval_numbers_check(ctx, d.body, d.len, chain, clen, (int64_t)time(NULL), nums, 8, &n,
					       why, sizeof(why)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(nums[0], 19);
	assert_int_equal(nums[2], 17);
	sim_pcs_doc_free(&d);
	assert_int_equal(sim_pcs_doc_eval_numbers(dir, false, true, &d), 0); /* bad-sig */
	assert_int_not_equal(vf_eval_numbers_check(ctx, d.body, d.len, chain, clen, (int64_t)time(NULL), nums, 8, &n,
						   why, sizeof(why)), 0);
	sim_pcs_doc_free(&d);
	vf_ctx_free(ctx);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_parse),
		cmocka_unit_test(test_fault_match_and_count),
		cmocka_unit_test(test_fault_file),
		cmocka_unit_test(test_urlencode),
		cmocka_unit_test(test_platform_options),
		cmocka_unit_test(test_crl_encodings),
		cmocka_unit_test(test_eval_numbers_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
