/* SPDX-License-Identifier: Apache-2.0 */
/* The Intel SGX extension (OID 1.2.840.113741.1.13.1) of a PCK certificate (tdx-formats.md §7). */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct sgx_pck_ext {
	uint8_t ppid[16];
	uint8_t sgx_svn[16]; /* TCB components .2.1 .. .2.16 */
	uint16_t pcesvn;     /* .2.17 */
	uint8_t cpusvn[16];  /* .2.18 */
	uint8_t pce_id[2];
	uint8_t fmspc[6];
	int sgx_type;        /* 0 standard, 1 scalable, 2 scalable with integrity */
};

/* DER content of the SGX extension OID 1.2.840.113741.1.13.1 (pck_ext.c). */
extern const uint8_t sgx_ext_oid[9];

/* Decodes the extension value (the content of the OCTET STRING) with mbedTLS's ASN.1
 * reader. Returns 0 or -EBADMSG. */
int sgx_pck_ext_decode(const uint8_t *der, size_t len, struct sgx_pck_ext *out);

/* Finds the PCK certificate (the one carrying the SGX extension) in the chain of a quote,
 * PEM as Intel's quoting enclave writes it or concatenated DER, and decodes the extension.
 * Returns 0, -EBADMSG (bad PEM/X.509/extension), -ENOENT (no SGX extension). */
int sgx_pck_ext_from_chain(const char *chain, size_t len, struct sgx_pck_ext *out);
