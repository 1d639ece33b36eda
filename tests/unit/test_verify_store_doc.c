/* SPDX-License-Identifier: Apache-2.0 */
/* vf_doc_check of JSON collateral, signed by the simulator's TCB signing key: the documents as
 * the simulator serves them pass; a validly signed tcbInfo or enclaveIdentity that is not
 * the id and version the verifier handles, or that its parser refuses, is refused with a
 * reason that names it. */
#include "testutil.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json_cleanup.h"
#include "../sim/sim_collateral.h"
#include "../sim/sim_ossl.h"
#include "../sim/sim_pcs_docs.h"
#include "../sim/sim_pki.h"
#include "verify/store_doc.h"
#include "verify/verify.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

static char dir[] = "/tmp/test_verify_store_doc.XXXXXX";
static struct vf_ctx *ctx;
static EVP_PKEY *key;
static uint8_t *chain;
static size_t chain_len;

/* The simulator's document of kind, its signed member's "id" or "version" (when not NULL/-1)
 * or another field (drop) changed, re-signed; then vf_doc_check. */
static int check(enum vf_doc_kind kind, const char *id, int version, const char *drop, char *why, size_t wl)
{
	struct sim_pcs_doc doc = { 0 };
	_cleanup_json_put_ json_object *o = NULL;
	_cleanup_free_ char *body = NULL;
	const char *member = kind == VF_DOC_TCB_INFO ? "tcbInfo" : "enclaveIdentity";
	struct vf_doc d = { .kind = kind, .fmspc_hex = "50C06F000000", .update = "standard",
			    .chain = (const char *)chain, .chain_len = chain_len };
	struct vf_doc_summary s;
	uint8_t *der = NULL;
	size_t der_len = 0;
	json_object *m;
	int r;

	if (kind == VF_DOC_TCB_INFO)
		assert_int_equal(sim_pcs_doc_tcb(dir, "50C06F000000", false, false, &doc), 0);
	else
		assert_int_equal(sim_pcs_doc_qe(dir, false, false, &doc), 0);
	o = json_tokener_parse((const char *)doc.body);
	sim_pcs_doc_free(&doc);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, member, &m));
	if (id)
		json_object_object_add(m, "id", json_object_new_string(id));
	if (version >= 0)
		json_object_object_add(m, "version", json_object_new_int(version));
	if (drop)
		json_object_object_del(m, drop);
	assert_int_equal(sim_json_sign(key, member,
				       json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN |
									      JSON_C_TO_STRING_NOSLASHESCAPE),
				       false, &body), 0);
	d.body = (const uint8_t *)body;
	d.body_len = strlen(body);
	why[0] = '\0';
	r = vf_doc_check(ctx, &d, (int64_t)time(NULL), &s, &der, &der_len, why, wl);
	assert_null(der);
	return r;
}

struct member_case {
	enum vf_doc_kind kind;
	const char *other_id;   /* an id the verifier does not handle */
	int other_version;
	const char *wrong;      /* the reason for either */
	const char *malformed;  /* the parser's reason without tcbLevels */
};

static const struct member_case tcb_info = {
	VF_DOC_TCB_INFO, "SGX", 2, "tcbInfo is not id \"TDX\" version 3", "tcbInfo: malformed tcbLevels",
};
static const struct member_case qe_identity = {
	VF_DOC_QE_IDENTITY, "QE", 3, "enclaveIdentity is not id \"TD_QE\" version 2",
	"enclaveIdentity: malformed tcbLevels",
};

static void test_member(void **state)
{
	const struct member_case *c = *state;
	char why[256];

	assert_int_equal(check(c->kind, NULL, -1, NULL, why, sizeof(why)), 0);
	assert_int_equal(check(c->kind, c->other_id, -1, NULL, why, sizeof(why)), -EBADMSG);
	assert_string_equal(why, c->wrong);
	assert_int_equal(check(c->kind, NULL, c->other_version, NULL, why, sizeof(why)), -EBADMSG);
	assert_string_equal(why, c->wrong);
	assert_int_equal(check(c->kind, NULL, -1, "tcbLevels", why, sizeof(why)), -EBADMSG);
	assert_string_equal(why, c->malformed);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct sim_pki_opts o = { .now = time(NULL) };
	char anchor[PATH_MAX], path[PATH_MAX];
	struct vf_options vo = { .anchor_mode = VF_ANCHOR_FILE, .anchor_file = anchor };

	(void)state;
	if (!mkdtemp(dir) || sim_pki_create(dir, &o) < 0)
		return -1;
	snprintf(anchor, sizeof(anchor), "%s/collateral/root_ca.pem", dir);
	snprintf(path, sizeof(path), "%s/pcs/tcb_signing_chain.pem", dir);
	if (file_read_all(path, 1u << 20, &chain, &chain_len) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/keys/tcb_signing_key.pem", dir);
	if (sim_key_read(path, &key) < 0)
		return -1;
	return vf_ctx_new(&vo, &ctx) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	vf_ctx_free(ctx);
	EVP_PKEY_free(key);
	free(chain);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_member, (void *)&tcb_info),
		cmocka_unit_test_prestate(test_member, (void *)&qe_identity),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
