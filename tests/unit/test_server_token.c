/* SPDX-License-Identifier: Apache-2.0 */
/* Attestation tokens: the payload is compact JSON with iat/exp, the session id as "jti" and
 * the TEE key where kbs-protocol.md §9 puts it; ks_token_verify() gives back exactly the
 * session id that was issued (the claims are looked up there: verify/claims.h), and
 * refuses tampered, malformed and expired tokens. */
#include "testutil.h"
#include "common/hex.h"
#include "server/b64_ossl.h"
#include "server/token.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/rand.h>

static json_object *payload_of(const char *tok)
{
	char payload[KS_TOKEN_MAX];
	const char *dot1 = strchr(tok, '.'), *dot2;
	size_t plen;

	assert_non_null(dot1);
	dot2 = strchr(dot1 + 1, '.');
	assert_non_null(dot2);
	assert_int_equal(ks_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), (uint8_t *)payload,
					  sizeof(payload) - 1, &plen), 0);
	payload[plen] = '\0';
	assert_null(strchr(payload, ' '));
	return json_tokener_parse(payload);
}

static void test_issue_verify(void **state)
{
	struct ks_token_key *k;
	struct ks_claims c;
	uint8_t sid[KS_SESSION_ID_LEN], got[KS_SESSION_ID_LEN];
	char tok[KS_TOKEN_MAX], x[44], jti[KS_SESSION_ID_HEX];
	json_object *root, *v;

	(void)state;
	assert_int_equal(ks_token_key_load(NULL, &k), 0);
	for (int i = 0; i < 50; i++) {
		memset(&c, 0, sizeof(c));
		assert_int_equal(RAND_bytes((unsigned char *)&c.verified.td, sizeof(c.verified.td)), 1);
		assert_int_equal(RAND_bytes(c.tee_x, 32), 1);
		assert_int_equal(RAND_bytes(c.tee_y, 32), 1);
		assert_int_equal(RAND_bytes(sid, sizeof(sid)), 1);
		c.verified.tcb_status = (enum vf_tcb_status)(i % 8);
		assert_int_equal(ks_token_issue(k, sid, &c, 300, tok, sizeof(tok)), 0);
		root = payload_of(tok);
		assert_non_null(root);
		assert_true(json_object_object_get_ex(root, "iss", &v));
		assert_string_equal(json_object_get_string(v), "tdx-keyserver");
		assert_true(json_object_object_get_ex(root, "exp", &v));
		assert_true(json_object_object_get_ex(root, "iat", &v));
		assert_true(json_object_object_get_ex(root, "jti", &v));
		hex_encode(sid, sizeof(sid), jti);
		assert_string_equal(json_object_get_string(v), jti);
		assert_true(json_object_object_get_ex(root, "submods", &v));
		assert_true(json_object_object_get_ex(v, "cpu0", &v));
		assert_true(json_object_object_get_ex(v, "ear.veraison.annotated-evidence", &v));
		assert_true(json_object_object_get_ex(v, "runtime_data_claims", &v));
		assert_true(json_object_object_get_ex(v, "tee-pubkey", &v));
		assert_true(json_object_object_get_ex(v, "x", &v));
		assert_int_equal(ks_b64url_encode(c.tee_x, 32, x, sizeof(x)), 0);
		assert_string_equal(json_object_get_string(v), x);
		json_object_put(root);
		memset(got, 0, sizeof(got));
		assert_int_equal(ks_token_verify(k, tok, strlen(tok), got), 0);
		assert_memory_equal(got, sid, sizeof(sid));
		tok[strlen(tok) - 2] ^= 1; /* the signature */
		assert_int_equal(ks_token_verify(k, tok, strlen(tok), got), -EKEYREJECTED);
	}
	assert_int_equal(ks_token_issue(k, sid, &c, 300, tok, 100), -ENOBUFS);
	assert_int_equal(ks_token_issue(k, sid, &c, -1, tok, sizeof(tok)), 0);
	assert_int_equal(ks_token_verify(k, tok, strlen(tok), got), -ETIMEDOUT);
	ks_token_key_free(k);
}

/* Another server's key (or a token from before a restart with a fresh key) is refused. */
static void test_other_key(void **state)
{
	struct ks_token_key *k1, *k2;
	struct ks_claims c = { 0 };
	uint8_t sid[KS_SESSION_ID_LEN] = { 1, 2, 3 }, got[KS_SESSION_ID_LEN];
	char tok[KS_TOKEN_MAX];

	(void)state;
	assert_int_equal(ks_token_key_load(NULL, &k1), 0);
	assert_int_equal(ks_token_key_load(NULL, &k2), 0);
	assert_int_equal(ks_token_issue(k1, sid, &c, 300, tok, sizeof(tok)), 0);
	assert_int_equal(ks_token_verify(k2, tok, strlen(tok), got), -EKEYREJECTED);
	assert_int_equal(ks_token_verify(k1, tok, strlen(tok), got), 0);
	ks_token_key_free(k1);
	ks_token_key_free(k2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_verify),
		cmocka_unit_test(test_other_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
