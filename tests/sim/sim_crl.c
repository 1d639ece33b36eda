/* SPDX-License-Identifier: Apache-2.0 */
#include "sim_crl.h"
#include "sim_ossl.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

static void asn1_time_freep(ASN1_TIME **t) { ASN1_TIME_free(*t); }

static int add_revoked(X509_CRL *crl, uint64_t serial, time_t when)
{
	X509_REVOKED *rev = X509_REVOKED_new();
	ASN1_INTEGER *sn = ASN1_INTEGER_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, when);
	int ok = rev && sn && t && ASN1_INTEGER_set_uint64(sn, serial) &&
		 X509_REVOKED_set_serialNumber(rev, sn) && X509_REVOKED_set_revocationDate(rev, t) &&
		 X509_CRL_add0_revoked(crl, rev);

	ASN1_INTEGER_free(sn);
	ASN1_TIME_free(t);
	if (!ok) {
		X509_REVOKED_free(rev);
		return -ENOMEM;
	}
	return 0;
}

static int add_extensions(X509_CRL *crl, const struct sim_crl_spec *s)
{
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	X509V3_CTX ctx;
	X509_EXTENSION *aki;
	int ok;

	ok = num && ASN1_INTEGER_set_uint64(num, s->crl_number) &&
	     X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0);
	ASN1_INTEGER_free(num);
	if (!ok)
		return -ENOMEM;
	X509V3_set_ctx(&ctx, s->issuer, NULL, NULL, crl, 0);
	aki = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
	ok = aki && X509_CRL_add_ext(crl, aki, -1);
	X509_EXTENSION_free(aki);
	return ok ? 0 : -ENOMEM;
}

int sim_crl_der(const struct sim_crl_spec *s, uint8_t **out, size_t *out_len)
{
	_cleanup_crl_ X509_CRL *crl = X509_CRL_new();
	__attribute__((cleanup(asn1_time_freep))) ASN1_TIME *tu = ASN1_TIME_set(NULL, s->this_update);
	__attribute__((cleanup(asn1_time_freep))) ASN1_TIME *nu = ASN1_TIME_set(NULL, s->next_update);
	const char *cn = "CRL";
	unsigned char *der = NULL;
	int len;

	if (!crl || !tu || !nu || !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(s->issuer)) ||
	    !X509_CRL_set1_lastUpdate(crl, tu) || !X509_CRL_set1_nextUpdate(crl, nu))
		return sim_ossl_err(-ENOMEM, "cannot fill in the %s", cn);
	for (size_t i = 0; i < s->n_revoked; i++)
		if (add_revoked(crl, s->revoked[i], s->revoked_at) < 0)
			return sim_ossl_err(-ENOMEM, "cannot add a revoked serial to the %s", cn);
	if (add_extensions(crl, s) < 0)
		return sim_ossl_err(-ENOMEM, "cannot add the CRL extensions");
	if (!X509_CRL_sort(crl) || !X509_CRL_sign(crl, s->issuer_key, EVP_sha256()))
		return sim_ossl_err(-EIO, "cannot sign the %s", cn);
	len = i2d_X509_CRL(crl, &der);
	if (len <= 0)
		return sim_ossl_err(-EIO, "cannot DER-encode the %s", cn);
	*out = malloc((size_t)len);
	if (!*out) {
		OPENSSL_free(der);
		return log_errno(-ENOMEM, "cannot copy the CRL");
	}
	memcpy(*out, der, (size_t)len);
	*out_len = (size_t)len;
	OPENSSL_free(der);
	return 0;
}

int sim_crl_write(const struct sim_crl_spec *s, const char *path)
{
	_cleanup_free_ uint8_t *der = NULL;
	size_t len;
	int r = sim_crl_der(s, &der, &len);

	if (r < 0)
		return r;
	r = file_write_all(path, der, len, 0644);
	if (r < 0)
		return log_errno(r, "cannot write %s: check the directory permissions", path);
	return 0;
}
