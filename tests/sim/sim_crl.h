/* SPDX-License-Identifier: Apache-2.0 */
/* DER CRLs of the test PKI (root CA CRL, PCK Platform CA CRL). */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

struct sim_crl_spec {
	X509 *issuer;
	EVP_PKEY *issuer_key;
	time_t this_update, next_update;
	uint64_t crl_number;
	const uint64_t *revoked; /* serials to list */
	size_t n_revoked;
	time_t revoked_at;
};

/* Issues a v2 CRL (CRL number, authority key identifier) and writes its DER to path. */
int sim_crl_write(const struct sim_crl_spec *spec, const char *path);
