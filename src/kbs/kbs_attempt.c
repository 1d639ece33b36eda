/* SPDX-License-Identifier: Apache-2.0 */
#include "kbs_attempt.h"
#include "b64.h"
#include "ec_key.h"
#include "jwe_decrypt.h"
#include "kbs_msgs.h"
#include "runtime_data.h"
#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/mono_time.h"
#include "../common/resource_path.h"
#include "../tdx/evidence.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

const char *kbs_step_name(enum kbs_step s)
{
	static const char *const names[] = { "auth", "evidence", "attest", "resource", "decrypt" };

	return names[s];
}

static void json_putp(json_object **o) { json_object_put(*o); }
static void response_freep(struct kbs_response *r) { kbs_response_free(r); }

/* Sends one request bounded by the smaller of its own timeout and the deadline; maps a
 * non-200 answer to -EACCES/-ENOENT/-E2BIG/-EIO with the status noted in *res. */
static int request(struct kbs_http *h, const char *url, const char *body, long timeout_ms,
		   long long deadline_ms, struct kbs_response *resp, struct kbs_attempt_result *res)
{
	long long left = deadline_ms - mono_ms();
	int r;

	/* Forget the previous request's answer: a transport failure has no status. */
	res->status = 0;
	res->variant[0] = '\0';
	if (left <= 0)
		return -ETIMEDOUT;
	r = kbs_http_request(h, url, body, left < timeout_ms ? (long)left : timeout_ms, resp);
	if (r < 0) {
		snprintf(res->detail, sizeof(res->detail), "%s",
			 r == -EFBIG ? "response larger than 1 MiB" :
			 r == -EBADMSG ? "malformed kbs-session-id cookie" : resp->curl_error);
		return r;
	}
	res->status = resp->status;
	snprintf(res->variant, sizeof(res->variant), "%s", resp->variant);
	/* The server's reason (a policy denial names the component) for the attempt's line. */
	if (resp->status != 200 && resp->detail[0])
		snprintf(res->detail, sizeof(res->detail), "%s", resp->detail);
	if (resp->status == 200)
		return 0;
	return resp->status == 401 ? -EACCES : resp->status == 404 ? -ENOENT :
	       resp->status == 413 ? -E2BIG : -EIO;
}

static json_object *attest_body(const char *nonce, const char *x, const char *y, const char *quote_b64,
				const char *eventlog_b64)
{
	json_object *body = json_object_new_object(), *rt = json_object_new_object(),
		    *jwk = json_object_new_object(), *ev = json_object_new_object(),
		    *prim = json_object_new_object();

	if (!body || !rt || !jwk || !ev || !prim) {
		json_object_put(body); json_object_put(rt); json_object_put(jwk);
		json_object_put(ev); json_object_put(prim);
		return NULL;
	}
	/* Exactly the JWK members of kbs-protocol.md §6: extra ones break the hash. */
	json_object_object_add(jwk, "kty", json_object_new_string("EC"));
	json_object_object_add(jwk, "crv", json_object_new_string(KBS_EC_CRV));
	json_object_object_add(jwk, "alg", json_object_new_string(KBS_EC_ALG));
	json_object_object_add(jwk, "x", json_object_new_string(x));
	json_object_object_add(jwk, "y", json_object_new_string(y));
	json_object_object_add(rt, "nonce", json_object_new_string(nonce));
	json_object_object_add(rt, "tee-pubkey", jwk);
	json_object_object_add(prim, "cc_eventlog", eventlog_b64 ? json_object_new_string(eventlog_b64) : NULL);
	json_object_object_add(prim, "quote", json_object_new_string(quote_b64));
	json_object_object_add(ev, "primary_evidence", prim);
	json_object_object_add(ev, "additional_evidence", json_object_new_string(""));
	json_object_object_add(body, "init-data", NULL);
	json_object_object_add(body, "runtime-data", rt);
	json_object_object_add(body, "tee-evidence", ev);
	return body;
}

/* The nonce-bound quote, base64: REPORTDATA = H(canonical runtime data) || zeros. */
static int make_evidence(const struct kbs_client_opts *o, const char *nonce, enum kbs_hash hash,
			 const char *x, const char *y, long long deadline_ms, char **quote_b64,
			 struct kbs_attempt_result *res)
{
	struct evidence_opts eo = o->evidence;
	_cleanup_free_ char *canon = NULL;
	_cleanup_free_ uint8_t *quote = NULL;
	enum evidence_method method;
	uint8_t rd[64];
	size_t canon_len, qlen, blen;
	int r;

	res->step = KBS_STEP_EVIDENCE;
	res->status = 0; /* local step: the challenge's 200 is not this step's answer */
	r = kbs_runtime_data_canon(nonce, x, y, "", &canon, &canon_len);
	if (r < 0) {
		snprintf(res->detail, sizeof(res->detail), "nonce cannot be canonicalized");
		return r;
	}
	if ((r = kbs_report_data(hash, canon, canon_len, rd)) < 0)
		return r;
	/* Quote generation is part of the attempt: the host's QGS must not stretch it. */
	if (!eo.deadline_ms || deadline_ms < eo.deadline_ms)
		eo.deadline_ms = deadline_ms;
	r = evidence_get_quote(&eo, rd, &quote, &qlen, &method);
	if (r < 0) {
		snprintf(res->detail, sizeof(res->detail), "no quote from the platform");
		return r;
	}
	blen = kbs_b64_encoded_len(qlen) + 1;
	*quote_b64 = malloc(blen);
	if (!*quote_b64)
		return -ENOMEM;
	return kbs_b64_encode(quote, qlen, *quote_b64, blen);
}

void kbs_session_close(struct kbs_session *s)
{
	kbs_http_close(&s->h);
	kbs_ec_key_free(s->key);
	s->key = NULL;
}

int kbs_attempt_attest(const struct kbs_client_opts *o, const struct kbs_ca *ca, const char *base_url,
		       long long deadline_ms, struct kbs_session *s, struct kbs_attempt_result *res)
{
	static const char auth_body[] = "{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}}";
	_cleanup_(response_freep) struct kbs_response resp = { 0 };
	_cleanup_free_ char *quote_b64 = NULL;
	_cleanup_(json_putp) json_object *body = NULL;
	char url[KBS_BASE_URL_MAX + 64], nonce[KBS_NONCE_MAX + 1], x[KBS_EC_COORD_B64], y[KBS_EC_COORD_B64];
	size_t blen = strlen(base_url);
	enum kbs_hash hash;
	int r;

	memset(res, 0, sizeof(*res));
	while (blen && base_url[blen - 1] == '/')
		blen--;
	if (blen > KBS_BASE_URL_MAX) {
		snprintf(res->detail, sizeof(res->detail), "URL longer than %d characters", KBS_BASE_URL_MAX);
		return -EINVAL;
	}
	memcpy(s->base_url, base_url, blen);
	s->base_url[blen] = '\0';
	s->request_timeout_ms = o->request_timeout_ms;
	if ((r = kbs_http_open(&s->h, ca, o->connect_timeout_ms)) < 0)
		return r;

	res->step = KBS_STEP_AUTH;
	snprintf(url, sizeof(url), "%s/kbs/v0/auth", s->base_url);
	if ((r = request(&s->h, url, auth_body, o->request_timeout_ms, deadline_ms, &resp, res)) < 0)
		return r;
	if ((r = kbs_parse_challenge(resp.body ? resp.body : "", nonce, &hash, res->detail, sizeof(res->detail))) < 0)
		return r;
	if (!s->h.cookie[0]) {
		snprintf(res->detail, sizeof(res->detail), "no kbs-session-id cookie in the challenge");
		return -EBADMSG;
	}
	kbs_response_free(&resp);

	/* A fresh key per attempt: the resource is encrypted to the key of the quote. */
	if ((r = kbs_ec_key_generate(&s->key)) < 0 || (r = kbs_ec_key_jwk(s->key, x, y)) < 0)
		return r;
	if ((r = make_evidence(o, nonce, hash, x, y, deadline_ms, &quote_b64, res)) < 0)
		return r;

	res->step = KBS_STEP_ATTEST;
	body = attest_body(nonce, x, y, quote_b64, o->eventlog_b64);
	if (!body)
		return -ENOMEM;
	snprintf(url, sizeof(url), "%s/kbs/v0/attest", s->base_url);
	return request(&s->h, url, json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
		       o->attest_timeout_ms, deadline_ms, &resp, res);
}

int kbs_attempt_resources(struct kbs_session *s, const char *const *resources, size_t n,
			  struct secret *secrets, long long deadline_ms, struct kbs_attempt_result *res)
{
	_cleanup_(response_freep) struct kbs_response resp = { 0 };
	char url[KBS_BASE_URL_MAX + 64 + 3 * RESOURCE_COMPONENT_MAX + 2];
	int r;

	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < n; i++) {
		res->step = KBS_STEP_RESOURCE;
		snprintf(url, sizeof(url), "%s/kbs/v0/resource/%s", s->base_url, resources[i]);
		if ((r = request(&s->h, url, NULL, s->request_timeout_ms, deadline_ms, &resp, res)) < 0)
			return r;
		res->step = KBS_STEP_DECRYPT;
		r = kbs_jwe_decrypt(s->key, resp.body ? resp.body : "", resp.len, &secrets[i]);
		if (r < 0) {
			snprintf(res->detail, sizeof(res->detail), "JWE for %s rejected", resources[i]);
			return r;
		}
		kbs_response_free(&resp);
	}
	return 0;
}
