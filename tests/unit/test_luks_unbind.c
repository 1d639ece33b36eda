/* SPDX-License-Identifier: Apache-2.0 */
/* unbind on LUKS2 images: it removes the keyslot bind made and the token; a token that
 * lists a keyslot bind did not make (a tampered header: the passphrase's keyslot) is
 * refused with the header byte-identical, and so is a removal that would leave no
 * passphrase keyslot, even when that keyslot has bind's parameters. Needs root
 * (libcryptsetup on an image file); exit 77 otherwise. */
#include "testutil.h"
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

#define HDR_LEN (16u << 20)

static char dir[] = "/tmp/test_luks_unbind.XXXXXX";
static char img[128], keyfile[128], secret_path[128];

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* A fresh image per test: passphrase "pass" in keyslot 0 (PBKDF2-sha256, 1000), then bind
 * (keyslot 1, token 0). */
static int setup(void **state)
{
	struct crypt_pbkdf_type pbkdf = { .type = CRYPT_KDF_PBKDF2, .hash = "sha256", .iterations = 1000,
					  .flags = CRYPT_PBKDF_NO_BENCHMARK };
	struct crypt_params_luks2 params = { .sector_size = 512 };
	struct luks_bind_opts bo = { .urls = { "https://127.0.0.1:1" }, .n_urls = 1,
				     .resource = "default/luks/test", .ca_file = "/etc/tdx-unlock/ca.pem" };
	struct crypt_device *cd;
	int fd, token, keyslot;

	(void)state;
	snprintf(img, sizeof(img), "%s/img", dir);
	snprintf(keyfile, sizeof(keyfile), "%s/pass", dir);
	snprintf(secret_path, sizeof(secret_path), "%s/secret", dir);
	unlink(secret_path);
	fd = open(img, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 20 << 20) < 0)
		return -1;
	close(fd);
	write_file(keyfile, "pass", 4);
	if (crypt_init(&cd, img) < 0)
		return -1;
	if (crypt_set_pbkdf_type(cd, &pbkdf) < 0 ||
	    crypt_format(cd, CRYPT_LUKS2, "aes", "xts-plain64", NULL, NULL, 64, &params) < 0 ||
	    crypt_keyslot_add_by_volume_key(cd, 0, NULL, 0, "pass", 4) != 0) {
		crypt_free(cd);
		return -1;
	}
	crypt_free(cd);
	bo.device = img;
	bo.secret_out = secret_path;
	bo.key_file = keyfile;
	if (luks_bind(&bo, &token, &keyslot) < 0 || token != 0 || keyslot != 1)
		return -1;
	return 0;
}

static unsigned char *read_header(void)
{
	unsigned char *buf = malloc(HDR_LEN);
	int fd = open(img, O_RDONLY);

	assert_non_null(buf);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, HDR_LEN, 0), (ssize_t)HDR_LEN);
	close(fd);
	return buf;
}

/* Rewrites token 0 as a tampered header would: same token, other keyslots. */
static void tamper_token(const char *keyslots_json)
{
	_cleanup_crypt_ struct crypt_device *cd = NULL;
	char json[512];

	snprintf(json, sizeof(json),
		 "{\"type\":\"tdx-unlock\",\"keyslots\":%s,\"version\":1,\"kbs-urls\":[\"https://127.0.0.1:1\"],"
		 "\"resource\":\"default/luks/test\"}", keyslots_json);
	assert_int_equal(luks_load(img, &cd), 0);
	assert_int_equal(crypt_token_json_set(cd, 0, NULL), 0);
	assert_int_equal(crypt_token_json_set(cd, 0, json), 0);
}

static crypt_keyslot_info slot_status(int ks)
{
	_cleanup_crypt_ struct crypt_device *cd = NULL;

	assert_int_equal(luks_load(img, &cd), 0);
	return crypt_keyslot_status(cd, ks);
}

static void assert_refused_unchanged(int expect)
{
	unsigned char *before = read_header(), *after;

	assert_int_equal(luks_unbind(img, -1), expect);
	after = read_header();
	assert_memory_equal(before, after, HDR_LEN);
	free(before);
	free(after);
}

static void test_unbind_removes_bind_slot(void **state)
{
	(void)state;
	assert_int_equal(luks_unbind(img, -1), 0);
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
	assert_int_equal(luks_load(img, &cd), 0);
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
	assert_int_equal(luks_unbind(img, -1), 0);
	assert_int_equal(slot_status(2), CRYPT_SLOT_ACTIVE_LAST);
}

/* Only bind's keyslot and no passphrase at all: refused, header unchanged. */
static void test_no_passphrase_left(void **state)
{
	_cleanup_crypt_ struct crypt_device *cd = NULL;

	(void)state;
	assert_int_equal(luks_load(img, &cd), 0);
	assert_int_equal(crypt_keyslot_destroy(cd, 0), 0);
	assert_refused_unchanged(-EBUSY);
}

static int teardown(void **state)
{
	(void)state;
	unlink(img);
	unlink(keyfile);
	unlink(secret_path);
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
