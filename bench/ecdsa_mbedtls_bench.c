/* SPDX-License-Identifier: Apache-2.0 */
/* ECDSA-P256/SHA-256 verify rate of mbedTLS (the client library), for comparison with
 * OpenSSL in bench/verify.sh. usage: ecdsa_mbedtls_bench [SECONDS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/sha256.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3.0, t0, t;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ecdsa_context key;
	mbedtls_mpi r, s;
	unsigned char msg[632] = { 1 }, h[32];
	long n = 0;

	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_ecdsa_init(&key);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0) ||
	    mbedtls_ecdsa_genkey(&key, MBEDTLS_ECP_DP_SECP256R1, mbedtls_ctr_drbg_random, &drbg) ||
	    mbedtls_sha256_ret(msg, sizeof(msg), h, 0) ||
	    mbedtls_ecdsa_sign(&key.grp, &r, &s, &key.d, h, 32, mbedtls_ctr_drbg_random, &drbg)) {
		fprintf(stderr, "ecdsa_mbedtls_bench: setup failed\n");
		return 1;
	}
	t0 = now();
	do {
		for (int i = 0; i < 20; i++, n++)
			if (mbedtls_sha256_ret(msg, sizeof(msg), h, 0) ||
			    mbedtls_ecdsa_verify(&key.grp, h, 32, &key.Q, &r, &s)) {
				fprintf(stderr, "ecdsa_mbedtls_bench: verify failed\n");
				return 1;
			}
		t = now() - t0;
	} while (t < secs);
	printf("mbedtls_ecdsa_p256_verify_per_s %.0f\n", (double)n / t);
	return 0;
}
