/* SPDX-License-Identifier: Apache-2.0 */
/* The event log of a QEMU direct kernel boot under TDVF with a CC-aware Linux EFI stub, in
 * the order the firmware and the stub write it (measured-boot.md §3.1-§3.2, §4; the layout
 * of the upstream-OVMF logs in ../shared/testdata/ccel/logs). The pre-202411 log is checked
 * event by event against trustee's CCEL_data_ovmf (test_measure); the 202505 additions
 * (fw_cfg BootMenu, SMBIOS, Boot0001 BootManagerMenuApp) follow the reference's description
 * only: no such log was at hand, so their data bytes are a model, not a copy. */
#include "measure.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EV_EFI_HANDOFF_TABLES 0x80000009u
#define LINUX_EVT_INITRD 0x8f3b22ecu
#define LINUX_EVT_LOAD_OPTIONS 0x8f3b22edu

/* GUIDs in their in-memory (little-endian) byte order. */
static const uint8_t guid_efi_global[16] = { 0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c };
static const uint8_t guid_image_security[16] = { 0xcb, 0xb2, 0x19, 0xd7, 0x3a, 0x3d, 0x96, 0x45, 0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f };
static const uint8_t guid_td_hob[16] = { 0xaf, 0x96, 0xbb, 0x93, 0xf2, 0xb9, 0xb8, 0x4e, 0x94, 0x62, 0xe0, 0xba, 0x74, 0x56, 0x42, 0x36 };
static const uint8_t guid_smbios3[16] = { 0x44, 0x15, 0xfd, 0xf2, 0x94, 0x97, 0x2c, 0x4a, 0x99, 0x2e, 0xe5, 0xbb, 0xcf, 0x20, 0xe3, 0x94 };
static const uint8_t guid_kernel_fs[16] = { 0x72, 0xf7, 0x28, 0x14, 0x4a, 0xb6, 0x1e, 0x44, 0xb8, 0xc3, 0x9e, 0xbd, 0xd7, 0xf8, 0x93, 0xc7 };
/* MdeModulePkg's FV (7cb8bdc9-f8eb-4f34-aaea-3ee4af6516a1) and its UiApp and
 * BootManagerMenuApp files. */
static const uint8_t guid_mde_fv[16] = { 0xc9, 0xbd, 0xb8, 0x7c, 0xeb, 0xf8, 0x34, 0x4f, 0xaa, 0xea, 0x3e, 0xe4, 0xaf, 0x65, 0x16, 0xa1 };
static const uint8_t guid_uiapp[16] = { 0x21, 0xaa, 0x2c, 0x46, 0x14, 0x76, 0x03, 0x45, 0x83, 0x6e, 0x8a, 0xb6, 0xf4, 0x66, 0x23, 0x31 };
static const uint8_t guid_bootmenu[16] = { 0xdc, 0x5b, 0xc2, 0xee, 0xf2, 0x67, 0x95, 0x4d, 0xb1, 0xd5, 0xf8, 0x1b, 0x20, 0x39, 0xd1, 0x1d };

/* The CFV digest of stock upstream OVMF builds (§3.1 item 2). */
static const uint8_t cfv_upstream[48] = {
	0x34, 0x4b, 0xc5, 0x1c, 0x98, 0x0b, 0xa6, 0x21, 0xaa, 0xa0, 0x0d, 0xa3, 0xed, 0x74, 0x36, 0xf7,
	0xd6, 0xe5, 0x49, 0x19, 0x7d, 0xfe, 0x69, 0x95, 0x15, 0xdf, 0xa2, 0xc6, 0x58, 0x3d, 0x95, 0xe6,
	0x41, 0x2a, 0xf2, 0x1c, 0x09, 0x7d, 0x47, 0x31, 0x55, 0x87, 0x5f, 0xfd, 0x56, 0x1d, 0x67, 0x90,
};

static void le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* UEFI_VARIABLE_DATA: GUID, u64 name length (UTF-16 units), u64 data length, name, data. */
static size_t var_data(uint8_t *out, const uint8_t guid[16], const char *name, const void *data, size_t len)
{
	size_t n = strlen(name), o = 32;

	memcpy(out, guid, 16);
	le64(out + 16, n);
	le64(out + 24, len);
	for (size_t i = 0; i < n; i++, o += 2) {
		out[o] = (uint8_t)name[i];
		out[o + 1] = 0;
	}
	if (len)
		memcpy(out + o, data, len);
	return o + len;
}

/* EFI_LOAD_OPTION of an FvFile(app) boot option: attributes, path length, description,
 * MemoryMapped FV(MdeModulePkg)/FvFile(app)/End. */
static size_t load_option(uint8_t *out, uint32_t attributes, const char *desc, const uint8_t app[16])
{
	static const uint8_t fv_node[4] = { 0x04, 0x07, 0x14, 0x00 }, file_node[4] = { 0x04, 0x06, 0x14, 0x00 };
	static const uint8_t end[4] = { 0x7f, 0xff, 0x04, 0x00 };
	size_t o = 6, n = strlen(desc);

	out[0] = (uint8_t)attributes;
	out[1] = (uint8_t)(attributes >> 8);
	out[2] = out[3] = 0;
	out[4] = 44;
	out[5] = 0;
	for (size_t i = 0; i <= n; i++, o += 2) {
		out[o] = (uint8_t)desc[i];
		out[o + 1] = 0;
	}
	memcpy(out + o, fv_node, 4);
	memcpy(out + o + 4, guid_mde_fv, 16);
	memcpy(out + o + 20, file_node, 4);
	memcpy(out + o + 24, app, 16);
	memcpy(out + o + 40, end, 4);
	return o + 44;
}

/* A simulated VM-shape blob (TD HOB, ACPI tables, SMBIOS): what matters is that the
 * same boot gives the same digest. */
static int add_blob(struct measure_log *log, unsigned rtmr, uint32_t type, const char *blob,
		    const void *data, size_t len)
{
	uint8_t d[48];
	int r = measure_sha384(blob, strlen(blob), NULL, 0, d);

	return r < 0 ? r : measure_log_add(log, rtmr, type, d, data, len);
}

static int firmware_rtmr0(const struct measure_boot *b, struct measure_log *log)
{
	static const char *const sb_vars[] = { "SecureBoot", "PK", "KEK", "db", "dbx" };
	static const uint8_t zero2[2] = { 0, 0 };
	uint8_t buf[128] = { 0 }, d[48];
	int r;

	/* TD HOB: "TdxTable", one table {TD HOB GUID, address}. */
	buf[0] = 9;
	memcpy(buf + 1, "TdxTable", 9);
	le64(buf + 10, 1);
	memcpy(buf + 18, guid_td_hob, 16);
	le64(buf + 34, 0x809000);
	r = add_blob(log, 0, MEASURE_EV_EFI_HANDOFF_TABLES2, "tdx-unlock simulated TD HOB", buf, 42);
	/* CFV: "Fv(XXXXXXXX-...)", base, length. */
	memset(buf, 0, sizeof(buf));
	buf[0] = 41;
	memcpy(buf + 1, "Fv(XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX)", 41);
	le64(buf + 42, 0xffc00000);
	le64(buf + 50, 0x84000);
	if (r == 0)
		r = measure_log_add(log, 0, MEASURE_EV_EFI_PLATFORM_FIRMWARE_BLOB2, cfv_upstream, buf, 58);
	if (r == 0 && b->fw >= MEASURE_FW_202505) {
		/* fw_cfg item "BootMenu" = 00 00 (edk2 >= stable202505). */
		memset(buf, 0, sizeof(buf));
		memcpy(buf, "QEMU FW CFG", 12);
		memcpy(buf + 12, "BootMenu", 8);
		r = measure_sha384(zero2, 2, NULL, 0, d);
		if (r == 0)
			r = measure_log_add(log, 0, MEASURE_EV_PLATFORM_CONFIG_FLAGS, d, buf, 68);
	}
	/* Secure Boot off: the five policy variables, empty, then the separator. */
	for (size_t i = 0; r == 0 && i < sizeof(sb_vars) / sizeof(sb_vars[0]); i++) {
		size_t n = var_data(buf, i < 3 ? guid_efi_global : guid_image_security, sb_vars[i], NULL, 0);

		r = measure_log_add_hashed(log, 0, MEASURE_EV_EFI_VARIABLE_DRIVER_CONFIG, buf, n);
	}
	if (r == 0)
		r = measure_log_add_hashed(log, 0, MEASURE_EV_SEPARATOR, "\0\0\0\0", 4);
	for (int i = 0; r == 0 && i < 3; i++) {
		static const char *const acpi[] = { "etc/table-loader", "etc/acpi/rsdp", "etc/acpi/tables" };
		char blob[64];

		snprintf(blob, sizeof(blob), "tdx-unlock simulated %s", acpi[i]);
		r = add_blob(log, 0, MEASURE_EV_PLATFORM_CONFIG_FLAGS, blob, "ACPI DATA", 9);
	}
	if (r == 0 && b->fw >= MEASURE_FW_202505) {
		memset(buf, 0, sizeof(buf));
		le64(buf, 1);
		memcpy(buf + 8, guid_smbios3, 16);
		le64(buf + 24, 0x7f000000);
		r = add_blob(log, 0, EV_EFI_HANDOFF_TABLES, "tdx-unlock simulated SMBIOS", buf, 32);
	}
	return r;
}

static int kernel_event(const struct measure_boot *b, struct measure_log *log, uint8_t data[74],
			uint8_t digest[48])
{
	static const uint8_t file_node[4] = { 0x04, 0x04, 0x12, 0x00 }, end[4] = { 0x7f, 0xff, 0x04, 0x00 };
	static const uint8_t vendor_node[4] = { 0x04, 0x03, 0x14, 0x00 };
	const char *why = NULL;
	int r;

	r = measure_pe_authenticode(b->kernel, b->kernel_len, digest, &why);
	if (r == -EINVAL)
		return log_errno(r, "kernel image: %s (a direct boot measures a PE/EFI-stub kernel)", why);
	if (r < 0)
		return r;
	/* EFI_IMAGE_LOAD_EVENT: location, length, link-time address, device-path length,
	 * VenMedia(QEMU kernel loader FS)/File(kernel)/End. */
	memset(data, 0, 74);
	le64(data, 0x7cb30018);
	le64(data + 8, b->kernel_len);
	le64(data + 24, 42);
	memcpy(data + 32, vendor_node, 4);
	memcpy(data + 36, guid_kernel_fs, 16);
	memcpy(data + 52, file_node, 4);
	for (int i = 0; i < 7; i++)
		data[56 + 2 * i] = (uint8_t)"kernel"[i];
	memcpy(data + 70, end, 4);
	return log ? measure_log_add(log, 1, MEASURE_EV_EFI_BOOT_SERVICES_APPLICATION, digest, data, 74) : 0;
}

static int boot_variables(const struct measure_boot *b, struct measure_log *log)
{
	static const uint8_t order1[2] = { 0, 0 }, order2[4] = { 0, 0, 1, 0 };
	uint8_t opt[128], var[256], d[48];
	size_t n, len;
	int r;

	/* EV_EFI_VARIABLE_BOOT: the digest covers the variable's data only. */
	len = b->fw >= MEASURE_FW_202505 ? sizeof(order2) : sizeof(order1);
	n = var_data(var, guid_efi_global, "BootOrder", len == 2 ? order1 : order2, len);
	r = measure_sha384(var + n - len, len, NULL, 0, d);
	if (r == 0)
		r = measure_log_add(log, 0, MEASURE_EV_EFI_VARIABLE_BOOT, d, var, n);
	for (int i = 0; r == 0 && i < (b->fw >= MEASURE_FW_202505 ? 2 : 1); i++) {
		len = i == 0 ? load_option(opt, 0x109, "UiApp", guid_uiapp)
			     : load_option(opt, 0x109, "BootManagerMenuApp", guid_bootmenu);
		n = var_data(var, guid_efi_global, i == 0 ? "Boot0000" : "Boot0001", opt, len);
		r = measure_sha384(opt, len, NULL, 0, d);
		if (r == 0)
			r = measure_log_add(log, 0, MEASURE_EV_EFI_VARIABLE_BOOT, d, var, n);
	}
	return r;
}

/* The Linux EFI stub's two tags into PCR 9 = RTMR2: TCG_PCClientTaggedEvent {id, size, data}. */
static int tag_event(struct measure_log *log, unsigned rtmr, uint32_t id, const char *name,
		     const uint8_t digest[48])
{
	uint8_t ev[64];
	size_t n = strlen(name) + 1;

	ev[0] = (uint8_t)id;
	ev[1] = (uint8_t)(id >> 8);
	ev[2] = (uint8_t)(id >> 16);
	ev[3] = (uint8_t)(id >> 24);
	ev[4] = (uint8_t)n;
	ev[5] = ev[6] = ev[7] = 0;
	memcpy(ev + 8, name, n);
	return measure_log_add(log, rtmr, MEASURE_EV_EVENT_TAG, digest, ev, 8 + n);
}

static int stub_events(const struct measure_boot *b, struct measure_log *log)
{
	char *text = measure_load_options_text(b->append, b->initrd != NULL, b->fw);
	uint8_t d[48];
	int r = text ? 0 : -ENOMEM;

	if (r == 0 && text[0]) {
		r = measure_load_options_digest(text, d);
		if (r == 0)
			r = tag_event(log, 2, LINUX_EVT_LOAD_OPTIONS, "LOADED_IMAGE::LoadOptions", d);
	}
	free(text);
	if (r == 0 && b->initrd && b->initrd_len > 0) {
		r = measure_sha384(b->initrd, b->initrd_len, NULL, 0, d);
		if (r == 0)
			r = tag_event(log, 2, LINUX_EVT_INITRD, "Linux initrd", d);
	}
	return r;
}

int measure_direct_boot(const struct measure_boot *b, struct measure_log *log)
{
	static const char calling[] = "Calling EFI Application from Boot Option";
	static const char ebs[] = "Exit Boot Services Invocation";
	static const char ebs_ok[] = "Exit Boot Services Returned with Success";
	uint8_t kdata[74], kdigest[48];
	int r;

	r = measure_log_init(log);
	if (r == 0)
		r = firmware_rtmr0(b, log);
	if (r == 0)
		r = kernel_event(b, log, kdata, kdigest);
	if (r == 0)
		r = boot_variables(b, log);
	if (r == 0)
		r = measure_log_add_hashed(log, 1, MEASURE_EV_EFI_ACTION, calling, strlen(calling));
	/* The ReadyToBoot separator: RTMR0 before edk2 efaf8931bb, RTMR1 since. */
	if (r == 0)
		r = measure_log_add_hashed(log, b->fw == MEASURE_FW_PRE202411 ? 0 : 1, MEASURE_EV_SEPARATOR,
					   "\0\0\0\0", 4);
	if (r == 0)
		r = stub_events(b, log);
	if (r == 0)
		r = measure_log_add_hashed(log, 1, MEASURE_EV_EFI_ACTION, ebs, strlen(ebs));
	if (r == 0)
		r = measure_log_add_hashed(log, 1, MEASURE_EV_EFI_ACTION, ebs_ok, strlen(ebs_ok));
	/* What a kernel extends after the boot: shaped like the boot's own events, as a
	 * hostile kernel would forge them. */
	for (size_t i = 0; r == 0 && i < b->nextra; i++) {
		const struct measure_extra *x = &b->extra[i];

		if (x->rtmr == 1)
			r = measure_log_add(log, 1, MEASURE_EV_EFI_BOOT_SERVICES_APPLICATION, x->digest, kdata, sizeof(kdata));
		else if (x->rtmr == 2)
			r = tag_event(log, 2, LINUX_EVT_LOAD_OPTIONS, "LOADED_IMAGE::LoadOptions", x->digest);
		else if (x->rtmr <= 3)
			r = tag_event(log, x->rtmr, 0, "tdx-sim appended event", x->digest);
		else
			r = -EINVAL;
	}
	if (r < 0)
		measure_log_free(log);
	return r;
}
