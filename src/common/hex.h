/* SPDX-License-Identifier: Apache-2.0 */
/* Lowercase hex encoding and strict decoding. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* Writes 2*len hex digits and a NUL to out (size >= 2*len+1). */
void hex_encode(const uint8_t *in, size_t len, char *out);
/* Decodes exactly strlen(hex)/2 bytes; returns the byte count, or -EINVAL for odd
 * length or non-hex characters, -E2BIG if more than out_max bytes. */
int hex_decode(const char *hex, uint8_t *out, size_t out_max);
/* The value of one hex digit (0-9, a-f, A-F), or -1. */
int hex_nibble(char c);
