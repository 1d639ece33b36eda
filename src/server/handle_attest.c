/* SPDX-License-Identifier: Apache-2.0 */
/* POST /kbs/v0/attest: nonce, REPORTDATA binding and DCAP verification, then a token.
 * Every outcome is one audit line; the client only ever sees "RCAR handshake Attest
 * failed" (kbs-protocol.md §12.2), the operator sees the precise reason. */
#include "attest_body.h"
#include "audit.h"
#include "b64_ossl.h"
#include "collateral_grace.h"
#include "eventlog_cache.h"
#include "eventlog_b64.h"
#include "handler.h"
#include "collateral_svc.h"
#include "../verify/store.h"
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
#include "../tdx/eventlog.h"
#include "../verify/boot_facts.h"
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
	const char *eventlog_b64; /* NULL: no cc_eventlog (absent, null or ""); in the tree or
				   * the body (attest_body.c) */
	size_t eventlog_b64_len;
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
	/* cc_eventlog: base64 string, or null / absent / "" for none (kbs-protocol.md §4.1). */
	if (prim && json_object_object_get_ex(prim, "cc_eventlog", &v) && v) {
		if (!member(prim, "cc_eventlog", json_type_string)) {
			*why = "tee-evidence.primary_evidence.cc_eventlog is not a string or null";
			return -EINVAL;
		}
		if (json_object_get_string_len(v) > 0) {
			in->eventlog_b64 = json_object_get_string(v);
			in->eventlog_b64_len = (size_t)json_object_get_string_len(v);
		}
	}
	if (!(v = member(ev, "additional_evidence", json_type_string))) {
		*why = "tee-evidence.additional_evidence missing";
		return -EINVAL;
	}
	in->additional_evidence = json_object_get_string(v);
	return 0;
}

static void audit_boot(struct ks_server *srv, const struct ks_request *req, const char *decision,
		       const char *reason, const struct tdx_td_info *td, int tcb_status, const char *boot)
{
	char mr_td[2 * TDX_MR_LEN + 1];
	struct ks_audit_event ev = {
		.peer = req->peer, .session = req->cookie, .event = "attest",
		.decision = decision, .reason = reason,
		.tcb_status = tcb_status >= 0 ? vf_tcb_status_name(tcb_status) : NULL, .boot = boot,
	};

	if (td) {
		hex_encode(td->mr_td, TDX_MR_LEN, mr_td);
		ev.mr_td = mr_td;
	}
	ks_audit_log(srv->audit, &ev);
}

static void audit(struct ks_server *srv, const struct ks_request *req, const char *decision,
		  const char *reason, const struct tdx_td_info *td, int tcb_status)
{
	audit_boot(srv, req, decision, reason, td, tcb_status, NULL);
}

/* A log seen lately, found while the body is parsed (attest_body.h ks_known_log_fn). */
struct known_log {
	struct ks_evlog_cache *cache;
	size_t len; /* 0: none */
	struct vf_boot_facts facts;
	uint8_t rtmr[4][TDX_MR_LEN];
};

static size_t known_log(void *ctx, const char *text, size_t avail)
{
	struct known_log *k = ctx;

	k->len = ks_evlog_cache_get_prefix(k->cache, text, avail, &k->facts, k->rtmr);
	return k->len;
}

/* The TD's event log: decoded, replayed and compared with the verified quote's RTMR0-2
 * (a mismatch refuses the attestation, as Trustee's verifier does). A log seen lately
 * is not decoded again (eventlog_cache.c): k holds it when the body's parse found it. */
static int boot_facts(struct ks_server *srv, const struct attest_input *in, const struct known_log *k,
		      const struct tdx_td_info *td, struct vf_boot_facts *out, char *reason, size_t rlen)
{
	_cleanup_free_ uint8_t *log = NULL;
	uint8_t rtmr[4][TDX_MR_LEN];
	size_t len;
	int r;

	if (k->len && k->len == in->eventlog_b64_len) {
		*out = k->facts;
		return vf_boot_facts_match(k->rtmr, td, reason, rlen);
	}
	if (!ks_evlog_cache_get(srv->evlog_cache, in->eventlog_b64, in->eventlog_b64_len, out, rtmr)) {
		r = ks_eventlog_b64_decode(in->eventlog_b64, in->eventlog_b64_len, &log, &len);
		if (r == -E2BIG)
			snprintf(reason, rlen, "eventlog_malformed: cc_eventlog larger than %u bytes", CCEL_LOG_MAX);
		else if (r == -EINVAL)
			snprintf(reason, rlen, "eventlog_malformed: cc_eventlog is not canonical base64");
		if (r < 0 || (r = vf_boot_facts_decode(log, len, out, rtmr, reason, rlen)) < 0)
			return r;
		ks_evlog_cache_put(srv->evlog_cache, in->eventlog_b64, in->eventlog_b64_len, out, rtmr);
	}
	return vf_boot_facts_match(rtmr, td, reason, rlen);
}

static void refuse(struct ks_server *srv, const struct ks_request *req, struct ks_reply *rep,
		   const char *reason, const struct tdx_td_info *td, int tcb_status)
{
	audit(srv, req, "reject", reason, td, tcb_status);
	ks_reply_error(rep, KBS_ERR_ATTESTATION, attest_failed);
}

/* The {"token":...} reply; out of memory = 500 without a body (ks_reply_json). */
static void reply_token(struct ks_reply *rep, const char *token)
{
	char body[KS_TOKEN_MAX + 16], *copy;
	int n = snprintf(body, sizeof(body), "{\"token\":\"%s\"}", token);

	copy = n > 0 && (size_t)n < sizeof(body) ? strdup(body) : NULL;
	if (!copy)
		log_errno(-ENOMEM, "attest: the token reply");
	ks_reply_json(rep, 200, copy, copy ? (size_t)n : 0);
}

/* DCAP verification against the collateral store (first sight of a platform: fetched,
 * bounded) or the collateral directory, with the operator's grace. Negative: reason says
 * why nothing was verified; -EAGAIN when the collateral may still come (retry later). */
static int verify(struct ks_server *srv, const uint8_t *quote, const struct tdx_quote *q,
		  struct vf_result *res, int64_t *graced, char *reason, size_t len)
{
	const char *where = srv->cfg.collateral_store ? srv->cfg.collateral_store : srv->cfg.collateral_dir;
	struct vf_platform plat;
	int r;

	r = ks_verify_quote(srv, quote, q, res, graced, &plat);
	if (r == -ENOENT && srv->cfg.collateral_store) {
		r = ks_coll_first_sight(srv->coll, &plat, reason, len);
		if (r < 0)
			return r == -ENOENT ? -ENOENT : -EAGAIN;
		r = ks_verify_quote(srv, quote, q, res, graced, &plat);
		if (r == -ENOENT) {
			snprintf(reason, len, "collateral_unavailable: FMSPC %s (%s CA) still incomplete "
				 "in the store after fetching", plat.fmspc_hex, vf_ca_name(plat.ca));
			return r;
		}
	}
	if (r < 0) {
		log_errno(r, "attest: cannot verify: collateral in %s unusable", where);
		snprintf(reason, len, "verifier_error: collateral unavailable");
	}
	return r;
}

void ks_handle_attest(struct ks_server *srv, const struct ks_request *req, struct ks_reply *rep)
{
	_cleanup_(ks_attest_body_clear) struct ks_attest_body body = { 0 };
	struct known_log known = { .cache = srv->evlog_cache };
	_cleanup_free_ uint8_t *quote = NULL;
	struct attest_input in = { 0 };
	struct ks_session s;
	struct ks_claims claims = { 0 };
	struct vf_result res;
	struct tdx_quote q;
	uint8_t id[KS_SESSION_ID_LEN];
	char reason[320], token[KS_TOKEN_MAX], expired[32], boot[VF_BOOT_CMDLINE_MAX + 320];
	const char *why = NULL;
	int64_t graced;
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
		if (ks_token_issue(srv->token_key, s.id, &s.claims, (s.expires_ms - mono_ms()) / 1000, token, sizeof(token)) < 0)
			return refuse(srv, req, rep, "token_error", &s.claims.verified.td, (int)s.claims.verified.tcb_status);
		reply_token(rep, token);
		ks_set_cookie(rep, &s);
		return;
	}
	ks_attest_body_parse(req->body, req->body_len, known_log, &known, &body);
	if (!body.root || parse_input(body.root, &in, &why) < 0)
		return refuse(srv, req, rep, why ? why : "malformed Attestation JSON", NULL, -1);
	if (body.eventlog_b64) {
		in.eventlog_b64 = body.eventlog_b64;
		in.eventlog_b64_len = body.eventlog_b64_len;
	} else {
		known.len = 0; /* the fast path did not take the text it matched */
	}
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
	r = verify(srv, quote, &q, &res, &graced, reason, sizeof(reason));
	if (r == -EAGAIN) {
		/* collateral the PCS may still deliver (unreachable, slow, busy): not a verdict on
		 * the evidence, so 503 and the client tries again later */
		audit(srv, req, "reject", reason, &q.td, -1);
		return ks_reply_error(rep, KBS_ERR_BUSY, "collateral for this platform is not available yet, retry later");
	}
	if (r < 0)
		return refuse(srv, req, rep, reason, &q.td, -1);
	if (!res.ok) {
		snprintf(reason, sizeof(reason), "%s: %s", vf_check_name(res.reason), res.reason_text);
		return refuse(srv, req, rep, reason, &q.td, (int)res.tcb_status);
	}
	/* The one place claims are made (../verify/claims.h): the session stores them, the
	 * cookie and the token both name that session. */
	claims.verified.td = q.td;
	claims.verified.tcb_status = res.tcb_status;
	if (in.eventlog_b64 && boot_facts(srv, &in, &known, &q.td, &claims.verified.boot, reason, sizeof(reason)) < 0)
		return refuse(srv, req, rep, reason, &q.td, (int)res.tcb_status);
	vf_boot_facts_summary(&claims.verified.boot, boot, sizeof(boot));
	memcpy(claims.tee_x, in.key.x, 32);
	memcpy(claims.tee_y, in.key.y, 32);
	r = ks_token_issue(srv->token_key, id, &claims, srv->cfg.session_lifetime_s, token, sizeof(token));
	if (r < 0) {
		log_errno(r, "attest: issuing a token");
		return refuse(srv, req, rep, "token_error", &q.td, (int)res.tcb_status);
	}
	if (ks_session_attest(srv->sessions, id, &claims) < 0)
		return refuse(srv, req, rep, "session expired during verification", &q.td, (int)res.tcb_status);
	if (graced) {
		vf_format_time(graced, expired, sizeof(expired));
		snprintf(reason, sizeof(reason), "collateral_grace: collateral in %s expired at %s, accepted "
			 "within collateral_grace_s=%u",
			 srv->cfg.collateral_store ? srv->cfg.collateral_store : srv->cfg.collateral_dir, expired,
			 srv->cfg.collateral_grace_s);
		log_warn("attest from %s: %s: refresh the collateral", req->peer, reason);
	}
	audit_boot(srv, req, "attested", graced ? reason : NULL, &q.td, (int)res.tcb_status, boot);
	reply_token(rep, token);
	ks_set_cookie(rep, &s);
}
