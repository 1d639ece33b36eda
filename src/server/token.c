/* SPDX-License-Identifier: Apache-2.0 */
#include "token.h"
#include "b64_ossl.h"
#include "../common/cleanup.h"
#include "../common/hex.h"
#include "../common/json_cleanup.h"
#include "../common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#define TOKEN_MAX 4096
static const char jwt_header[] = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}";

struct ks_token_key {
	EVP_PKEY *pkey;
};

int ks_token_key_load(const char *path, struct ks_token_key **out)
{
	struct ks_token_key *k = calloc(1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	if (path) {
		FILE *f = fopen(path, "re");

		if (!f) {
			int r = -errno;
			free(k);
			return log_errno(r, "token key %s", path);
		}
		k->pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	} else {
		k->pkey = EVP_EC_gen("P-256");
	}
	if (!k->pkey || EVP_PKEY_get_base_id(k->pkey) != EVP_PKEY_EC || EVP_PKEY_get_bits(k->pkey) != 256) {
		EVP_PKEY_free(k->pkey);
		free(k);
		return log_fail(-EINVAL, "token key %s: not a P-256 private key", path ? path : "(generated)");
	}
	*out = k;
	return 0;
}

void ks_token_key_free(struct ks_token_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

/* The payload as compact JSON (iss, iat, exp, jti, submods.cpu0: ear.status, annotated
 * evidence: runtime_data_claims.tee-pubkey, tdx). Every value is a number, fixed text, hex
 * or base64url: nothing to escape. The "tdx" member is for readers of the token: the server
 * never reads it back (policy decides on the session's claims). Returns the length or
 * -ENOBUFS. */
static int claims_text(const uint8_t sid[KS_SESSION_ID_LEN], const struct ks_claims *c, int64_t now,
		       int64_t exp, char *out, size_t size)
{
	const struct tdx_td_info *td = &c->verified.td;
	char x[44], y[44], jti[KS_SESSION_ID_HEX], mr_td[97], rtmr[4][97], cfg[97], attr[17], xfam[17];
	int n;

	ks_b64url_encode(c->tee_x, 32, x, sizeof(x));
	ks_b64url_encode(c->tee_y, 32, y, sizeof(y));
	hex_encode(sid, KS_SESSION_ID_LEN, jti);
	hex_encode(td->mr_td, TDX_MR_LEN, mr_td);
	for (int i = 0; i < 4; i++)
		hex_encode(td->rtmr[i], TDX_MR_LEN, rtmr[i]);
	hex_encode(td->mr_config_id, TDX_MR_LEN, cfg);
	hex_encode(td->td_attributes, 8, attr);
	hex_encode(td->xfam, 8, xfam);
	n = snprintf(out, size,
		     "{\"iss\":\"tdx-keyserver\",\"iat\":%lld,\"exp\":%lld,\"jti\":\"%s\",\"submods\":{\"cpu0\":{"
		     "\"ear.status\":\"affirming\",\"ear.veraison.annotated-evidence\":{"
		     "\"runtime_data_claims\":{\"tee-pubkey\":{\"kty\":\"EC\",\"crv\":\"P-256\","
		     "\"alg\":\"ECDH-ES+A256KW\",\"x\":\"%s\",\"y\":\"%s\"}},"
		     "\"tdx\":{\"mr_td\":\"%s\",\"rtmr\":[\"%s\",\"%s\",\"%s\",\"%s\"],\"mr_config_id\":\"%s\","
		     "\"td_attributes\":\"%s\",\"xfam\":\"%s\",\"tcb_status\":%d}}}}}",
		     (long long)now, (long long)exp, jti, x, y, mr_td, rtmr[0], rtmr[1], rtmr[2], rtmr[3], cfg,
		     attr, xfam, (int)c->verified.tcb_status);
	return n < 0 || (size_t)n >= size ? -ENOBUFS : n;
}

/* ES256: raw r||s of SHA-256 over "header.payload". */
static int sign_raw(EVP_PKEY *pkey, const char *msg, size_t len, uint8_t sig[64])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char der[80];
	const unsigned char *p = der;
	size_t dlen = sizeof(der);
	ECDSA_SIG *es = NULL;
	int r = -EIO;

	if (ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
	    EVP_DigestSign(ctx, der, &dlen, (const unsigned char *)msg, len) == 1 &&
	    (es = d2i_ECDSA_SIG(NULL, &p, (long)dlen)) &&
	    BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32) == 32 && BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32) == 32)
		r = 0;
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return r;
}

static int verify_raw(EVP_PKEY *pkey, const char *msg, size_t len, const uint8_t sig[64])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *br = BN_bin2bn(sig, 32, NULL), *bs = BN_bin2bn(sig + 32, 32, NULL);
	unsigned char *der = NULL;
	int dlen, r = -EKEYREJECTED;

	if (!ctx || !es || !br || !bs || ECDSA_SIG_set0(es, br, bs) != 1) {
		BN_free(br);
		BN_free(bs);
		goto out;
	}
	dlen = i2d_ECDSA_SIG(es, &der);
	if (dlen > 0 && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
	    EVP_DigestVerify(ctx, der, (size_t)dlen, (const unsigned char *)msg, len) == 1)
		r = 0;
out:
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return r;
}

int ks_token_issue(struct ks_token_key *k, const uint8_t session_id[KS_SESSION_ID_LEN],
		   const struct ks_claims *c, int64_t lifetime_s, char *out, size_t out_size)
{
	int64_t now = (int64_t)time(NULL);
	char payload[2048];
	size_t plen, hlen, off;
	uint8_t sig[64];
	int r;

	r = claims_text(session_id, c, now, now + lifetime_s, payload, sizeof(payload));
	if (r < 0)
		return r;
	plen = (size_t)r;
	hlen = ks_b64url_encoded_len(sizeof(jwt_header) - 1);
	if (hlen + 1 + ks_b64url_encoded_len(plen) + 1 + 86 + 1 > out_size)
		return -ENOBUFS;
	ks_b64url_encode((const uint8_t *)jwt_header, sizeof(jwt_header) - 1, out, out_size);
	out[hlen] = '.';
	r = ks_b64url_encode((const uint8_t *)payload, plen, out + hlen + 1, out_size - hlen - 1);
	if (r < 0)
		return r;
	off = strlen(out);
	if ((r = sign_raw(k->pkey, out, off, sig)) < 0)
		return r;
	out[off] = '.';
	return ks_b64url_encode(sig, sizeof(sig), out + off + 1, out_size - off - 1);
}

/* The payload was produced by claims_text() and signed by us; still parsed defensively.
 * Only exp and jti are read: the claims are the session's. */
static int parse_payload(const char *payload, uint8_t sid[KS_SESSION_ID_LEN])
{
	_cleanup_json_put_ json_object *root = json_tokener_parse(payload);
	json_object *exp, *jti;

	if (!root || !json_object_object_get_ex(root, "exp", &exp) || !json_object_is_type(exp, json_type_int) ||
	    !json_object_object_get_ex(root, "jti", &jti) || !json_object_is_type(jti, json_type_string))
		return -EKEYREJECTED;
	if (json_object_get_int64(exp) < (int64_t)time(NULL))
		return -ETIMEDOUT;
	if (ks_session_id_parse(json_object_get_string(jti), (size_t)json_object_get_string_len(jti), sid) < 0)
		return -EKEYREJECTED;
	return 0;
}

int ks_token_verify(struct ks_token_key *k, const char *token, size_t len,
		    uint8_t session_id[KS_SESSION_ID_LEN])
{
	const char *dot1 = memchr(token, '.', len), *dot2;
	_cleanup_free_ char *payload = NULL;
	uint8_t sig[64];
	size_t plen;
	int r;

	if (!dot1 || len > TOKEN_MAX)
		return -EKEYREJECTED;
	dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token));
	if (!dot2 || ks_b64url_decode_exact(dot2 + 1, len - (size_t)(dot2 + 1 - token), sig, 64) < 0)
		return -EKEYREJECTED;
	if ((r = verify_raw(k->pkey, token, (size_t)(dot2 - token), sig)) < 0)
		return r;
	payload = malloc(len + 1);
	if (!payload)
		return -ENOMEM;
	if (ks_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), (uint8_t *)payload, len, &plen) < 0)
		return -EKEYREJECTED;
	payload[plen] = '\0';
	return parse_payload(payload, session_id);
}
