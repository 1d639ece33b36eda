/* SPDX-License-Identifier: Apache-2.0 */
/* LUKS2 operations of tdx-unlock: bind, unbind, list, unlock. All return 0 or a negative
 * errno after logging one line; none logs secret material. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "token.h"
#include "../common/secmem.h"

struct crypt_device;

/* The keyslot passphrase is the key server resource's bytes exactly: 32 random bytes as
 * 44 characters of standard base64 (with '=' padding), no newline. */
#define LUKS_SECRET_RAW_BYTES 32
#define LUKS_SECRET_LEN 44
#define LUKS_PBKDF_ITERATIONS 1000
#define LUKS_PBKDF_HASH "sha512" /* with the iteration count: how unbind recognises its keyslot */
#define LUKS_PASSPHRASE_MAX (64u * 1024) /* authorising key file / passphrase */

/* Test-only failure injection for bind: TDX_UNLOCK_TEST_FAIL_AFTER=keyslot|token|verify|secret
 * makes bind fail right after that step (the header must then be restored). */
#define LUKS_ENV_FAIL_AFTER "TDX_UNLOCK_TEST_FAIL_AFTER"

struct luks_bind_opts {
	const char *device;
	const char *urls[LUKS_TOKEN_MAX_URLS];
	size_t n_urls;
	const char *resource;
	const char *ca_file;     /* NULL: the token carries no CA (the configuration's ca is used) */
	int timeout_s;           /* 0: not stored in the token */
	const char *secret_out;  /* new file (0600, never overwritten) or "-" for stdout */
	const char *key_file;    /* existing passphrase: file ("-" = stdin) or NULL = ask on the tty */
};

/* Adds a PBKDF2 keyslot for a fresh secret and a tdx-unlock token assigned to it. The
 * header is backed up first and restored on any failure. */
int luks_bind(const struct luks_bind_opts *o, int *token_id, int *keyslot);
/* Removes tdx-unlock token `token` (-1: the only one) and its keyslots; refuses to remove
 * the last keyslot of the device. Backed up and restored on failure like bind. */
int luks_unbind(const char *device, int token);
/* Prints the device's keyslots and tdx-unlock tokens (never secrets). */
int luks_list(const char *device, FILE *out);

/* Opens (name != NULL) or checks (name == NULL) the device with the token's keyslots only.
 * Returns the keyslot that opened, -EPERM if the secret opens none of them. Never writes
 * the header. */
int luks_open_with_secret(struct crypt_device *cd, const struct luks_token *tok, const char *name,
			  const struct secret *s, uint32_t flags);

struct luks_unlock_opts {
	const char *device;   /* NULL with all: every LUKS2 block device */
	const char *name;     /* dm name; NULL = luks-UUID (or nothing with test) */
	bool all;
	bool test;            /* check the keyslot only, never activate */
	const char *tsm_dir;  /* overrides rd.tdx_unlock.tsm= */
	const char *ccel;     /* overrides rd.tdx_unlock.ccel= and ccel= */
	int timeout_s;        /* > 0 overrides every configured deadline */
};
/* Attests, fetches and opens every selected device that has a tdx-unlock token; one
 * attestation per group of devices that share servers and CA. With all, the devices named by
 * rd.luks.uuid= (else the initrd's crypttab) are waited for, and when the measured
 * configuration fixes servers and CA the attestation comes first. 0 when every device opened. */
int luks_unlock(const struct luks_unlock_opts *o);

/* Reads the authorising passphrase: the whole key file, or one line from the tty. */
int luks_passphrase_read(const char *key_file, const char *prompt, struct secret *out);
/* 0 if TDX evidence can possibly be produced here, -ENXIO (not a TD) otherwise. */
int luks_td_probe(const char *tsm_dir);
