/* SPDX-License-Identifier: Apache-2.0 */
/* The simulator's quotes are real DCAP evidence: they parse with the project's parser,
 * carry the profile's fields, and every signature, hash relation and chain checks out with
 * OpenSSL against the simulated PKI. Also: profiles, TDREPORTs, corruption flags, CRLs. */
#include "testutil.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "tdx/pck_ext.h"
#include "tdx/quote.h"
#include "tdx/tdreport.h"
#include "../sim/sim_pki.h"
#include "../sim/sim_platform.h"
#include "../sim/sim_quote.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

struct fixture {
	char dir[64];
	struct sim_pki *pki;
	struct tdx_td_info td;
	uint8_t rd[64];
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sim_pki_opts o = { .now = time(NULL) };

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_sim_quote.XXXXXX");
	if (!mkdtemp(f->dir) || sim_pki_create(f->dir, &o) < 0 || sim_pki_load(f->dir, &f->pki) < 0 ||
	    sim_profile_default(&f->td) < 0)
		return -1;
	for (int i = 0; i < 64; i++)
		f->rd[i] = (uint8_t)(0xa0 ^ i);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sim_pki_free(f->pki);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static EVP_PKEY *pubkey_from_xy(const uint8_t xy[64])
{
	uint8_t pt[65] = { 0x04 };
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *key = NULL;

	memcpy(pt + 1, xy, 64);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"P-256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt));
	params[2] = OSSL_PARAM_construct_end();
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params), 1);
	EVP_PKEY_CTX_free(ctx);
	return key;
}

/* ECDSA P-256/SHA-256 verification of a raw r||s signature: 1 valid, 0 invalid. */
static int verify_raw(EVP_PKEY *key, const uint8_t *msg, size_t len, const uint8_t sig[64])
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *der = NULL;
	int der_len, ok;

	assert_non_null(es);
	assert_int_equal(ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL)), 1);
	der_len = i2d_ECDSA_SIG(es, &der);
	assert_true(der_len > 0);
	assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key), 1);
	ok = EVP_DigestVerify(ctx, der, (size_t)der_len, msg, len) == 1;
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return ok;
}

static STACK_OF(X509) *chain_certs(const struct tdx_quote *q)
{
	BIO *bio = BIO_new_mem_buf(q->pck_chain_pem, (int)q->pck_chain_len);
	STACK_OF(X509) *certs = sk_X509_new_null();
	X509 *c;

	while ((c = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		sk_X509_push(certs, c);
	BIO_free(bio);
	return certs;
}

static X509 *read_cert(const char *dir, const char *rel)
{
	char path[PATH_MAX];
	FILE *fp;
	X509 *c;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fp = fopen(path, "r");
	assert_non_null(fp);
	c = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(c);
	return c;
}

static void check_td_fields(const struct tdx_td_info *got, const struct tdx_td_info *want,
			    const uint8_t rd[64], bool v15)
{
	assert_memory_equal(got->tee_tcb_svn, want->tee_tcb_svn, 16);
	assert_memory_equal(got->mr_seam, want->mr_seam, 48);
	assert_memory_equal(got->mr_signer_seam, want->mr_signer_seam, 48);
	assert_memory_equal(got->seam_attributes, want->seam_attributes, 8);
	assert_memory_equal(got->td_attributes, want->td_attributes, 8);
	assert_memory_equal(got->xfam, want->xfam, 8);
	assert_memory_equal(got->mr_td, want->mr_td, 48);
	assert_memory_equal(got->mr_config_id, want->mr_config_id, 48);
	assert_memory_equal(got->mr_owner, want->mr_owner, 48);
	assert_memory_equal(got->mr_owner_config, want->mr_owner_config, 48);
	assert_memory_equal(got->rtmr, want->rtmr, sizeof(want->rtmr));
	assert_memory_equal(got->report_data, rd, 64);
	assert_int_equal(got->has_tdx15, v15);
	if (v15) {
		assert_memory_equal(got->tee_tcb_svn2, want->tee_tcb_svn2, 16);
		assert_memory_equal(got->mr_servicetd, want->mr_servicetd, 48);
	}
}

/* Every DCAP relation a verifier checks on the quote itself. */
static void check_quote(const struct fixture *f, const uint8_t *buf, size_t len, int version,
			const struct tdx_td_info *td)
{
	struct tdx_quote q;
	const char *why = NULL;
	uint8_t hashed[64 + 256], h[32], zero[32] = { 0 };
	EVP_PKEY *att;
	STACK_OF(X509) *certs;
	X509 *root;
	X509_STORE *store;
	X509_STORE_CTX *vctx;
	struct sgx_pck_ext ext;

	assert_int_equal(tdx_quote_parse(buf, len, &q, &why), 0);
	assert_int_equal(q.version, version);
	assert_int_equal(q.body_type, version == 5 ? 3 : 0);
	assert_int_equal(q.signed_len, version == 5 ? 702 : 632);
	assert_int_equal(q.end, len);
	assert_memory_equal(buf + 12, tdx_intel_qe_vendor_id, 16);
	check_td_fields(&q.td, td, f->rd, version == 5);
	assert_memory_equal(q.td.mr_signer_seam, zero, 32);

	/* QE report: identity values, REPORTDATA = SHA-256(att key || auth data) || 0^32 */
	assert_memory_equal(q.qe_report + 128, sim_platform.qe_mrsigner, 32);
	assert_int_equal(le16(q.qe_report + 256), sim_platform.qe_isvprodid);
	assert_int_equal(le16(q.qe_report + 258), sim_platform.qe_isvsvn);
	assert_int_equal(q.qe_auth_len, 32);
	for (int i = 0; i < 32; i++)
		assert_int_equal(q.qe_auth[i], i);
	memcpy(hashed, q.att_key, 64);
	memcpy(hashed + 64, q.qe_auth, q.qe_auth_len);
	EVP_Digest(hashed, 64 + (size_t)q.qe_auth_len, h, NULL, EVP_sha256(), NULL);
	assert_memory_equal(q.qe_report + 320, h, 32);
	assert_memory_equal(q.qe_report + 352, zero, 32);
	assert_int_equal(buf[q.end - 1], '\0'); /* PEM chain ends with one NUL */

	/* quote signature by the attestation key over header + body */
	att = pubkey_from_xy(q.att_key);
	assert_true(verify_raw(att, buf, q.signed_len, q.signature));
	EVP_PKEY_free(att);

	/* PCK chain: leaf -> platform CA -> the simulated root; QE report signed by the leaf */
	certs = chain_certs(&q);
	assert_int_equal(sk_X509_num(certs), 3);
	assert_true(verify_raw(X509_get0_pubkey(sk_X509_value(certs, 0)), q.qe_report, 384, q.qe_report_sig));
	root = read_cert(f->dir, "collateral/root_ca.pem");
	assert_int_equal(X509_cmp(root, sk_X509_value(certs, 2)), 0);
	store = X509_STORE_new();
	vctx = X509_STORE_CTX_new();
	X509_STORE_add_cert(store, root);
	assert_int_equal(X509_STORE_CTX_init(vctx, store, sk_X509_value(certs, 0), certs), 1);
	assert_int_equal(X509_verify_cert(vctx), 1);
	X509_STORE_CTX_free(vctx);
	X509_STORE_free(store);
	X509_free(root);
	sk_X509_pop_free(certs, X509_free);

	/* SGX extension through the project's (mbedTLS) decoder */
	assert_int_equal(sgx_pck_ext_from_chain(q.pck_chain_pem, q.pck_chain_len, &ext), 0);
	assert_memory_equal(ext.ppid, sim_platform.ppid, 16);
	assert_memory_equal(ext.sgx_svn, sim_platform.sgx_svn, 16);
	assert_int_equal(ext.pcesvn, sim_platform.pcesvn);
	assert_memory_equal(ext.cpusvn, sim_platform.cpusvn, 16);
	assert_memory_equal(ext.pce_id, sim_platform.pce_id, 2);
	assert_memory_equal(ext.fmspc, sim_platform.fmspc, 6);
	assert_int_equal(ext.sgx_type, sim_platform.sgx_type);
}

static void test_quote_v4(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ uint8_t *q = NULL;
	size_t len;

	assert_int_equal(sim_quote_build(f->pki, &f->td, f->rd, 4, 0, &q, &len), 0);
	check_quote(f, q, len, 4, &f->td);
}

static void test_quote_v5(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ uint8_t *q = NULL;
	size_t len;

	assert_int_equal(sim_quote_build(f->pki, &f->td, f->rd, 5, 0, &q, &len), 0);
	check_quote(f, q, len, 5, &f->td);
}

static void test_bad_version(void **state)
{
	struct fixture *f = *state;
	uint8_t *q = NULL;
	size_t len;

	log_set_level(-1);
	assert_int_equal(sim_quote_build(f->pki, &f->td, f->rd, 3, 0, &q, &len), -EINVAL);
	log_set_level(LOG_LVL_INFO);
	assert_null(q);
}

static void test_profile_fields(void **state)
{
	struct fixture *f = *state;
	static const char json[] =
		"{\"mr_td\":\"" "111111111111111111111111111111111111111111111111"
			       "111111111111111111111111111111111111111111111111\","
		"\"rtmr3\":\"" "333333333333333333333333333333333333333333333333"
			       "333333333333333333333333333333333333333333333333\","
		"\"td_attributes\":\"0100001000000000\",\"xfam\":\"e71a060000000000\","
		"\"tee_tcb_svn\":\"03010100000000000000000000000000\"}";
	struct tdx_td_info td;
	_cleanup_free_ uint8_t *q = NULL;
	_cleanup_free_ char *out = NULL;
	size_t len;

	assert_int_equal(sim_profile_parse(json, &td), 0);
	assert_int_equal(td.mr_td[0], 0x11);
	assert_int_equal(td.rtmr[3][47], 0x33);
	assert_true(tdx_td_is_debug(&td));
	assert_memory_equal(td.rtmr[0], f->td.rtmr[0], 48); /* untouched keys keep defaults */
	assert_int_equal(td.tee_tcb_svn2[2], 1);           /* svn2 follows svn */
	assert_int_equal(sim_quote_build(f->pki, &td, f->rd, 5, 0, &q, &len), 0);
	check_quote(f, q, len, 5, &td);
	out = sim_profile_to_json(&td);
	assert_non_null(out);
	assert_non_null(strstr(out, "\"td_attributes\":\"0100001000000000\""));
}

static void test_profile_rejects(void **state)
{
	struct tdx_td_info td;
	(void)state;

	log_set_level(-1);
	assert_int_equal(sim_profile_parse("{\"mr_tdx\":\"00\"}", &td), -EINVAL);
	assert_int_equal(sim_profile_parse("{\"xfam\":\"e70206000000000\"}", &td), -EINVAL);
	assert_int_equal(sim_profile_parse("{\"xfam\":\"e70206000000000g\"}", &td), -EINVAL);
	assert_int_equal(sim_profile_parse("{\"xfam\":7}", &td), -EINVAL);
	assert_int_equal(sim_profile_parse("[]", &td), -EINVAL);
	assert_int_equal(sim_profile_parse("{", &td), -EINVAL);
	log_set_level(LOG_LVL_INFO);
	assert_int_equal(sim_profile_parse("{}", &td), 0);
}

static void test_tdreport_and_quote_from_it(void **state)
{
	struct fixture *f = *state;
	uint8_t report[1024], h[48];
	struct tdx_td_info td;
	_cleanup_free_ uint8_t *q1 = NULL, *q2 = NULL;
	size_t l1, l2;

	assert_int_equal(sim_tdreport_build(&f->td, f->rd, report), 0);
	assert_int_equal(report[0], 0x81);
	EVP_Digest(report + 256, 239, h, NULL, EVP_sha384(), NULL);
	assert_memory_equal(report + 32, h, 48);
	EVP_Digest(report + 512, 512, h, NULL, EVP_sha384(), NULL);
	assert_memory_equal(report + 80, h, 48);
	assert_int_equal(tdx_tdreport_parse(report, sizeof(report), &td, NULL), 0);
	check_td_fields(&td, &f->td, f->rd, true);

	assert_int_equal(sim_quote_from_tdreport(f->pki, report, sizeof(report), 5, 0, &q2, &l2), 0);
	check_quote(f, q2, l2, 5, &f->td);
	assert_int_equal(sim_quote_build(f->pki, &f->td, f->rd, 5, 0, &q1, &l1), 0);
	assert_int_equal(l1, l2);
	assert_memory_equal(q1, q2, 702); /* same signed bytes; ECDSA signatures differ */
	log_set_level(-1);
	assert_int_equal(sim_quote_from_tdreport(f->pki, report, 1000, 4, 0, &q1, &l1), -EBADMSG);
	log_set_level(LOG_LVL_INFO);
}

static void test_corruptions(void **state)
{
	struct fixture *f = *state;
	unsigned flags = 0;

	log_set_level(-1);
	assert_int_equal(sim_corrupt_parse("nope", &flags), -EINVAL);
	log_set_level(LOG_LVL_INFO);
	for (unsigned c = SIM_CORRUPT_QE_REPORTDATA; c <= SIM_CORRUPT_QE_REPORT_SIG; c <<= 1) {
		_cleanup_free_ uint8_t *buf = NULL;
		uint8_t hashed[96], h[32];
		struct tdx_quote q;
		STACK_OF(X509) *certs;
		EVP_PKEY *att;
		size_t len;

		assert_int_equal(sim_quote_build(f->pki, &f->td, f->rd, 4, c, &buf, &len), 0);
		assert_int_equal(tdx_quote_parse(buf, len, &q, NULL), 0);
		att = pubkey_from_xy(q.att_key);
		certs = chain_certs(&q);
		memcpy(hashed, q.att_key, 64);
		memcpy(hashed + 64, q.qe_auth, 32);
		EVP_Digest(hashed, sizeof(hashed), h, NULL, EVP_sha256(), NULL);
		assert_int_equal(verify_raw(att, buf, q.signed_len, q.signature),
				 c != SIM_CORRUPT_QUOTE_SIG);
		assert_int_equal(verify_raw(X509_get0_pubkey(sk_X509_value(certs, 0)), q.qe_report, 384,
					    q.qe_report_sig), c != SIM_CORRUPT_QE_REPORT_SIG);
		assert_int_equal(memcmp(q.qe_report + 320, h, 32) == 0, c != SIM_CORRUPT_QE_REPORTDATA);
		EVP_PKEY_free(att);
		sk_X509_pop_free(certs, X509_free);
	}
}

static X509_CRL *read_crl(const char *dir, const char *rel)
{
	char path[PATH_MAX];
	FILE *fp;
	X509_CRL *crl;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fp = fopen(path, "r");
	assert_non_null(fp);
	crl = d2i_X509_CRL_fp(fp, NULL);
	fclose(fp);
	assert_non_null(crl);
	return crl;
}

static bool crl_lists(X509_CRL *crl, uint64_t serial)
{
	ASN1_INTEGER *sn = ASN1_INTEGER_new();
	X509_REVOKED *rev = NULL;
	int found;

	ASN1_INTEGER_set_uint64(sn, serial);
	found = X509_CRL_get0_by_serial(crl, &rev, sn);
	ASN1_INTEGER_free(sn);
	return found == 1;
}

static void test_revocation_options(void **state)
{
	char dir[] = "/tmp/test_sim_quote_rev.XXXXXX";
	struct sim_pki_opts o = { .now = time(NULL), .revoke_pck = true, .revoke_platform_ca = true };
	X509_CRL *pck, *root;
	X509 *ca;
	(void)state;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(sim_pki_create(dir, &o), 0);
	pck = read_crl(dir, "collateral/pck_crl.der");
	root = read_crl(dir, "collateral/root_ca_crl.der");
	ca = read_cert(dir, "certs/platform_ca.pem");
	assert_true(crl_lists(pck, SIM_SERIAL_PCK));
	assert_true(crl_lists(root, SIM_SERIAL_PLATFORM_CA));
	assert_int_equal(X509_CRL_verify(pck, X509_get0_pubkey(ca)), 1);
	X509_CRL_free(pck);
	X509_CRL_free(root);
	X509_free(ca);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_v4),
		cmocka_unit_test(test_quote_v5),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_profile_fields),
		cmocka_unit_test(test_profile_rejects),
		cmocka_unit_test(test_tdreport_and_quote_from_it),
		cmocka_unit_test(test_corruptions),
		cmocka_unit_test(test_revocation_options),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
