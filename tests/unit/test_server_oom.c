/* SPDX-License-Identifier: Apache-2.0 */
/* Issue 14 item 8: a reply body that cannot be allocated. The handlers built their bodies
 * with strdup() and passed the length along unchecked, so out of memory gave a reply with
 * a length and no body, which the HTTP layer sent from a 1-byte static string (an
 * over-read into the response). This binary replaces strdup() (the handlers copy their
 * bodies with it; asprintf() would be __asprintf_chk under _FORTIFY_SOURCE) to fail for the
 * reply bodies ("{\"token\"..." / "{\"nonce\"...") and checks that every reply is
 * whole: a body of its length, or no body and length 0 (500). */
#include "server_flow_fixture.h"
#include "testutil.h"
#include "kbs/ec_key.h"
#include "server/handler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool fail_bodies;

static bool is_body(const char *s)
{
	return fail_bodies && (strncmp(s, "{\"token\"", 8) == 0 || strncmp(s, "{\"nonce\"", 8) == 0);
}

/* Interposed for the whole test binary (the server library included). */
char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (is_body(s))
		return NULL;
	p = malloc(n);
	return p ? memcpy(p, s, n) : NULL;
}

static void assert_whole(const struct ks_reply *rep)
{
	if (rep->body)
		assert_int_equal(strlen(rep->body), rep->len);
	else
		assert_int_equal(rep->len, 0);
}

static void call(const char *method, const char *path, const char *body, const char *cookie, struct ks_reply *rep)
{
	struct ks_request req = {
		.method = method, .path = path, .body = body ? body : "", .body_len = body ? strlen(body) : 0,
		.cookie = cookie, .peer = "192.0.2.9",
	};

	ks_handle(&sf_srv, &req, rep);
	assert_whole(rep);
}

static void test_reply_json_null_body(void **state)
{
	struct ks_reply rep = { 0 };

	(void)state;
	ks_reply_json(&rep, 200, NULL, 17);
	assert_int_equal(rep.status, 500);
	assert_null(rep.body);
	assert_int_equal(rep.len, 0);
}

static void test_auth_oom(void **state)
{
	struct ks_reply rep;

	(void)state;
	fail_bodies = true;
	call("POST", "/kbs/v0/auth", "{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":{}}", NULL, &rep);
	fail_bodies = false;
	assert_int_not_equal(rep.status, 200);
	assert_string_equal(rep.set_cookie, ""); /* no session handed out without its nonce */
	free(rep.body);
}

static void test_attest_oom(void **state)
{
	struct sf_session s;
	struct kbs_ec_key *key;
	struct ks_reply rep;
	char *body;

	(void)state;
	assert_int_equal(kbs_ec_key_generate(&key), 0);
	sf_do_auth(&s);
	body = sf_attest_body(&s, key, &sf_td_default, 0);
	fail_bodies = true;
	call("POST", "/kbs/v0/attest", body, s.cookie, &rep);
	assert_int_equal(rep.status, 500);
	free(rep.body);
	/* the repeated /attest of an attested session (the token re-issued) */
	call("POST", "/kbs/v0/attest", body, s.cookie, &rep);
	assert_int_equal(rep.status, 500);
	free(rep.body);
	fail_bodies = false;
	/* memory back: the session is attested, its token comes */
	call("POST", "/kbs/v0/attest", body, s.cookie, &rep);
	assert_int_equal(rep.status, 200);
	assert_non_null(strstr(rep.body, "{\"token\":\"ey"));
	free(rep.body);
	free(body);
	kbs_ec_key_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_json_null_body),
		cmocka_unit_test(test_auth_oom),
		cmocka_unit_test(test_attest_oom),
	};
	return cmocka_run_group_tests(tests, sf_setup, sf_teardown);
}
