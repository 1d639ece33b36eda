/* SPDX-License-Identifier: Apache-2.0 */
/* JWE (§8): the Appendix A vector and its intermediates, server-encrypt -> client-decrypt
 * round trips, and rejection of tampered, mis-labelled and oversize responses. */
#include "kbs_testutil.h"
#include "common/cleanup.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/secmem.h"
#include "kbs/aes_kw.h"
#include "kbs/b64.h"
#include "kbs/concat_kdf.h"
#include "kbs/ec_key.h"
#include "kbs/jwe_decrypt.h"
#include "kbs/jwe_parse.h"
#include "server/jwe_encrypt.h"
#include "server/tee_pubkey.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/rand.h>

/* The five members of a JWE, as strings we can edit. */
struct parts {
	char prot[4096], ek[512], iv[64], ct[64], tag[64];
};

static void split(const char *json, struct parts *p)
{
	struct json_object *o = json_tokener_parse(json), *v;

	assert_non_null(o);
#define GET(m, f) assert_true(json_object_object_get_ex(o, m, &v)); snprintf(p->f, sizeof(p->f), "%s", json_object_get_string(v))
	GET("protected", prot);
	GET("encrypted_key", ek);
	GET("iv", iv);
	GET("tag", tag);
#undef GET
	assert_true(json_object_object_get_ex(o, "ciphertext", &v));
	assert_true(strlen(json_object_get_string(v)) < sizeof(p->ct));
	snprintf(p->ct, sizeof(p->ct), "%s", json_object_get_string(v));
	json_object_put(o);
}

static char *join(const struct parts *p)
{
	char *s = NULL;

	assert_true(asprintf(&s, "{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\",\"ciphertext\":\"%s\","
			     "\"tag\":\"%s\"}", p->prot, p->ek, p->iv, p->ct, p->tag) > 0);
	return s;
}

static int decrypt(struct kbs_ec_key *k, const char *json, struct secret *out)
{
	return kbs_jwe_decrypt(k, json, strlen(json), out);
}

static struct kbs_ec_key *vector_key(void)
{
	struct kbs_ec_key *k = NULL;
	const char *pem = kbs_vstr("tee_private_key_pkcs8_pem");

	assert_int_equal(kbs_ec_key_from_pem((const uint8_t *)pem, strlen(pem) + 1, &k), 0);
	return k;
}

static void test_vector_decrypts(void **state)
{
	_cleanup_ec_key_ struct kbs_ec_key *k = NULL;
	_cleanup_secret_ struct secret pt = { 0 };
	const char *jwe, *want;
	(void)state;

	SKIP_WITHOUT_VECTORS();
	k = vector_key();
	jwe = json_object_to_json_string_ext(kbs_vget("jwe_response"), JSON_C_TO_STRING_PRETTY);
	assert_int_equal(decrypt(k, jwe, &pt), 0);
	want = kbs_vstr("jwe_intermediate/plaintext");
	assert_int_equal(pt.len, strlen(want));
	assert_memory_equal(pt.data, want, pt.len);
}

static void test_vector_intermediates(void **state)
{
	_cleanup_ec_key_ struct kbs_ec_key *k = NULL;
	struct kbs_jwe jwe;
	uint8_t z[32], kek[32], cek[32], want[32], iv[12];
	const char *jwe_json;
	char prot_json[512];
	size_t n;
	(void)state;

	SKIP_WITHOUT_VECTORS();
	k = vector_key();
	jwe_json = json_object_to_json_string_ext(kbs_vget("jwe_response"), JSON_C_TO_STRING_PLAIN);
	assert_int_equal(kbs_jwe_parse(jwe_json, strlen(jwe_json), KBS_EC_ALG, &jwe), 0);
	assert_int_equal(kbs_b64url_decode(jwe.protected_b64, jwe.protected_len, (uint8_t *)prot_json,
					   sizeof(prot_json) - 1, &n), 0);
	prot_json[n] = '\0';
	assert_string_equal(prot_json, kbs_vstr("jwe_intermediate/protected_json"));
	assert_int_equal(jwe.protected_len, 231);
	assert_int_equal(kbs_ec_key_ecdh(k, jwe.epk_x, jwe.epk_y, z), 0);
	hex_decode(kbs_vstr("jwe_intermediate/Z_hex"), want, 32);
	assert_memory_equal(z, want, 32);
	assert_int_equal(kbs_concat_kdf(z, 32, KBS_EC_ALG, NULL, 0, NULL, 0, kek), 0);
	hex_decode(kbs_vstr("jwe_intermediate/KEK_hex"), want, 32);
	assert_memory_equal(kek, want, 32);
	assert_int_equal(kbs_aes_kw_unwrap(kek, jwe.encrypted_key, 40, cek), 0);
	hex_decode(kbs_vstr("jwe_intermediate/CEK_hex"), want, 32);
	assert_memory_equal(cek, want, 32);
	hex_decode(kbs_vstr("jwe_intermediate/IV_hex"), iv, 12);
	assert_memory_equal(jwe.iv, iv, 12);
	assert_int_equal(jwe.ciphertext_len, 34);
	kbs_jwe_clear(&jwe);
}

/* Flips one bit of the decoded member and re-encodes it. */
static void flip(char *b64, size_t byte)
{
	uint8_t buf[512];
	size_t n;

	assert_int_equal(kbs_b64url_decode(b64, strlen(b64), buf, sizeof(buf), &n), 0);
	buf[byte % n] ^= 0x04;
	assert_int_equal(kbs_b64url_encode(buf, n, b64, 512), 0);
}

static void test_vector_tampered(void **state)
{
	_cleanup_ec_key_ struct kbs_ec_key *k = NULL, *other = NULL;
	struct secret pt = { 0 };
	struct parts p, q;
	char hdr[512];
	(void)state;

	SKIP_WITHOUT_VECTORS();
	k = vector_key();
	split(json_object_to_json_string_ext(kbs_vget("jwe_response"), JSON_C_TO_STRING_PLAIN), &p);
	for (size_t i = 0; i < 40; i++) {
		_cleanup_free_ char *s = NULL;

		q = p;
		flip(q.ek, i);
		s = join(&q);
		assert_int_equal(decrypt(k, s, &pt), -EBADMSG);
		assert_null(pt.data);
	}
	for (int m = 0; m < 3; m++) {
		_cleanup_free_ char *s = NULL;

		q = p;
		flip(m == 0 ? q.iv : m == 1 ? q.ct : q.tag, 5);
		s = join(&q);
		assert_int_equal(decrypt(k, s, &pt), -EBADMSG);
	}
	/* The same header with one more space: parses identically, but the AAD differs. */
	{
		_cleanup_free_ char *s = NULL;

		q = p;
		snprintf(hdr, sizeof(hdr), "{\"alg\": \"ECDH-ES+A256KW\",%s", strchr(kbs_vstr("jwe_intermediate/protected_json"), ',') + 1);
		assert_int_equal(kbs_b64url_encode((const uint8_t *)hdr, strlen(hdr), q.prot, sizeof(q.prot)), 0);
		s = join(&q);
		assert_int_equal(decrypt(k, s, &pt), -EBADMSG);
	}
	/* Another recipient key: Z differs, so the key unwrap fails. */
	assert_int_equal(kbs_ec_key_generate(&other), 0);
	assert_int_equal(decrypt(other, json_object_to_json_string(kbs_vget("jwe_response")), &pt), -EBADMSG);
}

static struct kbs_ec_key *new_key(struct ks_tee_pubkey *srv_view)
{
	struct kbs_ec_key *k = NULL;
	char x[KBS_EC_COORD_B64], y[KBS_EC_COORD_B64];

	assert_int_equal(kbs_ec_key_generate(&k), 0);
	assert_int_equal(kbs_ec_key_jwk(k, x, y), 0);
	assert_int_equal(kbs_b64url_decode_exact(x, 43, srv_view->x, 32), 0);
	assert_int_equal(kbs_b64url_decode_exact(y, 43, srv_view->y, 32), 0);
	return k;
}

static void test_round_trip(void **state)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 32, 33, 64, 1000, 4096, 65537, KS_JWE_MAX_PLAINTEXT };
	_cleanup_ec_key_ struct kbs_ec_key *k = NULL;
	struct ks_tee_pubkey pub;
	(void)state;

	k = new_key(&pub);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		_cleanup_free_ uint8_t *secret = malloc(sizes[i] + 1);
		_cleanup_free_ char *jwe = NULL, *jwe2 = NULL;
		_cleanup_secret_ struct secret pt = { 0 };
		size_t len, len2;

		assert_int_equal(RAND_bytes(secret, (int)sizes[i] + 1), 1);
		assert_int_equal(ks_jwe_encrypt(&pub, secret, sizes[i], &jwe, &len), 0);
		assert_int_equal(strlen(jwe), len);
		assert_int_equal(kbs_jwe_decrypt(k, jwe, len, &pt), 0);
		assert_int_equal(pt.len, sizes[i]);
		assert_memory_equal(pt.data, secret, sizes[i]);
		/* fresh epk, CEK and IV every time */
		assert_int_equal(ks_jwe_encrypt(&pub, secret, sizes[i], &jwe2, &len2), 0);
		assert_string_not_equal(jwe, jwe2);
	}
}

/* A TEE key off the curve (or the zero point) gets no JWE: nothing is encrypted to it. */
static void test_encrypt_bad_key(void **state)
{
	_cleanup_ec_key_ struct kbs_ec_key *k = NULL;
	struct ks_tee_pubkey pub, zero = { { 0 }, { 0 } };
	char *jwe = NULL;
	size_t len;
	(void)state;

	k = new_key(&pub);
	pub.y[31] ^= 1;
	assert_int_equal(ks_jwe_encrypt(&pub, (const uint8_t *)"secret", 6, &jwe, &len), -EINVAL);
	assert_null(jwe);
	assert_int_equal(ks_jwe_encrypt(&zero, (const uint8_t *)"secret", 6, &jwe, &len), -EINVAL);
	assert_null(jwe);
}

static void test_round_trip_tampered(void **state)
{
	static const char secret[] = "0123456789abcdef0123456789abcdef";
	_cleanup_ec_key_ struct kbs_ec_key *k = NULL;
	_cleanup_free_ char *jwe = NULL;
	struct secret pt = { 0 };
	struct ks_tee_pubkey pub;
	struct parts p, q;
	size_t len;
	(void)state;

	k = new_key(&pub);
	assert_int_equal(ks_jwe_encrypt(&pub, (const uint8_t *)secret, 32, &jwe, &len), 0);
	split(jwe, &p);
	for (int m = 0; m < 4; m++) {
		for (size_t byte = 0; byte < 40; byte += 3) {
			_cleanup_free_ char *s = NULL;

			q = p;
			flip(m == 0 ? q.ek : m == 1 ? q.iv : m == 2 ? q.ct : q.tag, byte);
			s = join(&q);
			assert_int_equal(decrypt(k, s, &pt), -EBADMSG);
			assert_null(pt.data);
		}
	}
	assert_int_equal(decrypt(k, jwe, &pt), 0);
	secret_clear(&pt);
}

/* Replaces the protected header by hdr (JSON text) and decrypts. */
static int with_header(struct kbs_ec_key *k, const struct parts *p, const char *hdr)
{
	_cleanup_free_ char *s = NULL;
	struct secret pt = { 0 };
	struct parts q = *p;
	int r;

	assert_int_equal(kbs_b64url_encode((const uint8_t *)hdr, strlen(hdr), q.prot, sizeof(q.prot)), 0);
	s = join(&q);
	r = decrypt(k, s, &pt);
	if (r < 0)
		assert_null(pt.data);
	secret_clear(&pt);
	return r;
}

static void test_wrong_header(void **state)
{
	_cleanup_ec_key_ struct kbs_ec_key *k = NULL;
	_cleanup_free_ char *jwe = NULL, *epk = NULL, *h = NULL;
	struct ks_tee_pubkey pub;
	struct parts p;
	char hdr[1024], *x;
	size_t len, n;
	(void)state;

	k = new_key(&pub);
	assert_int_equal(ks_jwe_encrypt(&pub, (const uint8_t *)"s", 1, &jwe, &len), 0);
	split(jwe, &p);
	assert_int_equal(kbs_b64url_decode(p.prot, strlen(p.prot), (uint8_t *)hdr, sizeof(hdr) - 1, &n), 0);
	hdr[n] = '\0';
	x = strstr(hdr, "\"x\":");
	assert_non_null(x);
	assert_true(asprintf(&epk, "%.*s", (int)(strlen(x) - 2), x) > 0); /* "x":"..","y":".." */
	/* the untouched header decrypts (AAD is the header string, rebuilt identically) */
	assert_int_equal(with_header(k, &p, hdr), 0);
#define HDR(fmt, ...) (free(h), h = NULL, assert_true(asprintf(&h, fmt, __VA_ARGS__) > 0), h)
	assert_int_equal(with_header(k, &p, HDR("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"epk\":{\"crv\":\"P-256\",\"kty\":\"EC\",%s}}", epk)), -ENOTSUP);
	assert_int_equal(with_header(k, &p, HDR("{\"alg\":\"ECDH-ES\",\"enc\":\"A256GCM\",\"epk\":{\"crv\":\"P-256\",\"kty\":\"EC\",%s}}", epk)), -ENOTSUP);
	assert_int_equal(with_header(k, &p, HDR("{\"alg\":\"RSA1_5\",\"enc\":\"A256GCM\"}%s", "")), -ENOTSUP);
	assert_int_equal(with_header(k, &p, HDR("{\"enc\":\"A256GCM\",\"epk\":{\"crv\":\"P-256\",\"kty\":\"EC\",%s}}", epk)), -ENOTSUP);
	assert_int_equal(with_header(k, &p, HDR("{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A128GCM\",\"epk\":{\"crv\":\"P-256\",\"kty\":\"EC\",%s}}", epk)), -ENOTSUP);
	assert_int_equal(with_header(k, &p, HDR("{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256CBC-HS512\",\"epk\":{\"crv\":\"P-256\",\"kty\":\"EC\",%s}}", epk)), -ENOTSUP);
	assert_int_equal(with_header(k, &p, HDR("{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"epk\":{\"crv\":\"P-384\",\"kty\":\"EC\",%s}}", epk)), -ENOTSUP);
	assert_int_equal(with_header(k, &p, HDR("{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"epk\":{\"crv\":\"P-256\",\"kty\":\"OKP\",%s}}", epk)), -ENOTSUP);
	assert_int_equal(with_header(k, &p, HDR("{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\"%s}", "")), -ENOTSUP);
	assert_int_equal(with_header(k, &p, HDR("{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"zip\":\"DEF\",\"epk\":{\"crv\":\"P-256\",\"kty\":\"EC\",%s}}", epk)), -ENOTSUP);
	assert_int_equal(with_header(k, &p, HDR("{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"crit\":[\"x\"],\"epk\":{\"crv\":\"P-256\",\"kty\":\"EC\",%s}}", epk)), -ENOTSUP);
	assert_int_equal(with_header(k, &p, HDR("{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"epk\":{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}}",
						"a_cLHk1O51CNzekSTdnXhcFRf6aa3pTAjHg5j4VTuuk", "qWtHvGT_q8opJeYqxTiNO1OCsr77qRKpL-94G_wUfr4")), -EINVAL);
	assert_int_equal(with_header(k, &p, HDR("{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"epk\":{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}}",
						"AA", "AA")), -EINVAL);
	assert_int_equal(with_header(k, &p, HDR("{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"epk\":{\"crv\":\"P-256\",\"kty\":\"EC\",%s}}} ", epk)), -EINVAL);
	assert_int_equal(with_header(k, &p, HDR("[%s]", epk)), -EINVAL);
	/* apu/apv change the KEK: the unwrap then fails */
	assert_int_equal(with_header(k, &p, HDR("{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"apu\":\"QWxpY2U\",\"epk\":{\"crv\":\"P-256\",\"kty\":\"EC\",%s}}", epk)), -EBADMSG);
	assert_int_equal(with_header(k, &p, HDR("{\"alg\":\"ECDH-ES+A256KW\",\"enc\":\"A256GCM\",\"apv\":\"!!\",\"epk\":{\"crv\":\"P-256\",\"kty\":\"EC\",%s}}", epk)), -EINVAL);
#undef HDR
}

static void test_malformed_documents(void **state)
{
	_cleanup_ec_key_ struct kbs_ec_key *k = NULL;
	_cleanup_free_ char *jwe = NULL;
	struct secret pt = { 0 };
	struct ks_tee_pubkey pub;
	struct parts p, q;
	char buf[8192];
	size_t len;
	(void)state;

	k = new_key(&pub);
	assert_int_equal(ks_jwe_encrypt(&pub, (const uint8_t *)"secret", 6, &jwe, &len), 0);
	split(jwe, &p);
#define DOC(...) (snprintf(buf, sizeof(buf), __VA_ARGS__), decrypt(k, buf, &pt))
	/* whitespace and member order do not matter */
	assert_int_equal(DOC(" {\n \"tag\" : \"%s\", \"ciphertext\":\"%s\",\"iv\":\"%s\",\"encrypted_key\":\"%s\",\"protected\":\"%s\"}\n",
			     p.tag, p.ct, p.iv, p.ek, p.prot), 0);
	secret_clear(&pt);
	assert_int_equal(DOC("{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\",\"ciphertext\":\"%s\"}", p.prot, p.ek, p.iv, p.ct), -EINVAL);
	assert_int_equal(DOC("{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\",\"tag\":\"%s\"}", p.prot, p.ek, p.iv, p.tag), -EINVAL);
	assert_int_equal(DOC("{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":12,\"ciphertext\":\"%s\",\"tag\":\"%s\"}", p.prot, p.ek, p.ct, p.tag), -EINVAL);
	assert_int_equal(DOC("{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\",\"ciphertext\":\"%s\",\"tag\":\"%s\",\"aad\":\"eA\"}", p.prot, p.ek, p.iv, p.ct, p.tag), -ENOTSUP);
	assert_int_equal(DOC("{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\",\"ciphertext\":\"%s\",\"tag\":\"%s\",\"header\":{}}", p.prot, p.ek, p.iv, p.ct, p.tag), -ENOTSUP);
	assert_int_equal(DOC("{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\",\"ciphertext\":\"%s\",\"tag\":\"%s\"}x", p.prot, p.ek, p.iv, p.ct, p.tag), -EINVAL);
	assert_int_equal(DOC("{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\",\"ciphertext\":\"%s\",\"tag\":\"%s\",}", p.prot, p.ek, p.iv, p.ct, p.tag), -EINVAL);
	assert_int_equal(DOC("[\"%s\"]", p.prot), -EINVAL);
	assert_int_equal(DOC("%s", ""), -EINVAL);
	/* wrong decoded sizes and padded base64url */
	q = p;
	strcat(q.tag, "AA");
	assert_int_equal(DOC("{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\",\"ciphertext\":\"%s\",\"tag\":\"%s\"}", q.prot, q.ek, q.iv, q.ct, q.tag), -EINVAL);
	q = p;
	strcat(q.iv, "AAAA");
	assert_int_equal(DOC("{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\",\"ciphertext\":\"%s\",\"tag\":\"%s\"}", q.prot, q.ek, q.iv, q.ct, q.tag), -EINVAL);
	q = p;
	q.ek[strlen(q.ek) - 3] = '\0';
	assert_int_equal(DOC("{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\",\"ciphertext\":\"%s\",\"tag\":\"%s\"}", q.prot, q.ek, q.iv, q.ct, q.tag), -EINVAL);
	assert_int_equal(DOC("{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\",\"ciphertext\":\"%s\",\"tag\":\"%s==\"}", p.prot, p.ek, p.iv, p.ct, p.tag), -EINVAL);
	/* an escaped NUL inside a member */
	assert_int_equal(DOC("{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\\u0000\",\"ciphertext\":\"%s\",\"tag\":\"%s\"}", p.prot, p.ek, p.iv, p.ct, p.tag), -EINVAL);
#undef DOC
	assert_null(pt.data);
}

static void test_oversize(void **state)
{
	_cleanup_ec_key_ struct kbs_ec_key *k = NULL;
	_cleanup_free_ char *doc = NULL, *jwe = NULL;
	_cleanup_free_ uint8_t *big = calloc(1, KS_JWE_MAX_PLAINTEXT + 1);
	struct secret pt = { 0 };
	struct ks_tee_pubkey pub;
	size_t ct_chars = kbs_b64url_encoded_len(KBS_JWE_MAX_CIPHERTEXT) + 4, len;
	struct parts p;
	int n;
	(void)state;

	k = new_key(&pub);
	assert_int_equal(ks_jwe_encrypt(&pub, big, KS_JWE_MAX_PLAINTEXT + 1, &jwe, &len), -EMSGSIZE);
	assert_null(jwe);
	assert_int_equal(ks_jwe_encrypt(&pub, (const uint8_t *)"x", 1, &jwe, &len), 0);
	split(jwe, &p);
	/* ciphertext over the cap inside a document under the total cap */
	doc = malloc(ct_chars + 8192);
	n = snprintf(doc, 8192, "{\"protected\":\"%s\",\"encrypted_key\":\"%s\",\"iv\":\"%s\",\"tag\":\"%s\",\"ciphertext\":\"",
		     p.prot, p.ek, p.iv, p.tag);
	memset(doc + n, 'A', ct_chars);
	strcpy(doc + n + ct_chars, "\"}");
	assert_true(strlen(doc) <= KBS_JWE_MAX_LEN);
	assert_int_equal(decrypt(k, doc, &pt), -EMSGSIZE);
	/* whole document over the cap */
	free(doc);
	doc = malloc(KBS_JWE_MAX_LEN + 2);
	memset(doc, ' ', KBS_JWE_MAX_LEN + 1);
	doc[KBS_JWE_MAX_LEN + 1] = '\0';
	memcpy(doc, jwe, strlen(jwe));
	assert_int_equal(decrypt(k, doc, &pt), -EMSGSIZE);
	/* just under: trailing whitespace is fine */
	doc[KBS_JWE_MAX_LEN] = '\0';
	assert_int_equal(decrypt(k, doc, &pt), 0);
	assert_int_equal(pt.len, 1);
	secret_clear(&pt);
	/* a header over its own cap */
	free(doc);
	doc = malloc(KBS_JWE_MAX_PROTECTED + 4096);
	n = snprintf(doc, 512, "{\"protected\":\"");
	memset(doc + n, 'e', KBS_JWE_MAX_PROTECTED + 4);
	snprintf(doc + n + KBS_JWE_MAX_PROTECTED + 4, 3000, "\",\"encrypted_key\":\"%s\",\"iv\":\"%s\",\"ciphertext\":\"%s\",\"tag\":\"%s\"}",
		 p.ek, p.iv, p.ct, p.tag);
	assert_int_equal(decrypt(k, doc, &pt), -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_decrypts),
		cmocka_unit_test(test_vector_intermediates),
		cmocka_unit_test(test_vector_tampered),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_tampered),
		cmocka_unit_test(test_encrypt_bad_key),
		cmocka_unit_test(test_wrong_header),
		cmocka_unit_test(test_malformed_documents),
		cmocka_unit_test(test_oversize),
	};
	log_set_sink(kbs_test_quiet, NULL);
	return cmocka_run_group_tests(tests, kbs_vectors_load, kbs_vectors_free);
}
