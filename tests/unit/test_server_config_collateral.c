/* SPDX-License-Identifier: Apache-2.0 */
/* The key server's collateral configuration keys: collateral_store instead of
 * collateral_dir, pcs_url (needs a store), collateral_update, refresh/warn/wait bounds. */
#include "testutil.h"
#include "server/ks_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int load(const char *extra, struct ks_config *c)
{
	char path[] = "/tmp/ks-config-test.XXXXXX";
	int fd = mkstemp(path), r;
	FILE *f = fdopen(fd, "w");

	assert_non_null(f);
	fprintf(f, "{\"tls_cert\":\"/c.pem\",\"tls_key\":\"/k.pem\",\"resources_dir\":\"/r\","
		   "\"policy_file\":\"/p.json\"%s%s}", extra[0] ? "," : "", extra);
	fclose(f);
	r = ks_config_load(path, c);
	unlink(path);
	return r;
}

static void test_collateral_keys(void **state)
{
	struct ks_config c;

	(void)state;
	assert_int_equal(load("\"collateral_store\":\"/s\",\"pcs_url\":\"https://api.trustedservices.intel.com\","
			      "\"collateral_update\":\"early\",\"collateral_refresh\":3600,\"pcs_ca\":\"/ca.pem\"", &c), 0);
	assert_string_equal(c.collateral_store, "/s");
	assert_null(c.collateral_dir);
	assert_string_equal(c.pcs_url, "https://api.trustedservices.intel.com");
	assert_string_equal(c.collateral_update, "early");
	assert_int_equal(c.collateral_refresh_s, 3600);
	assert_int_equal(c.collateral_warn_days, 7);
	assert_int_equal(c.collateral_fetch_wait_s, 15);
	ks_config_free(&c);
	/* defaults with a plain collateral_dir */
	assert_int_equal(load("\"collateral_dir\":\"/d\"", &c), 0);
	assert_string_equal(c.collateral_update, "standard");
	assert_int_equal(c.collateral_refresh_s, 86400);
	assert_null(c.pcs_url);
	ks_config_free(&c);
}

static void test_collateral_errors(void **state)
{
	static const char *const bad[] = {
		"",                                                        /* neither dir nor store */
		"\"collateral_dir\":\"/d\",\"pcs_url\":\"https://x\"",     /* pcs_url without a store */
		"\"collateral_store\":\"/s\",\"pcs_url\":\"ftp://x\"",
		"\"collateral_store\":\"/s\",\"pcs_url\":\"https://x y\"",
		"\"collateral_store\":\"/s\",\"pcs_url\":7",
		"\"collateral_store\":\"/s\",\"collateral_update\":\"Standard\"",
		"\"collateral_store\":\"/s\",\"collateral_refresh\":0",
		"\"collateral_store\":\"/s\",\"collateral_warn_days\":0",
		"\"collateral_store\":\"/s\",\"collateral_fetch_wait_s\":3600",
		"\"collateral_store\":\"\"",
	};
	struct ks_config c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (load(bad[i], &c) == 0) {
			print_message("accepted: %s\n", bad[i]);
			fail();
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collateral_keys),
		cmocka_unit_test(test_collateral_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
