/* SPDX-License-Identifier: Apache-2.0 */
/* cc_eventlog's base64 (kbs-protocol.md §4.1), decoded strictly and in time that follows
 * the log rather than the CCEL area it was sent in. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* Decodes b64[0..len), len > 0, canonical padded base64 (b64_canon_check's rules), into
 * a malloc'd *out of *out_len bytes: byte for byte what a plain decode gives. Returns 0,
 * -E2BIG (more than CCEL_LOG_MAX bytes), -EINVAL (not canonical), -ENOMEM. */
int ks_eventlog_b64_decode(const char *b64, size_t len, uint8_t **out, size_t *out_len);
/* Only the check: 0, -E2BIG or -EINVAL as ks_eventlog_b64_decode() would return. */
int ks_eventlog_b64_check(const char *b64, size_t len);
