/* SPDX-License-Identifier: Apache-2.0 */
/* POST /kbs/v0/attest: nonce, REPORTDATA binding and DCAP verification, then a token.
 * Every outcome is one audit line; the client only ever sees "RCAR handshake Attest
 * failed" (kbs-protocol.md §12.2), the operator sees the precise reason. */
#include "audit.h"
#include "b64_ossl.h"
#include "handler.h"
#include "kbs_error.h"
#include "runtime_data_check.h"
#include "server.h"
#include "tee_pubkey.h"
#include "token.h"
#include "../common/cleanup.h"
#include "../common/hex.h"
#include "../common/mono_time.h"
#include "../common/json_cleanup.h"
#include "../common/log.h"
#include "../verify/verify.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char attest_failed[] = "Attestation error: RCAR handshake Attest failed";

struct attest_input {
	const char *nonce;
	const char *additional_evidence;
	const char *quote_b64;
	size_t quote_b64_len;
	struct ks_tee_pubkey key;
};

static json_object *member(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	/* No "\u0000" inside strings: they are used as C strings (compared, hashed). */
	if (type == json_type_string && strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
		return NULL;
	return v;
}

/* Pulls the members of §4 out of the request; *why names the first problem. */
static int parse_input(json_object *root, struct attest_input *in, const char **why)
{
	json_object *rt = member(root, "runtime-data", json_type_object), *ev, *prim, *v;

	if (!rt || !(v = member(rt, "nonce", json_type_string))) {
		*why = "runtime-data.nonce missing";
		return -EINVAL;
	}
	in->nonce = json_object_get_string(v);
	if (!(v = member(rt, "tee-pubkey", json_type_object)) || ks_tee_pubkey_from_json(v, &in->key) < 0) {
		*why = "runtime-data.tee-pubkey is not an EC P-256 ECDH-ES+A256KW JWK";
		return -EINVAL;
	}
	ev = member(root, "tee-evidence", json_type_object);
	prim = member(ev, "primary_evidence", json_type_object);
	if (!(v = member(prim, "quote", json_type_string))) {
		*why = "tee-evidence.primary_evidence.quote missing";
		return -EINVAL;
	}
	in->quote_b64 = json_object_get_string(v);
	in->quote_b64_len = (size_t)json_object_get_string_len(v);
	if (!(v = member(ev, "additional_evidence", json_type_string))) {
		*why = "tee-evidence.additional_evidence missing";
		return -EINVAL;
	}
	in->additional_evidence = json_object_get_string(v);
	return 0;
}

static void audit(struct ks_server *srv, const struct ks_request *req, const char *decision,
		  const char *reason, const struct tdx_td_info *td, int tcb_status)
{
	char mr_td[2 * TDX_MR_LEN + 1];
	struct ks_audit_event ev = {
		.peer = req->peer, .session = req->cookie, .event = "attest",
		.decision = decision, .reason = reason,
		.tcb_status = tcb_status >= 0 ? vf_tcb_status_name(tcb_status) : NULL,
	};

	if (td) {
		hex_encode(td->mr_td, TDX_MR_LEN, mr_td);
		ev.mr_td = mr_td;
	}
	ks_audit_log(srv->audit, &ev);
}

static void refuse(struct ks_server *srv, const struct ks_request *req, struct ks_reply *rep,
		   const char *reason, const struct tdx_td_info *td, int tcb_status)
{
	audit(srv, req, "reject", reason, td, tcb_status);
	ks_reply_error(rep, KBS_ERR_ATTESTATION, attest_failed);
}

static int64_t verification_time(const struct ks_server *srv)
{
	int64_t t;

	if (srv->test_time && vf_parse_time(srv->test_time, &t) == 0)
		return t;
	return (int64_t)time(NULL);
}

void ks_handle_attest(struct ks_server *srv, const struct ks_request *req, struct ks_reply *rep)
{
	_cleanup_json_put_ json_object *root = NULL;
	_cleanup_free_ uint8_t *quote = NULL;
	struct attest_input in = { 0 };
	struct ks_session s;
	struct ks_claims claims = { 0 };
	struct vf_result res;
	struct tdx_quote q;
	uint8_t id[KS_SESSION_ID_LEN];
	char reason[320], token[KS_TOKEN_MAX], body[KS_TOKEN_MAX + 16];
	const char *why = NULL;
	size_t qlen;
	int r;

	if (!req->cookie || ks_session_id_parse(req->cookie, strlen(req->cookie), id) < 0)
		return refuse(srv, req, rep, "no kbs-session-id cookie", NULL, -1);
	r = ks_session_get(srv->sessions, id, &s);
	if (r < 0)
		return refuse(srv, req, rep, r == -ETIMEDOUT ? "session expired" : "unknown session", NULL, -1);
	if (s.state == KS_SESSION_ATTESTED) {
		/* Trustee returns the session's token without looking at the new body (§4.2);
		 * re-issuing it from the stored claims is equivalent and keeps sessions small. */
		if (ks_token_issue(srv->token_key, &s.claims, (s.expires_ms - mono_ms()) / 1000, token, sizeof(token)) < 0)
			return refuse(srv, req, rep, "token_error", &s.claims.td, s.claims.tcb_status);
		int n = snprintf(body, sizeof(body), "{\"token\":\"%s\"}", token);
		ks_reply_json(rep, 200, strdup(body), (size_t)n);
		ks_set_cookie(rep, &s);
		return;
	}
	root = ks_json_parse(req->body, req->body_len);
	if (!root || parse_input(root, &in, &why) < 0)
		return refuse(srv, req, rep, why ? why : "malformed Attestation JSON", NULL, -1);
	if (strcmp(in.nonce, s.nonce) != 0)
		return refuse(srv, req, rep, "nonce mismatch (replayed or stale attestation)", NULL, -1);

	quote = malloc(ks_b64_decoded_max(in.quote_b64_len) + 1);
	if (!quote || ks_b64_decode(in.quote_b64, in.quote_b64_len, quote, ks_b64_decoded_max(in.quote_b64_len), &qlen) < 0)
		return refuse(srv, req, rep, "quote is not canonical base64", NULL, -1);
	if (tdx_quote_parse(quote, qlen, &q, &why) < 0) {
		snprintf(reason, sizeof(reason), "header_valid: %s", why);
		return refuse(srv, req, rep, reason, NULL, -1);
	}
	/* The cheap binding check first: a valid quote for another session proves nothing. */
	if (ks_runtime_data_check(in.nonce, &in.key, in.additional_evidence, KS_HASH_SHA384, q.td.report_data) < 0)
		return refuse(srv, req, rep, "report_data: REPORTDATA does not bind this nonce and tee-pubkey", &q.td, -1);
	r = vf_verify_parsed(srv->verifier, quote, &q, srv->cfg.collateral_dir, verification_time(srv), &res);
	if (r < 0) {
		log_errno(r, "attest: cannot verify: collateral in %s unusable", srv->cfg.collateral_dir);
		return refuse(srv, req, rep, "verifier_error: collateral unavailable", &q.td, -1);
	}
	if (!res.ok) {
		snprintf(reason, sizeof(reason), "%s: %s", vf_check_name(res.reason), res.reason_text);
		return refuse(srv, req, rep, reason, &q.td, (int)res.tcb_status);
	}
	claims.td = q.td;
	claims.tcb_status = (int)res.tcb_status;
	memcpy(claims.tee_x, in.key.x, 32);
	memcpy(claims.tee_y, in.key.y, 32);
	r = ks_token_issue(srv->token_key, &claims, srv->cfg.session_lifetime_s, token, sizeof(token));
	if (r < 0) {
		log_errno(r, "attest: issuing a token");
		return refuse(srv, req, rep, "token_error", &q.td, claims.tcb_status);
	}
	if (ks_session_attest(srv->sessions, id, &claims) < 0)
		return refuse(srv, req, rep, "session expired during verification", &q.td, claims.tcb_status);
	audit(srv, req, "attested", NULL, &q.td, claims.tcb_status);
	int n = snprintf(body, sizeof(body), "{\"token\":\"%s\"}", token);
	ks_reply_json(rep, 200, strdup(body), (size_t)n);
	ks_set_cookie(rep, &s);
}
