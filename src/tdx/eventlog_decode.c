/* SPDX-License-Identifier: Apache-2.0 */
/* Event decoding (eventlog_decode.h). Event data is untrusted: every structure is read
 * with the event's own length as the bound, and a malformed one is only described. */
#include "eventlog_decode.h"
#include "eventlog_text.h"
#include "quote.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TAG_LOAD_OPTIONS 0x8F3B22EDu
#define TAG_INITRD 0x8F3B22ECu
#define TAG_AAEL 0x4141454Cu /* "LEAA" */

static const char *const kind_names[] = {
	[CCEL_OTHER] = "other", [CCEL_NO_ACTION] = "no_action", [CCEL_SEPARATOR] = "separator",
	[CCEL_ACTION] = "action", [CCEL_IMAGE] = "image", [CCEL_KERNEL] = "kernel",
	[CCEL_CMDLINE] = "cmdline", [CCEL_INITRD] = "initrd", [CCEL_GRUB_CMD] = "grub_cmd",
	[CCEL_GRUB_CMDLINE] = "grub_cmdline", [CCEL_GRUB_FILE] = "grub_file", [CCEL_SHIM_MOK] = "shim_mok",
	[CCEL_UKI_NAME] = "uki_section_name", [CCEL_UKI_DATA] = "uki_section", [CCEL_VARIABLE] = "variable",
	[CCEL_TAG] = "tag", [CCEL_FIRMWARE] = "firmware",
};

const char *ccel_kind_name(enum ccel_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "other";
}

static int check_hash(ccel_sha384_fn h, const struct ccel_event *e, const void *p, size_t n,
		      struct ccel_decoded *d)
{
	uint8_t md[TDX_MR_LEN];
	int r = h(p, n, NULL, 0, md);

	if (r < 0)
		return r;
	d->check = memcmp(md, e->digest, TDX_MR_LEN) == 0 ? CCEL_DIGEST_OK : CCEL_DIGEST_BAD;
	return 0;
}

/* UEFI_VARIABLE_DATA: GUID, u64 name units, u64 data length, name, data. */
static int decode_variable(ccel_sha384_fn h, const struct ccel_event *e, struct ccel_sbuf *b,
			   struct ccel_decoded *d)
{
	const uint8_t *p = e->data;
	uint64_t units, dlen;
	size_t n = e->data_len;

	d->kind = CCEL_VARIABLE;
	if (n < 32) {
		ccel_sb_printf(b, "variable <malformed>");
		return 0;
	}
	units = (uint64_t)le32(p + 16) | (uint64_t)le32(p + 20) << 32;
	dlen = (uint64_t)le32(p + 24) | (uint64_t)le32(p + 28) << 32;
	if (units > (n - 32) / 2 || dlen > n - 32 - 2 * units) {
		ccel_sb_printf(b, "variable <malformed>");
		return 0;
	}
	ccel_sb_printf(b, "variable ");
	ccel_sb_utf16(b, p + 32, (size_t)units);
	if (e->type == EV_EFI_VARIABLE_BOOT || e->type == EV_EFI_VARIABLE_BOOT2)
		/* TDVF hashes the variable's data only for boot variables. */
		return check_hash(h, e, p + 32 + 2 * units, (size_t)dlen, d);
	if (e->type == EV_EFI_VARIABLE_DRIVER_CONFIG || e->type == EV_EFI_VARIABLE_AUTHORITY)
		return check_hash(h, e, p, n, d);
	return 0;
}

/* EFI_IMAGE_LOAD_EVENT: u64 location, u64 length, u64 link address, u64 path length, path. */
static void decode_image(const struct ccel_event *e, struct ccel_sbuf *b, struct ccel_decoded *d)
{
	const uint8_t *p = e->data;
	size_t n = e->data_len;
	uint64_t dplen;

	d->kind = CCEL_IMAGE;
	if (n < 32 || (dplen = (uint64_t)le32(p + 24) | (uint64_t)le32(p + 28) << 32) > n - 32) {
		ccel_sb_printf(b, "image <malformed load event>");
		return;
	}
	char path[CCEL_DESC_MAX];
	struct ccel_sbuf pb = { path, sizeof(path), 0 };

	path[0] = '\0';
	if (ccel_sb_device_path(&pb, p + 32, (size_t)dplen) && e->mr == 2)
		d->kind = CCEL_KERNEL;
	ccel_sb_printf(b, "%s %s", d->kind == CCEL_KERNEL ? "kernel" : "image", pb.len ? path : "(no device path)");
}

/* grub's string events: "<prefix><text>", digest = SHA-384(text) (no NUL); old grubs
 * also hashed the NUL. */
static int decode_grub_string(ccel_sha384_fn h, const struct ccel_event *e, size_t plen,
			      struct ccel_decoded *d)
{
	size_t n = e->data_len;
	int r;

	if (n && e->data[n - 1] == 0)
		n--;
	r = check_hash(h, e, e->data + plen, n - plen, d);
	if (r == 0 && d->check == CCEL_DIGEST_BAD && n < e->data_len)
		r = check_hash(h, e, e->data + plen, n - plen + 1, d);
	return r;
}

static bool has_prefix(const struct ccel_event *e, const char *pre, size_t *plen)
{
	*plen = strlen(pre);
	return e->data_len >= *plen && memcmp(e->data, pre, *plen) == 0;
}

static int decode_ipl(ccel_sha384_fn h, const struct ccel_event *e, struct ccel_sbuf *b, struct ccel_decoded *d)
{
	static const char *const mok[] = { "MokList", "MokListX", "MokListTrusted" };
	size_t plen, n = e->data_len;

	if (has_prefix(e, "grub_cmd: ", &plen) || has_prefix(e, "grub_cmd ", &plen)) {
		d->kind = CCEL_GRUB_CMD;
		ccel_sb_ascii(b, e->data, n);
		return decode_grub_string(h, e, plen, d);
	}
	if (has_prefix(e, "kernel_cmdline: ", &plen) || has_prefix(e, "grub_kernel_cmdline ", &plen)) {
		size_t hashed = n - plen - (n > plen && e->data[n - 1] == 0);
		int r;

		d->kind = CCEL_GRUB_CMDLINE;
		d->text = (const char *)e->data + plen;
		d->text_len = strnlen(d->text, n - plen);
		ccel_sb_ascii(b, e->data, n);
		r = decode_grub_string(h, e, plen, d);
		/* The text kept (for policies and denials) must be every byte the digest covers:
		 * one with a NUL inside would show "a" for a digest over "a\0b" (fuzz_eventlog). */
		if (d->text_len != hashed) {
			d->text = NULL;
			d->text_len = 0;
		}
		return r;
	}
	if (has_prefix(e, "module_cmdline: ", &plen)) {
		d->kind = CCEL_GRUB_CMD;
		ccel_sb_ascii(b, e->data, n);
		return decode_grub_string(h, e, plen, d);
	}
	for (size_t i = 0; i < sizeof(mok) / sizeof(mok[0]); i++)
		if (n == strlen(mok[i]) + 1 && memcmp(e->data, mok[i], n) == 0) {
			d->kind = CCEL_SHIM_MOK;
			ccel_sb_printf(b, "shim %s", mok[i]);
			return 0;
		}
	if (ccel_is_utf16_text(e->data, n)) {
		/* systemd-stub: name event digest = SHA-384(ASCII name + NUL); the content event
		 * that follows carries the same data (resolved in ccel_decode). */
		char name[64];
		struct ccel_sbuf nb = { name, sizeof(name), 0 };
		int r;

		name[0] = '\0';
		ccel_sb_utf16(&nb, e->data, n / 2);
		r = check_hash(h, e, name, nb.len + 1, d);
		if (r < 0)
			return r;
		d->kind = d->check == CCEL_DIGEST_OK ? CCEL_UKI_NAME : CCEL_UKI_DATA;
		if (d->kind == CCEL_UKI_DATA)
			d->check = CCEL_UNCHECKED;
		ccel_sb_printf(b, "%s %s", d->kind == CCEL_UKI_NAME ? "UKI section name" : "UKI section", name);
		return 0;
	}
	if (ccel_is_ascii_text(e->data, n)) {
		d->kind = CCEL_GRUB_FILE;
		ccel_sb_printf(b, "file ");
		ccel_sb_ascii(b, e->data, n);
		return 0;
	}
	ccel_sb_printf(b, "EV_IPL (%zu bytes)", n);
	return 0;
}

/* TCG_PCClientTaggedEvent: u32 id, u32 size, data. */
static int decode_tag(ccel_sha384_fn h, const struct ccel_event *e, struct ccel_sbuf *b, struct ccel_decoded *d)
{
	static const char bare_load_options[] = "LOADED_IMAGE::LoadOptions";
	uint32_t id, size;

	d->kind = CCEL_TAG;
	/* Early Linux stubs logged the bare string instead of the tagged structure. */
	if (e->data_len == sizeof(bare_load_options) && memcmp(e->data, bare_load_options, e->data_len) == 0) {
		d->kind = CCEL_CMDLINE;
		ccel_sb_printf(b, "cmdline (%s)", bare_load_options);
		return 0;
	}
	if (e->data_len < 8 || (size = le32(e->data + 4)) > e->data_len - 8) {
		ccel_sb_printf(b, "tag <malformed>");
		return 0;
	}
	id = le32(e->data);
	if (id == TAG_LOAD_OPTIONS) {
		d->kind = CCEL_CMDLINE;
		ccel_sb_printf(b, "cmdline (");
		ccel_sb_ascii(b, e->data + 8, size);
		ccel_sb_printf(b, ")");
	} else if (id == TAG_INITRD) {
		d->kind = CCEL_INITRD;
		ccel_sb_printf(b, "initrd (");
		ccel_sb_ascii(b, e->data + 8, size);
		ccel_sb_printf(b, ")");
	} else if (id == TAG_AAEL) {
		ccel_sb_printf(b, "AA event ");
		ccel_sb_ascii(b, e->data + 8, size);
		return check_hash(h, e, e->data, e->data_len, d);
	} else {
		ccel_sb_printf(b, "tag 0x%08x", (unsigned)id);
	}
	return 0;
}

static int decode_one(ccel_sha384_fn h, const struct ccel_event *e, struct ccel_decoded *d)
{
	struct ccel_sbuf b = { d->desc, sizeof(d->desc), 0 };

	memset(d, 0, sizeof(*d));
	switch (e->type) {
	case EV_NO_ACTION:
		d->kind = CCEL_NO_ACTION;
		ccel_sb_printf(&b, "not extended: ");
		ccel_sb_ascii(&b, e->data, e->data_len < 16 ? e->data_len : 16);
		return 0;
	case EV_SEPARATOR:
		d->kind = CCEL_SEPARATOR;
		ccel_sb_printf(&b, "separator");
		return check_hash(h, e, e->data, e->data_len, d);
	case EV_EFI_ACTION:
	case EV_ACTION:
		d->kind = CCEL_ACTION;
		ccel_sb_ascii(&b, e->data, e->data_len);
		return e->type == EV_EFI_ACTION ? check_hash(h, e, e->data, e->data_len, d) : 0;
	case EV_EFI_BOOT_SERVICES_APPLICATION:
	case EV_EFI_BOOT_SERVICES_DRIVER:
	case EV_EFI_RUNTIME_SERVICES_DRIVER:
		decode_image(e, &b, d);
		return 0;
	case EV_EVENT_TAG:
		return decode_tag(h, e, &b, d);
	case EV_IPL:
		return decode_ipl(h, e, &b, d);
	case EV_EFI_VARIABLE_DRIVER_CONFIG:
	case EV_EFI_VARIABLE_BOOT:
	case EV_EFI_VARIABLE_BOOT2:
	case EV_EFI_VARIABLE_AUTHORITY:
		return decode_variable(h, e, &b, d);
	case EV_EFI_GPT_EVENT:
		d->kind = CCEL_FIRMWARE;
		ccel_sb_printf(&b, "GPT");
		return check_hash(h, e, e->data, e->data_len, d);
	case EV_EFI_HANDOFF_TABLES2:
	case EV_EFI_PLATFORM_FIRMWARE_BLOB2:
		d->kind = CCEL_FIRMWARE;
		/* u8 description length, description */
		if (e->data_len >= 1 && e->data[0] <= e->data_len - 1)
			ccel_sb_ascii(&b, e->data + 1, e->data[0]);
		else
			ccel_sb_printf(&b, "%s <malformed>", ccel_type_name(e->type));
		return 0;
	case EV_PLATFORM_CONFIG_FLAGS:
	case EV_POST_CODE:
	case EV_EFI_HANDOFF_TABLES:
	case EV_EFI_PLATFORM_FIRMWARE_BLOB:
		d->kind = CCEL_FIRMWARE;
		if (e->data_len >= 12 && memcmp(e->data, "QEMU FW CFG", 12) == 0) {
			ccel_sb_printf(&b, "fw_cfg ");
			ccel_sb_ascii(&b, e->data + 12, e->data_len - 12);
		} else if (ccel_is_ascii_text(e->data, e->data_len)) {
			ccel_sb_ascii(&b, e->data, e->data_len);
		} else {
			ccel_sb_printf(&b, "%s", ccel_type_name(e->type));
		}
		return 0;
	default:
		d->kind = CCEL_OTHER;
		if (ccel_type_name(e->type))
			ccel_sb_printf(&b, "%s", ccel_type_name(e->type));
		else
			ccel_sb_printf(&b, "event type 0x%08x", (unsigned)e->type);
		return 0;
	}
}

/* The first argument of a grub `linux`/`initrd` command (measured-boot.md §5.2). */
static bool grub_arg(const struct ccel_event *e, const char *cmd, const uint8_t **arg, size_t *len)
{
	size_t plen, clen = strlen(cmd), i;
	const uint8_t *p;

	if (!has_prefix(e, "grub_cmd: ", &plen) || e->data_len - plen <= clen ||
	    memcmp(e->data + plen, cmd, clen) != 0 || e->data[plen + clen] != ' ')
		return false;
	p = e->data + plen + clen + 1;
	for (i = 0; p + i < e->data + e->data_len && p[i] && p[i] != ' ' && p[i] != '\n'; i++)
		;
	*arg = p;
	*len = i;
	return i > 0;
}

static bool file_is(const struct ccel_event *e, const uint8_t *name, size_t len)
{
	return e->data_len >= len && memcmp(e->data, name, len) == 0 &&
	       (e->data_len == len || (e->data_len == len + 1 && e->data[len] == 0));
}

/* "image X" -> "kernel X" (one byte longer; the last byte may be cut). */
static void relabel_kernel(struct ccel_decoded *d)
{
	d->kind = CCEL_KERNEL;
	memmove(d->desc + 7, d->desc + 6, sizeof(d->desc) - 8);
	d->desc[sizeof(d->desc) - 1] = '\0';
	memcpy(d->desc, "kernel ", 7);
}

int ccel_decode(const struct ccel_log *log, ccel_sha384_fn h, struct ccel_decoded *out)
{
	const uint8_t *linux_arg = NULL, *initrd_arg = NULL;
	size_t linux_len = 0, initrd_len = 0, last_image = (size_t)-1;
	bool kernel_seen = false, uki_linux = false;

	for (size_t i = 0; i < log->n; i++) {
		const struct ccel_event *e = &log->ev[i];
		struct ccel_decoded *d = &out[i];
		int r = decode_one(h, e, d);

		if (r < 0)
			return r;
		/* systemd-stub loads the UKI's .linux with LoadImage after measuring its sections. */
		if (d->kind == CCEL_IMAGE && e->mr == 2 && uki_linux) {
			relabel_kernel(d);
			uki_linux = false;
		}
		if (d->kind == CCEL_KERNEL)
			kernel_seen = true;
		if (d->kind == CCEL_IMAGE && e->mr == 2)
			last_image = i;
		/* A content event of systemd-stub follows its name event with the same data. */
		if (d->kind == CCEL_UKI_NAME || d->kind == CCEL_UKI_DATA) {
			size_t j = i;

			while (j-- > 0 && log->ev[j].mr != e->mr)
				;
			if (d->kind == CCEL_UKI_DATA && (j == (size_t)-1 || out[j].kind != CCEL_UKI_NAME ||
			    log->ev[j].data_len != e->data_len || memcmp(log->ev[j].data, e->data, e->data_len) != 0)) {
				d->kind = CCEL_OTHER;
				snprintf(d->desc, sizeof(d->desc), "EV_IPL (UTF-16 text)");
			}
			/* The sections that are the boot's components (measured-boot.md §6). */
			if (d->kind == CCEL_UKI_DATA && !strcmp(d->desc, "UKI section .linux")) {
				d->kind = CCEL_KERNEL;
				uki_linux = kernel_seen = true;
				snprintf(d->desc, sizeof(d->desc), "kernel (UKI section .linux)");
			} else if (d->kind == CCEL_UKI_DATA && !strcmp(d->desc, "UKI section .initrd")) {
				d->kind = CCEL_INITRD;
				snprintf(d->desc, sizeof(d->desc), "initrd (UKI section .initrd)");
			} else if (d->kind == CCEL_UKI_DATA && !strcmp(d->desc, "UKI section .cmdline")) {
				d->kind = CCEL_CMDLINE;
				snprintf(d->desc, sizeof(d->desc), "cmdline (UKI section .cmdline)");
			}
		}
		/* grub's `linux X` / `initrd X` name the file events that follow. */
		if (d->kind == CCEL_GRUB_CMD) {
			if (!grub_arg(e, "linux", &linux_arg, &linux_len))
				(void)grub_arg(e, "linuxefi", &linux_arg, &linux_len);
			if (!grub_arg(e, "initrd", &initrd_arg, &initrd_len))
				(void)grub_arg(e, "initrdefi", &initrd_arg, &initrd_len);
		}
		if (d->kind == CCEL_GRUB_FILE && linux_arg && file_is(e, linux_arg, linux_len)) {
			d->kind = CCEL_KERNEL;
			snprintf(d->desc, sizeof(d->desc), "kernel (grub) %.*s", (int)linux_len, (const char *)linux_arg);
			linux_arg = NULL;
			kernel_seen = true;
		} else if (d->kind == CCEL_GRUB_FILE && initrd_arg && file_is(e, initrd_arg, initrd_len)) {
			d->kind = CCEL_INITRD;
			snprintf(d->desc, sizeof(d->desc), "initrd (grub) %.*s", (int)initrd_len, (const char *)initrd_arg);
			initrd_arg = NULL;
		}
		/* Disk boot: the kernel stub's tags say the last image loaded was the kernel. */
		if ((d->kind == CCEL_CMDLINE || d->kind == CCEL_INITRD) && e->type == EV_EVENT_TAG && !kernel_seen &&
		    last_image != (size_t)-1) {
			relabel_kernel(&out[last_image]);
			kernel_seen = true;
		}
	}
	return 0;
}
