/* SPDX-License-Identifier: Apache-2.0 */
/* Loading devices and tokens through libcryptsetup. */
#include "luks_util.h"
#include "../common/log.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static void crypt_log_cb(int level, const char *msg, void *usrptr)
{
	size_t n = strlen(msg);

	(void)usrptr;
	(void)level;
	while (n && msg[n - 1] == '\n')
		n--;
	log_debug("libcryptsetup: %.*s", (int)n, msg);
}

void luks_route_libcryptsetup_log(void)
{
	crypt_set_log_callback(NULL, crypt_log_cb, NULL);
}

int luks_load(const char *device, struct crypt_device **cd)
{
	struct stat st;
	int r;

	*cd = NULL;
	/* libcryptsetup says "Block device required" (ENOTBLK) for a path that does not exist. */
	if (stat(device, &st) < 0)
		return log_errno(-errno, "%s", device);
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode))
		return log_fail(-ENOTBLK, "%s: not a block device or a LUKS2 image file", device);
	r = crypt_init(cd, device);
	if (r < 0)
		return log_errno(r, "%s: cannot open the device (check the path and permissions)", device);
	r = crypt_load(*cd, CRYPT_LUKS2, NULL);
	if (r < 0) {
		crypt_free(*cd);
		*cd = NULL;
		if (r == -EINVAL) /* libcryptsetup's verdict on the content, not an OS error */
			return log_fail(r, "%s: not a LUKS2 volume (cryptsetup luksDump shows its header)", device);
		return log_errno(r, "%s: reading the LUKS2 header", device);
	}
	return 0;
}

int luks_token_read(struct crypt_device *cd, int id, struct luks_token *tok)
{
	const char *type = NULL, *json = NULL;
	crypt_token_info st = crypt_token_status(cd, id, &type);
	int r;

	if (st == CRYPT_TOKEN_INVALID || st == CRYPT_TOKEN_INACTIVE || !type || strcmp(type, LUKS_TOKEN_TYPE))
		return -ENOENT;
	r = crypt_token_json_get(cd, id, &json);
	if (r < 0)
		return log_errno(r, "reading token %d", id);
	r = luks_token_parse(json, tok);
	if (r < 0)
		log_err("token %d of type %s is malformed (see the line above); skipping it", id, LUKS_TOKEN_TYPE);
	return r;
}
