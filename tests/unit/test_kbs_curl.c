/* SPDX-License-Identifier: Apache-2.0 */
/* The libcurl the client links (by default the slim static one of tools/build-libcurl.sh)
 * has what src/kbs/http.c and bench/kbs_load.c use: HTTPS over OpenSSL, IPv6, the threaded
 * resolver, and every option they set (curl_easy_setopt returns CURLE_UNKNOWN_OPTION or
 * CURLE_NOT_BUILT_IN for an option a configure flag took out, e.g. CURLOPT_COOKIE with
 * --disable-cookies, and the client does not check each call). */
#include "testutil.h"

#include <stdbool.h>
#include <string.h>

#include <curl/curl.h>

static void test_features(void **state)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	bool http = false, https = false;
	(void)state;

	assert_non_null(v);
	for (const char *const *p = v->protocols; *p; p++) {
		http |= strcmp(*p, "http") == 0;
		https |= strcmp(*p, "https") == 0;
	}
	assert_true(http && https);
	assert_true(v->features & CURL_VERSION_SSL);
	assert_true(v->features & CURL_VERSION_IPV6);
	assert_true(v->features & CURL_VERSION_ASYNCHDNS);
	assert_non_null(v->ssl_version);
	assert_int_equal(strncmp(v->ssl_version, "OpenSSL/3", 9), 0);
}

static size_t sink(char *d, size_t s, size_t n, void *u)
{
	(void)d, (void)u;
	return s * n;
}

static void test_options(void **state)
{
	char err[CURL_ERROR_SIZE];
	struct curl_slist *hdr = curl_slist_append(NULL, "Accept: application/json");
	CURL *c = curl_easy_init();
	(void)state;

	assert_non_null(c);
	assert_non_null(hdr);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_URL, "https://127.0.0.1:1/kbs/v0/auth"), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https"), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_CAINFO, "/nonexistent/ca.pem"), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 1000L), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 1000L), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sink), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_HEADERDATA, NULL), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_COOKIE, "kbs-session-id=0123abcd"), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}"), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 2L), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_HTTPGET, 1L), CURLE_OK);
	/* bench/kbs_load.c */
	assert_int_equal(curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_SSL_SESSIONID_CACHE, 0L), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
			 CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_CERTINFO, 1L), CURLE_OK);
	assert_int_equal(curl_easy_setopt(c, CURLOPT_CA_CACHE_TIMEOUT, 0L), CURLE_OK);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_options),
	};
	int r;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return r;
}
