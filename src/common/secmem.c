/* SPDX-License-Identifier: Apache-2.0 */
/* Each secret lives in its own anonymous mapping: page-aligned, so no two secrets share a
 * page and munlock() on one never unlocks another that is still live (mlock counts are not
 * per page: one munlock undoes every mlock of that page); MADV_DONTDUMP keeps it out of
 * core dumps. A small header in front of the data records the mapping's size, so freeing
 * never depends on the length the caller passes. */
#include "secmem.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* LeakSanitizer does not scan anonymous mappings: a secret that holds heap pointers (an
 * mbedTLS key's numbers) would make them look leaked. Under ASan each mapping is a root. */
#if defined(__SANITIZE_ADDRESS__)
#define SECMEM_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SECMEM_LSAN 1
#endif
#endif
#ifdef SECMEM_LSAN
#include <sanitizer/lsan_interface.h>
#define lsan_root(p, n) __lsan_register_root_region(p, n)
#define lsan_unroot(p, n) __lsan_unregister_root_region(p, n)
#else
#define lsan_root(p, n) ((void)(p), (void)(n))
#define lsan_unroot(p, n) ((void)(p), (void)(n))
#endif

/* The data starts this far into the mapping: a multiple of max_align_t's alignment. */
#define SECMEM_HEADER 64

void secure_wipe(void *p, size_t len)
{
	if (p && len)
		explicit_bzero(p, len);
}

static size_t page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (size_t)ps : 4096;
}

void *secmem_alloc(size_t len)
{
	size_t ps = page_size(), size;
	uint8_t *base;

	if (len > SIZE_MAX - SECMEM_HEADER - ps)
		return NULL;
	size = (SECMEM_HEADER + len + ps - 1) / ps * ps;
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	/* Both best effort by design: mlock fails beyond RLIMIT_MEMLOCK without
	 * CAP_IPC_LOCK, and the secret is still wiped on free. */
	(void)madvise(base, size, MADV_DONTDUMP);
	(void)mlock(base, size);
	memcpy(base, &size, sizeof(size));
	lsan_root(base, size);
	return base + SECMEM_HEADER; /* anonymous memory is zeroed */
}

void secmem_free(void *p, size_t len)
{
	uint8_t *base;
	size_t size;

	(void)len; /* the mapping knows its size: a shorter len still wipes everything */
	if (!p)
		return;
	base = (uint8_t *)p - SECMEM_HEADER;
	memcpy(&size, base, sizeof(size));
	lsan_unroot(base, size);
	explicit_bzero(base, size);
	(void)munlock(base, size);
	(void)munmap(base, size);
}

void secret_clear(struct secret *s)
{
	secmem_free(s->data, s->len);
	s->data = NULL;
	s->len = 0;
}
