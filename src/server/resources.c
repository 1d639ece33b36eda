/* SPDX-License-Identifier: Apache-2.0 */
#include "resources.h"
#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/resource_path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* One locked buffer per server thread, mapped and mlock'ed on the thread's first resource:
 * an mlock/munlock pair per request cost ~20 µs (VMA split and merge, a TLB shootdown on
 * the other core). Best effort like secmem_alloc(): mlock may fail under RLIMIT_MEMLOCK. */
#define BUF_SIZE (KS_RESOURCE_MAX + 4096u)

static pthread_key_t buf_key;
static pthread_once_t buf_once = PTHREAD_ONCE_INIT;
static int buf_key_err;

static void buf_destroy(void *p)
{
	secure_wipe(p, BUF_SIZE);
	munmap(p, BUF_SIZE);
}

static void buf_key_init(void)
{
	buf_key_err = pthread_key_create(&buf_key, buf_destroy);
}

static uint8_t *thread_buf(void)
{
	void *p;

	pthread_once(&buf_once, buf_key_init);
	if (buf_key_err)
		return NULL;
	p = pthread_getspecific(buf_key);
	if (p)
		return p;
	p = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	(void)mlock(p, BUF_SIZE);
	(void)madvise(p, BUF_SIZE, MADV_DONTDUMP);
	if (pthread_setspecific(buf_key, p) != 0) {
		munmap(p, BUF_SIZE);
		return NULL;
	}
	return p;
}

void ks_resource_release(struct secret *s)
{
	secure_wipe(s->data, s->len);
	s->data = NULL;
	s->len = 0;
}

static bool force_walk;

void ks_resources_test_force_walk(bool on)
{
	force_walk = on;
}

/* Non-blocking: a FIFO (or a device) put there must not hold a server thread in open()
 * or read(); the file type is checked right after. */
#define FILE_FLAGS (O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)

/* Without openat2 (Linux < 5.6, or a seccomp filter that refuses it): one component at a
 * time, none of them a symbolic link. resource_path_valid() has ruled out "." and "..". */
static int open_walk(int dfd, const char *path)
{
	char comp[PATH_MAX];
	const char *p = path, *slash;
	_cleanup_close_ int cur = -1;
	int at = dfd, fd;

	while ((slash = strchr(p, '/'))) {
		if ((size_t)(slash - p) >= sizeof(comp))
			return -ENAMETOOLONG;
		memcpy(comp, p, (size_t)(slash - p));
		comp[slash - p] = '\0';
		fd = openat(at, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return errno == ENOTDIR ? -ELOOP : -errno; /* a symlink (or a file) on the way */
		if (cur >= 0)
			close(cur);
		at = cur = fd;
		p = slash + 1;
	}
	fd = openat(at, p, FILE_FLAGS);
	return fd < 0 ? -errno : fd;
}

/* Opens path beneath dir without following any symbolic link, on the way or at the end:
 * a link inside resources_dir must not serve a file from elsewhere. dir itself is the
 * operator's setting and may be a link. */
static int open_beneath(const char *dir, const char *path)
{
	struct open_how how = {
		.flags = FILE_FLAGS,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	long fd;

	if (dfd < 0)
		return -errno;
	if (!force_walk) {
		fd = syscall(SYS_openat2, dfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != ENOSYS && errno != EPERM)
			return errno == EXDEV ? -ELOOP : -errno;
	}
	return open_walk(dfd, path);
}

int ks_resource_read(const char *dir, const char *path, struct secret *out)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	size_t got = 0;

	if (!resource_path_valid(path))
		return -EINVAL;
	fd = open_beneath(dir, path);
	if (fd == -ELOOP) {
		log_err("resource %s/%s: refusing: a symbolic link (or a file where a directory "
			"belongs) on its path; resources_dir must hold plain directories and files", dir, path);
		return -EPERM;
	}
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) || st.st_nlink != 1) {
		log_err("resource %s/%s: refusing a %s; make it a regular file with one link and chmod 600", dir, path,
			!S_ISREG(st.st_mode) ? "non-regular file (FIFO, device, socket or directory)" :
			st.st_nlink != 1 ? "file with more than one hard link" : "file readable by group or others");
		return -EPERM;
	}
	if (st.st_size > KS_RESOURCE_MAX)
		return -EFBIG;
	out->data = thread_buf();
	if (!out->data)
		return -ENOMEM;
	out->len = (size_t)st.st_size;
	while (got < out->len) {
		ssize_t n = read(fd, out->data + got, out->len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int r = n < 0 ? -errno : -EIO;

			ks_resource_release(out);
			return r;
		}
		got += (size_t)n;
	}
	return 0;
}
