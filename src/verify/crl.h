/* SPDX-License-Identifier: Apache-2.0 */
/* CRL helpers (crl.c). */
#pragma once
#include "internal.h"

#define VF_CRL_MAX (4u << 20)

/* DER, PEM or hex-encoded DER; NULL when none parses. */
X509_CRL *vf_crl_parse(const uint8_t *buf, size_t len);
/* thisUpdate..nextUpdate (a CRL without nextUpdate is never fresh). */
void vf_crl_window(X509_CRL *crl, enum vf_check check, const char *what, struct vf_window *w);
int vf_crl_signed_by(X509_CRL *crl, EVP_PKEY *key);
/* The certificate's serial is listed (certificateHold counts as revoked). */
bool vf_crl_revokes(X509_CRL *crl, X509 *cert);
bool vf_crl_issued_by(X509_CRL *crl, X509 *ca);
