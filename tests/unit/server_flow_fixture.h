/* SPDX-License-Identifier: Apache-2.0 */
/* Fixture of tests/unit/test_server_flow.c: a real key server state (temp config, policy,
 * resources, simulator PKI) driven in process through ks_handle(), and the client-side
 * helpers that attest with simulator quotes and decrypt the released JWE. */
#pragma once
#include "testutil.h"
#include "kbs/ec_key.h"
#include "server/handler.h"
#include "server/server.h"
#include "tdx/tdx_types.h"

#include <sys/types.h>
#include <json-c/json.h>

#define ERR_PREFIX "https://github.com/confidential-containers/kbs/errors/"
#define DEMO "default/luks/demo"

struct sf_session {
	char cookie[33];
	char nonce[64];
};

extern struct ks_server sf_srv;
extern struct tdx_td_info sf_td_default;
extern int sf_quote_version; /* of the quotes sf_attest_body* builds: 4 (default) or 5 */

/* Files under the fixture's directory (paths relative to it, e.g. "res/REPO/TYPE/TAG"). */
void sf_write_file(const char *rel, const char *text, mode_t mode);
void sf_mkdirs(const char *rel);

int sf_setup(void **state);
int sf_teardown(void **state);
void sf_call(const char *method, const char *path, const char *body, const char *cookie,
		 const char *authorization, struct ks_reply *rep);
void sf_reply_free(struct ks_reply *rep);
void sf_assert_error(struct ks_reply *rep, unsigned status, const char *variant);
off_t sf_audit_mark(void);
json_object *sf_audit_since(off_t mark, int lines);
const char *sf_field(json_object *o, const char *key);
void sf_do_auth(struct sf_session *s);
char *sf_attest_body_ex(const char *nonce, struct kbs_ec_key *key, const char *quote_nonce,
			    struct kbs_ec_key *quote_key, const struct tdx_td_info *td, unsigned corrupt);
char *sf_attest_body(const struct sf_session *s, struct kbs_ec_key *key, const struct tdx_td_info *td,
			 unsigned corrupt);
char *sf_attest_ok(const struct sf_session *s, const char *body);
struct kbs_ec_key *sf_attested_session(struct sf_session *s, const struct tdx_td_info *td);
void sf_fetch_ok(const char *cookie, const char *authorization, struct kbs_ec_key *key);
void sf_attest_refused(const char *cookie, const char *body, const char *reason);
void sf_resource_refused(const char *path, const char *cookie, const char *authorization, unsigned status,
			     const char *variant, const char *reason);
