/* SPDX-License-Identifier: Apache-2.0 */
#include "sim_ossl.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>

int sim_ossl_err(int err, const char *fmt, ...)
{
	char msg[512];
	unsigned long e = ERR_peek_last_error();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("%s: %s", msg, e ? ERR_reason_error_string(e) ? ERR_reason_error_string(e)
							      : "OpenSSL error"
				 : "no OpenSSL error recorded");
	ERR_clear_error();
	return err;
}

int sim_key_gen(EVP_PKEY **out)
{
	*out = EVP_EC_gen("P-256");
	if (!*out)
		return sim_ossl_err(-EIO, "P-256 key generation failed: check the OpenSSL providers");
	return 0;
}

int sim_key_write(const char *path, EVP_PKEY *key)
{
	_cleanup_bio_ BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int r;

	if (!bio || !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL))
		return sim_ossl_err(-ENOMEM, "cannot encode the private key for %s", path);
	n = BIO_get_mem_data(bio, &data);
	r = file_write_all(path, (const uint8_t *)data, (size_t)n, 0600);
	if (r < 0)
		return log_errno(r, "cannot write %s: check the directory permissions", path);
	return 0;
}

int sim_key_read(const char *path, EVP_PKEY **out)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	EVP_PKEY *key;

	if (!f)
		return log_errno(-errno, "cannot open %s: run 'tdx-sim pki DIR' first", path);
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	if (!key)
		return sim_ossl_err(-EBADMSG, "%s is not a PEM private key", path);
	if (!EVP_PKEY_is_a(key, "EC") || EVP_PKEY_get_bits(key) != 256) {
		EVP_PKEY_free(key);
		return log_errno(-EBADMSG, "%s is not a P-256 key", path);
	}
	*out = key;
	return 0;
}

int sim_sign_raw(EVP_PKEY *key, const uint8_t *msg, size_t len, uint8_t sig[64])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t der[80];
	const uint8_t *p = der;
	size_t der_len = sizeof(der);
	const BIGNUM *r, *s;
	ECDSA_SIG *es = NULL;
	int ret = -EIO;

	if (!ctx || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(ctx, der, &der_len, msg, len) != 1) {
		ret = sim_ossl_err(-EIO, "ECDSA signing failed: check the key");
		goto out;
	}
	es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	if (!es) {
		ret = sim_ossl_err(-EIO, "cannot decode the ECDSA signature");
		goto out;
	}
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, sig, 32) != 32 || BN_bn2binpad(s, sig + 32, 32) != 32) {
		ret = sim_ossl_err(-EIO, "ECDSA signature value does not fit 32 bytes");
		goto out;
	}
	ret = 0;
out:
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return ret;
}

int sim_pubkey_xy(EVP_PKEY *key, uint8_t xy[64])
{
	uint8_t pt[65];
	size_t n = 0;

	if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
					    sizeof(pt), &n) != 1 || n != 65 || pt[0] != 0x04)
		return sim_ossl_err(-EINVAL, "cannot export the P-256 public key as an uncompressed point");
	memcpy(xy, pt + 1, 64);
	return 0;
}

static int digest(const EVP_MD *md, const void *msg, size_t len, uint8_t *out)
{
	if (EVP_Digest(msg, len, out, NULL, md, NULL) != 1)
		return sim_ossl_err(-EIO, "%s digest failed", EVP_MD_get0_name(md));
	return 0;
}

int sim_sha256(const void *msg, size_t len, uint8_t out[32]) { return digest(EVP_sha256(), msg, len, out); }
int sim_sha384(const void *msg, size_t len, uint8_t out[48]) { return digest(EVP_sha384(), msg, len, out); }

int sim_cert_pem_append(BIO *bio, X509 *cert)
{
	if (!PEM_write_bio_X509(bio, cert))
		return sim_ossl_err(-ENOMEM, "cannot PEM-encode a certificate");
	return 0;
}

int sim_bio_write_file(BIO *bio, const char *path)
{
	char *data;
	long n = BIO_get_mem_data(bio, &data);
	int r;

	if (n < 0)
		return log_errno(-EINVAL, "internal: no data to write to %s", path);
	r = file_write_all(path, (const uint8_t *)data, (size_t)n, 0644);
	if (r < 0)
		return log_errno(r, "cannot write %s: check the directory permissions", path);
	return 0;
}

int sim_cert_read(const char *path, X509 **out)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");

	if (!f)
		return log_errno(-errno, "cannot open %s: run 'tdx-sim pki DIR' first", path);
	*out = PEM_read_X509(f, NULL, NULL, NULL);
	if (!*out)
		return sim_ossl_err(-EBADMSG, "%s is not a PEM certificate", path);
	return 0;
}
