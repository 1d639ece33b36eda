/* SPDX-License-Identifier: Apache-2.0 */
/* LUKS2 block devices of this system. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define LUKS_DEV_PATH_MAX 256

/* Whether path starts with a LUKS2 binary header. */
bool luks_is_luks2(const char *path);
/* Fills paths[0..*n) with /dev/NAME of every LUKS2 block device (at most max). */
int luks_find_devices(char (*paths)[LUKS_DEV_PATH_MAX], size_t max, size_t *n);

/* Test override of /dev/disk/by-uuid (where udev names block devices by file system UUID). */
#define LUKS_ENV_BY_UUID_DIR "TDX_UNLOCK_BY_UUID_DIR"
/* Once one awaited device is there, how long the others may still take (a typo in
 * rd.luks.uuid= must not hold the devices that are present until the deadline). */
#define LUKS_WAIT_GRACE_MS 5000

/* Waits until BY_UUID_DIR/UUID exists for each of uuids[0..n), until deadline_ms
 * (CLOCK_MONOTONIC milliseconds) or LUKS_WAIT_GRACE_MS after the first one appeared. Logs
 * when it has to wait and each device still missing at the end. Returns how many are there. */
size_t luks_wait_uuids(const char (*uuids)[LUKS_UUID_LEN + 1], size_t n, long long deadline_ms);
/* How many of uuids[0..n) are there now (no waiting). */
size_t luks_uuids_present(const char (*uuids)[LUKS_UUID_LEN + 1], size_t n);
/* Whether waiting for uuids[0..n) is over: all are there, or LUKS_WAIT_GRACE_MS passed since
 * one was first seen (*first_seen_ms starts at 0; the caller keeps it between calls). */
bool luks_uuids_settled(const char (*uuids)[LUKS_UUID_LEN + 1], size_t n, int64_t *first_seen_ms);
