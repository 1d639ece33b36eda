/* SPDX-License-Identifier: Apache-2.0 */
/* Internal helpers of src/luks. */
#pragma once
#include <libcryptsetup.h>

#include "token.h"

static inline void crypt_freep(struct crypt_device **cd)
{
	crypt_free(*cd);
}
#define _cleanup_crypt_ __attribute__((cleanup(crypt_freep)))

/* crypt_init + crypt_load(LUKS2); logs one line on failure. */
int luks_load(const char *device, struct crypt_device **cd);
/* Routes libcryptsetup's own messages to log_debug (our one-line errors say what failed). */
void luks_route_libcryptsetup_log(void);
/* Reads and validates tdx-unlock token `id`. -ENOENT: no such token or another type. */
int luks_token_read(struct crypt_device *cd, int id, struct luks_token *tok);
