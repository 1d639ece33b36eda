/* SPDX-License-Identifier: Apache-2.0 */
/* GET /kbs/v0/resource/REPO/TYPE/TAG: the attested session (cookie) or a Bearer token,
 * the resource's policy, then the resource JWE-encrypted to the TEE key. No secret
 * leaves without its audit line written first. */
#include "audit.h"
#include "handler.h"
#include "jwe_encrypt.h"
#include "kbs_error.h"
#include "policies.h"
#include "resources.h"
#include "server.h"
#include "tee_pubkey.h"
#include "token.h"
#include "../common/hex.h"
#include "../common/log.h"
#include "../verify/boot_facts.h"
#include "../verify/verify.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

/* session: the session the request was decided on (hex), else NULL (the cookie is
 * logged as audit.h shows it, never raw). */
static void audit(struct ks_server *srv, const struct ks_request *req, const char *resource, const char *session,
		  const struct ks_claims *c, const char *decision, const char *reason, int *err)
{
	char mr_td[2 * TDX_MR_LEN + 1], boot[VF_BOOT_CMDLINE_MAX + 320];
	struct ks_audit_event ev = {
		.peer = req->peer, .session = session ? session : req->cookie, .event = "resource",
		.resource = resource, .decision = decision, .reason = reason,
	};

	if (c) {
		hex_encode(c->verified.td.mr_td, TDX_MR_LEN, mr_td);
		ev.mr_td = mr_td;
		ev.tcb_status = vf_tcb_status_name(c->verified.tcb_status);
		vf_boot_facts_summary(&c->verified.boot, boot, sizeof(boot));
		ev.boot = boot;
	}
	*err = ks_audit_log(srv->audit, &ev);
}

/* Claims of the caller: its attested session, named by the cookie or else by a valid
 * Bearer token. Either way they are the session's stored claims (../verify/claims.h), so
 * both paths decide alike on every policy member. */
static int find_claims(struct ks_server *srv, const struct ks_request *req, struct ks_claims *c,
		       char session[KS_SESSION_ID_HEX], const char **why)
{
	uint8_t id[KS_SESSION_ID_LEN];
	struct ks_session s;
	int r;

	if (req->cookie && ks_session_id_parse(req->cookie, strlen(req->cookie), id) == 0 &&
	    ks_session_get(srv->sessions, id, &s) == 0 && s.state == KS_SESSION_ATTESTED) {
		*c = s.claims;
		hex_encode(id, KS_SESSION_ID_LEN, session);
		return 0;
	}
	if (req->authorization && strncasecmp(req->authorization, "Bearer ", 7) == 0) {
		const char *tok = req->authorization + 7;

		r = ks_token_verify(srv->token_key, tok, strlen(tok), id);
		if (r < 0) {
			*why = r == -ETIMEDOUT ? "bearer token expired" : "bearer token invalid";
			return KBS_ERR_TOKEN_VERIFIER;
		}
		/* Signed by us, so the session was attested when it was issued; gone = expired
		 * (or issued before a restart). */
		if (ks_session_get(srv->sessions, id, &s) < 0 || s.state != KS_SESSION_ATTESTED) {
			*why = "bearer token's session expired";
			return KBS_ERR_TOKEN_VERIFIER;
		}
		*c = s.claims;
		hex_encode(id, KS_SESSION_ID_LEN, session);
		return 0;
	}
	*why = "no attested session and no bearer token";
	return KBS_ERR_TOKEN_NOT_FOUND;
}

void ks_handle_resource(struct ks_server *srv, const struct ks_request *req, const char *resource,
			struct ks_reply *rep)
{
	_cleanup_resource_ struct secret data = { 0 };
	struct ks_claims c;
	struct ks_tee_pubkey key;
	char reason[320], sid[KS_SESSION_ID_HEX], *jwe = NULL;
	const char *why = NULL;
	size_t len;
	int e, r, aerr;

	e = find_claims(srv, req, &c, sid, &why);
	if (e) {
		audit(srv, req, resource, NULL, NULL, "refuse", why, &aerr);
		return ks_reply_error(rep, e, e == KBS_ERR_TOKEN_NOT_FOUND ? "Attestation Token not found" : "Token Verifier error");
	}
	r = ks_server_check_policy(srv, resource, &c, reason, sizeof(reason));
	if (r < 0) {
		audit(srv, req, resource, sid, &c, "refuse", reason, &aerr);
		/* No policy = not a resource this server releases: Trustee's "missing resource". */
		if (r == -ENOENT)
			return ks_reply_error(rep, KBS_ERR_PLUGIN_INTERNAL, "Plugin internal error");
		/* The reason names the member and what the TD has (its own measurements, never
		 * the policy's values or a secret): the operator reads it on the TD's console. */
		char detail[sizeof(reason) + 32];

		snprintf(detail, sizeof(detail), "Access denied by policy: %s", reason);
		return ks_reply_error(rep, KBS_ERR_POLICY_DENY, detail);
	}
	r = ks_resource_read(srv->cfg.resources_dir, resource, &data);
	if (r < 0) {
		audit(srv, req, resource, sid, &c, "refuse", r == -ENOENT ? "resource not found" : "resource unreadable", &aerr);
		if (r != -ENOENT)
			log_errno(r, "resource %s: reading from %s", resource, srv->cfg.resources_dir);
		return ks_reply_error(rep, KBS_ERR_PLUGIN_INTERNAL, "Plugin internal error");
	}
	memcpy(key.x, c.tee_x, 32);
	memcpy(key.y, c.tee_y, 32);
	r = ks_jwe_encrypt(&key, data.data, data.len, &jwe, &len);
	if (r < 0) {
		audit(srv, req, resource, sid, &c, "refuse", "jwe_error: tee-pubkey unusable", &aerr);
		return ks_reply_error(rep, KBS_ERR_JWE, "JWE failed");
	}
	audit(srv, req, resource, sid, &c, "release", NULL, &aerr);
	if (aerr < 0) {
		free(jwe);
		return ks_reply_error(rep, KBS_ERR_PLUGIN_INTERNAL, "Plugin internal error");
	}
	ks_reply_json(rep, 200, jwe, len);
}
