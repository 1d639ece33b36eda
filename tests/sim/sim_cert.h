/* SPDX-License-Identifier: Apache-2.0 */
/* X.509 v3 certificates of the test DCAP PKI (all P-256, ECDSA-with-SHA256). */
#pragma once
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "sim_platform.h"

enum sim_cert_kind {
	SIM_CERT_ROOT,    /* self-signed CA, pathlen 1 */
	SIM_CERT_CA,      /* intermediate CA, pathlen 0 */
	SIM_CERT_PCK,     /* end entity with the SGX extension */
	SIM_CERT_SIGNING, /* end entity (TCB signing) */
};

#define SIM_PKI_ORG "tdx-unlock test PKI"

struct sim_cert_spec {
	enum sim_cert_kind kind;
	const char *cn;
	uint64_t serial;
	time_t not_before, not_after;
	EVP_PKEY *key;        /* subject key (public part used) */
	X509 *issuer;         /* NULL for the self-signed root */
	EVP_PKEY *issuer_key; /* signs; the subject key for the root */
	const char *crl_uri;  /* CRL distribution point, or NULL */
	const struct sim_platform *platform; /* SIM_CERT_PCK: its values (NULL: sim_platform) */
};

/* Issues one certificate. Returns 0 or a negative errno (logged). */
int sim_cert_issue(const struct sim_cert_spec *spec, X509 **out);
/* Sets the subject/issuer style name: CN=cn, O=SIM_PKI_ORG, L=Santa Clara, ST=CA, C=US. */
int sim_cert_name(X509_NAME *name, const char *cn);
