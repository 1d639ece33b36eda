/* SPDX-License-Identifier: Apache-2.0 */
/* Quote generation through configfs-tsm (/sys/kernel/config/tsm/report, kernel >= 6.7). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define TSM_REPORT_DIR_DEFAULT "/sys/kernel/config/tsm/report"

/* Gets a quote over report_data through the report directory `dir` (NULL = default,
 * mounting configfs first when it is not mounted). Retries EBUSY/EIO/generation races a
 * bounded number of times, none begun or waited for past deadline_ms (absolute
 * CLOCK_MONOTONIC ms, 0 = none; the kernel bounds a single outblob read itself). Returns 0 with a malloc'd quote, or a negative errno:
 * -ENXIO (no TSM provider), -ENOENT (no configfs-tsm), -EPROTO (provider not tdx_guest),
 * -EAGAIN (a concurrent writer kept interfering), others from the kernel.
 * Everything but -ENXIO and -ENOENT is logged here; those two are left to the caller,
 * which may fall back to another path (tsm_strerror() gives the operator's text). */
int tsm_get_quote(const char *dir, const uint8_t report_data[64], long long deadline_ms, uint8_t **quote,
		  size_t *len);
const char *tsm_strerror(int err);
