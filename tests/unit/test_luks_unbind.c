/* SPDX-License-Identifier: Apache-2.0 */
/* unbind on LUKS2 images: it removes the keyslot bind made and the token; a token that
 * lists a keyslot bind did not make (a tampered header: the passphrase's keyslot) is
 * refused with the header byte-identical, and so is a removal that would leave no
 * passphrase keyslot, even when that keyslot has bind's parameters. Needs root
 * (libcryptsetup on an image file); exit 77 otherwise. */
#include "testutil.h"
#include "luks_testutil.h"
#include "common/log.h"
#include "luks/luks.h"
#include "luks/luks_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/test_luks_unbind.XXXXXX";
static struct luks_test_image li;

/* A fresh image per test: passphrase "pass" in keyslot 0 (PBKDF2-sha256, 1000), then bind
 * (keyslot 1, token 0). */
static int setup(void **state)
{
	struct luks_bind_opts bo = { .urls = { "https://127.0.0.1:1" }, .n_urls = 1,
				     .resource = "default/luks/test", .ca_file = "/etc/tdx-unlock/ca.pem" };
	int token, keyslot;

	(void)state;
	if (luks_test_image_create(&li, dir) < 0)
		return -1;
	bo.device = li.img;
	bo.secret_out = li.secret_path;
	bo.key_file = li.keyfile;
	if (luks_bind(&bo, &token, &keyslot) < 0 || token != 0 || keyslot != 1)
		return -1;
	return 0;
}

/* Rewrites token 0 as a tampered header would: same token, other keyslots. */
static void tamper_token(const char *keyslots_json)
{
	_cleanup_crypt_ struct crypt_device *cd = NULL;
	char json[512];

	snprintf(json, sizeof(json),
		 "{\"type\":\"tdx-unlock\",\"keyslots\":%s,\"version\":1,\"kbs-urls\":[\"https://127.0.0.1:1\"],"
		 "\"resource\":\"default/luks/test\"}", keyslots_json);
	assert_int_equal(luks_load(li.img, &cd), 0);
	assert_int_equal(crypt_token_json_set(cd, 0, NULL), 0);
	assert_int_equal(crypt_token_json_set(cd, 0, json), 0);
}

static crypt_keyslot_info slot_status(int ks)
{
	_cleanup_crypt_ struct crypt_device *cd = NULL;

	assert_int_equal(luks_load(li.img, &cd), 0);
	return crypt_keyslot_status(cd, ks);
}

static void assert_refused_unchanged(int expect)
{
	unsigned char *before = luks_test_read_header(li.img), *after;

	assert_int_equal(luks_unbind(li.img, -1), expect);
	after = luks_test_read_header(li.img);
	assert_memory_equal(before, after, LUKS_TEST_HDR_LEN);
	free(before);
	free(after);
}

static void test_unbind_removes_bind_slot(void **state)
{
	(void)state;
	assert_int_equal(luks_unbind(li.img, -1), 0);
	assert_int_equal(slot_status(1), CRYPT_SLOT_INACTIVE);
	assert_true(slot_status(0) == CRYPT_SLOT_ACTIVE_LAST);
}

static void test_tampered_lists_passphrase_slot(void **state)
{
	(void)state;
	tamper_token("[\"0\"]");
	assert_refused_unchanged(-EPERM);
	tamper_token("[\"1\",\"0\"]");
	assert_refused_unchanged(-EPERM);
	assert_int_equal(slot_status(0), CRYPT_SLOT_ACTIVE);
	assert_int_equal(slot_status(1), CRYPT_SLOT_ACTIVE);
}

/* Keyslot 2 is a passphrase with exactly bind's KDF parameters and keyslot 0 is gone: a token
 * listing 1 and 2 would take the last passphrase. */
static void test_never_last_passphrase(void **state)
{
	_cleanup_crypt_ struct crypt_device *cd = NULL;
	struct crypt_pbkdf_type pbkdf = { .type = CRYPT_KDF_PBKDF2, .hash = LUKS_PBKDF_HASH,
					  .iterations = LUKS_PBKDF_ITERATIONS, .flags = CRYPT_PBKDF_NO_BENCHMARK };

	(void)state;
	assert_int_equal(luks_load(li.img, &cd), 0);
	assert_int_equal(crypt_set_pbkdf_type(cd, &pbkdf), 0);
	assert_int_equal(crypt_keyslot_add_by_passphrase(cd, 2, "pass", 4, "pass2", 5), 2);
	assert_int_equal(crypt_keyslot_destroy(cd, 0), 0);
	crypt_free(cd);
	cd = NULL;
	tamper_token("[\"1\",\"2\"]");
	assert_refused_unchanged(-EBUSY);
	assert_int_equal(slot_status(2), CRYPT_SLOT_ACTIVE);
	/* The honest token (keyslot 1 only) goes; keyslot 2 stays, the last passphrase. */
	tamper_token("[\"1\"]");
	assert_int_equal(luks_unbind(li.img, -1), 0);
	assert_int_equal(slot_status(2), CRYPT_SLOT_ACTIVE_LAST);
}

/* Only bind's keyslot and no passphrase at all: refused, header unchanged. */
static void test_no_passphrase_left(void **state)
{
	_cleanup_crypt_ struct crypt_device *cd = NULL;

	(void)state;
	assert_int_equal(luks_load(li.img, &cd), 0);
	assert_int_equal(crypt_keyslot_destroy(cd, 0), 0);
	assert_refused_unchanged(-EBUSY);
}

static int teardown(void **state)
{
	(void)state;
	luks_test_image_remove(&li);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unbind_removes_bind_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_lists_passphrase_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_last_passphrase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_passphrase_left, setup, teardown),
	};
	int r;

	if (geteuid() != 0) {
		printf("SKIP: needs root (libcryptsetup on an image file)\n");
		return 77;
	}
	if (!mkdtemp(dir))
		return 1;
	log_set_level(LOG_LVL_QUIET);
	luks_route_libcryptsetup_log();
	r = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return r;
}
