/* SPDX-License-Identifier: Apache-2.0 */
/* Certificate lists from PEM text or concatenated DER, parsed by OpenSSL. */
#include "internal.h"

#include <errno.h>
#include <limits.h>

#include <openssl/err.h>
#include <openssl/pem.h>

void vf_certs_free(X509 **certs, int n)
{
	for (int i = 0; i < n; i++) {
		X509_free(certs[i]);
		certs[i] = NULL;
	}
}

int vf_certs_from_pem(const char *pem, size_t len, X509 **out, int max)
{
	BIO *bio;
	int n = 0;

	if (len > INT_MAX)
		return -EBADMSG;
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return -ENOMEM;
	for (;;) {
		X509 *c = PEM_read_bio_X509(bio, NULL, NULL, NULL);

		if (!c)
			break;
		if (n == max) {
			X509_free(c);
			vf_certs_free(out, n);
			n = -EBADMSG;
			break;
		}
		out[n++] = c;
	}
	BIO_free(bio);
	ERR_clear_error();
	return n > 0 ? n : -EBADMSG;
}

int vf_certs_from_der(const uint8_t *der, size_t len, X509 **out, int max)
{
	const unsigned char *p = der, *end = der + len;
	int n = 0;

	while (p < end) {
		X509 *c;

		if (n == max) {
			vf_certs_free(out, n);
			return -EBADMSG;
		}
		c = d2i_X509(NULL, &p, end - p);
		if (!c) {
			vf_certs_free(out, n);
			ERR_clear_error();
			return -EBADMSG;
		}
		out[n++] = c;
	}
	return n > 0 ? n : -EBADMSG;
}

int vf_cert_signed_by(X509 *cert, EVP_PKEY *key)
{
	int r;

	if (!cert || !key)
		return 0;
	r = X509_verify(cert, key);
	ERR_clear_error();
	return r == 1;
}
