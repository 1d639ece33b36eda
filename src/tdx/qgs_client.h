/* SPDX-License-Identifier: Apache-2.0 */
/* Client of the host's Quote Generation Service: TDREPORT in, quote out (tdx-formats.md §5). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define QGS_ADDR_DEFAULT "vsock:2:4050"

/* addr: "vsock:CID:PORT" or "tcp:HOST:PORT" (NULL = QGS_ADDR_DEFAULT). timeout_ms bounds the
 * whole exchange (connect, send, the complete response: a QGS that trickles bytes cannot
 * stretch it), and so does deadline_ms (absolute CLOCK_MONOTONIC ms, 0 = none) when earlier.
 * Returns 0 with a malloc'd quote, or a negative errno (-ETIMEDOUT at the bound). */
int qgs_get_quote(const char *addr, const uint8_t tdreport[1024], int timeout_ms, long long deadline_ms,
		  uint8_t **quote, size_t *len);
