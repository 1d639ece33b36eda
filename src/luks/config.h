/* SPDX-License-Identifier: Apache-2.0 */
/* Configuration sources of the unlock path, in precedence order:
 *   1. kernel command line (rd.tdx_unlock.*; only in the initrd, see luks_sources_load)
 *   2. /etc/tdx-unlock/tdx-unlock.conf (inside the initramfs, hence measured)
 *   3. the LUKS2 token (unauthenticated: see settings.h for what it may decide)
 *
 * Configuration file: one "key = value" per line, '#' starts a comment line, blank lines
 * are ignored, unknown keys and malformed lines are errors (a typo must not silently
 * widen trust). Keys:
 *   url = https://HOST[:PORT]      repeatable, at most 8: the trusted key servers
 *   ca = /ABSOLUTE/PATH.pem        CA that signs the key servers' certificates
 *   timeout = SECONDS              5..3600, overall deadline per unlock
 *   allow-token-urls = yes|no      whether URLs from the LUKS2 token may be used
 *   debug = yes|no                 verbose logging
 * Command line: rd.tdx_unlock.url=URL (repeatable), rd.tdx_unlock.timeout=S,
 * rd.tdx_unlock.debug[=0|1], rd.tdx_unlock=0 (disable), rd.tdx_unlock.tsm=DIR (tests:
 * configfs-tsm report directory); and systemd's rd.luks.uuid=[luks-]UUID (the devices to
 * wait for; values that are no UUID are ignored, as systemd-cryptsetup-generator would
 * not match them either). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "token.h"

#define LUKS_CONFIG_PATH "/etc/tdx-unlock/tdx-unlock.conf"
#define LUKS_CMDLINE_PATH "/proc/cmdline"
#define LUKS_INITRD_RELEASE "/etc/initrd-release"
/* Test overrides (environment): another configuration file / command line file. Setting
 * TDX_UNLOCK_CMDLINE also makes rd.* options count outside an initrd. */
#define LUKS_ENV_CONFIG "TDX_UNLOCK_CONFIG"
#define LUKS_ENV_CMDLINE "TDX_UNLOCK_CMDLINE"
#define LUKS_CONFIG_FILE_MAX (64u * 1024)
#define LUKS_CMDLINE_MAX (64u * 1024)

enum { LUKS_UNSET = -1 };

#define LUKS_MAX_WAIT_UUIDS 16
#define LUKS_UUID_LEN 36 /* 8-4-4-4-12 hexadecimal digits */

/* What one source says; unset fields are 0 / "" / LUKS_UNSET. */
struct luks_config {
	bool present;                 /* the source exists (file read, cmdline honoured) */
	char urls[LUKS_TOKEN_MAX_URLS][LUKS_TOKEN_URL_MAX + 1];
	size_t n_urls;
	char ca_file[LUKS_TOKEN_PATH_MAX + 1];
	int timeout_s;                /* 0 = unset */
	int allow_token_urls;         /* LUKS_UNSET, 0, 1 */
	int debug;                    /* LUKS_UNSET, 0, 1 */
	int enabled;                  /* LUKS_UNSET, 0, 1 (rd.tdx_unlock=) */
	char tsm_dir[LUKS_TOKEN_PATH_MAX + 1];
	char ccel[LUKS_TOKEN_PATH_MAX + 1]; /* event log file or "none" ("" = the firmware's) */
	/* rd.luks.uuid= (command line), else the initrd's crypttab: the LUKS devices this boot
	 * opens, which "unlock --all" waits for */
	char luks_uuids[LUKS_MAX_WAIT_UUIDS][LUKS_UUID_LEN + 1];
	size_t n_luks_uuids;
};

struct luks_sources {
	struct luks_config cmdline;
	struct luks_config file;
};

void luks_config_init(struct luks_config *c);
/* Parses a configuration file's text (origin names it in log lines). -EINVAL on any
 * malformed line, unknown key or out-of-range value, with one line naming it. */
int luks_config_parse(const char *text, size_t len, const char *origin, struct luks_config *c);
/* Parses a kernel command line; options other than rd.tdx_unlock* are ignored. */
int luks_cmdline_parse(const char *text, size_t len, struct luks_config *c);
/* Adds a device to wait for ([luks-]UUID, any case; anything else is ignored). */
void luks_add_wait_uuid(struct luks_config *c, const char *v, const char *origin);
/* /etc/crypttab (the initrd's copy lists the volumes this boot opens): the UUID of every
 * "UUID=..." or "/dev/disk/by-uuid/..." source goes to c->luks_uuids; other lines are not
 * ours to judge. -EINVAL only for a line longer than LUKS_CRYPTTAB_LINE_MAX. */
int luks_crypttab_parse(const char *text, size_t len, struct luks_config *c);
#define LUKS_CRYPTTAB_PATH "/etc/crypttab"
#define LUKS_ENV_CRYPTTAB "TDX_UNLOCK_CRYPTTAB"
#define LUKS_CRYPTTAB_MAX (64u * 1024)
#define LUKS_CRYPTTAB_LINE_MAX 4096

/* Reads both sources (paths from the environment overrides or the defaults). A missing
 * configuration file is not an error (file.present = false); an unreadable or malformed
 * one is. The command line is read only inside an initrd (LUKS_INITRD_RELEASE exists) or
 * when LUKS_ENV_CMDLINE is set; the crypttab only inside an initrd or when LUKS_ENV_CRYPTTAB
 * is set, and only when the command line names no rd.luks.uuid= (systemd-cryptsetup-generator
 * then opens the crypttab's volumes). */
int luks_sources_load(struct luks_sources *s);
