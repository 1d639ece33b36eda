/* SPDX-License-Identifier: Apache-2.0 */
/* Memory for secrets: locked (never swapped), left out of core dumps, wiped before it is
 * freed. Each allocation has pages of its own (no other secret shares them). */
#pragma once
#include <stddef.h>

/* Allocates len zeroed bytes in a mapping of their own, MADV_DONTDUMP, mlock'ed when the
 * system allows it (RLIMIT_MEMLOCK). Only secmem_free() releases it, never free(). */
void *secmem_alloc(size_t len);
/* Wipes the whole allocation (whatever len says), unlocks and unmaps it; NULL is fine. */
void secmem_free(void *p, size_t len);
void secure_wipe(void *p, size_t len);

/* A secret buffer with its length, for cleanup attributes. */
struct secret {
	unsigned char *data;
	size_t len;
};
void secret_clear(struct secret *s);
#define _cleanup_secret_ __attribute__((cleanup(secret_clear)))
