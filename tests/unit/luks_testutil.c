/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers for the LUKS2 image tests (luks_testutil.h). */
#include "testutil.h"
#include "luks_testutil.h"
#include "common/fileio.h"

#include <fcntl.h>
#include <libcryptsetup.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int luks_test_image_create(struct luks_test_image *t, const char *dir)
{
	struct crypt_pbkdf_type pbkdf = { .type = CRYPT_KDF_PBKDF2, .hash = "sha256", .iterations = 1000,
					  .flags = CRYPT_PBKDF_NO_BENCHMARK };
	struct crypt_params_luks2 params = { .sector_size = 512 };
	struct crypt_device *cd;
	int fd, r;

	snprintf(t->img, sizeof(t->img), "%s/img", dir);
	snprintf(t->keyfile, sizeof(t->keyfile), "%s/pass", dir);
	snprintf(t->secret_path, sizeof(t->secret_path), "%s/secret", dir);
	unlink(t->secret_path);
	fd = open(t->img, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	r = ftruncate(fd, 20 << 20);
	close(fd);
	if (r < 0 || file_write_all(t->keyfile, (const uint8_t *)"pass", 4, 0600) < 0)
		return -1;
	if (crypt_init(&cd, t->img) < 0)
		return -1;
	r = crypt_set_pbkdf_type(cd, &pbkdf) < 0 ||
	    crypt_format(cd, CRYPT_LUKS2, "aes", "xts-plain64", NULL, NULL, 64, &params) < 0 ||
	    crypt_keyslot_add_by_volume_key(cd, 0, NULL, 0, "pass", 4) != 0;
	crypt_free(cd);
	return r ? -1 : 0;
}

void luks_test_image_remove(const struct luks_test_image *t)
{
	unlink(t->img);
	unlink(t->keyfile);
	unlink(t->secret_path);
}

unsigned char *luks_test_read_header(const char *img)
{
	unsigned char *buf = malloc(LUKS_TEST_HDR_LEN);
	int fd = open(img, O_RDONLY);

	assert_non_null(buf);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, LUKS_TEST_HDR_LEN, 0), (ssize_t)LUKS_TEST_HDR_LEN);
	close(fd);
	return buf;
}
