/* SPDX-License-Identifier: Apache-2.0 */
/* unbind: remove a tdx-unlock token and the keyslots only it uses, never the last keyslot. */
#include "header_backup.h"
#include "luks.h"
#include "luks_util.h"
#include "../common/json_cleanup.h"
#include "../common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Keyslots named by token id, read leniently so that a malformed token can still be removed. */
static int token_keyslots(struct crypt_device *cd, int id, int *ks, size_t *n)
{
	const char *json = NULL;
	_cleanup_json_put_ json_object *root = NULL;
	json_object *arr;
	int max = crypt_keyslot_max(CRYPT_LUKS2);

	*n = 0;
	if (crypt_token_json_get(cd, id, &json) < 0 || strnlen(json, LUKS_TOKEN_JSON_MAX + 1) > LUKS_TOKEN_JSON_MAX)
		return log_errno(-EINVAL, "unbind: cannot read token %d", id);
	root = json_tokener_parse(json);
	if (!root || !json_object_object_get_ex(root, "keyslots", &arr) || !json_object_is_type(arr, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(arr) && *n < 32; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(arr, i));
		char *end;
		long v = s ? strtol(s, &end, 10) : -1;

		if (s && *s && !*end && v >= 0 && v < max)
			ks[(*n)++] = (int)v;
	}
	return 0;
}

static int find_token(struct crypt_device *cd, const char *device, int *token)
{
	int found = -1, max = crypt_token_max(CRYPT_LUKS2);
	const char *type;

	if (*token >= 0) {
		if (*token >= max || crypt_token_status(cd, *token, &type) == CRYPT_TOKEN_INACTIVE ||
		    !type || strcmp(type, LUKS_TOKEN_TYPE))
			return log_errno(-ENOENT, "unbind: %s has no %s token %d (see tdx-unlock list)", device,
					 LUKS_TOKEN_TYPE, *token);
		return 0;
	}
	for (int id = 0; id < max; id++) {
		crypt_token_info st = crypt_token_status(cd, id, &type);

		if (st == CRYPT_TOKEN_INACTIVE || st == CRYPT_TOKEN_INVALID || !type || strcmp(type, LUKS_TOKEN_TYPE))
			continue;
		if (found >= 0)
			return log_errno(-EINVAL, "unbind: %s has several %s tokens: choose one with --token N "
					 "(see tdx-unlock list)", device, LUKS_TOKEN_TYPE);
		found = id;
	}
	if (found < 0)
		return log_errno(-ENOENT, "unbind: %s has no %s token", device, LUKS_TOKEN_TYPE);
	*token = found;
	return 0;
}

/* A keyslot is removed only when no other token uses it. */
static bool used_elsewhere(struct crypt_device *cd, int token, int ks)
{
	int max = crypt_token_max(CRYPT_LUKS2);

	for (int id = 0; id < max; id++)
		if (id != token && crypt_token_is_assigned(cd, id, ks) == 0)
			return true;
	return false;
}

int luks_unbind(const char *device, int token)
{
	_cleanup_crypt_ struct crypt_device *cd = NULL;
	_cleanup_header_backup_ struct header_backup backup = { 0 };
	int ks[32], remove[32];
	size_t n, n_remove = 0;
	int r, active;

	if ((r = luks_load(device, &cd)) < 0)
		return r;
	if ((r = find_token(cd, device, &token)) < 0)
		return r;
	if ((r = token_keyslots(cd, token, ks, &n)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		crypt_keyslot_info st = crypt_keyslot_status(cd, ks[i]);

		if ((st == CRYPT_SLOT_ACTIVE || st == CRYPT_SLOT_ACTIVE_LAST) && !used_elsewhere(cd, token, ks[i]))
			remove[n_remove++] = ks[i];
	}
	active = luks_active_keyslots(cd);
	if ((int)n_remove >= active)
		return log_errno(-EBUSY, "unbind: removing token %d would remove the last keyslot of %s: "
				 "add a passphrase first (cryptsetup luksAddKey)", token, device);
	if ((r = header_backup_create(cd, &backup)) < 0)
		return r;
	for (size_t i = 0; i < n_remove && r >= 0; i++) {
		r = crypt_keyslot_destroy(cd, remove[i]);
		if (r < 0)
			log_errno(r, "unbind: removing keyslot %d", remove[i]);
	}
	if (r >= 0) {
		r = crypt_token_json_set(cd, token, NULL);
		if (r < 0)
			log_errno(r, "unbind: removing token %d", token);
	}
	if (r < 0) {
		(void)header_backup_restore(cd, &backup);
		return r;
	}
	log_info("removed token %d and %zu keyslot%s from %s", token, n_remove, n_remove == 1 ? "" : "s", device);
	return 0;
}
