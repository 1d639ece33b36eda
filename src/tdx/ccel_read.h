/* SPDX-License-Identifier: Apache-2.0 */
/* The event log a TD sends with its quote (kbs-protocol.md §10): the firmware's CCEL
 * area, or a file given by the operator, trimmed after its last record with the 8-byte
 * 0xFF end marker appended, as Trustee's attester sends it. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define CCEL_SYSFS_TABLE "/sys/firmware/acpi/tables/CCEL"
#define CCEL_SYSFS_DATA "/sys/firmware/acpi/tables/data/CCEL"
/* A configured path of "none" sends no log. */
#define CCEL_PATH_NONE "none"

/* path: a log file (a raw area or a trimmed log), NULL for the firmware's (the ACPI
 * table's LAML bounds the area), or "none". Returns 0 with a malloc'd trimmed log, or
 * -ENOENT (no log here, or "none"), -EBADMSG (not a well-formed log), an IO error.
 * Failures are logged as one line at info level: a TD without a log still attests. */
int ccel_read_evidence(const char *path, uint8_t **out, size_t *len);
