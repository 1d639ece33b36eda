/* SPDX-License-Identifier: Apache-2.0 */
#include "evlog_builder.h"
#include "testutil.h"
#include "common/hex.h"
#include "tdx/eventlog.h"
#include "verify/sha384.h"

#include <stdio.h>
#include <string.h>

static void put(struct logbuf *l, const void *p, size_t n)
{
	assert_true(l->n + n <= sizeof(l->b));
	memcpy(l->b + l->n, p, n);
	l->n += n;
}

static void put32(struct logbuf *l, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	put(l, b, 4);
}

static void log_start(struct logbuf *l)
{
	static const uint8_t spec[33] = { 'S', 'p', 'e', 'c', ' ', 'I', 'D', ' ', 'E', 'v', 'e', 'n', 't', '0', '3', 0,
					  0, 0, 0, 0, 0, 2, 0, 2, 1, 0, 0, 0, 0x0c, 0, 48, 0, 0 };
	static const uint8_t zero20[20];

	l->n = 0;
	put32(l, 1);
	put32(l, EV_NO_ACTION);
	put(l, zero20, 20);
	put32(l, sizeof(spec));
	put(l, spec, sizeof(spec));
}

static void event(struct logbuf *l, uint32_t rtmr, uint32_t type, const uint8_t digest[48], const void *data, size_t n)
{
	put32(l, rtmr + 1);
	put32(l, type);
	put32(l, 1);
	put(l, (const uint8_t[]){ 0x0c, 0 }, 2);
	put(l, digest, 48);
	put32(l, (uint32_t)n);
	put(l, data, n);
}

static void sha(const void *p, size_t n, uint8_t out[48])
{
	assert_int_equal(vf_sha384(p, n, NULL, 0, out), 0);
}

static void text_event(struct logbuf *l, uint32_t rtmr, uint32_t type, const char *s)
{
	uint8_t md[48];

	sha(s, strlen(s), md);
	event(l, rtmr, type, md, s, strlen(s));
}

/* Digests of "files" named by a label (stand-ins for a kernel's Authenticode hash, an
 * initrd's SHA-384). */
void evb_file_digest(const char *label, uint8_t out[48])
{
	sha(label, strlen(label), out);
}

static void cmdline_digest(const char *s, uint8_t out[48])
{
	uint8_t u16[512] = { 0 };
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		u16[2 * i] = (uint8_t)s[i];
	sha(u16, 2 * n + 2, out); /* UTF-16LE with the NUL, as OVMF passes LoadOptions */
}


/* A QEMU direct boot as TDVF + the EFI stub log it, then whatever a hostile kernel appends. */
void evb_build(struct logbuf *l, const struct boot *b)
{
	static const uint8_t sep[4], tag_cmd[34] = { 0xed, 0x22, 0x3b, 0x8f, 26, 0, 0, 0, 'L', 'O', 'A', 'D', 'E', 'D',
						      '_', 'I', 'M', 'A', 'G', 'E', ':', ':', 'L', 'o', 'a', 'd',
						      'O', 'p', 't', 'i', 'o', 'n', 's', 0 };
	static const uint8_t tag_initrd[21] = { 0xec, 0x22, 0x3b, 0x8f, 13, 0, 0, 0, 'L', 'i', 'n', 'u', 'x', ' ',
						'i', 'n', 'i', 't', 'r', 'd', 0 };
	static const uint8_t image[32] = { 0 };
	uint8_t md[48];

	log_start(l);
	text_event(l, 0, EV_PLATFORM_CONFIG_FLAGS, "ACPI DATA");
	event(l, 0, EV_SEPARATOR, (sha(sep, 4, md), md), sep, 4);
	evb_file_digest(b->kernel, md);
	event(l, 1, EV_EFI_BOOT_SERVICES_APPLICATION, md, image, sizeof(image));
	text_event(l, 1, EV_EFI_ACTION, "Calling EFI Application from Boot Option");
	event(l, b->old_firmware ? 0 : 1, EV_SEPARATOR, (sha(sep, 4, md), md), sep, 4);
	if (b->cmdline) {
		cmdline_digest(b->cmdline, md);
		event(l, 2, EV_EVENT_TAG, md, tag_cmd, sizeof(tag_cmd));
	}
	if (b->initrd) {
		evb_file_digest(b->initrd, md);
		event(l, 2, EV_EVENT_TAG, md, tag_initrd, sizeof(tag_initrd));
	}
	text_event(l, 1, EV_EFI_ACTION, "Exit Boot Services Invocation");
	text_event(l, 1, EV_EFI_ACTION, "Exit Boot Services Returned with Success");
	if (b->append_kernel) {
		evb_file_digest(b->append_kernel, md);
		event(l, 1, EV_EFI_BOOT_SERVICES_APPLICATION, md, image, sizeof(image));
	}
	if (b->append_cmdline) {
		cmdline_digest(b->append_cmdline, md);
		event(l, 2, EV_EVENT_TAG, md, tag_cmd, sizeof(tag_cmd));
	}
	if (b->append_initrd) {
		evb_file_digest(b->append_initrd, md);
		event(l, 2, EV_EVENT_TAG, md, tag_initrd, sizeof(tag_initrd));
	}
	put(l, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
}

void evb_hex(const char *label, char out[97])
{
	uint8_t md[48];

	evb_file_digest(label, md);
	hex_encode(md, 48, out);
}

void evb_replay(const struct logbuf *l, uint8_t rtmr[4][48])
{
	struct ccel_log log;

	assert_int_equal(ccel_parse(l->b, l->n, &log, NULL), 0);
	assert_int_equal(ccel_replay(&log, vf_sha384, rtmr), 0);
	ccel_log_free(&log);
}

/* grub's string events: "<prefix><text>\0", digest = SHA-384(text) (measured-boot.md §5.2). */
static void grub_string(struct logbuf *l, const char *prefix, const char *text)
{
	char data[600];
	uint8_t md[48];
	int n = snprintf(data, sizeof(data), "%s%s", prefix, text);

	assert_true(n > 0 && (size_t)n < sizeof(data));
	sha(text, strlen(text), md);
	event(l, 2, EV_IPL, md, data, (size_t)n + 1);
}

void evb_build_grub(struct logbuf *l, const char *kernel, const char *cmdline)
{
	static const uint8_t sep[4], image[32] = { 0 };
	char cmd[600];
	uint8_t md[48];

	log_start(l);
	text_event(l, 1, EV_EFI_ACTION, "Calling EFI Application from Boot Option");
	event(l, 1, EV_SEPARATOR, (sha(sep, 4, md), md), sep, 4);
	evb_file_digest("shim", md);
	event(l, 1, EV_EFI_BOOT_SERVICES_APPLICATION, md, image, sizeof(image));
	evb_file_digest("grub", md);
	event(l, 1, EV_EFI_BOOT_SERVICES_APPLICATION, md, image, sizeof(image));
	grub_string(l, "grub_cmd: ", "set timeout=0");
	snprintf(cmd, sizeof(cmd), "linux /vmlinuz %s", cmdline);
	grub_string(l, "grub_cmd: ", cmd);
	evb_file_digest(kernel, md);
	event(l, 2, EV_IPL, md, "/vmlinuz", sizeof("/vmlinuz"));
	snprintf(cmd, sizeof(cmd), "/vmlinuz %s", cmdline);
	grub_string(l, "kernel_cmdline: ", cmd);
	text_event(l, 1, EV_EFI_ACTION, "Exit Boot Services Invocation");
	text_event(l, 1, EV_EFI_ACTION, "Exit Boot Services Returned with Success");
	put(l, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
}
