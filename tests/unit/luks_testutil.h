/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the test_luks_* unit tests that work on a real LUKS2 image file (root):
 * the image fixture and a byte copy of its header area. */
#pragma once
#include <stddef.h>

/* The header area the tests compare byte for byte before and after an operation. */
#define LUKS_TEST_HDR_LEN (16u << 20)

/* One test image's files, all in one directory. */
struct luks_test_image {
	char img[128];         /* the 20 MiB image */
	char keyfile[128];     /* holds the passphrase "pass" */
	char secret_path[128]; /* where a test's bind writes the secret; not created here */
};

/* Fills in the paths under dir (which must exist), removes a secret file left by an
 * earlier test, writes the passphrase file and formats the image: LUKS2, passphrase "pass"
 * in keyslot 0 with PBKDF2-sha256 at 1000 iterations (fast). Returns 0, or -1 as a cmocka
 * setup does. */
int luks_test_image_create(struct luks_test_image *t, const char *dir);
/* Removes the three files (not the directory). */
void luks_test_image_remove(const struct luks_test_image *t);
/* The image's first LUKS_TEST_HDR_LEN bytes, malloc'd; fails the test on error. */
unsigned char *luks_test_read_header(const char *img);
