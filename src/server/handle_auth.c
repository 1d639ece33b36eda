/* SPDX-License-Identifier: Apache-2.0 */
/* POST /kbs/v0/auth: {"version":"0.4.0","tee":"tdx",...} -> nonce + kbs-session-id. */
#include "handler.h"
#include "kbs_error.h"
#include "server.h"
#include "../common/hex.h"
#include "../common/log.h"
#include "../common/mono_time.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

/* "Expires=" wants an IMF-fixdate. */
static void imf_date(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

void ks_set_cookie(struct ks_reply *rep, const struct ks_session *s)
{
	char id[KS_SESSION_ID_HEX], date[64];

	hex_encode(s->id, KS_SESSION_ID_LEN, id);
	imf_date(s->expires_wall, date, sizeof(date));
	snprintf(rep->set_cookie, sizeof(rep->set_cookie), "kbs-session-id=%s; Expires=%s", id, date);
}

/* A JSON string member equal to want, compared with its length: json-c strings may hold
 * "\u0000", which strcmp() would take for the end ("0.4.0\u0000junk" is not "0.4.0"). */
static bool member_is(json_object *obj, const char *key, const char *want)
{
	json_object *v;

	return json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_string) &&
	       (size_t)json_object_get_string_len(v) == strlen(want) &&
	       memcmp(json_object_get_string(v), want, strlen(want)) == 0;
}

/* At most one warning per 10 s and kind: a flood must not become a flood of log lines. */
static bool log_allowed(_Atomic int64_t *last)
{
	int64_t now = mono_ms(), prev = atomic_load(last);

	return now - prev >= 10 * 1000 && atomic_compare_exchange_strong(last, &prev, now);
}

static _Atomic int64_t last_full_ms = INT64_MIN / 2, last_quota_ms = INT64_MIN / 2;

static const char *check_request(const struct ks_request *req)
{
	json_object *obj = ks_json_parse(req->body, req->body_len);
	const char *why = NULL;

	if (!obj || !json_object_is_type(obj, json_type_object))
		why = "malformed Request JSON";
	else if (!member_is(obj, "version", "0.4.0"))
		why = "KBS Client Protocol Version Mismatch: expect =0.4.0";
	else if (!member_is(obj, "tee", "tdx"))
		why = "unsupported tee (this server accepts \"tdx\")";
	json_object_put(obj);
	return why;
}

void ks_handle_auth(struct ks_server *srv, const struct ks_request *req, struct ks_reply *rep)
{
	struct ks_session s;
	char body[128];
	const char *why;
	int r;

	why = check_request(req);
	if (why) {
		char detail[160];

		snprintf(detail, sizeof(detail), "Attestation error: RCAR handshake Auth failed: %s", why);
		ks_reply_error(rep, KBS_ERR_ATTESTATION, detail);
		return;
	}
	r = ks_session_create(srv->sessions, req->peer_key, &s);
	if (r < 0) {
		if (r == -ENOSPC && log_allowed(&last_full_ms))
			log_warn("auth from %s refused: session table full, nothing to evict (%u; raise max_sessions?)",
				 req->peer, srv->cfg.max_sessions);
		if (r == -EBUSY && log_allowed(&last_quota_ms))
			log_warn("auth from %s refused: %u challenges from this address unanswered "
				 "(max_challenges_per_address; a flood, or many TDs behind one NAT?)",
				 req->peer, srv->cfg.max_challenges_per_address);
		/* A full table is an overload, not a refusal: 503 makes clients retry instead of
		 * treating this server as permanently incompatible (their reading of a 401 here). */
		if (r == -ENOSPC || r == -EBUSY)
			ks_reply_error(rep, KBS_ERR_BUSY, "too many sessions, retry later");
		else
			ks_reply_error(rep, KBS_ERR_ATTESTATION, "Attestation error: RCAR handshake Auth failed");
		return;
	}
	int n = snprintf(body, sizeof(body), "{\"nonce\":\"%s\",\"extra-params\":\"\"}", s.nonce);
	char *copy = strdup(body);

	if (!copy) {
		/* no cookie without its nonce: the session stays unused and expires */
		log_errno(-ENOMEM, "auth: the challenge reply");
		ks_reply_error(rep, KBS_ERR_ATTESTATION, "Attestation error: out of memory");
		return;
	}
	ks_reply_json(rep, 200, copy, (size_t)n);
	ks_set_cookie(rep, &s);
}
