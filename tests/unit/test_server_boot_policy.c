/* SPDX-License-Identifier: Apache-2.0 */
/* The key server with event logs, in process: a log that does not replay to the quote is
 * refused at /attest; boot-component policies decide alike through the cookie and the
 * Bearer token (both read the session's claims), deny with the component named in the audit
 * line and the KBS detail; the policy file is re-read on reload, an invalid one keeps the
 * policies in force. */
#include "evlog_builder.h"
#include "server_flow_fixture.h"
#include "common/cleanup.h"
#include "kbs/b64.h"
#include "server/policies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RES "boot/luks/"

/* An attestation body of td whose primary_evidence carries log[0..n) (NULL: none); with
 * escape, '/' is written "\/" (json-c's default; Trustee's attester and ours do not). */
static char *body_with_bytes(const struct sf_session *s, struct kbs_ec_key *key, const struct tdx_td_info *td,
			     const uint8_t *log, size_t n, bool escape)
{
	char *body = sf_attest_body(s, key, td, 0), *out, *b64;
	json_object *o = json_tokener_parse(body), *ev, *prim;

	assert_non_null(o);
	free(body);
	if (log) {
		b64 = malloc(kbs_b64_encoded_len(n) + 1);
		assert_non_null(b64);
		assert_int_equal(kbs_b64_encode(log, n, b64, kbs_b64_encoded_len(n) + 1), 0);
		assert_true(json_object_object_get_ex(o, "tee-evidence", &ev));
		assert_true(json_object_object_get_ex(ev, "primary_evidence", &prim));
		json_object_object_add(prim, "cc_eventlog", json_object_new_string(b64));
		free(b64);
	}
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							   (escape ? 0 : JSON_C_TO_STRING_NOSLASHESCAPE)));
	json_object_put(o);
	return out;
}

static char *body_with_log(const struct sf_session *s, struct kbs_ec_key *key, const struct tdx_td_info *td,
			   const struct logbuf *l)
{
	return body_with_bytes(s, key, td, l ? l->b : NULL, l ? l->n : 0, false);
}

/* A TD (the simulator's default) that booted b: its quote's RTMRs are the log's replay. */
static void td_of(const struct logbuf *l, struct tdx_td_info *td)
{
	*td = sf_td_default;
	td->has_tdx15 = false;
	evb_replay(l, td->rtmr);
}

static void install_policies(const char *json)
{
	sf_write_file("policy.json", json, 0600);
	assert_int_equal(ks_server_reload_policies(&sf_srv), 0);
}

static void write_policies(void)
{
	char k[97], k2[97], i[97], text[2048];

	evb_hex("kernel 6.1", k);
	evb_hex("kernel 6.2", k2);
	evb_hex("initrd 6.1", i);
	snprintf(text, sizeof(text),
		 "{\"" RES "allow\":{\"kernel\":[\"%s\"],\"initrd\":[\"%s\"],\"cmdline\":[\"" EVB_CMDLINE "\"]},"
		 "\"" RES "kernel\":{\"kernel\":[\"%s\"],\"initrd\":[\"%s\"],\"cmdline\":[\"" EVB_CMDLINE "\"]},"
		 "\"" RES "cmdline\":{\"kernel\":[\"%s\"],\"initrd\":[\"%s\"],\"cmdline\":[\"console=ttyS0 quiet\"]},"
		 "\"" RES "plain\":{}}", k, i, k2, i, k, i);
	sf_mkdirs("res/boot/luks");
	sf_write_file("res/" RES "allow", "c2VjcmV0", 0600);
	sf_write_file("res/" RES "kernel", "c2VjcmV0", 0600);
	sf_write_file("res/" RES "cmdline", "c2VjcmV0", 0600);
	sf_write_file("res/" RES "plain", "c2VjcmV0", 0600);
	install_policies(text);
}

/* GET resource by cookie and by Bearer token: same status and same audit reason. Returns
 * the status; reason and the KBS detail of the cookie path in the buffers. */
static unsigned ask_both(const char *resource, const struct sf_session *s, const char *bearer, char *reason,
			 char *detail)
{
	unsigned status[2];
	char why[2][600], path[160];

	snprintf(path, sizeof(path), "/kbs/v0/resource/%s", resource);
	for (int i = 0; i < 2; i++) {
		struct ks_reply rep;
		off_t mark = sf_audit_mark();
		json_object *line, *body;
		const char *r;

		sf_call("GET", path, NULL, i ? NULL : s->cookie, i ? bearer : NULL, &rep);
		status[i] = rep.status;
		if (i == 0 && detail) {
			body = rep.status == 200 ? NULL : json_tokener_parse(rep.body);
			snprintf(detail, 600, "%s", body ? json_object_get_string(json_object_object_get(body, "detail")) : "");
			json_object_put(body);
		}
		sf_reply_free(&rep);
		line = sf_audit_since(mark, 1);
		r = sf_field(line, "reason");
		snprintf(why[i], sizeof(why[i]), "%s", r ? r : "");
		json_object_put(line);
	}
	assert_int_equal(status[0], status[1]);
	assert_string_equal(why[0], why[1]);
	snprintf(reason, 600, "%s", why[0]);
	return status[0];
}

/* Attests td with log l; returns the "Bearer ..." header value (malloc'd). */
static char *attest(struct sf_session *s, struct kbs_ec_key **key, const struct tdx_td_info *td, const struct logbuf *l)
{
	char *body, *token, *bearer;

	assert_int_equal(kbs_ec_key_generate(key), 0);
	sf_do_auth(s);
	body = body_with_log(s, *key, td, l);
	token = sf_attest_ok(s, body);
	assert_true(asprintf(&bearer, "Bearer %s", token) > 0);
	free(token);
	free(body);
	return bearer;
}

static void test_log_must_replay(void **state)
{
	struct sf_session s;
	struct kbs_ec_key *key;
	struct logbuf l;
	struct tdx_td_info td = sf_td_default;
	char *body;
	(void)state;

	td.has_tdx15 = false;
	evb_build(&l, &(struct boot){ .kernel = "kernel 6.1", .initrd = "initrd 6.1", .cmdline = EVB_CMDLINE });
	assert_int_equal(kbs_ec_key_generate(&key), 0);
	sf_do_auth(&s);
	body = body_with_log(&s, key, &td, &l); /* the simulator's RTMRs, not this log's */
	sf_attest_refused(s.cookie, body, "eventlog_mismatch: RTMR0 replays to ");
	free(body);
	/* Cut inside a record: malformed. */
	td_of(&l, &td);
	l.n -= 30;
	sf_do_auth(&s);
	body = body_with_log(&s, key, &td, &l);
	sf_attest_refused(s.cookie, body, "eventlog_malformed: ");
	free(body);
	kbs_ec_key_free(key);
}

/* cc_eventlog "" is no log (kbs-protocol.md §4.1); other non-strings and non-canonical
 * base64 are refused. */
static void test_member_forms(void **state)
{
	static const struct {
		const char *value, *refusal; /* NULL: attested */
	} cases[] = {
		{ "\"\"", NULL },
		{ "null", NULL },
		{ "7", "cc_eventlog is not a string or null" },
		{ "{}", "cc_eventlog is not a string or null" },
		{ "\"AAAA=\"", "eventlog_malformed: cc_eventlog is not canonical base64" },
		{ "\"AAAA\"", "eventlog_malformed: shorter than the first" },
	};
	struct tdx_td_info td = sf_td_default;
	(void)state;

	td.has_tdx15 = false;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sf_session s;
		struct kbs_ec_key *key;
		char *body, *edited, *at;

		assert_int_equal(kbs_ec_key_generate(&key), 0);
		sf_do_auth(&s);
		body = sf_attest_body(&s, key, &td, 0);
		at = strstr(body, "\"cc_eventlog\":null");
		assert_non_null(at);
		assert_true(asprintf(&edited, "%.*s\"cc_eventlog\":%s%s", (int)(at - body), body, cases[i].value,
				     at + strlen("\"cc_eventlog\":null")) > 0);
		if (cases[i].refusal)
			sf_attest_refused(s.cookie, edited, cases[i].refusal);
		else
			free(sf_attest_ok(&s, edited));
		free(edited);
		free(body);
		kbs_ec_key_free(key);
	}
}

/* The audit line's boot field of the last attestation. */
static void last_boot(off_t mark, char *out, size_t len)
{
	json_object *line = sf_audit_since(mark, 1);

	assert_non_null(line);
	assert_non_null(sf_field(line, "boot"));
	snprintf(out, len, "%s", sf_field(line, "boot"));
	json_object_put(line);
}

/* A log sent again (a fleet booting one image) is not decoded again (eventlog_cache.c), but
 * each quote is still compared with its replay: a TD with other RTMRs that sends a known
 * log is refused. The same for the whole 64 KiB CCEL area (the body's fast path,
 * attest_body.c) and for a body whose writer escapes '/' (the plain JSON path). */
static void test_known_log(void **state)
{
	static uint8_t area[64 << 10];
	struct tdx_td_info td, other = sf_td_default;
	struct logbuf l;
	char first[1024], again[1024], *body;
	(void)state;

	other.has_tdx15 = false;
	evb_build(&l, &(struct boot){ .kernel = "kernel 6.1", .initrd = "initrd 6.1", .cmdline = EVB_CMDLINE });
	td_of(&l, &td);
	write_policies();
	memset(area, 0xff, sizeof(area));
	memcpy(area, l.b, l.n);
	for (int form = 0; form < 3; form++) {
		const uint8_t *log = form == 0 ? l.b : area;
		size_t n = form == 0 ? l.n : sizeof(area);

		for (int round = 0; round < 2; round++) {
			struct sf_session s;
			struct kbs_ec_key *key;
			off_t mark = sf_audit_mark();

			assert_int_equal(kbs_ec_key_generate(&key), 0);
			sf_do_auth(&s);
			body = body_with_bytes(&s, key, &td, log, n, form == 2);
			free(sf_attest_ok(&s, body));
			free(body);
			last_boot(mark, round ? again : first, sizeof(first));
			sf_do_auth(&s);
			body = body_with_bytes(&s, key, &other, log, n, form == 2);
			sf_attest_refused(s.cookie, body, "eventlog_mismatch: RTMR0 replays to ");
			free(body);
			kbs_ec_key_free(key);
		}
		assert_string_equal(first, again);
		assert_non_null(strstr(first, "kernel="));
	}
}

static void test_both_paths(void **state)
{
	struct sf_session s;
	struct kbs_ec_key *key;
	struct logbuf l;
	struct tdx_td_info td;
	char reason[600], detail[600], k[97], k2[97], *bearer;
	off_t mark;
	json_object *line;
	(void)state;

	write_policies();
	evb_hex("kernel 6.1", k);
	evb_hex("kernel 6.2", k2);
	evb_build(&l, &(struct boot){ .kernel = "kernel 6.1", .initrd = "initrd 6.1", .cmdline = EVB_CMDLINE });
	td_of(&l, &td);
	mark = sf_audit_mark();
	bearer = attest(&s, &key, &td, &l);
	line = sf_audit_since(mark, 1);
	assert_non_null(sf_field(line, "boot"));
	assert_true(strstr(sf_field(line, "boot"), "kernel=") == sf_field(line, "boot"));
	assert_non_null(strstr(sf_field(line, "boot"), k));
	json_object_put(line);

	assert_int_equal(ask_both(RES "allow", &s, bearer, reason, detail), 200);
	assert_int_equal(ask_both(RES "plain", &s, bearer, reason, detail), 200);
	assert_int_equal(ask_both(RES "kernel", &s, bearer, reason, detail), 401);
	assert_true(strstr(reason, "kernel ") == reason && strstr(reason, k) && strstr(reason, "not allowed"));
	assert_true(strstr(detail, "Access denied by policy: kernel ") == detail);
	assert_int_equal(ask_both(RES "cmdline", &s, bearer, reason, detail), 401);
	assert_true(strstr(reason, "cmdline not allowed") == reason);
	assert_non_null(strstr(detail, "cmdline not allowed"));
	free(bearer);
	kbs_ec_key_free(key);

	/* The same TD without its log: component policies refuse, others do not. */
	bearer = attest(&s, &key, &td, NULL);
	assert_int_equal(ask_both(RES "allow", &s, bearer, reason, detail), 401);
	assert_true(strstr(reason, "no event log") == reason);
	assert_int_equal(ask_both(RES "plain", &s, bearer, reason, detail), 200);
	free(bearer);
	kbs_ec_key_free(key);

	/* A kernel that is not allowed, appending the allowed one's digest after its own. */
	evb_build(&l, &(struct boot){ .kernel = "kernel 6.2", .initrd = "initrd 6.1", .cmdline = EVB_CMDLINE,
				  .append_kernel = "kernel 6.1" });
	td_of(&l, &td);
	bearer = attest(&s, &key, &td, &l);
	assert_int_equal(ask_both(RES "allow", &s, bearer, reason, detail), 401);
	assert_true(strstr(reason, "kernel ") == reason && strstr(reason, k2));
	free(bearer);
	kbs_ec_key_free(key);
}

/* SIGHUP's work: the new file replaces the policies; an invalid one keeps them. */
static void test_reload(void **state)
{
	struct sf_session s;
	struct kbs_ec_key *key;
	struct logbuf l;
	struct tdx_td_info td;
	char reason[600], detail[600], *bearer, k[97], i[97], text[1024];
	(void)state;

	write_policies();
	evb_build(&l, &(struct boot){ .kernel = "kernel 6.1", .initrd = "initrd 6.1", .cmdline = "console=ttyS0 debug" });
	td_of(&l, &td);
	bearer = attest(&s, &key, &td, &l);
	assert_int_equal(ask_both(RES "cmdline", &s, bearer, reason, detail), 401);
	evb_hex("kernel 6.1", k);
	evb_hex("initrd 6.1", i);
	/* the operator adds the new command line (merged by union) and reloads */
	snprintf(text, sizeof(text), "{\"" RES "cmdline\":{\"kernel\":[\"%s\"],\"initrd\":[\"%s\"],"
		 "\"cmdline\":[\"" EVB_CMDLINE "\",\"console=ttyS0 debug\"]}}", k, i);
	install_policies(text);
	assert_int_equal(ask_both(RES "cmdline", &s, bearer, reason, detail), 200);
	assert_int_equal(ask_both(RES "allow", &s, bearer, reason, detail), 401); /* gone from the file */
	assert_true(strstr(reason, "no policy for") == reason);
	/* A broken file (cut while written, or a typo) keeps the policies in force. */
	sf_write_file("policy.json", "{\"" RES "cmdline\":{\"kernel\":[", 0600);
	assert_true(ks_server_reload_policies(&sf_srv) < 0);
	assert_int_equal(ask_both(RES "cmdline", &s, bearer, reason, detail), 200);
	sf_write_file("policy.json", "{\"" RES "cmdline\":{\"kernal\":[]}}", 0600);
	assert_true(ks_server_reload_policies(&sf_srv) < 0);
	assert_int_equal(ask_both(RES "cmdline", &s, bearer, reason, detail), 200);
	/* A valid file that denies takes effect. */
	install_policies("{\"" RES "cmdline\":{\"mr_td\":[\"000000000000000000000000000000000000000000000000"
			 "000000000000000000000000000000000000000000000000\"]}}");
	assert_int_equal(ask_both(RES "cmdline", &s, bearer, reason, detail), 401);
	assert_true(strstr(reason, "mr_td ") == reason);
	free(bearer);
	kbs_ec_key_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_must_replay),
		cmocka_unit_test(test_member_forms),
		cmocka_unit_test(test_both_paths),
		cmocka_unit_test(test_known_log),
		cmocka_unit_test(test_reload),
	};
	return cmocka_run_group_tests(tests, sf_setup, sf_teardown);
}
