/* SPDX-License-Identifier: Apache-2.0 */
/* The Intel SGX extension (OID 1.2.840.113741.1.13.1) of the simulated PCK certificate,
 * encoded with OpenSSL's ASN.1 template API (tdx-formats.md §7). */
#pragma once
#include <openssl/x509.h>

#include "sim_platform.h"

#define SIM_SGX_EXT_OID "1.2.840.113741.1.13.1"

/* Encodes the extension value (the DER SEQUENCE that goes into the OCTET STRING) for
 * platform p, with the Platform-CA items .6 (instance id) and .7 (configuration) unless
 * p->processor_ca.
 * Returns 0 and a buffer to free with OPENSSL_free(), or a negative errno. */
int sim_sgx_ext_der(const struct sim_platform *p, unsigned char **der, int *len);
/* Adds the (non-critical) extension to cert. */
int sim_sgx_ext_add(X509 *cert, const struct sim_platform *p);
