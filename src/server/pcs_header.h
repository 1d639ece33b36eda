/* SPDX-License-Identifier: Apache-2.0 */
/* Response headers of Intel PCS / PCCS (collateral-service.md §2.2). */
#pragma once
#include <stddef.h>

/* Decodes an issuer-chain header value: every "%XX" (two hex digits) becomes that byte,
 * every other byte is kept ('+' stays '+': this is not form encoding). Surrounding
 * whitespace is trimmed. out must hold len + 1 bytes; *out_len excludes the NUL written.
 * Returns 0, or -EBADMSG for a '%' not followed by two hex digits or a decoded NUL or
 * control byte other than newline / carriage return. */
int pcs_url_decode(const char *in, size_t len, char *out, size_t *out_len);

/* Splits a raw header line "Name: value\r\n": 1 when the name equals `name`
 * (case-insensitive) with *value / *vlen set to the trimmed value, else 0. */
int pcs_header_match(const char *line, size_t len, const char *name, const char **value, size_t *vlen);
