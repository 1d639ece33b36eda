/* SPDX-License-Identifier: Apache-2.0 */
/* The inner unlock step on a LUKS2 image: bind through the library, then open the
 * token's keyslot with the right secret, a wrong one (a misbehaving key server) and an
 * empty one; the header never changes. Needs root (libcryptsetup on a file); exit 77
 * otherwise. */
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

static char dir[] = "/tmp/test_luks_open.XXXXXX";
static struct luks_test_image li;

/* A small LUKS2 image with passphrase "pass" in keyslot 0, PBKDF2 1000 (fast). */
static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	return luks_test_image_create(&li, dir);
}

static int teardown(void **state)
{
	(void)state;
	luks_test_image_remove(&li);
	rmdir(dir);
	return 0;
}

static void test_open_with_secret(void **state)
{
	struct luks_bind_opts bo = { .device = li.img, .urls = { "https://127.0.0.1:1" }, .n_urls = 1,
				     .resource = "default/luks/test", .ca_file = "/etc/tdx-unlock/ca.pem",
				     .secret_out = li.secret_path, .key_file = li.keyfile };
	_cleanup_crypt_ struct crypt_device *cd = NULL;
	struct luks_token tok;
	unsigned char good[LUKS_SECRET_LEN + 1], wrong[LUKS_SECRET_LEN], *before, *after;
	struct secret s = { good, LUKS_SECRET_LEN };
	int token, keyslot, fd;

	(void)state;
	assert_int_equal(luks_bind(&bo, &token, &keyslot), 0);
	assert_int_equal(token, 0);
	assert_int_equal(keyslot, 1);
	fd = open(li.secret_path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, good, sizeof(good)), LUKS_SECRET_LEN); /* 44 bytes, no newline */
	close(fd);

	assert_int_equal(luks_load(li.img, &cd), 0);
	assert_int_equal(luks_token_read(cd, token, &tok), 0);
	before = luks_test_read_header(li.img);
	/* Right secret: the token's keyslot opens (check only, no device-mapper). */
	assert_int_equal(luks_open_with_secret(cd, &tok, NULL, &s, 0), keyslot);
	/* A misbehaving server's secret: -EPERM, nothing written. */
	memcpy(wrong, good, sizeof(wrong));
	wrong[0] ^= 1;
	s.data = wrong;
	assert_int_equal(luks_open_with_secret(cd, &tok, NULL, &s, 0), -EPERM);
	/* The passphrase of keyslot 0 is not tried through the token: only its keyslots are. */
	s.data = (unsigned char *)"pass";
	s.len = 4;
	assert_int_equal(luks_open_with_secret(cd, &tok, NULL, &s, 0), -EPERM);
	s.len = 0;
	assert_int_equal(luks_open_with_secret(cd, &tok, NULL, &s, 0), -EINVAL);
	after = luks_test_read_header(li.img);
	assert_memory_equal(before, after, LUKS_TEST_HDR_LEN);
	free(before);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_with_secret),
	};

	if (geteuid() != 0) {
		printf("SKIP: needs root (libcryptsetup on an image file)\n");
		return 77;
	}
	log_set_level(LOG_LVL_QUIET);
	luks_route_libcryptsetup_log();
	return cmocka_run_group_tests(tests, setup, teardown);
}
