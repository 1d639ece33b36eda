/* SPDX-License-Identifier: Apache-2.0 */
#include "p256.h"
#include "../common/log.h"

#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/obj_mac.h>

static EVP_PKEY *group_template; /* parameters only; read-only once built, never freed */
static pthread_once_t template_once = PTHREAD_ONCE_INIT;

static void template_init(void)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);

	if (!ctx || EVP_PKEY_paramgen_init(ctx) != 1 || EVP_PKEY_CTX_set_group_name(ctx, "P-256") != 1 ||
	    EVP_PKEY_paramgen(ctx, &group_template) != 1) {
		group_template = NULL;
		log_fail(-EIO, "P-256: building the group template failed (OpenSSL default provider loaded?)");
	}
	EVP_PKEY_CTX_free(ctx);
}

static EVP_PKEY *template_get(void)
{
	pthread_once(&template_once, template_init);
	return group_template;
}

EVP_PKEY *vf_p256_key_from_point(const uint8_t pt[65])
{
	EVP_PKEY *tmpl = template_get(), *key;
	EVP_PKEY_CTX *chk = NULL;
	int ok;

	if (!tmpl || pt[0] != 0x04 || !(key = EVP_PKEY_new()))
		return NULL;
	/* set1_encoded_public_key decodes the point and refuses one off the curve; the
	 * explicit quick check (not infinity, on the curve; cofactor 1) makes it certain. */
	ok = EVP_PKEY_copy_parameters(key, tmpl) == 1 && EVP_PKEY_set1_encoded_public_key(key, pt, 65) == 1 &&
	     (chk = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) && EVP_PKEY_public_check_quick(chk) == 1;
	EVP_PKEY_CTX_free(chk);
	if (!ok) {
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

EVP_PKEY *vf_p256_generate(void)
{
	EVP_PKEY *tmpl = template_get(), *key = NULL;
	EVP_PKEY_CTX *ctx;

	if (!tmpl || !(ctx = EVP_PKEY_CTX_new_from_pkey(NULL, tmpl, NULL)))
		return NULL;
	if (EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_generate(ctx, &key) != 1)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	return key;
}

EVP_PKEY *vf_p256_key_from_xy(const uint8_t xy[64])
{
	uint8_t pt[65];

	pt[0] = 0x04;
	memcpy(pt + 1, xy, 64);
	return vf_p256_key_from_point(pt);
}

static EC_GROUP *group; /* read-only once built, never freed */
static pthread_once_t group_once = PTHREAD_ONCE_INIT;

static void group_init(void)
{
	group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	if (!group)
		log_fail(-EIO, "P-256: building the curve group failed");
}

bool vf_p256_point_valid(const uint8_t pt[65])
{
	EC_POINT *p;
	bool ok;

	pthread_once(&group_once, group_init);
	if (!group || pt[0] != 0x04 || !(p = EC_POINT_new(group)))
		return false;
	/* oct2point refuses coordinates >= p and points off the curve; cofactor 1, and an
	 * uncompressed encoding cannot be the point at infinity. */
	ok = EC_POINT_oct2point(group, p, pt, 65, NULL) == 1 && EC_POINT_is_on_curve(group, p, NULL) == 1 &&
	     !EC_POINT_is_at_infinity(group, p);
	EC_POINT_free(p);
	return ok;
}
