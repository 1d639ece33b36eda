/* SPDX-License-Identifier: Apache-2.0 */
#include "secmem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void secure_wipe(void *p, size_t len)
{
	if (p && len)
		explicit_bzero(p, len);
}

void *secmem_alloc(size_t len)
{
	void *p = calloc(1, len ? len : 1);

	/* mlock can fail without CAP_IPC_LOCK beyond RLIMIT_MEMLOCK; the secret is
	 * still wiped on free, so this is best effort by design. */
	if (p)
		(void)mlock(p, len ? len : 1);
	return p;
}

void secmem_free(void *p, size_t len)
{
	if (!p)
		return;
	secure_wipe(p, len);
	(void)munlock(p, len ? len : 1);
	free(p);
}

void secret_clear(struct secret *s)
{
	secmem_free(s->data, s->len);
	s->data = NULL;
	s->len = 0;
}
