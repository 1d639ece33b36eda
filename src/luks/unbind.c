/* SPDX-License-Identifier: Apache-2.0 */
/* unbind: remove a tdx-unlock token and the keyslot bind made for it, never a keyslot bind
 * did not make and never the last passphrase keyslot. */
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
		return log_fail(-EINVAL, "unbind: cannot read token %d", id);
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
			return log_fail(-ENOENT, "unbind: %s has no %s token %d (see tdx-unlock list)", device,
					LUKS_TOKEN_TYPE, *token);
		return 0;
	}
	for (int id = 0; id < max; id++) {
		crypt_token_info st = crypt_token_status(cd, id, &type);

		if (st == CRYPT_TOKEN_INACTIVE || st == CRYPT_TOKEN_INVALID || !type || strcmp(type, LUKS_TOKEN_TYPE))
			continue;
		if (found >= 0)
			return log_fail(-EINVAL, "unbind: %s has several %s tokens: choose one with --token N "
					"(see tdx-unlock list)", device, LUKS_TOKEN_TYPE);
		found = id;
	}
	if (found < 0)
		return log_fail(-ENOENT, "unbind: %s has no %s token", device, LUKS_TOKEN_TYPE);
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

static bool assigned_to_any_token(struct crypt_device *cd, int ks)
{
	return used_elsewhere(cd, -1, ks);
}

/* The token lives in the unauthenticated header: a tampered one may list the passphrase's
 * keyslot. Only a keyslot that is this token's and holds exactly what bind made (PBKDF2,
 * bind's hash and iteration count, without benchmark) may go. NULL = it may; else why not. */
static const char *not_bind_made(struct crypt_device *cd, int token, int ks)
{
	struct crypt_pbkdf_type pbkdf;

	if (crypt_token_is_assigned(cd, token, ks) != 0)
		return "not assigned to this token";
	if (crypt_keyslot_get_pbkdf(cd, ks, &pbkdf) < 0 || !pbkdf.type)
		return "its key derivation cannot be read";
	if (strcmp(pbkdf.type, CRYPT_KDF_PBKDF2) || !pbkdf.hash || strcmp(pbkdf.hash, LUKS_PBKDF_HASH) ||
	    pbkdf.iterations != LUKS_PBKDF_ITERATIONS)
		return "not the PBKDF2-" LUKS_PBKDF_HASH " keyslot bind adds";
	return NULL;
}

/* Active keyslots assigned to no token (what list calls "passphrase") left after removal. */
static int passphrases_left(struct crypt_device *cd, const int *remove, size_t n_remove)
{
	int n = 0, max = crypt_keyslot_max(CRYPT_LUKS2);

	for (int ks = 0; ks < max; ks++) {
		crypt_keyslot_info st = crypt_keyslot_status(cd, ks);
		bool removed = false;

		for (size_t i = 0; i < n_remove; i++)
			removed |= remove[i] == ks;
		if ((st == CRYPT_SLOT_ACTIVE || st == CRYPT_SLOT_ACTIVE_LAST) && !removed &&
		    !assigned_to_any_token(cd, ks))
			n++;
	}
	return n;
}

/* The keyslots to remove with token: its own, bind-made, used by no other token. Refuses
 * (nothing removed) when the token lists a keyslot bind did not make. */
static int select_keyslots(struct crypt_device *cd, const char *device, int token, int *remove, size_t *n_remove)
{
	int ks[32];
	size_t n;
	int r;

	*n_remove = 0;
	if ((r = token_keyslots(cd, token, ks, &n)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		crypt_keyslot_info st = crypt_keyslot_status(cd, ks[i]);
		const char *why;

		if (st != CRYPT_SLOT_ACTIVE && st != CRYPT_SLOT_ACTIVE_LAST)
			continue;
		if (used_elsewhere(cd, token, ks[i]))
			continue;
		why = not_bind_made(cd, token, ks[i]);
		if (why)
			return log_fail(-EPERM, "unbind: token %d of %s lists keyslot %d, which tdx-unlock bind did not "
					"make (%s): refusing to remove it, nothing changed. The token may have been "
					"tampered with; inspect it with cryptsetup luksDump", token, device, ks[i], why);
		remove[(*n_remove)++] = ks[i];
	}
	return 0;
}

int luks_unbind(const char *device, int token)
{
	_cleanup_crypt_ struct crypt_device *cd = NULL;
	_cleanup_header_backup_ struct header_backup backup = { 0 };
	int remove[32];
	size_t n_remove = 0;
	int r;

	if ((r = luks_load(device, &cd)) < 0)
		return r;
	if ((r = find_token(cd, device, &token)) < 0)
		return r;
	if ((r = select_keyslots(cd, device, token, remove, &n_remove)) < 0)
		return r;
	if (passphrases_left(cd, remove, n_remove) == 0)
		return log_fail(-EBUSY, "unbind: removing token %d would leave %s without a passphrase keyslot "
				"(unbind never removes the last keyslot that opens without a token): add a "
				"passphrase first (cryptsetup luksAddKey)", token, device);
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
