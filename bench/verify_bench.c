/* SPDX-License-Identifier: Apache-2.0 */
/* Single-threaded DCAP verification throughput of a repeat platform (collateral, PCK chain
 * and QE report cached), next to the bound: OpenSSL's ECDSA-P256 verify rate.
 * usage: verify_bench QUOTE COLLATERAL_DIR RFC3339 [SECONDS] */
#include "verify/verify.h"
#include "common/fileio.h"

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

int main(int argc, char **argv)
{
	struct vf_options opt = { .anchor_mode = VF_ANCHOR_INTEL };
	struct vf_ctx *ctx;
	uint8_t *q;
	size_t len;
	int64_t at;
	double secs = argc > 4 ? atof(argv[4]) : 3.0, v, e;

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
