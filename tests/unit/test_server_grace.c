/* SPDX-License-Identifier: Apache-2.0 */
/* Issue 14 item 8: collateral_grace_s. Collateral whose validity ended at most
 * collateral_grace_s ago is accepted when the quote would have verified at the moment it
 * ended (one instant, every validity period checked there), logged and audited as such;
 * anything else (older expiry, a time before the collateral's, another failing check) is
 * refused as without grace. */
#include "server_flow_fixture.h"
#include "testutil.h"
#include "kbs/b64.h"
#include "kbs/ec_key.h"
#include "server/collateral_grace.h"
#include "tdx/quote.h"
#include "../sim/sim_quote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

static char when[40];

/* The earliest end of a validity period among the fixture's collateral and a quote's
 * certificates, as the verifier computes it. */
static int64_t earliest_expiry(void)
{
	struct sf_session s;
	struct kbs_ec_key *key;
	struct tdx_quote q;
	struct vf_result res;
	json_object *o, *v;
	const char *why, *b64;
	uint8_t *quote;
	size_t qlen;
	char *body;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	sf_do_auth(&s);
	body = sf_attest_body(&s, key, &sf_td_default, 0);
	o = json_tokener_parse(body);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "tee-evidence", &v));
	assert_true(json_object_object_get_ex(v, "primary_evidence", &v));
	assert_true(json_object_object_get_ex(v, "quote", &v));
	b64 = json_object_get_string(v);
	quote = malloc(strlen(b64));
	assert_non_null(quote);
	assert_int_equal(kbs_b64_decode(b64, strlen(b64), quote, strlen(b64), &qlen), 0);
	assert_int_equal(tdx_quote_parse(quote, qlen, &q, &why), 0);
	assert_int_equal(vf_verify_parsed(sf_srv.verifier, quote, &q, sf_srv.cfg.collateral_dir, time(NULL), &res), 0);
	assert_true(res.ok);
	json_object_put(o);
	free(quote);
	free(body);
	kbs_ec_key_free(key);
	return res.earliest_expiry;
}

static void at(int64_t t, unsigned grace)
{
	vf_format_time(t, when, sizeof(when));
	sf_srv.test_time = when;
	sf_srv.cfg.collateral_grace_s = grace;
}

static void attest_refused(const char *reason)
{
	struct sf_session s;
	struct kbs_ec_key *key;
	char *body;

	assert_int_equal(kbs_ec_key_generate(&key), 0);
	sf_do_auth(&s);
	body = sf_attest_body(&s, key, &sf_td_default, 0);
	sf_attest_refused(s.cookie, body, reason);
	free(body);
	kbs_ec_key_free(key);
}

static void test_grace(void **state)
{
	int64_t e = earliest_expiry();
	struct sf_session s;
	struct kbs_ec_key *key;
	struct ks_reply rep;
	json_object *line;
	char *body;
	off_t mark;

	(void)state;
	/* without grace: expired 10 s ago is refused */
	at(e + 10, 0);
	attest_refused("expired at");
	/* a grace shorter than the staleness: still refused */
	at(e + 10, 5);
	attest_refused("expired at");
	/* within the grace: attested, the audit line says so, and the resource is released */
	at(e + 10, 60);
	assert_int_equal(kbs_ec_key_generate(&key), 0);
	sf_do_auth(&s);
	body = sf_attest_body(&s, key, &sf_td_default, 0);
	mark = sf_audit_mark();
	sf_call("POST", "/kbs/v0/attest", body, s.cookie, NULL, &rep);
	assert_int_equal(rep.status, 200);
	sf_reply_free(&rep);
	line = sf_audit_since(mark, 1);
	assert_string_equal(sf_field(line, "decision"), "attested");
	assert_non_null(sf_field(line, "reason"));
	assert_non_null(strstr(sf_field(line, "reason"), "collateral_grace"));
	assert_non_null(strstr(sf_field(line, "reason"), "collateral_grace_s=60"));
	json_object_put(line);
	sf_fetch_ok(s.cookie, NULL, key);
	free(body);
	kbs_ec_key_free(key);
	/* grace does not excuse another failure */
	assert_int_equal(kbs_ec_key_generate(&key), 0);
	sf_do_auth(&s);
	body = sf_attest_body(&s, key, &sf_td_default, SIM_CORRUPT_QUOTE_SIG);
	sf_attest_refused(s.cookie, body, "expired at"); /* the first failing check */
	free(body);
	kbs_ec_key_free(key);
	/* nor a time before the collateral is valid (nothing expired: no grace applies) */
	at((int64_t)time(NULL) - 400 * 86400, 90 * 86400);
	attest_refused("not yet valid");
	sf_srv.test_time = NULL;
	sf_srv.cfg.collateral_grace_s = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grace),
	};
	return cmocka_run_group_tests(tests, sf_setup, sf_teardown);
}
