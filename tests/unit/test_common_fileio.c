/* SPDX-License-Identifier: Apache-2.0 */
/* file_read_regular, fd_read_all: reads regular files (also procfs ones that report size 0), refuses a
 * FIFO without blocking, a directory and a device, bounds the size, honours a deadline. */
#include "testutil.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/mono_time.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/test_common_fileio.XXXXXX";
static char path[160];

static void put(const char *name, const char *text)
{
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_regular(void **state)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;

	(void)state;
	put("ok", "url = https://kbs\n");
	assert_int_equal(file_read_regular(path, 64, mono_ms() + 10000, &buf, &len), 0);
	assert_int_equal(len, 18);
	assert_string_equal((char *)buf, "url = https://kbs\n");
	free(buf);
	buf = NULL;
	/* Exactly max bytes is fine, one more is not. */
	assert_int_equal(file_read_regular(path, 18, 0, &buf, &len), 0);
	free(buf);
	buf = NULL;
	assert_int_equal(file_read_regular(path, 17, 0, &buf, &len), -EFBIG);
	assert_null(buf);
	/* procfs says size 0: read to EOF. */
	assert_int_equal(file_read_regular("/proc/self/status", 1u << 20, 0, &buf, &len), 0);
	assert_true(len > 0 && strstr((char *)buf, "Name:") != NULL);
}

static void test_refused(void **state)
{
	uint8_t *buf = NULL;
	size_t len;
	int64_t start;

	(void)state;
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	start = mono_ms();
	assert_int_equal(file_read_regular(path, 64, 0, &buf, &len), -EINVAL); /* no writer: must not block */
	assert_true(mono_ms() - start < 2000);
	assert_int_equal(file_read_regular(dir, 64, 0, &buf, &len), -EINVAL);
	assert_int_equal(file_read_regular("/dev/zero", 64, 0, &buf, &len), -EINVAL);
	assert_int_equal(file_read_regular("/nonexistent/x", 64, 0, &buf, &len), -ENOENT);
	assert_null(buf);
	unlink(path);
	assert_string_equal(file_read_strerror(-EINVAL),
			    "not a regular file (a FIFO, device, socket or directory is refused)");
	assert_string_equal(file_read_strerror(-ENOENT), "No such file or directory");
}

static void test_deadline(void **state)
{
	uint8_t *buf = NULL;
	size_t len;

	(void)state;
	put("late", "x");
	assert_int_equal(file_read_regular(path, 64, mono_ms() - 1, &buf, &len), -ETIMEDOUT);
	assert_null(buf);
}

/* fd_read_all and file_read_regular share one loop: sizes past the first 4096-byte buffer
 * grow it up to max and no further, from a pipe as from a file. */
static void test_grow(void **state)
{
	static char big[10001];
	uint8_t *buf = NULL;
	size_t len;
	int p[2];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	put("big", big);
	assert_int_equal(file_read_regular(path, 10000, 0, &buf, &len), 0);
	assert_int_equal(len, 10000);
	assert_string_equal((char *)buf, big);
	free(buf);
	buf = NULL;
	assert_int_equal(file_read_regular(path, 9999, 0, &buf, &len), -EFBIG);
	assert_int_equal(file_read_all(path, 10000, &buf, &len), 0);
	assert_int_equal(len, 10000);
	assert_string_equal((char *)buf, big);
	free(buf);
	buf = NULL;
	assert_int_equal(file_read_all(path, 9999, &buf, &len), -EFBIG);
	assert_null(buf);
	unlink(path);

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], big, 5000), 5000);
	close(p[1]);
	assert_int_equal(fd_read_all(p[0], 5000, &buf, &len), 0);
	close(p[0]);
	assert_int_equal(len, 5000);
	assert_memory_equal(buf, big, 5000);
	assert_int_equal(buf[5000], '\0');
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_grow),
	};
	int r;

	if (!mkdtemp(dir))
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(path, sizeof(path), "%s/ok", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/late", dir);
	unlink(path);
	rmdir(dir);
	return r;
}
