/* SPDX-License-Identifier: Apache-2.0 */
/* Issue 14 item 1: the cookie and the Bearer token decide alike on every policy member.
 * One TD (every measurement nonzero and distinct, so a member the token path lost would
 * read as zeros and differ) is attested once; a table of policies, one resource each, is
 * then asked for over the session cookie and over the session's token, and both must give
 * the table's answer with the same audit reason. The table covers every policy member for
 * allow / deny-other / deny-zero / empty list, plus tcb_status and allow_debug: a new
 * member of verify/claims.h and policy.c belongs here too. Runs for a v4 quote and a v5
 * (body type 3) quote. */
#include "server_flow_fixture.h"
#include "testutil.h"
#include "common/hex.h"
#include "kbs/ec_key.h"
#include "server/policies.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

struct member {
	const char *key;
	size_t off, len; /* in struct tdx_td_info */
	bool tdx15;      /* only in v5 body type 3 quotes */
};

static const struct member members[] = {
	{ "mr_td", offsetof(struct tdx_td_info, mr_td), 48, false },
	{ "rtmr0", offsetof(struct tdx_td_info, rtmr[0]), 48, false },
	{ "rtmr1", offsetof(struct tdx_td_info, rtmr[1]), 48, false },
	{ "rtmr2", offsetof(struct tdx_td_info, rtmr[2]), 48, false },
	{ "rtmr3", offsetof(struct tdx_td_info, rtmr[3]), 48, false },
	{ "mr_config_id", offsetof(struct tdx_td_info, mr_config_id), 48, false },
	{ "mr_owner", offsetof(struct tdx_td_info, mr_owner), 48, false },
	{ "mr_owner_config", offsetof(struct tdx_td_info, mr_owner_config), 48, false },
	{ "mr_seam", offsetof(struct tdx_td_info, mr_seam), 48, false },
	{ "xfam", offsetof(struct tdx_td_info, xfam), 8, false },
	{ "td_attributes", offsetof(struct tdx_td_info, td_attributes), 8, false },
};

#define MAX_CASES 64

struct pcase {
	char resource[64];
	char *policy; /* JSON object text */
	bool allow;
};

static struct pcase cases[MAX_CASES];
static size_t n_cases;

static void add_case(bool allow, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_case(bool allow, const char *fmt, ...)
{
	struct pcase *c = &cases[n_cases];
	va_list ap;

	assert_true(n_cases < MAX_CASES);
	snprintf(c->resource, sizeof(c->resource), "paths/policy/case%zu", n_cases);
	va_start(ap, fmt);
	assert_true(vasprintf(&c->policy, fmt, ap) > 0);
	va_end(ap);
	c->allow = allow;
	n_cases++;
}

/* The TD: the simulator's default with every measurement set to its own nonzero pattern. */
static void make_td(struct tdx_td_info *td)
{
	*td = sf_td_default;
	for (size_t m = 0; m < sizeof(members) / sizeof(members[0]); m++) {
		uint8_t *f = (uint8_t *)td + members[m].off;

		if (strcmp(members[m].key, "xfam") == 0 || strcmp(members[m].key, "td_attributes") == 0)
			continue; /* the simulator's values (nonzero, not debug) */
		for (size_t i = 0; i < members[m].len; i++)
			f[i] = (uint8_t)(0x40 + 7 * m + i);
	}
}

static void build_table(const struct tdx_td_info *td, const struct member *extra, size_t n_extra)
{
	char own[97], other[97], zero[97];

	n_cases = 0;
	for (size_t k = 0; k < sizeof(members) / sizeof(members[0]) + n_extra; k++) {
		const struct member *m = k < sizeof(members) / sizeof(members[0]) ? &members[k] :
					 &extra[k - sizeof(members) / sizeof(members[0])];
		const uint8_t *f = (const uint8_t *)td + m->off;

		hex_encode(f, m->len, own);
		memset(other, 'a', 2 * m->len);
		other[2 * m->len] = '\0';
		memset(zero, '0', 2 * m->len);
		zero[2 * m->len] = '\0';
		add_case(true, "{\"%s\":[\"%s\",\"%s\"]}", m->key, other, own);
		add_case(false, "{\"%s\":[\"%s\"]}", m->key, other);
		add_case(false, "{\"%s\":[\"%s\"]}", m->key, zero); /* what a lost member reads as */
		add_case(false, "{\"%s\":[]}", m->key);
	}
	add_case(true, "{}");
	add_case(false, "{\"tcb_status\":[\"OutOfDate\"]}");
	add_case(true, "{\"tcb_status\":[\"OutOfDate\",\"UpToDate\"]}");
	add_case(true, "{\"allow_debug\":true}");
}

/* Writes the table as the server's policy file (with a resource file each) and loads it. */
static void install_table(void)
{
	json_object *file = json_object_new_object();
	char rel[128];

	sf_mkdirs("res/paths/policy");
	for (size_t i = 0; i < n_cases; i++) {
		json_object *p = json_tokener_parse(cases[i].policy);

		assert_non_null(p);
		json_object_object_add(file, cases[i].resource, p);
		snprintf(rel, sizeof(rel), "res/%.63s", cases[i].resource);
		sf_write_file(rel, "c2VjcmV0", 0600);
	}
	sf_write_file("policy.json", json_object_to_json_string(file), 0600);
	json_object_put(file);
	ks_policies_free(sf_srv.policies);
	sf_srv.policies = NULL;
	assert_int_equal(ks_policies_load(sf_srv.cfg.policy_file, &sf_srv.policies), 0);
}

/* One request; returns the status, and the audit reason ("" for none) in reason. */
static unsigned ask(const char resource[64], const char *cookie, const char *authorization, char *reason, size_t len)
{
	struct ks_reply rep;
	char path[160];
	off_t mark = sf_audit_mark();
	json_object *line;
	const char *r;
	unsigned status;

	snprintf(path, sizeof(path), "/kbs/v0/resource/%.63s", resource);
	sf_call("GET", path, NULL, cookie, authorization, &rep);
	status = rep.status;
	sf_reply_free(&rep);
	line = sf_audit_since(mark, 1);
	r = sf_field(line, "reason");
	snprintf(reason, len, "%s", r ? r : "");
	json_object_put(line);
	return status;
}

static void run_both_paths(const struct tdx_td_info *td, const struct member *extra, size_t n_extra)
{
	struct sf_session s;
	struct kbs_ec_key *key;
	char *body, *token, bearer[4200], rc[320], rb[320];

	build_table(td, extra, n_extra);
	install_table();
	assert_int_equal(kbs_ec_key_generate(&key), 0);
	sf_do_auth(&s);
	body = sf_attest_body(&s, key, td, 0);
	token = sf_attest_ok(&s, body);
	snprintf(bearer, sizeof(bearer), "Bearer %s", token);
	for (size_t i = 0; i < n_cases; i++) {
		unsigned by_cookie = ask(cases[i].resource, s.cookie, NULL, rc, sizeof(rc));
		unsigned by_token = ask(cases[i].resource, NULL, bearer, rb, sizeof(rb));

		if (by_cookie != (cases[i].allow ? 200 : 401) || by_token != by_cookie || strcmp(rc, rb) != 0)
			print_message("policy %s: expected %s; cookie %u \"%s\", bearer %u \"%s\"\n", cases[i].policy,
				      cases[i].allow ? "allow" : "deny", by_cookie, rc, by_token, rb);
		assert_int_equal(by_cookie, cases[i].allow ? 200 : 401);
		assert_int_equal(by_token, by_cookie);
		assert_string_equal(rc, rb);
		free(cases[i].policy);
	}
	free(token);
	free(body);
	kbs_ec_key_free(key);
}

static void test_v4(void **state)
{
	struct tdx_td_info td;

	(void)state;
	make_td(&td);
	sf_quote_version = 4;
	run_both_paths(&td, NULL, 0);
}

/* v5 body type 3: the TDX 1.5 members too. */
static void test_v5(void **state)
{
	static const struct member tdx15[] = {
		{ "mr_servicetd", offsetof(struct tdx_td_info, mr_servicetd), 48, true },
		{ "tee_tcb_svn2", offsetof(struct tdx_td_info, tee_tcb_svn2), 16, true },
	};
	struct tdx_td_info td;

	(void)state;
	make_td(&td);
	td.has_tdx15 = true;
	memset(td.mr_servicetd, 0x5d, sizeof(td.mr_servicetd));
	sf_quote_version = 5;
	run_both_paths(&td, tdx15, 2);
	sf_quote_version = 4;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4),
		cmocka_unit_test(test_v5),
	};
	return cmocka_run_group_tests(tests, sf_setup, sf_teardown);
}
