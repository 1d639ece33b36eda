/* SPDX-License-Identifier: Apache-2.0 */
#include "jwe_encrypt.h"
#include "b64_ossl.h"
#include "../verify/p256.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define ALG "ECDH-ES+A256KW"

/* Concat KDF OtherInfo for ECDH-ES+A256KW, no apu/apv, 256-bit key (§8.4). */
static const uint8_t other_info[] = {
	0, 0, 0, 14, 'E', 'C', 'D', 'H', '-', 'E', 'S', '+', 'A', '2', '5', '6', 'K', 'W',
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0,
};

struct jwe_keys {
	uint8_t kdf_in[4 + 32 + sizeof(other_info)]; /* counter || Z || OtherInfo */
	uint8_t kek[32];
	uint8_t cek[32];
};

/* Ephemeral key, ECDH, KDF: fills k->kek and the epk coordinates (04 || x || y). The peer
 * was validated by ks_tee_pubkey_to_evp(), so set_peer skips its costly re-validation. */
static int agree(const struct ks_tee_pubkey *key, struct jwe_keys *k, uint8_t epk[65])
{
	EVP_PKEY *peer = NULL, *eph;
	EVP_PKEY_CTX *ctx = NULL;
	size_t zlen = 32, elen = 0;
	int ok, r;

	r = ks_tee_pubkey_to_evp(key, &peer);
	if (r < 0)
		return r;
	eph = vf_p256_generate();
	ok = eph && (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, eph, NULL)) &&
	     EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) == 1 &&
	     EVP_PKEY_derive(ctx, k->kdf_in + 4, &zlen) == 1 && zlen == 32 &&
	     EVP_PKEY_get_octet_string_param(eph, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, epk, 65, &elen) == 1 &&
	     elen == 65 && epk[0] == 0x04;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(eph);
	EVP_PKEY_free(peer);
	if (!ok)
		return log_fail(-EIO, "JWE: ephemeral ECDH failed");
	memcpy(k->kdf_in, "\0\0\0\1", 4);
	memcpy(k->kdf_in + 36, other_info, sizeof(other_info));
	if (EVP_Digest(k->kdf_in, sizeof(k->kdf_in), k->kek, NULL, EVP_sha256(), NULL) != 1)
		return log_fail(-EIO, "JWE: Concat KDF failed");
	return 0;
}

static int wrap_cek(const struct jwe_keys *k, uint8_t out[40])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0, ok;

	ok = c != NULL;
	if (ok) {
		EVP_CIPHER_CTX_set_flags(c, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
		ok = EVP_EncryptInit_ex(c, EVP_aes_256_wrap(), NULL, k->kek, NULL) == 1 &&
		     EVP_EncryptUpdate(c, out, &l1, k->cek, sizeof(k->cek)) == 1 &&
		     EVP_EncryptFinal_ex(c, out + l1, &l2) == 1 && l1 + l2 == 40;
	}
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : log_fail(-EIO, "JWE: AES key wrap failed");
}

static int gcm_encrypt(const uint8_t cek[32], const uint8_t iv[12], const char *aad,
		       const uint8_t *pt, size_t pt_len, uint8_t *ct, uint8_t tag[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l = 0, ok;

	ok = c && EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, cek, iv) == 1 &&
	     EVP_EncryptUpdate(c, NULL, &l, (const uint8_t *)aad, (int)strlen(aad)) == 1 &&
	     EVP_EncryptUpdate(c, ct, &l, pt, (int)pt_len) == 1 && (size_t)l == pt_len &&
	     EVP_EncryptFinal_ex(c, ct + l, &l) == 1 && l == 0 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : log_fail(-EIO, "JWE: AES-256-GCM failed");
}

/* b64url of the header {"alg","enc","epk":{"crv","kty","x","y"}} in the server's order. */
static int protected_header(const uint8_t epk[65], char *out, size_t out_size)
{
	char x[44], y[44], json[192];
	int n;

	if (ks_b64url_encode(epk + 1, 32, x, sizeof(x)) < 0 || ks_b64url_encode(epk + 33, 32, y, sizeof(y)) < 0)
		return -EINVAL;
	n = snprintf(json, sizeof(json), "{\"alg\":\"" ALG "\",\"enc\":\"A256GCM\",\"epk\":{\"crv\":\"P-256\","
		     "\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}}", x, y);
	if (n < 0 || (size_t)n >= sizeof(json))
		return -EINVAL;
	return ks_b64url_encode((const uint8_t *)json, (size_t)n, out, out_size);
}

/* The JSON document; the four binary members are b64url-encoded in place. */
static int build_json(const char *prot, const uint8_t ek[40], const uint8_t iv[12], const uint8_t *ct,
		      size_t ct_len, const uint8_t tag[16], char **out, size_t *out_len)
{
	char ek_b[64], iv_b[20], tag_b[24];
	size_t ct_b_len = ks_b64url_encoded_len(ct_len);
	size_t cap = strlen(prot) + ct_b_len + 256, n;
	char *buf = malloc(cap);

	if (!buf)
		return log_errno(-ENOMEM, "JWE: out of memory");
	ks_b64url_encode(ek, 40, ek_b, sizeof(ek_b));
	ks_b64url_encode(iv, 12, iv_b, sizeof(iv_b));
	ks_b64url_encode(tag, 16, tag_b, sizeof(tag_b));
	n = (size_t)snprintf(buf, cap, "{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\",\"ciphertext\":\"",
			     prot, ek_b, iv_b);
	ks_b64url_encode(ct, ct_len, buf + n, cap - n);
	n += ct_b_len;
	n += (size_t)snprintf(buf + n, cap - n, "\",\"tag\":\"%s\"}", tag_b);
	*out = buf;
	*out_len = n;
	return 0;
}

int ks_jwe_encrypt(const struct ks_tee_pubkey *key, const uint8_t *pt, size_t pt_len,
		   char **out, size_t *out_len)
{
	struct jwe_keys *k;
	uint8_t epk[65], ek[40], iv[12], tag[16], *ct = NULL;
	char prot[512];
	int r;

	if (pt_len > KS_JWE_MAX_PLAINTEXT)
		return log_fail(-EMSGSIZE, "JWE: resource of %zu bytes is over %u", pt_len, KS_JWE_MAX_PLAINTEXT);
	k = OPENSSL_secure_zalloc(sizeof(*k));
	ct = malloc(pt_len ? pt_len : 1);
	if (!k || !ct) {
		r = log_errno(-ENOMEM, "JWE: out of memory");
		goto out;
	}
	r = agree(key, k, epk);
	if (r < 0)
		goto out;
	if (RAND_priv_bytes(k->cek, sizeof(k->cek)) != 1 || RAND_bytes(iv, sizeof(iv)) != 1) {
		r = log_fail(-EIO, "JWE: random number generator failed");
		goto out;
	}
	r = wrap_cek(k, ek);
	if (r == 0 && protected_header(epk, prot, sizeof(prot)) < 0)
		r = log_fail(-EINVAL, "JWE: encoding the protected header");
	if (r == 0)
		r = gcm_encrypt(k->cek, iv, prot, pt, pt_len, ct, tag);
	if (r == 0)
		r = build_json(prot, ek, iv, ct, pt_len, tag, out, out_len);
out:
	OPENSSL_secure_clear_free(k, sizeof(*k));
	free(ct);
	return r;
}
