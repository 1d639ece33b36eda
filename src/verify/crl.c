/* SPDX-License-Identifier: Apache-2.0 */
/* CRLs: loading (DER, PEM or hex-encoded DER, tdx-formats.md §8.2), validity, revocation. */
#include "crl.h"
#include "../common/hex.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

static bool all_hex(const uint8_t *p, size_t len)
{
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	if (len == 0 || len % 2)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') ||
		      (p[i] >= 'A' && p[i] <= 'F')))
			return false;
	return true;
}

X509_CRL *vf_crl_parse(const uint8_t *buf, size_t len)
{
	const unsigned char *p = buf;
	X509_CRL *crl = NULL;

	if (len > VF_CRL_MAX)
		return NULL;
	if (len > 10 && memcmp(buf, "-----BEGIN", 10) == 0) {
		BIO *bio = BIO_new_mem_buf(buf, (int)len);

		if (bio)
			crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else if (all_hex(buf, len)) {
		size_t n = len;
		char *hex;
		uint8_t *der;

		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			n--;
		hex = malloc(n + 1);
		der = malloc(n / 2);
		if (hex && der) {
			memcpy(hex, buf, n);
			hex[n] = '\0';
			if (hex_decode(hex, der, n / 2) == (int)(n / 2)) {
				p = der;
				crl = d2i_X509_CRL(NULL, &p, (long)(n / 2));
				if (crl && p != der + n / 2) {
					X509_CRL_free(crl);
					crl = NULL;
				}
			}
		}
		free(hex);
		free(der);
	} else {
		crl = d2i_X509_CRL(NULL, &p, (long)len);
		if (crl && p != buf + len) {
			X509_CRL_free(crl);
			crl = NULL;
		}
	}
	ERR_clear_error();
	return crl;
}

void vf_crl_window(X509_CRL *crl, enum vf_check check, const char *what, struct vf_window *w)
{
	w->check = check;
	w->what = what;
	if (!crl || vf_asn1_time(X509_CRL_get0_lastUpdate(crl), &w->from) < 0 ||
	    vf_asn1_time(X509_CRL_get0_nextUpdate(crl), &w->to) < 0) {
		w->from = INT64_MAX; /* no nextUpdate or unreadable: never fresh */
		w->to = INT64_MIN;
	}
}

int vf_crl_signed_by(X509_CRL *crl, EVP_PKEY *key)
{
	int r;

	if (!crl || !key)
		return 0;
	r = X509_CRL_verify(crl, key);
	ERR_clear_error();
	return r == 1;
}

bool vf_crl_revokes(X509_CRL *crl, X509 *cert)
{
	X509_REVOKED *rev = NULL;

	if (!crl || !cert)
		return false;
	return X509_CRL_get0_by_serial(crl, &rev, X509_get0_serialNumber(cert)) == 1;
}

bool vf_crl_issued_by(X509_CRL *crl, X509 *ca)
{
	return crl && ca && X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)) == 0;
}
