/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded, printable rendering of untrusted event data for the event decoder: strings,
 * UTF-16, GUIDs, EFI device paths. Internal to src/tdx/eventlog_decode.c. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A small bounded string builder: output is always NUL-terminated, overflow truncates. */
struct ccel_sbuf {
	char *s;
	size_t cap, len;
};

void ccel_sb_printf(struct ccel_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Printable ASCII of p[0..n) up to a NUL; other bytes as '?', newlines as spaces. */
void ccel_sb_ascii(struct ccel_sbuf *b, const uint8_t *p, size_t n);
/* UTF-16LE of units units (or up to a NUL), non-ASCII as '?'. */
void ccel_sb_utf16(struct ccel_sbuf *b, const uint8_t *p, size_t units);
void ccel_sb_guid(struct ccel_sbuf *b, const uint8_t *g);
/* Text (control characters other than tab/newline excluded), an optional NUL at the end. */
bool ccel_is_ascii_text(const uint8_t *p, size_t n);
/* UTF-16LE ASCII text with a NUL at the end (systemd-stub's section names). */
bool ccel_is_utf16_text(const uint8_t *p, size_t n);
/* Renders an EFI device path; returns true when it ends in the QEMU kernel loader's
 * VenMedia(1428f772-...)/File(kernel) (OVMF direct boot). */
bool ccel_sb_device_path(struct ccel_sbuf *b, const uint8_t *p, size_t n);
