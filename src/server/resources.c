/* SPDX-License-Identifier: Apache-2.0 */
#include "resources.h"
#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/resource_path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
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

int ks_resource_read(const char *dir, const char *path, struct secret *out)
{
	char full[PATH_MAX];
	_cleanup_close_ int fd = -1;
	struct stat st;
	size_t got = 0;

	if (!resource_path_valid(path))
		return -EINVAL;
	if (snprintf(full, sizeof(full), "%s/%s", dir, path) >= (int)sizeof(full))
		return -ENAMETOOLONG;
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ELOOP ? -EPERM : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		log_err("resource %s: refusing a %s; make it a regular file with chmod 600", full,
			S_ISREG(st.st_mode) ? "file readable by group or others" : "non-regular file");
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
