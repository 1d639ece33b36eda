/* SPDX-License-Identifier: Apache-2.0 */
/* The 1024-byte TDREPORT_STRUCT returned by TDX_CMD_GET_REPORT0 (tdx-formats.md §3). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "tdx_types.h"

#define TDREPORT_TYPE_TDX 0x81

/* Parses a TDREPORT: checks size and type, copies the TD fields. Returns 0 or -EBADMSG. */
int tdx_tdreport_parse(const uint8_t *buf, size_t len, struct tdx_td_info *td, const char **why);
