/* SPDX-License-Identifier: Apache-2.0 */
/* Memory for secrets: locked (never swapped), wiped before it is freed. */
#pragma once
#include <stddef.h>

/* Allocates len zeroed bytes, mlock'ed when the system allows it. */
void *secmem_alloc(size_t len);
/* Wipes len bytes and frees; NULL is fine. */
void secmem_free(void *p, size_t len);
void secure_wipe(void *p, size_t len);

/* A secret buffer with its length, for cleanup attributes. */
struct secret {
	unsigned char *data;
	size_t len;
};
void secret_clear(struct secret *s);
#define _cleanup_secret_ __attribute__((cleanup(secret_clear)))
