/* SPDX-License-Identifier: Apache-2.0 */
/* TDREPORT through /dev/tdx_guest (TDX_CMD_GET_REPORT0, kernel >= 6.2). */
#pragma once
#include <stdint.h>

#define TDX_GUEST_DEVICE "/dev/tdx_guest"

/* Fills tdreport (1024 bytes) for report_data. Returns 0 or a negative errno
 * (-ENOENT: no device: not a TDX guest or the tdx_guest module is not loaded). */
int tdx_guest_get_report(const uint8_t report_data[64], uint8_t tdreport[1024]);
