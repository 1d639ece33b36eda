/* SPDX-License-Identifier: Apache-2.0 */
/* DER CRLs of the test PKI (root CA CRL, PCK Platform and Processor CA CRLs). */
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

/* Issues a v2 CRL (CRL number, authority key identifier): its DER in a malloc'd buffer. */
int sim_crl_der(const struct sim_crl_spec *spec, uint8_t **der, size_t *len);
/* The same, written to path. */
int sim_crl_write(const struct sim_crl_spec *spec, const char *path);
