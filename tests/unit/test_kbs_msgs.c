/* SPDX-License-Identifier: Apache-2.0 */
/* The client's parsers of the key server's answers (src/kbs/kbs_msgs.c): the session cookie
 * header, the /auth challenge and KBS error bodies. */
#include "kbs_testutil.h"
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

static void test_error_variant(void **state)
{
	char v[48];

	(void)state;
	kbs_parse_error_variant("{\"type\":\"https://github.com/confidential-containers/kbs/errors/PolicyDeny\","
				"\"detail\":\"no\"}", v, sizeof(v));
	assert_string_equal(v, "PolicyDeny");
	kbs_parse_error_variant("{\"type\":\"https://example.com/errors/PolicyDeny\"}", v, sizeof(v));
	assert_string_equal(v, "");
	kbs_parse_error_variant("<html>502 Bad Gateway</html>", v, sizeof(v));
	assert_string_equal(v, "");
	kbs_parse_error_variant("{\"type\":\"https://github.com/confidential-containers/kbs/errors/"
				"AVariantNameMuchLongerThanTheBufferCanHoldAtAll\"}", v, 8);
	assert_string_equal(v, "AVarian");
}

static void test_error_detail(void **state)
{
	char d[64];

	(void)state;
	kbs_parse_error_detail("{\"type\":\"https://github.com/confidential-containers/kbs/errors/PolicyDeny\","
			       "\"detail\":\"Access denied by policy: cmdline \\\"quiet\\\" not allowed\"}", d, sizeof(d));
	assert_string_equal(d, "Access denied by policy: cmdline \"quiet\" not allowed");
	kbs_parse_error_detail("{\"type\":\"https://github.com/confidential-containers/kbs/errors/PolicyDeny\","
			       "\"detail\":\"a\\nb\\u001b[31mc\"}", d, sizeof(d));
	assert_string_equal(d, "a?b?[31mc");
	kbs_parse_error_detail("{\"type\":\"https://example.com/errors/PolicyDeny\",\"detail\":\"x\"}", d, sizeof(d));
	assert_string_equal(d, "");
	kbs_parse_error_detail("{\"type\":\"https://github.com/confidential-containers/kbs/errors/X\",\"detail\":7}", d, sizeof(d));
	assert_string_equal(d, "");
	kbs_parse_error_detail("{\"type\":\"https://github.com/confidential-containers/kbs/errors/X\","
			       "\"detail\":\"0123456789\"}", d, 5);
	assert_string_equal(d, "0123");
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
