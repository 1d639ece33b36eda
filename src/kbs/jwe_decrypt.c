/* SPDX-License-Identifier: Apache-2.0 */
#include "jwe_decrypt.h"
#include "aes_kw.h"
#include "concat_kdf.h"
#include "ec_key.h"
#include "jwe_parse.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <string.h>

#include <mbedtls/gcm.h>

/* Intermediate keys, kept together in locked memory and wiped on every path. */
struct jwe_keys {
	uint8_t z[KBS_EC_COORD_LEN];
	uint8_t kek[32];
	uint8_t cek[32];
};

static void keys_freep(struct jwe_keys **k) { secmem_free(*k, sizeof(**k)); }
static void jwe_clearp(struct kbs_jwe *j) { kbs_jwe_clear(j); }

static int gcm_decrypt(const struct kbs_jwe *jwe, const uint8_t cek[32], struct secret *out)
{
	_cleanup_secret_ struct secret pt = { 0 };
	mbedtls_gcm_context g;
	int r;

	pt.data = secmem_alloc(jwe->ciphertext_len);
	if (!pt.data)
		return log_fail(-ENOMEM, "JWE: out of memory for the plaintext");
	pt.len = jwe->ciphertext_len;
	mbedtls_gcm_init(&g);
	r = mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, cek, 256);
	if (r == 0)
		r = mbedtls_gcm_auth_decrypt(&g, jwe->ciphertext_len, jwe->iv, sizeof(jwe->iv),
					     (const unsigned char *)jwe->protected_b64, jwe->protected_len,
					     jwe->tag, sizeof(jwe->tag), jwe->ciphertext, pt.data);
	mbedtls_gcm_free(&g);
	if (r == MBEDTLS_ERR_GCM_AUTH_FAILED)
		return log_fail(-EBADMSG, "JWE: GCM tag mismatch (tampered response or wrong key)");
	if (r != 0)
		return log_fail(-EIO, "JWE: AES-GCM failed (mbedTLS -0x%04x)", (unsigned)-r);
	*out = pt;
	pt = (struct secret){ 0 };
	return 0;
}

int kbs_jwe_decrypt(struct kbs_ec_key *key, const char *json, size_t len, struct secret *out)
{
	_cleanup_(jwe_clearp) struct kbs_jwe jwe = { 0 };
	_cleanup_(keys_freep) struct jwe_keys *k = NULL;
	int r;

	r = kbs_jwe_parse(json, len, KBS_EC_ALG, &jwe);
	if (r < 0)
		return r;
	k = secmem_alloc(sizeof(*k));
	if (!k)
		return log_fail(-ENOMEM, "JWE: out of memory for keys");
	r = kbs_ec_key_ecdh(key, jwe.epk_x, jwe.epk_y, k->z);
	if (r < 0)
		return r;
	r = kbs_concat_kdf(k->z, sizeof(k->z), KBS_EC_ALG, jwe.apu, jwe.apu_len, jwe.apv,
			   jwe.apv_len, k->kek);
	if (r < 0)
		return r;
	r = kbs_aes_kw_unwrap(k->kek, jwe.encrypted_key, sizeof(jwe.encrypted_key), k->cek);
	if (r < 0)
		return r;
	return gcm_decrypt(&jwe, k->cek, out);
}
