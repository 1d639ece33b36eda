/* SPDX-License-Identifier: Apache-2.0 */
/* The inner unlock step on a LUKS2 image: bind through the library, then open the
 * token's keyslot with the right secret, a wrong one (a misbehaving key server) and an
 * empty one; the header never changes. Needs root (libcryptsetup on a file); exit 77
 * otherwise. */
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

static char dir[] = "/tmp/test_luks_open.XXXXXX";
static char img[128], keyfile[128], secret_path[128];

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* A small LUKS2 image with passphrase "pass" in keyslot 0, PBKDF2 1000 (fast). */
static int setup(void **state)
{
	struct crypt_pbkdf_type pbkdf = { .type = CRYPT_KDF_PBKDF2, .hash = "sha256", .iterations = 1000,
					  .flags = CRYPT_PBKDF_NO_BENCHMARK };
	struct crypt_params_luks2 params = { .sector_size = 512 };
	struct crypt_device *cd;
	int fd;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(img, sizeof(img), "%s/img", dir);
	snprintf(keyfile, sizeof(keyfile), "%s/pass", dir);
	snprintf(secret_path, sizeof(secret_path), "%s/secret", dir);
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
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(img);
	unlink(keyfile);
	unlink(secret_path);
	rmdir(dir);
	return 0;
}

/* The header area (first 16 MiB), compared byte for byte. */
static unsigned char *read_header(void)
{
	size_t len = 16 << 20;
	unsigned char *buf = malloc(len);
	int fd = open(img, O_RDONLY);

	assert_non_null(buf);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, 0), (ssize_t)len);
	close(fd);
	return buf;
}

static void test_open_with_secret(void **state)
{
	struct luks_bind_opts bo = { .device = img, .urls = { "https://127.0.0.1:1" }, .n_urls = 1,
				     .resource = "default/luks/test", .ca_file = "/etc/tdx-unlock/ca.pem",
				     .secret_out = secret_path, .key_file = keyfile };
	_cleanup_crypt_ struct crypt_device *cd = NULL;
	struct luks_token tok;
	unsigned char good[LUKS_SECRET_LEN + 1], wrong[LUKS_SECRET_LEN], *before, *after;
	struct secret s = { good, LUKS_SECRET_LEN };
	int token, keyslot, fd;

	(void)state;
	assert_int_equal(luks_bind(&bo, &token, &keyslot), 0);
	assert_int_equal(token, 0);
	assert_int_equal(keyslot, 1);
	fd = open(secret_path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, good, sizeof(good)), LUKS_SECRET_LEN); /* 44 bytes, no newline */
	close(fd);

	assert_int_equal(luks_load(img, &cd), 0);
	assert_int_equal(luks_token_read(cd, token, &tok), 0);
	before = read_header();
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
	after = read_header();
	assert_memory_equal(before, after, 16 << 20);
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
