/* SPDX-License-Identifier: Apache-2.0 */
/* bind: a PBKDF2 keyslot for a fresh secret plus a tdx-unlock token, all or nothing. */
#include "header_backup.h"
#include "luks.h"
#include "luks_util.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../kbs/b64.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* Test hook: fail right after `step` when the environment asks for it. */
static int injected(const char *step)
{
	const char *v = getenv(LUKS_ENV_FAIL_AFTER);

	if (!v || strcmp(v, step) != 0)
		return 0;
	log_err("bind: test failure injected after the %s step (%s)", step, LUKS_ENV_FAIL_AFTER);
	return -EIO;
}

static int token_from_opts(const struct luks_bind_opts *o, struct luks_token *t)
{
	memset(t, 0, sizeof(*t));
	t->n_keyslots = 1; /* the real keyslot number is filled in once it exists */
	if (o->n_urls > LUKS_TOKEN_MAX_URLS)
		return log_fail(-EINVAL, "bind: at most %d --url", LUKS_TOKEN_MAX_URLS);
	for (size_t i = 0; i < o->n_urls; i++) {
		if (strlen(o->urls[i]) > LUKS_TOKEN_URL_MAX)
			return log_fail(-EINVAL, "bind: --url %.64s... is longer than %d characters",
					o->urls[i], LUKS_TOKEN_URL_MAX);
		strcpy(t->urls[t->n_urls++], o->urls[i]);
	}
	if (!o->resource || strlen(o->resource) > LUKS_RESOURCE_MAX)
		return log_fail(-EINVAL, "bind: --resource must be REPO/TYPE/TAG");
	strcpy(t->resource, o->resource);
	if (o->ca_file) {
		if (strlen(o->ca_file) > LUKS_TOKEN_PATH_MAX)
			return log_fail(-EINVAL, "bind: --ca path is longer than %d characters", LUKS_TOKEN_PATH_MAX);
		strcpy(t->ca_file, o->ca_file);
	}
	t->timeout_s = o->timeout_s;
	return luks_token_validate(t);
}

/* 32 random bytes as 44 base64 characters: the resource bytes and the keyslot passphrase. */
static int secret_generate(struct secret *s)
{
	unsigned char raw[LUKS_SECRET_RAW_BYTES];
	ssize_t n;
	int r;

	do
		n = getrandom(raw, sizeof(raw), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(raw))
		return log_errno(n < 0 ? -errno : -EIO, "bind: getrandom failed");
	s->data = secmem_alloc(LUKS_SECRET_LEN + 1);
	if (!s->data) {
		secure_wipe(raw, sizeof(raw));
		return log_errno(-ENOMEM, "bind: allocating the secret");
	}
	s->len = LUKS_SECRET_LEN; /* the NUL after it is never secret */
	r = kbs_b64_encode(raw, sizeof(raw), (char *)s->data, LUKS_SECRET_LEN + 1);
	secure_wipe(raw, sizeof(raw));
	if (r < 0)
		return log_errno(r, "bind: encoding the secret");
	return 0;
}

/* The secret file is created before the header changes, so "refuse to overwrite" costs
 * nothing; it is removed again if bind fails. */
static int secret_out_open(const char *path)
{
	int fd;

	if (strcmp(path, "-") == 0)
		return STDOUT_FILENO;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return log_errno(-errno, "bind: creating %s (it must not exist yet)", path);
	if (fchmod(fd, 0600) < 0) {
		int r = -errno;

		close(fd);
		unlink(path);
		return log_errno(r, "bind: chmod 0600 %s", path);
	}
	return fd;
}

static int add_slot_and_token(struct crypt_device *cd, const struct secret *vk, const struct secret *secret,
			      struct luks_token *tok, int *token_id, int *keyslot)
{
	struct crypt_pbkdf_type pbkdf = {
		.type = CRYPT_KDF_PBKDF2, .hash = LUKS_PBKDF_HASH,
		.iterations = LUKS_PBKDF_ITERATIONS, .flags = CRYPT_PBKDF_NO_BENCHMARK,
	};
	_cleanup_free_ char *json = NULL;
	int r;

	r = crypt_set_pbkdf_type(cd, &pbkdf);
	if (r < 0)
		return log_errno(r, "bind: setting PBKDF2-" LUKS_PBKDF_HASH " with %d iterations", LUKS_PBKDF_ITERATIONS);
	r = crypt_keyslot_add_by_volume_key(cd, CRYPT_ANY_SLOT, (const char *)vk->data, vk->len,
					    (const char *)secret->data, secret->len);
	if (r < 0)
		return log_errno(r, "bind: adding a keyslot (are all 32 keyslots or the keyslot area in use?)");
	*keyslot = tok->keyslots[0] = r;
	if ((r = injected("keyslot")) < 0)
		return r;
	if ((r = luks_token_to_json(tok, &json)) < 0)
		return r;
	r = crypt_token_json_set(cd, CRYPT_ANY_TOKEN, json);
	if (r < 0)
		return log_errno(r, "bind: storing the token (is the LUKS2 metadata area full?)");
	*token_id = r;
	if ((r = injected("token")) < 0)
		return r;
	r = crypt_activate_by_passphrase(cd, NULL, *keyslot, (const char *)secret->data, secret->len, 0);
	if (r < 0)
		return log_errno(r, "bind: the new keyslot %d does not open with the new secret", *keyslot);
	return injected("verify");
}

static int bind_loaded(struct crypt_device *cd, const struct luks_bind_opts *o, struct luks_token *tok,
		       int *token_id, int *keyslot)
{
	_cleanup_secret_ struct secret pass = { 0 }, vk = { 0 }, secret = { 0 };
	_cleanup_header_backup_ struct header_backup backup = { 0 };
	size_t vk_len;
	int r, fd, backed_up = 0;

	r = luks_passphrase_read(o->key_file, "Enter an existing passphrase: ", &pass);
	if (r < 0)
		return r;
	r = crypt_get_volume_key_size(cd);
	if (r <= 0)
		return log_fail(-EINVAL, "bind: %s has no volume key size", o->device);
	vk_len = (size_t)r;
	vk.data = secmem_alloc(vk_len);
	vk.len = vk_len;
	if (!vk.data)
		return log_errno(-ENOMEM, "bind: allocating the volume key");
	r = crypt_volume_key_get(cd, CRYPT_ANY_SLOT, (char *)vk.data, &vk_len, (const char *)pass.data, pass.len);
	if (r < 0)
		return log_errno(r, "bind: the passphrase opens no keyslot of %s", o->device);
	if ((r = secret_generate(&secret)) < 0)
		return r;
	fd = secret_out_open(o->secret_out);
	if (fd < 0)
		return fd;
	r = header_backup_create(cd, &backup);
	if (r == 0) {
		backed_up = 1;
		r = add_slot_and_token(cd, &vk, &secret, tok, token_id, keyslot);
	}
	if (r == 0) {
		r = write_full(fd, secret.data, secret.len);
		if (r == 0 && fd != STDOUT_FILENO && fsync(fd) < 0)
			r = -errno;
		if (r < 0)
			log_errno(r, "bind: writing the secret to %s (check free space)", o->secret_out);
	}
	if (r == 0 && (r = injected("secret")) == 0) {
		if (fd != STDOUT_FILENO && close(fd) < 0)
			return log_errno(-errno, "bind: closing %s", o->secret_out);
		return 0;
	}
	if (fd != STDOUT_FILENO) {
		close(fd);
		unlink(o->secret_out);
	}
	if (backed_up)
		(void)header_backup_restore(cd, &backup);
	return r;
}

int luks_bind(const struct luks_bind_opts *o, int *token_id, int *keyslot)
{
	_cleanup_crypt_ struct crypt_device *cd = NULL;
	struct luks_token tok;
	int r;

	*token_id = *keyslot = -1;
	if (!o->secret_out)
		return log_fail(-EINVAL, "bind: --secret-out FILE is required (the secret goes to the key server)");
	if ((r = token_from_opts(o, &tok)) < 0)
		return r;
	if ((r = luks_load(o->device, &cd)) < 0)
		return r;
	return bind_loaded(cd, o, &tok, token_id, keyslot);
}
