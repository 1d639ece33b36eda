/* SPDX-License-Identifier: Apache-2.0 */
/* Resources: read into the thread's locked buffer, wiped on release, refused when the file
 * is readable by others or too large; each thread has its own buffer. */
#include "testutil.h"
#include "server/resources.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/ks-res-XXXXXX";

static void put(const char *name, const void *data, size_t len, mode_t mode)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/r/t/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static int setup(void **state)
{
	char path[256];
	static uint8_t big[KS_RESOURCE_MAX + 1];

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/r", dir);
	if (mkdir(path, 0700) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/r/t", dir);
	if (mkdir(path, 0700) < 0)
		return -1;
	put("a", "first secret", 12, 0600);
	put("b", "2nd", 3, 0600);
	put("open", "x", 1, 0644);
	put("big", big, sizeof(big), 0600);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_read_release(void **state)
{
	struct secret a = { 0 }, b = { 0 };
	uint8_t *buf;

	(void)state;
	assert_int_equal(ks_resource_read(dir, "r/t/a", &a), 0);
	assert_int_equal(a.len, 12);
	assert_memory_equal(a.data, "first secret", 12);
	buf = a.data;
	ks_resource_release(&a);
	assert_null(a.data);
	assert_int_equal(a.len, 0);
	assert_int_equal(buf[0], 0); /* wiped in place */
	assert_int_equal(buf[11], 0);
	/* the next read reuses the thread's buffer */
	assert_int_equal(ks_resource_read(dir, "r/t/b", &b), 0);
	assert_ptr_equal(b.data, buf);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "2nd", 3);
	ks_resource_release(&b);
}

static void test_refusals(void **state)
{
	struct secret s = { 0 };

	(void)state;
	assert_int_equal(ks_resource_read(dir, "r/t/missing", &s), -ENOENT);
	assert_int_equal(ks_resource_read(dir, "r/t/open", &s), -EPERM);
	assert_int_equal(ks_resource_read(dir, "r/t/big", &s), -EFBIG);
	assert_null(s.data);
}

static void *other_thread(void *arg)
{
	struct secret s = { 0 };
	uint8_t **out = arg;

	if (ks_resource_read(dir, "r/t/a", &s) == 0 && s.len == 12 && memcmp(s.data, "first secret", 12) == 0)
		*out = s.data;
	ks_resource_release(&s);
	return NULL;
}

static void test_per_thread(void **state)
{
	struct secret s = { 0 };
	uint8_t *theirs = NULL;
	pthread_t t;

	(void)state;
	assert_int_equal(ks_resource_read(dir, "r/t/b", &s), 0);
	assert_int_equal(pthread_create(&t, NULL, other_thread, &theirs), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_non_null(theirs);
	assert_ptr_not_equal(theirs, s.data);
	assert_memory_equal(s.data, "2nd", 3); /* untouched by the other thread's read */
	ks_resource_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_release),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_per_thread),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
