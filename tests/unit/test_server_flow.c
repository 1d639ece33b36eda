/* SPDX-License-Identifier: Apache-2.0 */
/* The key server's request handling in process (no HTTP): ks_handle() driven through
 * auth -> attest -> resource with simulator quotes bound to the client library's
 * REPORTDATA, and every refusal of kbs-protocol.md §12.2. Each case checks the HTTP status,
 * the KBS error variant, that no JWE / token / secret leaves, and the audit line. */
#include "server_flow_fixture.h"
#include "testutil.h"
#include "common/log.h"
#include "common/secmem.h"
#include "kbs/b64.h"
#include "kbs/ec_key.h"
#include "kbs/jwe_decrypt.h"
#include "kbs/runtime_data.h"
#include "server/handler.h"
#include "server/server.h"
#include "server/session.h"
#include "server/token.h"
#include "../sim/sim_pki.h"
#include "../sim/sim_quote.h"
#include "verify/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

/* ---- cases ------------------------------------------------------------------------- */

/* The demo resource is refused to a cookie without an attested session: 401 TokenNotFound,
 * audited as "no attested session". */
static void demo_refused_unattested(const char *cookie)
{
	sf_resource_refused("/kbs/v0/resource/" DEMO, cookie, NULL, 401, "TokenNotFound", "no attested session");
}

static void test_success(void **state)
{
	struct sf_session s;
	struct kbs_ec_key *key, *other;
	char *body, *token, *again, bearer[KS_TOKEN_MAX + 16];
	struct ks_reply rep;
	(void)state;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	sf_do_auth(&s);
	/* Before attestation the cookie does not authorize anything. */
	demo_refused_unattested(s.cookie);
	body = sf_attest_body(&s, key, &sf_td_default, 0);
	token = sf_attest_ok(&s, body);
	assert_int_equal(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."), strlen(token));
	sf_fetch_ok(s.cookie, NULL, key);
	sf_fetch_ok(s.cookie, NULL, key); /* the session stays usable until it expires */

	/* A repeated /attest returns a token without looking at the body (§4.2), even one
	 * with another key: the resource stays encrypted to the first key. */
	assert_int_equal(kbs_ec_key_generate(&other), 0);
	free(body);
	body = sf_attest_body(&s, other, &sf_td_default, 0);
	sf_call("POST", "/kbs/v0/attest", body, s.cookie, NULL, &rep);
	assert_int_equal(rep.status, 200);
	assert_non_null(strstr(rep.body, "{\"token\":\"ey"));
	sf_reply_free(&rep);
	sf_call("POST", "/kbs/v0/attest", "garbage", s.cookie, NULL, &rep);
	assert_int_equal(rep.status, 200);
	sf_reply_free(&rep);
	sf_fetch_ok(s.cookie, NULL, key);

	/* The token alone (no cookie) works as a Bearer credential. */
	snprintf(bearer, sizeof(bearer), "Bearer %s", token);
	sf_fetch_ok(NULL, bearer, key);
	/* A cookie that is not a session falls back to the bearer token. */
	sf_fetch_ok("00000000000000000000000000000000", bearer, key);

	/* Tampered: one character of the payload changed. */
	again = strdup(bearer);
	char *p = strchr(again, '.') + 10;
	*p = *p == 'A' ? 'B' : 'A';
	sf_resource_refused("/kbs/v0/resource/" DEMO, NULL, again, 401, "TokenVerifierError", "bearer token invalid");
	/* Tampered signature (last character). */
	strcpy(again, bearer);
	p = again + strlen(again) - 2;
	*p = *p == 'A' ? 'B' : 'A';
	sf_resource_refused("/kbs/v0/resource/" DEMO, NULL, again, 401, "TokenVerifierError", "bearer token invalid");
	/* Not a JWT at all, and an empty one. */
	sf_resource_refused("/kbs/v0/resource/" DEMO, NULL, "Bearer abc", 401, "TokenVerifierError", "bearer token invalid");
	sf_resource_refused("/kbs/v0/resource/" DEMO, NULL, "Bearer ", 401, "TokenVerifierError", "bearer token invalid");
	/* Another scheme is no credential. */
	sf_resource_refused("/kbs/v0/resource/" DEMO, NULL, "Basic dXNlcjpwYXNz", 401, "TokenNotFound", "no attested session");
	free(again);

	/* Correctly signed tokens that must not work: exp in the past; a session that does
	 * not exist (expired, or from before a restart); a session that is only challenged.
	 * The token names a session: the claims are always the session's (verify/claims.h). */
	{
		struct ks_claims c = { .verified = { .td = sf_td_default } };
		struct sf_session fresh;
		char signed_tok[KS_TOKEN_MAX];
		uint8_t id[KS_SESSION_ID_LEN];

		assert_int_equal(ks_session_id_parse(s.cookie, 32, id), 0);
		assert_int_equal(ks_token_issue(sf_srv.token_key, id, &c, -10, signed_tok, sizeof(signed_tok)), 0);
		snprintf(bearer, sizeof(bearer), "Bearer %s", signed_tok);
		sf_resource_refused("/kbs/v0/resource/" DEMO, NULL, bearer, 401, "TokenVerifierError", "bearer token expired");
		/* The same session, still valid: released, to the session's key (not c's). */
		assert_int_equal(ks_token_issue(sf_srv.token_key, id, &c, 60, signed_tok, sizeof(signed_tok)), 0);
		snprintf(bearer, sizeof(bearer), "Bearer %s", signed_tok);
		sf_fetch_ok(NULL, bearer, key);
		id[0] ^= 1;
		assert_int_equal(ks_token_issue(sf_srv.token_key, id, &c, 60, signed_tok, sizeof(signed_tok)), 0);
		snprintf(bearer, sizeof(bearer), "Bearer %s", signed_tok);
		sf_resource_refused("/kbs/v0/resource/" DEMO, NULL, bearer, 401, "TokenVerifierError",
				    "bearer token's session expired");
		sf_do_auth(&fresh);
		assert_int_equal(ks_session_id_parse(fresh.cookie, 32, id), 0);
		assert_int_equal(ks_token_issue(sf_srv.token_key, id, &c, 60, signed_tok, sizeof(signed_tok)), 0);
		snprintf(bearer, sizeof(bearer), "Bearer %s", signed_tok);
		sf_resource_refused("/kbs/v0/resource/" DEMO, NULL, bearer, 401, "TokenVerifierError",
				    "bearer token's session expired");
	}
	free(token);
	free(body);
	kbs_ec_key_free(key);
	kbs_ec_key_free(other);
}

static void test_auth_refusals(void **state)
{
	static const struct { const char *body, *detail; } cases[] = {
		{ "{\"version\":\"0.3.0\",\"tee\":\"tdx\",\"extra-params\":{}}", "Version Mismatch" },
		{ "{\"version\":\"0.4.1\",\"tee\":\"tdx\",\"extra-params\":{}}", "Version Mismatch" },
		{ "{\"tee\":\"tdx\",\"extra-params\":{}}", "Version Mismatch" },
		{ "{\"version\":\"0.4.0\",\"tee\":\"sgx\",\"extra-params\":{}}", "tee" },
		{ "{\"version\":\"0.4.0\",\"tee\":\"sample\",\"extra-params\":{}}", "tee" },
		{ "{\"version\":\"0.4.0\",\"extra-params\":{}}", "tee" },
		/* "\u0000" is not the end of a JSON string. */
		{ "{\"version\":\"0.4.0\\u0000\",\"tee\":\"tdx\",\"extra-params\":{}}", "Version Mismatch" },
		{ "{\"version\":\"0.4.0\",\"tee\":\"tdx\\u0000sgx\",\"extra-params\":{}}", "tee" },
		{ "{\"version\":\"0.4.0\",\"tee\":\"tdx\"", "malformed" },
		{ "[]", "malformed" },
		/* One complete document only: json-c alone would stop after the first object. */
		{ "{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}}}}", "malformed" },
		{ "{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}} {}", "malformed" },
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "malformed" },
		{ "", "malformed" },
	};
	struct ks_reply rep;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		off_t mark = sf_audit_mark();

		sf_call("POST", "/kbs/v0/auth", cases[i].body, NULL, NULL, &rep);
		assert_non_null(strstr(rep.body, "RCAR handshake Auth failed"));
		if (!strstr(rep.body, cases[i].detail))
			print_message("case %zu: %s\n", i, rep.body);
		assert_non_null(strstr(rep.body, cases[i].detail));
		sf_assert_error(&rep, 401, "AttestationError");
		sf_audit_since(mark, 0); /* no session, no decision about a TD */
	}
	/* An embedded NUL ends nothing: the bytes after it still count. */
	{
		static const char nul[] = "{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}}\0{\"x\":1}";
		struct ks_request req = { .method = "POST", .path = "/kbs/v0/auth", .body = nul,
					  .body_len = sizeof(nul) - 1, .peer = "192.0.2.7" };

		ks_handle(&sf_srv, &req, &rep);
		assert_non_null(strstr(rep.body, "malformed"));
		sf_assert_error(&rep, 401, "AttestationError");
	}
	/* Whitespace around the document is fine. */
	sf_call("POST", "/kbs/v0/auth", " {\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}}\r\n", NULL, NULL, &rep);
	assert_int_equal(rep.status, 200);
	sf_reply_free(&rep);
	/* Wrong methods on the protocol endpoints. */
	sf_call("GET", "/kbs/v0/auth", NULL, NULL, NULL, &rep);
	sf_assert_error(&rep, 404, "InvalidRequestPath");
	sf_call("GET", "/kbs/v0/attest", NULL, NULL, NULL, &rep);
	sf_assert_error(&rep, 404, "InvalidRequestPath");
	sf_call("POST", "/kbs/v0/resource/" DEMO, "x", NULL, NULL, &rep);
	sf_assert_error(&rep, 404, "InvalidRequestPath");
	sf_call("DELETE", "/kbs/v0/resource/" DEMO, NULL, NULL, NULL, &rep);
	sf_assert_error(&rep, 404, "InvalidRequestPath");
}

static void test_attest_cookie(void **state)
{
	struct sf_session s;
	struct kbs_ec_key *key;
	char *body;
	(void)state;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	sf_do_auth(&s);
	body = sf_attest_body(&s, key, &sf_td_default, 0);
	sf_attest_refused(NULL, body, "no kbs-session-id cookie");
	sf_attest_refused("", body, "no kbs-session-id cookie");
	sf_attest_refused("not-a-session", body, "no kbs-session-id cookie");
	sf_attest_refused("0123456789abcdef0123456789abcdeg", body, "no kbs-session-id cookie");
	sf_attest_refused("0123456789abcdef0123456789abcdef", body, "unknown session");
	/* The right session still works afterwards. */
	free(sf_attest_ok(&s, body));
	free(body);
	kbs_ec_key_free(key);
}

static void test_attest_malformed(void **state)
{
	struct sf_session s;
	struct kbs_ec_key *key;
	char *body, *bad;
	(void)state;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	sf_do_auth(&s);
	sf_attest_refused(s.cookie, "{", "malformed Attestation JSON");
	sf_attest_refused(s.cookie, "{}", "runtime-data.nonce missing");
	body = sf_attest_body(&s, key, &sf_td_default, 0);
	/* A JWK with another curve or algorithm. */
	bad = malloc(strlen(body) + 16);
	assert_non_null(bad);
	strcpy(bad, body);
	memcpy(strstr(bad, "P-256"), "P-384", 5);
	sf_attest_refused(s.cookie, bad, "tee-pubkey");
	strcpy(bad, body);
	memcpy(strstr(bad, "ECDH-ES+A256KW"), "ECDH-ES+A128KW", 14);
	sf_attest_refused(s.cookie, bad, "tee-pubkey");
	/* additional_evidence is mandatory. */
	strcpy(bad, body);
	memcpy(strstr(bad, "\"additional_evidence\""), "\"additional_evidencX\"", 21);
	sf_attest_refused(s.cookie, bad, "additional_evidence missing");
	/* The right nonce followed by "\u0000". */
	strcpy(bad, body);
	{
		char *n = strstr(bad, s.nonce) + strlen(s.nonce);

		memmove(n + 6, n, strlen(n) + 1);
		memcpy(n, "\\u0000", 6);
	}
	sf_attest_refused(s.cookie, bad, "runtime-data.nonce missing");
	/* A quote that is not canonical base64. */
	strcpy(bad, body);
	char *q = strstr(bad, "\"quote\":\"") + 9;
	q[3] = '*';
	sf_attest_refused(s.cookie, bad, "base64");
	/* A truncated quote (valid base64 of too few bytes). */
	strcpy(bad, body);
	q = strstr(bad, "\"quote\":\"") + 9;
	memcpy(q + 400, "\"},\"additional_evidence\":\"\"}}", 30);
	sf_attest_refused(s.cookie, bad, "header_valid");
	free(bad);
	/* None of this consumed the session. */
	free(sf_attest_ok(&s, body));
	free(body);
	kbs_ec_key_free(key);
}

/* A quote bound to an old session's nonce, replayed on a new session. */
static void test_replay(void **state)
{
	struct sf_session a, b;
	struct kbs_ec_key *key;
	char *body_a, *body_mix;
	(void)state;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	sf_do_auth(&a);
	body_a = sf_attest_body(&a, key, &sf_td_default, 0);
	free(sf_attest_ok(&a, body_a));
	sf_do_auth(&b);
	/* The old body as it was: its nonce is not b's. */
	sf_attest_refused(b.cookie, body_a, "nonce mismatch");
	/* b's nonce in runtime-data, but the quote still binds a's nonce. */
	body_mix = sf_attest_body_ex(b.nonce, key, a.nonce, key, &sf_td_default, 0);
	sf_attest_refused(b.cookie, body_mix, "report_data");
	demo_refused_unattested(b.cookie);
	free(body_mix);
	free(body_a);
	kbs_ec_key_free(key);
}

/* The quote was made over another key than the tee-pubkey sent. */
static void test_reportdata_mismatch(void **state)
{
	struct sf_session s;
	struct kbs_ec_key *key, *other;
	char *body;
	(void)state;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	assert_int_equal(kbs_ec_key_generate(&other), 0);
	sf_do_auth(&s);
	body = sf_attest_body_ex(s.nonce, key, s.nonce, other, &sf_td_default, 0);
	sf_attest_refused(s.cookie, body, "report_data");
	demo_refused_unattested(s.cookie);
	free(body);
	kbs_ec_key_free(key);
	kbs_ec_key_free(other);
}

static void test_session_expired(void **state)
{
	struct ks_sessions *saved = sf_srv.sessions;
	struct sf_session s, t;
	struct kbs_ec_key *key;
	char *body;
	(void)state;

	assert_int_equal(ks_sessions_new(16, 150, &sf_srv.sessions), 0); /* 150 ms lifetime */
	assert_int_equal(kbs_ec_key_generate(&key), 0);
	sf_do_auth(&s);
	body = sf_attest_body(&s, key, &sf_td_default, 0);
	usleep(300 * 1000);
	sf_attest_refused(s.cookie, body, "session expired");
	sf_attest_refused(s.cookie, body, "unknown session"); /* removed on expiry */
	free(body);

	/* Attested, then expired: the cookie no longer releases anything. */
	kbs_ec_key_free(key);
	key = sf_attested_session(&t, &sf_td_default);
	usleep(300 * 1000);
	demo_refused_unattested(t.cookie);
	kbs_ec_key_free(key);
	ks_sessions_free(sf_srv.sessions);
	sf_srv.sessions = saved;
}

static void test_policy_deny(void **state)
{
	struct tdx_td_info td = sf_td_default;
	struct sf_session s;
	struct kbs_ec_key *key;
	(void)state;

	/* Another MRTD: authentic evidence, attestation succeeds, the resource policy says no. */
	td.mr_td[0] ^= 0xff;
	key = sf_attested_session(&s, &td);
	sf_resource_refused("/kbs/v0/resource/" DEMO, s.cookie, NULL, 401, "PolicyDeny", "mr_td");
	kbs_ec_key_free(key);

	/* A debug TD (td_attributes bit 0), otherwise the pinned TD. */
	td = sf_td_default;
	td.td_attributes[0] |= 0x01;
	key = sf_attested_session(&s, &td);
	sf_resource_refused("/kbs/v0/resource/" DEMO, s.cookie, NULL, 401, "PolicyDeny", "debug TD");
	kbs_ec_key_free(key);

	/* Another RTMR2 (e.g. another kernel command line). */
	td = sf_td_default;
	td.rtmr[2][47] ^= 0x01;
	key = sf_attested_session(&s, &td);
	sf_resource_refused("/kbs/v0/resource/" DEMO, s.cookie, NULL, 401, "PolicyDeny", "rtmr2");
	kbs_ec_key_free(key);
}

static void test_resource_errors(void **state)
{
	static const char *const bad_paths[] = {
		"/kbs/v0/resource/default/../demo",
		"/kbs/v0/resource/../luks/demo",
		"/kbs/v0/resource/default/luks/..",
		"/kbs/v0/resource/default/luks/.hidden",
		"/kbs/v0/resource/default/luks/demo/extra",
		"/kbs/v0/resource/default/luks",
		"/kbs/v0/resource/default/luks/",
		"/kbs/v0/resource/default//demo",
		"/kbs/v0/resource/",
		"/kbs/v0/resource/default/luks/de%2fmo",
		"/kbs/v0/resource/default/luks/de mo",
	};
	struct sf_session s;
	struct kbs_ec_key *key;
	(void)state;

	key = sf_attested_session(&s, &sf_td_default);
	/* No policy: not a resource this server releases (Trustee's missing resource). */
	sf_resource_refused("/kbs/v0/resource/default/luks/nope", s.cookie, NULL, 401, "PluginInternalError",
			 "no policy for default/luks/nope");
	/* A policy but no file. */
	sf_resource_refused("/kbs/v0/resource/default/luks/missing", s.cookie, NULL, 401, "PluginInternalError",
			 "resource not found");
	/* A file readable by its group: refused, never released. */
	sf_resource_refused("/kbs/v0/resource/default/luks/loose", s.cookie, NULL, 401, "PluginInternalError",
			 "resource unreadable");
	/* Malformed paths never reach the file system (and name no resource to audit). */
	for (size_t i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++)
		sf_resource_refused(bad_paths[i], s.cookie, NULL, 401, "PluginInternalError", NULL);
	/* The session is still good for the real resource. */
	sf_fetch_ok(s.cookie, NULL, key);
	kbs_ec_key_free(key);
}

static void test_routing(void **state)
{
	struct ks_reply rep;
	off_t mark = sf_audit_mark();
	(void)state;

	sf_call("GET", "/kbs/v0/unknown", NULL, NULL, NULL, &rep);
	sf_assert_error(&rep, 404, "PluginNotFound");
	sf_call("POST", "/kbs/v0/attestation-policy", "{}", NULL, NULL, &rep);
	sf_assert_error(&rep, 404, "PluginNotFound");
	sf_call("GET", "/kbs/v0/", NULL, NULL, NULL, &rep);
	sf_assert_error(&rep, 404, "PluginNotFound");
	sf_call("GET", "/kbs/v1/auth", NULL, NULL, NULL, &rep);
	sf_assert_error(&rep, 404, "InvalidRequestPath");
	sf_call("GET", "/", NULL, NULL, NULL, &rep);
	sf_assert_error(&rep, 404, "InvalidRequestPath");
	sf_call("GET", "", NULL, NULL, NULL, &rep);
	sf_assert_error(&rep, 404, "InvalidRequestPath");
	sf_call("GET", "/healthz", NULL, NULL, NULL, &rep);
	assert_int_equal(rep.status, 200);
	assert_string_equal(rep.body, "{\"status\":\"ok\"}");
	sf_reply_free(&rep);
	sf_audit_since(mark, 0);
}

/* Evidence that fails DCAP verification: 401 and the check's code in the audit line. */
static void test_dcap_failure(void **state)
{
	static const struct { unsigned corrupt; const char *code; } cases[] = {
		{ SIM_CORRUPT_QUOTE_SIG, "quote_sig: " },
		{ SIM_CORRUPT_QE_REPORT_SIG, "qe_report_sig_by_pck: " },
		{ SIM_CORRUPT_QE_REPORTDATA, "qe_reportdata_hash: " },
	};
	struct kbs_ec_key *key;
	(void)state;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sf_session s;
		char *body;
		json_object *o;
		off_t mark;

		sf_do_auth(&s);
		body = sf_attest_body(&s, key, &sf_td_default, cases[i].corrupt);
		mark = sf_audit_mark();
		sf_attest_refused(s.cookie, body, cases[i].code);
		o = sf_audit_since(mark, 1);
		/* The reason starts with the stable check code; the MRTD is recorded too. */
		assert_int_equal(strncmp(sf_field(o, "reason"), cases[i].code, strlen(cases[i].code)), 0);
		assert_non_null(sf_field(o, "mr_td"));
		assert_string_equal(sf_field(o, "session"), s.cookie);
		json_object_put(o);
		demo_refused_unattested(s.cookie);
		free(body);
	}
	kbs_ec_key_free(key);
}

/* A full table makes room by evicting the oldest challenge, then the oldest attested
 * session (issue 14: anyone can create challenges, any TDX guest attested sessions); an
 * address over its quota of challenges gets 503 (transient: clients retry). */
static void test_session_table_full(void **state)
{
	struct ks_sessions *saved = sf_srv.sessions;
	struct sf_session s[4];
	struct kbs_ec_key *key;
	struct ks_reply rep;
	char *body;
	(void)state;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	assert_int_equal(ks_sessions_new(2, 60000, &sf_srv.sessions), 0);
	sf_do_auth(&s[0]);
	sf_do_auth(&s[1]);
	sf_do_auth(&s[2]); /* evicts s[0], the oldest challenge */
	body = sf_attest_body(&s[0], key, &sf_td_default, 0);
	sf_attest_refused(s[0].cookie, body, "unknown session");
	free(body);
	for (int i = 1; i <= 2; i++) {
		body = sf_attest_body(&s[i], key, &sf_td_default, 0);
		free(sf_attest_ok(&s[i], body));
		free(body);
	}
	sf_do_auth(&s[3]); /* full of attested sessions: s[1], attested first, goes */
	demo_refused_unattested(s[1].cookie);
	sf_fetch_ok(s[2].cookie, NULL, key);

	ks_sessions_set_challenge_limits(sf_srv.sessions, 60000, 1); /* s[3] is the one allowed */
	sf_call("POST", "/kbs/v0/auth", "{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}}", NULL, NULL, &rep);
	assert_non_null(strstr(rep.body, "too many sessions, retry later"));
	sf_assert_error(&rep, 503, "ServiceUnavailable");
	sf_reply_free(&rep);
	kbs_ec_key_free(key);
	ks_sessions_free(sf_srv.sessions);
	sf_srv.sessions = saved;
	sf_do_auth(&s[3]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success),
		cmocka_unit_test(test_auth_refusals),
		cmocka_unit_test(test_attest_cookie),
		cmocka_unit_test(test_attest_malformed),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_reportdata_mismatch),
		cmocka_unit_test(test_session_expired),
		cmocka_unit_test(test_policy_deny),
		cmocka_unit_test(test_resource_errors),
		cmocka_unit_test(test_routing),
		cmocka_unit_test(test_dcap_failure),
		cmocka_unit_test(test_session_table_full),
	};
	return cmocka_run_group_tests(tests, sf_setup, sf_teardown);
}
