/* SPDX-License-Identifier: Apache-2.0 */
/* Rendering of untrusted event data as short printable text (eventlog_text.h). */
#include "eventlog_text.h"
#include "quote.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* QEMU's kernel loader file system (OvmfPkg QemuKernelLoaderFsDxe), little-endian GUID. */
static const uint8_t qemu_kernel_fs_guid[16] = {
	0x72, 0xf7, 0x28, 0x14, 0x4a, 0xb6, 0x1e, 0x44, 0xb8, 0xc3, 0x9e, 0xbd, 0xd7, 0xf8, 0x93, 0xc7,
};

void ccel_sb_printf(struct ccel_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 1 >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = b->len + (size_t)n < b->cap ? b->len + (size_t)n : b->cap - 1;
}

/* Printable ASCII of p[0..n) up to a NUL; other bytes as '?', newlines as spaces. */
void ccel_sb_ascii(struct ccel_sbuf *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && p[i] && b->len + 1 < b->cap; i++) {
		char c = p[i] == '\n' || p[i] == '\t' ? ' ' : p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';

		b->s[b->len++] = c;
		b->s[b->len] = '\0';
	}
}

/* UTF-16LE of units units (or up to a NUL), non-ASCII as '?'. */
void ccel_sb_utf16(struct ccel_sbuf *b, const uint8_t *p, size_t units)
{
	for (size_t i = 0; i < units && b->len + 1 < b->cap; i++) {
		uint16_t u = le16(p + 2 * i);

		if (!u)
			break;
		b->s[b->len++] = u >= 0x20 && u < 0x7f ? (char)u : '?';
		b->s[b->len] = '\0';
	}
}

void ccel_sb_guid(struct ccel_sbuf *b, const uint8_t *g)
{
	ccel_sb_printf(b, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", (unsigned)le32(g),
		  le16(g + 4), le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

bool ccel_is_ascii_text(const uint8_t *p, size_t n)
{
	if (n && p[n - 1] == 0)
		n--;
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 && p[i] != '\n' && p[i] != '\t')
			return false;
	return true;
}

/* UTF-16LE ASCII text with a NUL at the end (systemd-stub's section names). */
bool ccel_is_utf16_text(const uint8_t *p, size_t n)
{
	if (n < 4 || n % 2 || le16(p + n - 2) != 0)
		return false;
	for (size_t i = 0; i + 2 < n; i += 2)
		if (p[i + 1] != 0 || p[i] < 0x20 || p[i] >= 0x7f)
			return false;
	return true;
}

/* Renders an EFI device path; returns true when it ends in the QEMU kernel loader's
 * VenMedia(1428f772...)/File(kernel). */
bool ccel_sb_device_path(struct ccel_sbuf *b, const uint8_t *p, size_t n)
{
	bool qemu_fs = false, kernel_file = false;
	size_t nodes = 0;

	while (n >= 4) {
		uint8_t type = p[0], sub = p[1];
		size_t len = le16(p + 2);

		if (len < 4 || len > n) {
			ccel_sb_printf(b, "%s<malformed>", nodes ? "/" : "");
			return false;
		}
		if (type == 0x7f && sub == 0xff)
			break;
		ccel_sb_printf(b, "%s", nodes++ ? "/" : "");
		kernel_file = false;
		if (type == 4 && sub == 3 && len >= 20) {
			ccel_sb_printf(b, "VenMedia(");
			ccel_sb_guid(b, p + 4);
			ccel_sb_printf(b, ")");
			qemu_fs = memcmp(p + 4, qemu_kernel_fs_guid, 16) == 0;
		} else if (type == 4 && sub == 4) {
			size_t at = b->len;

			ccel_sb_printf(b, "File(");
			ccel_sb_utf16(b, p + 4, (len - 4) / 2);
			ccel_sb_printf(b, ")");
			kernel_file = qemu_fs && strcmp(b->s + at, "File(kernel)") == 0;
		} else if (type == 4 && sub == 1 && len >= 8) {
			ccel_sb_printf(b, "HD(%u)", (unsigned)le32(p + 4));
		} else if (type == 1 && sub == 1 && len >= 6) {
			ccel_sb_printf(b, "Pci(0x%x,0x%x)", p[5], p[4]);
		} else if (type == 2 && sub == 1 && len >= 12) {
			ccel_sb_printf(b, "PciRoot(0x%x)", (unsigned)le32(p + 8));
		} else {
			ccel_sb_printf(b, "Path(%u,%u)", type, sub);
		}
		p += len;
		n -= len;
	}
	return qemu_fs && kernel_file;
}
