/* SPDX-License-Identifier: Apache-2.0 */
/* The client's parsers of the key server's answers (src/kbs/kbs_msgs.c): the session cookie
 * header, the /auth challenge and KBS error bodies. */
#include "kbs_testutil.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "kbs/kbs_msgs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int cookie(const char *line, char out[KBS_COOKIE_MAX + 1])
{
	return kbs_parse_cookie_header(line, strlen(line), out);
}

static void test_cookie(void **state)
{
	char c[KBS_COOKIE_MAX + 1] = "", longv[KBS_COOKIE_MAX + 64];

	(void)state;
	assert_int_equal(cookie("Set-Cookie: kbs-session-id=ab-12; Secure\r\n", c), 1);
	assert_string_equal(c, "ab-12");
	assert_int_equal(cookie("set-cookie:\tkbs-session-id=XyZ\r\n", c), 1);
	assert_string_equal(c, "XyZ");
	/* other headers and other cookies are not ours: nothing changes */
	assert_int_equal(cookie("Content-Type: application/json\r\n", c), 0);
	assert_int_equal(cookie("Set-Cookie: other=1\r\n", c), 0);
	assert_string_equal(c, "XyZ");
	/* ours, but unusable: refused, nothing copied */
	assert_int_equal(cookie("Set-Cookie: kbs-session-id=; Secure\r\n", c), -EBADMSG);
	assert_int_equal(cookie("Set-Cookie: kbs-session-id=a b\r\n", c), -EBADMSG);
	assert_int_equal(cookie("Set-Cookie: kbs-session-id=a\"b\r\n", c), -EBADMSG);
	snprintf(longv, sizeof(longv), "Set-Cookie: kbs-session-id=%0*d\r\n", KBS_COOKIE_MAX + 1, 0);
	assert_int_equal(cookie(longv, c), -EBADMSG);
	assert_string_equal(c, "XyZ");
	/* the length bounds the line: no NUL needed */
	assert_int_equal(kbs_parse_cookie_header("Set-Cookie: kbs-session-id=abcdef", 30, c), 1);
	assert_string_equal(c, "abc");
}

static void test_challenge(void **state)
{
	char nonce[KBS_NONCE_MAX + 1], detail[128], big[KBS_NONCE_MAX + 64];
	enum kbs_hash h;

	(void)state;
	assert_int_equal(kbs_parse_challenge("{\"nonce\":\"bm9uY2U=\",\"extra-params\":\"\"}", nonce, &h, detail,
					     sizeof(detail)), 0);
	assert_string_equal(nonce, "bm9uY2U=");
	assert_int_equal(h, KBS_HASH_SHA384);
	assert_int_equal(kbs_parse_challenge("{\"nonce\":\"n\",\"extra-params\":{\"selected-hash-algorithm\":\"sha256\"}}",
					     nonce, &h, detail, sizeof(detail)), 0);
	assert_int_equal(h, KBS_HASH_SHA256);
	assert_int_equal(kbs_parse_challenge("{\"nonce\":\"n\",\"extra-params\":{\"selected-hash-algorithm\":\"md5\"}}",
					     nonce, &h, detail, sizeof(detail)), -EBADMSG);
	assert_non_null(strstr(detail, "unsupported hash"));
	static const char *const bad[] = { "", "{}", "[]", "{\"nonce\":\"\"}", "{\"nonce\":7}", "{\"nonce\":null}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		detail[0] = '\0';
		assert_int_equal(kbs_parse_challenge(bad[i], nonce, &h, detail, sizeof(detail)), -EBADMSG);
		assert_non_null(strstr(detail, "nonce"));
	}
	snprintf(big, sizeof(big), "{\"nonce\":\"%0*d\"}", KBS_NONCE_MAX + 1, 0);
	assert_int_equal(kbs_parse_challenge(big, nonce, &h, detail, sizeof(detail)), -EBADMSG);
}

#define KBS_ERR "https://github.com/confidential-containers/kbs/errors/"

/* A KBS error body, the buffer size given to the parser (0: the whole buffer) and what it
 * must leave there. */
struct err_case {
	const char *body;
	size_t size;
	const char *want;
};

/* Runs the cases through parse in order, into one buffer (so a "" result shows the parser
 * cleared what the case before left there). */
static void expect_err_cases(void (*parse)(const char *, char *, size_t), const struct err_case *cases, size_t n)
{
	char out[64];

	for (size_t i = 0; i < n; i++) {
		parse(cases[i].body, out, cases[i].size ? cases[i].size : sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
}

static void test_error_variant(void **state)
{
	static const struct err_case cases[] = {
		{ "{\"type\":\"" KBS_ERR "PolicyDeny\",\"detail\":\"no\"}", 0, "PolicyDeny" },
		/* not the KBS error namespace */
		{ "{\"type\":\"https://example.com/errors/PolicyDeny\"}", 0, "" },
		{ "<html>502 Bad Gateway</html>", 0, "" },
		/* cut to the buffer */
		{ "{\"type\":\"" KBS_ERR "AVariantNameMuchLongerThanTheBufferCanHoldAtAll\"}", 8, "AVarian" },
	};

	(void)state;
	expect_err_cases(kbs_parse_error_variant, cases, ARRAY_SIZE(cases));
}

static void test_error_detail(void **state)
{
	static const struct err_case cases[] = {
		{ "{\"type\":\"" KBS_ERR "PolicyDeny\","
		  "\"detail\":\"Access denied by policy: cmdline \\\"quiet\\\" not allowed\"}",
		  0, "Access denied by policy: cmdline \"quiet\" not allowed" },
		/* control characters replaced */
		{ "{\"type\":\"" KBS_ERR "PolicyDeny\",\"detail\":\"a\\nb\\u001b[31mc\"}", 0, "a?b?[31mc" },
		{ "{\"type\":\"https://example.com/errors/PolicyDeny\",\"detail\":\"x\"}", 0, "" },
		{ "{\"type\":\"" KBS_ERR "X\",\"detail\":7}", 0, "" },
		/* cut to the buffer */
		{ "{\"type\":\"" KBS_ERR "X\",\"detail\":\"0123456789\"}", 5, "0123" },
	};

	(void)state;
	expect_err_cases(kbs_parse_error_detail, cases, ARRAY_SIZE(cases));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_challenge),
		cmocka_unit_test(test_error_variant),
		cmocka_unit_test(test_error_detail),
	};
	log_set_sink(kbs_test_quiet, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
