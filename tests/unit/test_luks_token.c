/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-unlock token JSON: build/parse round trip, and every malformed case refused with
 * -EINVAL (validate = token skipped). */
#include "testutil.h"
#include "common/log.h"
#include "luks/token.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOOD "{\"type\":\"tdx-unlock\",\"keyslots\":[\"1\"],\"version\":1," \
	     "\"kbs-urls\":[\"https://kbs1.example:8443\",\"https://10.0.0.2:8443\"]," \
	     "\"resource\":\"default/luks/7f1c2e8a-root\",\"ca-file\":\"/etc/tdx-unlock/kbs-ca.pem\",\"timeout-s\":120}"

static void test_parse_good(void **state)
{
	struct luks_token t;

	(void)state;
	assert_int_equal(luks_token_parse(GOOD, &t), 0);
	assert_int_equal(t.n_keyslots, 1);
	assert_int_equal(t.keyslots[0], 1);
	assert_int_equal(t.n_urls, 2);
	assert_string_equal(t.urls[1], "https://10.0.0.2:8443");
	assert_string_equal(t.resource, "default/luks/7f1c2e8a-root");
	assert_string_equal(t.ca_file, "/etc/tdx-unlock/kbs-ca.pem");
	assert_int_equal(t.timeout_s, 120);
}

static void test_parse_minimal(void **state)
{
	struct luks_token t;

	(void)state;
	assert_int_equal(luks_token_parse("{\"type\":\"tdx-unlock\",\"keyslots\":[\"0\",\"31\"],\"version\":1,"
					  "\"kbs-urls\":[\"https://k\"],\"resource\":\"a/b/c\"}", &t), 0);
	assert_int_equal(t.n_keyslots, 2);
	assert_int_equal(t.keyslots[1], 31);
	assert_string_equal(t.ca_file, "");
	assert_int_equal(t.timeout_s, 0);
}

static void test_round_trip(void **state)
{
	struct luks_token t, u;
	char *json = NULL;

	(void)state;
	assert_int_equal(luks_token_parse(GOOD, &t), 0);
	assert_int_equal(luks_token_to_json(&t, &json), 0);
	assert_non_null(strstr(json, "\"keyslots\":[\"1\"]"));
	assert_non_null(strstr(json, "\"kbs-urls\":[\"https://kbs1.example:8443\""));
	assert_int_equal(luks_token_parse(json, &u), 0);
	assert_memory_equal(&t, &u, sizeof(t));
	free(json);
}

static void test_build_refuses_bad_fields(void **state)
{
	struct luks_token t;
	char *json = (char *)1;

	(void)state;
	assert_int_equal(luks_token_parse(GOOD, &t), 0);
	strcpy(t.urls[0], "http://plain.example");
	assert_int_equal(luks_token_to_json(&t, &json), -EINVAL);
	assert_null(json);
	assert_int_equal(luks_token_parse(GOOD, &t), 0);
	strcpy(t.resource, "../etc/passwd");
	assert_int_equal(luks_token_to_json(&t, &json), -EINVAL);
	assert_int_equal(luks_token_parse(GOOD, &t), 0);
	t.timeout_s = 4;
	assert_int_equal(luks_token_to_json(&t, &json), -EINVAL);
	assert_int_equal(luks_token_parse(GOOD, &t), 0);
	strcpy(t.ca_file, "relative.pem");
	assert_int_equal(luks_token_to_json(&t, &json), -EINVAL);
}

/* Replaces the first occurrence of from in GOOD by to. */
static char *mutate(const char *from, const char *to)
{
	const char *p = strstr(GOOD, from);
	char *out;

	assert_non_null(p);
	out = malloc(strlen(GOOD) - strlen(from) + strlen(to) + 1);
	assert_non_null(out);
	sprintf(out, "%.*s%s%s", (int)(p - GOOD), GOOD, to, p + strlen(from));
	return out;
}

static void test_malformed(void **state)
{
	static const struct { const char *from, *to; } cases[] = {
		{ "\"type\":\"tdx-unlock\"", "\"type\":\"kbs\"" },
		{ "\"type\":\"tdx-unlock\",", "" },                              /* type missing */
		{ "\"version\":1", "\"version\":2" },
		{ "\"version\":1", "\"version\":\"1\"" },
		{ "\"version\":1,", "" },                                        /* version missing */
		{ "[\"1\"]", "[]" },                                             /* no keyslot */
		{ "[\"1\"]", "[1]" },                                            /* number, not string */
		{ "[\"1\"]", "[\"32\"]" },
		{ "[\"1\"]", "[\"-1\"]" },
		{ "[\"1\"]", "[\"01\"]" },
		{ "[\"1\"]", "[\"1x\"]" },
		{ "[\"1\"]", "[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\"]" },
		{ "\"https://kbs1.example:8443\",", "\"http://kbs1.example:8443\"," },
		{ "\"https://kbs1.example:8443\",", "\"https://\"," },
		{ "\"https://kbs1.example:8443\",", "\"https://a b\"," },
		{ "\"https://kbs1.example:8443\",", "\"https:///x\"," },
		{ "\"https://kbs1.example:8443\",", "7," },
		{ "[\"https://kbs1.example:8443\",\"https://10.0.0.2:8443\"]", "[]" },
		{ "[\"https://kbs1.example:8443\",\"https://10.0.0.2:8443\"]", "\"https://kbs1.example\"" },
		{ "[\"https://kbs1.example:8443\",\"https://10.0.0.2:8443\"]",
		  "[\"https://a\",\"https://a\",\"https://a\",\"https://a\",\"https://a\",\"https://a\",\"https://a\",\"https://a\",\"https://a\"]" },
		{ "default/luks/7f1c2e8a-root", "default/luks" },
		{ "default/luks/7f1c2e8a-root", "default/luks/x/y" },
		{ "default/luks/7f1c2e8a-root", "default/../root" },
		{ "default/luks/7f1c2e8a-root", "default/luks/.hidden" },
		{ "default/luks/7f1c2e8a-root", "default/luks/a b" },
		{ "/etc/tdx-unlock/kbs-ca.pem", "kbs-ca.pem" },
		{ "/etc/tdx-unlock/kbs-ca.pem", "" },
		{ "\"timeout-s\":120", "\"timeout-s\":4" },
		{ "\"timeout-s\":120", "\"timeout-s\":3601" },
		{ "\"timeout-s\":120", "\"timeout-s\":12.5" },
		{ "\"timeout-s\":120", "\"timeout-s\":\"120\"" },
		{ "\"timeout-s\":120", "\"ca-pem\":\"-----BEGIN CERTIFICATE-----\"" }, /* unknown member */
		{ "\"timeout-s\":120}", "\"timeout-s\":120,}" },                  /* not JSON */
		{ "{", "[{" },
	};
	struct luks_token t;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *json = mutate(cases[i].from, cases[i].to);

		if (luks_token_parse(json, &t) != -EINVAL)
			fail_msg("accepted malformed token %zu: %s", i, json);
		free(json);
	}
}

static void test_oversize_and_odd_input(void **state)
{
	struct luks_token t;
	size_t big = LUKS_TOKEN_JSON_MAX + 100;
	char *json = malloc(big + 1);
	char url[LUKS_TOKEN_URL_MAX + 64];

	(void)state;
	assert_non_null(json);
	memset(json, ' ', big);
	memcpy(json, GOOD, strlen(GOOD));
	json[big] = '\0';
	assert_int_equal(luks_token_parse(json, &t), -EINVAL);
	free(json);
	assert_int_equal(luks_token_parse("", &t), -EINVAL);
	assert_int_equal(luks_token_parse("null", &t), -EINVAL);
	/* A URL one character too long. */
	memset(url, 'a', sizeof(url));
	memcpy(url, "https://", 8);
	url[LUKS_TOKEN_URL_MAX + 1] = '\0';
	json = malloc(strlen(GOOD) + sizeof(url) + 16);
	assert_non_null(json);
	sprintf(json, "{\"type\":\"tdx-unlock\",\"keyslots\":[\"1\"],\"version\":1,\"kbs-urls\":[\"%s\"],"
		"\"resource\":\"a/b/c\"}", url);
	assert_int_equal(luks_token_parse(json, &t), -EINVAL);
	url[LUKS_TOKEN_URL_MAX] = '\0';
	sprintf(json, "{\"type\":\"tdx-unlock\",\"keyslots\":[\"1\"],\"version\":1,\"kbs-urls\":[\"%s\"],"
		"\"resource\":\"a/b/c\"}", url);
	assert_int_equal(luks_token_parse(json, &t), 0);
	free(json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_minimal),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_build_refuses_bad_fields),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_oversize_and_odd_input),
	};

	log_set_level(LOG_LVL_QUIET);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
