/* SPDX-License-Identifier: Apache-2.0 */
/* Single-threaded DCAP verification throughput of a repeat platform (collateral, PCK chain
 * and QE report cached), next to the bound: OpenSSL's ECDSA-P256 verify rate.
 * usage: verify_bench QUOTE COLLATERAL_DIR RFC3339 [SECONDS]
 *        verify_bench --store PKI_DIR N [SECONDS]
 * The second form compares the same repeat-platform verification from a collateral store
 * holding 1 platform and one holding N (the simulator's PKI_DIR from `tdx-sim pki
 * --platforms N`, quotes PKI_DIR/qI.bin of each platform; all N sets loaded before timing). */
#include "verify/verify.h"
#include "verify/store_txn.h"
#include "common/fileio.h"
#include "tdx/quote.h"

#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double bench_verify(struct vf_ctx *ctx, const uint8_t *q, size_t len, const char *dir,
			   int64_t at, double secs)
{
	struct vf_result res;
	double t0 = now(), t;
	long n = 0;

	do {
		for (int i = 0; i < 200; i++, n++)
			if (vf_verify(ctx, q, len, dir, at, &res) < 0 || !res.ok) {
				fprintf(stderr, "verify_bench: quote does not verify\n");
				exit(1);
			}
		t = now() - t0;
	} while (t < secs);
	return (double)n / t;
}

/* The bound: one ECDSA-P256/SHA-256 verify of a 632-byte message (the signed part of a v4
 * quote), key parsed once, EVP context set up once. */
static double bench_ecdsa(double secs)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t msg[632], sig[80];
	size_t siglen = sizeof(sig);
	double t0, t;
	long n = 0;

	RAND_bytes(msg, sizeof(msg));
	if (!key || !md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, msg, sizeof(msg)) != 1) {
		fprintf(stderr, "verify_bench: OpenSSL signing failed\n");
		exit(1);
	}
	t0 = now();
	do {
		for (int i = 0; i < 200; i++, n++)
			if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
			    EVP_DigestVerify(md, sig, siglen, msg, sizeof(msg)) != 1) {
				fprintf(stderr, "verify_bench: OpenSSL verify failed\n");
				exit(1);
			}
		t = now() - t0;
	} while (t < secs);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return (double)n / t;
}

/* Puts one document from files; exits on an unexpected refusal. */
static int put(struct vf_store_txn *t, struct vf_doc *d, const char *body, const char *chain)
{
	uint8_t *b = NULL, *c = NULL;
	size_t bl, cl = 0;
	char why[256];
	int r;

	if (file_read_all(body, 1u << 22, &b, &bl) < 0 || (chain && file_read_all(chain, 1u << 22, &c, &cl) < 0)) {
		fprintf(stderr, "verify_bench: cannot read %s\n", body);
		exit(1);
	}
	d->body = b;
	d->body_len = bl;
	d->chain = (const char *)c;
	d->chain_len = cl;
	r = vf_store_put(t, d, why, sizeof(why));
	free(b);
	free(c);
	return r < 0 ? r : 0;
}

/* A store with platforms 0..n-1 of the simulator PKI in pki. */
static void make_store(struct vf_ctx *ctx, const char *pki, int n, const char *store, int64_t at)
{
	char dir[PATH_MAX - 64], a[PATH_MAX], b[PATH_MAX];
	struct vf_store_txn *t;

	if (vf_store_begin(ctx, store, at, &t) < 0)
		exit(1);
	for (int i = 0; i < n; i++) {
		struct vf_doc d = { .kind = VF_DOC_TCB_INFO, .update = VF_UPDATE_STANDARD };
		uint8_t *tcb;
		size_t len;
		const char *f;

		snprintf(dir, sizeof(dir), "%s/platforms/%d/collateral", pki, i);
		if (access(dir, F_OK) < 0 && i == 0)
			snprintf(dir, sizeof(dir), "%s/collateral", pki);
		snprintf(a, sizeof(a), "%s/tcb_info.json", dir);
		snprintf(b, sizeof(b), "%s/tcb_info_issuer_chain.pem", dir);
		if (file_read_all(a, 1u << 22, &tcb, &len) < 0 || !(f = strstr((char *)tcb, "\"fmspc\":\""))) {
			fprintf(stderr, "verify_bench: no TCB info in %s\n", dir);
			exit(1);
		}
		memcpy(d.fmspc_hex, f + 9, 12);
		free(tcb);
		if (put(t, &d, a, b) < 0) {
			fprintf(stderr, "verify_bench: TCB info of %s refused\n", dir);
			exit(1);
		}
		snprintf(a, sizeof(a), "%s/pck_crl.der", dir);
		snprintf(b, sizeof(b), "%s/pck_crl_issuer_chain.pem", dir);
		/* the platform's CA is the one whose chain the CRL's accepted under */
		d = (struct vf_doc){ .kind = VF_DOC_PCK_CRL, .ca = VF_CA_PLATFORM };
		if (put(t, &d, a, b) < 0) {
			d = (struct vf_doc){ .kind = VF_DOC_PCK_CRL, .ca = VF_CA_PROCESSOR };
			put(t, &d, a, b);
		}
		if (i == 0) {
			d = (struct vf_doc){ .kind = VF_DOC_QE_IDENTITY, .update = VF_UPDATE_STANDARD };
			snprintf(a, sizeof(a), "%s/qe_identity.json", dir);
			snprintf(b, sizeof(b), "%s/qe_identity_issuer_chain.pem", dir);
			put(t, &d, a, b);
			d = (struct vf_doc){ .kind = VF_DOC_ROOT_CRL };
			snprintf(a, sizeof(a), "%s/root_ca_crl.der", dir);
			put(t, &d, a, NULL);
		}
	}
	if (vf_store_commit(t) < 0)
		exit(1);
}

static double bench_store(struct vf_ctx *ctx, const uint8_t *q, size_t len, const char *store,
			  int64_t at, double secs)
{
	struct vf_result res;
	struct tdx_quote pq;
	const char *why;
	double t0 = now(), t;
	long n = 0;

	if (tdx_quote_parse(q, len, &pq, &why) < 0)
		exit(1);
	do {
		for (int i = 0; i < 200; i++, n++)
			if (vf_verify_store(ctx, q, &pq, store, NULL, at, &res, NULL) < 0 || !res.ok) {
				fprintf(stderr, "verify_bench: quote does not verify from %s: %s\n", store, res.reason_text);
				exit(1);
			}
		t = now() - t0;
	} while (t < secs);
	return (double)n / t;
}

static int store_mode(int argc, char **argv)
{
	char anchor[PATH_MAX], s1[] = "/tmp/verify-bench-1.XXXXXX", sn[] = "/tmp/verify-bench-n.XXXXXX";
	struct vf_options opt = { .anchor_mode = VF_ANCHOR_FILE, .anchor_file = anchor };
	struct vf_ctx *c1, *cn;
	int n = argc > 3 ? atoi(argv[3]) : 0;
	double secs = argc > 4 ? atof(argv[4]) : 3.0, r0 = 0, r1 = 0, rn = 0;
	char dir0[PATH_MAX];
	int64_t at = (int64_t)time(NULL);
	uint8_t *q0 = NULL;
	size_t len0 = 0;

	if (n < 1 || n > 1000) {
		fprintf(stderr, "usage: verify_bench --store PKI_DIR N [SECONDS]\n");
		return 2;
	}
	snprintf(anchor, sizeof(anchor), "%s/collateral/root_ca.pem", argv[2]);
	if (!mkdtemp(s1) || !mkdtemp(sn) || vf_ctx_new(&opt, &c1) < 0 || vf_ctx_new(&opt, &cn) < 0)
		return 1;
	make_store(c1, argv[2], 1, s1, at);
	make_store(cn, argv[2], n, sn, at);
	/* every platform's set loaded in memory: one verification of a quote of each */
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		uint8_t *q;
		size_t len;

		snprintf(path, sizeof(path), "%s/q%d.bin", argv[2], i);
		if (file_read_all(path, 1u << 20, &q, &len) < 0) {
			fprintf(stderr, "verify_bench: cannot read %s\n", path);
			return 1;
		}
		bench_store(cn, q, len, sn, at, 0);
		if (i == 0) {
			q0 = q;
			len0 = len;
			bench_store(c1, q, len, s1, at, 0.2);
		} else {
			free(q);
		}
	}
	/* interleaved rounds: drift of the machine hits all alike; the one-directory
	 * collateral of the same platform is today's path (--collateral) */
	snprintf(dir0, sizeof(dir0), "%s/platforms/0/collateral", argv[2]);
	if (access(dir0, F_OK) < 0)
		snprintf(dir0, sizeof(dir0), "%s/collateral", argv[2]);
	bench_verify(c1, q0, len0, dir0, at, 0.1);
	for (int round = 0; round < 4; round++) {
		r0 += bench_verify(c1, q0, len0, dir0, at, secs / 12);
		r1 += bench_store(c1, q0, len0, s1, at, secs / 12);
		rn += bench_store(cn, q0, len0, sn, at, secs / 12);
	}
	printf("dir_verify_per_s %.0f\n", r0 / 4);
	printf("store_1_verify_per_s %.0f\n", r1 / 4);
	printf("store_%d_verify_per_s %.0f\n", n, rn / 4);
	printf("store_ratio %.3f\n", rn / r1);
	printf("store_vs_dir_ratio %.3f\n", r1 / r0);
	vf_ctx_free(c1);
	vf_ctx_free(cn);
	free(q0);
	return 0;
}

int main(int argc, char **argv)
{
	struct vf_options opt = { .anchor_mode = VF_ANCHOR_INTEL };
	struct vf_ctx *ctx;
	uint8_t *q;
	size_t len;
	int64_t at;
	double secs = argc > 4 ? atof(argv[4]) : 3.0, v, e;

	if (argc > 1 && strcmp(argv[1], "--store") == 0)
		return store_mode(argc, argv);
	if (argc < 4 || file_read_all(argv[1], 1u << 20, &q, &len) < 0 ||
	    vf_parse_time(argv[3], &at) < 0 || vf_ctx_new(&opt, &ctx) < 0) {
		fprintf(stderr, "usage: verify_bench QUOTE COLLATERAL_DIR RFC3339 [SECONDS]\n");
		return 2;
	}
	bench_verify(ctx, q, len, argv[2], at, 0.2); /* warm the caches */
	v = bench_verify(ctx, q, len, argv[2], at, secs);
	e = bench_ecdsa(secs);
	printf("dcap_verify_per_s %.0f\n", v);
	printf("openssl_ecdsa_p256_verify_per_s %.0f\n", e);
	vf_ctx_free(ctx);
	free(q);
	return 0;
}
