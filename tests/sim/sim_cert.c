/* SPDX-License-Identifier: Apache-2.0 */
#include "sim_cert.h"
#include "sim_ossl.h"
#include "sim_platform.h"
#include "sim_sgx_ext.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include <openssl/x509v3.h>

int sim_cert_name(X509_NAME *name, const char *cn)
{
	static const char *const fields[][2] = {
		{ "O", SIM_PKI_ORG }, { "L", "Santa Clara" }, { "ST", "CA" }, { "C", "US" },
	};

	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0))
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!X509_NAME_add_entry_by_txt(name, fields[i][0], MBSTRING_UTF8,
						(const unsigned char *)fields[i][1], -1, -1, 0))
			return -ENOMEM;
	return 0;
}

static int add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok = ext && X509_add_ext(cert, ext, -1);

	X509_EXTENSION_free(ext);
	if (!ok)
		return sim_ossl_err(-EINVAL, "cannot add extension %s = %s", OBJ_nid2sn(nid), value);
	return 0;
}

static int add_extensions(X509 *cert, const struct sim_cert_spec *s)
{
	X509V3_CTX ctx;
	bool ca = s->kind == SIM_CERT_ROOT || s->kind == SIM_CERT_CA;
	int r;

	X509V3_set_ctx(&ctx, s->issuer ? s->issuer : cert, cert, NULL, NULL, 0);
	r = add_ext(cert, &ctx, NID_basic_constraints,
		    s->kind == SIM_CERT_ROOT ? "critical,CA:TRUE,pathlen:1" :
		    s->kind == SIM_CERT_CA ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE");
	if (r == 0)
		r = add_ext(cert, &ctx, NID_key_usage,
			    ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation");
	if (r == 0)
		r = add_ext(cert, &ctx, NID_subject_key_identifier, "hash");
	if (r == 0)
		r = add_ext(cert, &ctx, NID_authority_key_identifier, "keyid:always");
	if (r == 0 && s->crl_uri) {
		char dp[256];

		snprintf(dp, sizeof(dp), "URI:%s", s->crl_uri);
		r = add_ext(cert, &ctx, NID_crl_distribution_points, dp);
	}
	if (r == 0 && s->kind == SIM_CERT_PCK)
		r = sim_sgx_ext_add(cert, s->platform ? s->platform : &sim_platform);
	return r;
}

int sim_cert_issue(const struct sim_cert_spec *s, X509 **out)
{
	_cleanup_x509_ X509 *cert = X509_new();
	X509_NAME *subject = X509_NAME_new();
	int r = cert && subject ? 0 : -ENOMEM;

	if (r == 0 && (!X509_set_version(cert, X509_VERSION_3) ||
		       !ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), s->serial) ||
		       !ASN1_TIME_set(X509_getm_notBefore(cert), s->not_before) ||
		       !ASN1_TIME_set(X509_getm_notAfter(cert), s->not_after) ||
		       !X509_set_pubkey(cert, s->key)))
		r = -EINVAL;
	if (r == 0)
		r = sim_cert_name(subject, s->cn);
	if (r == 0 && (!X509_set_subject_name(cert, subject) ||
		       !X509_set_issuer_name(cert, s->issuer ? X509_get_subject_name(s->issuer) : subject)))
		r = -ENOMEM;
	X509_NAME_free(subject);
	if (r < 0)
		return sim_ossl_err(r, "cannot fill in the certificate '%s'", s->cn);
	r = add_extensions(cert, s);
	if (r < 0)
		return r;
	if (!X509_sign(cert, s->issuer_key, EVP_sha256()))
		return sim_ossl_err(-EIO, "cannot sign the certificate '%s'", s->cn);
	*out = cert;
	cert = NULL;
	return 0;
}
