/* SPDX-License-Identifier: Apache-2.0 */
#include "fileio.h"
#include "cleanup.h"
#include "mono_time.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads fd to EOF into a buffer of initial capacity cap (grown by doubling, never past
 * max + 1), checking deadline_ms (0 = none) before each read. */
static int read_to_eof(int fd, size_t cap, size_t max, long long deadline_ms, uint8_t **out, size_t *len)
{
	_cleanup_free_ uint8_t *buf = malloc(cap + 1);
	size_t n = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (deadline_ms && mono_ms() >= deadline_ms)
			return -ETIMEDOUT;
		if (n == cap) {
			uint8_t *nb;

			if (cap > max)
				return -EFBIG;
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max)
			return -EFBIG;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
	return 0;
}

int fd_read_all(int fd, size_t max, uint8_t **out, size_t *len)
{
	return read_to_eof(fd, 4096, max, 0, out, len);
}

int file_read_all(const char *path, size_t max, uint8_t **out, size_t *len)
{
	_cleanup_close_ int fd = -1;

	if (strcmp(path, "-") == 0)
		return fd_read_all(STDIN_FILENO, max, out, len);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return fd_read_all(fd, max, out, len);
}

int file_read_regular(const char *path, size_t max, long long deadline_ms, uint8_t **out, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	/* st_size is a hint only (procfs, configfs and sysfs say 0 or 4096): read to EOF. */
	return read_to_eof(fd, st.st_size > 0 && (uint64_t)st.st_size <= max ? (size_t)st.st_size : 4096, max,
			   deadline_ms, out, len);
}

const char *file_read_strerror(int err)
{
	switch (err) {
	case -EINVAL:
		return "not a regular file (a FIFO, device, socket or directory is refused)";
	case -EFBIG:
		return "larger than allowed";
	case -ETIMEDOUT:
		return "not read before the deadline (a slow file system?)";
	default:
		return strerror(-err);
	}
}

int write_full(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int file_write_all(const char *path, const uint8_t *buf, size_t len, unsigned mode)
{
	char tmp[PATH_MAX];
	int fd, r;

	if (strcmp(path, "-") == 0)
		return write_full(STDOUT_FILENO, buf, len);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	r = fchmod(fd, mode) < 0 ? -errno : 0;
	if (r == 0)
		r = write_full(fd, buf, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		unlink(tmp);
		return r;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return 0;
}
