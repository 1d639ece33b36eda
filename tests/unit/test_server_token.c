/* SPDX-License-Identifier: Apache-2.0 */
/* Attestation tokens: the claims payload is compact JSON with the members resource
 * policies read, and ks_token_verify() gives back exactly the claims that were issued. */
#include "testutil.h"
#include "server/b64_ossl.h"
#include "server/token.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/rand.h>

static void test_issue_verify(void **state)
{
	struct ks_token_key *k;
	struct ks_claims c, got;
	char tok[KS_TOKEN_MAX], x[44], *dot1, *dot2, payload[KS_TOKEN_MAX];
	json_object *root, *v;
	size_t plen;

	(void)state;
	assert_int_equal(ks_token_key_load(NULL, &k), 0);
	for (int i = 0; i < 50; i++) {
		memset(&c, 0, sizeof(c));
		assert_int_equal(RAND_bytes((unsigned char *)&c.td, sizeof(c.td)), 1);
		assert_int_equal(RAND_bytes(c.tee_x, 32), 1);
		assert_int_equal(RAND_bytes(c.tee_y, 32), 1);
		c.tcb_status = i % 8;
		assert_int_equal(ks_token_issue(k, &c, 300, tok, sizeof(tok)), 0);
		dot1 = strchr(tok, '.');
		assert_non_null(dot1);
		dot2 = strchr(dot1 + 1, '.');
		assert_non_null(dot2);
		assert_int_equal(ks_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), (uint8_t *)payload,
						  sizeof(payload) - 1, &plen), 0);
		payload[plen] = '\0';
		assert_null(strchr(payload, ' '));
		root = json_tokener_parse(payload);
		assert_non_null(root);
		assert_true(json_object_object_get_ex(root, "iss", &v));
		assert_string_equal(json_object_get_string(v), "tdx-keyserver");
		assert_true(json_object_object_get_ex(root, "exp", &v));
		assert_true(json_object_object_get_ex(root, "iat", &v));
		assert_true(json_object_object_get_ex(root, "submods", &v));
		assert_true(json_object_object_get_ex(v, "cpu0", &v));
		assert_true(json_object_object_get_ex(v, "ear.veraison.annotated-evidence", &v));
		assert_true(json_object_object_get_ex(v, "runtime_data_claims", &v));
		assert_true(json_object_object_get_ex(v, "tee-pubkey", &v));
		assert_true(json_object_object_get_ex(v, "x", &v));
		assert_int_equal(ks_b64url_encode(c.tee_x, 32, x, sizeof(x)), 0);
		assert_string_equal(json_object_get_string(v), x);
		json_object_put(root);
		assert_int_equal(ks_token_verify(k, tok, strlen(tok), &got), 0);
		assert_memory_equal(got.tee_x, c.tee_x, 32);
		assert_memory_equal(got.tee_y, c.tee_y, 32);
		assert_int_equal(got.tcb_status, c.tcb_status);
		assert_memory_equal(got.td.mr_td, c.td.mr_td, sizeof(c.td.mr_td));
		assert_memory_equal(got.td.rtmr, c.td.rtmr, sizeof(c.td.rtmr));
		assert_memory_equal(got.td.mr_config_id, c.td.mr_config_id, sizeof(c.td.mr_config_id));
		assert_memory_equal(got.td.td_attributes, c.td.td_attributes, sizeof(c.td.td_attributes));
		assert_memory_equal(got.td.xfam, c.td.xfam, sizeof(c.td.xfam));
		tok[strlen(tok) - 2] ^= 1; /* the signature */
		assert_int_equal(ks_token_verify(k, tok, strlen(tok), &got), -EKEYREJECTED);
	}
	assert_int_equal(ks_token_issue(k, &c, 300, tok, 100), -ENOBUFS);
	ks_token_key_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_verify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
