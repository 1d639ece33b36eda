/* SPDX-License-Identifier: Apache-2.0 */
/* Opening a volume with a fetched secret: only the token's keyslots, header read-only. */
#include "luks.h"
#include "luks_util.h"
#include "../common/log.h"

#include <errno.h>

int luks_open_with_secret(struct crypt_device *cd, const struct luks_token *tok, const char *name,
			  const struct secret *s, uint32_t flags)
{
	int r = -EPERM;

	if (!s->data || !s->len)
		return -EINVAL;
	for (size_t i = 0; i < tok->n_keyslots; i++) {
		r = crypt_activate_by_passphrase(cd, name, tok->keyslots[i], (const char *)s->data, s->len, flags);
		if (r >= 0)
			return r;
		if (r != -EPERM && r != -ENOENT && r != -EINVAL)
			return r; /* e.g. -EEXIST, -EBUSY, -ENOMEM: not a wrong key */
	}
	return -EPERM;
}
