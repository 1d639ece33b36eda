/* SPDX-License-Identifier: Apache-2.0 */
/* The measurement rules of a QEMU direct kernel boot under TDVF (../shared/docs/
 * measured-boot.md §3-§4): what the firmware and the Linux EFI stub extend into RTMR0-2,
 * computed from the files. One implementation for the key server's prediction tool
 * (tdx-keyserver reference-values) and the simulator's event log (tdx-sim mount --kernel),
 * so that both always agree. SHA-384 through OpenSSL's libcrypto. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEASURE_DIGEST_LEN 48
/* Kernel images and initrds larger than this are refused (a bzImage is ~10-15 MiB). */
#define MEASURE_FILE_MAX (1024u << 20)

/* TDVF (edk2 OVMF for TDX) classes whose direct-boot measurements differ (§3.4):
 * PRE202411  both ReadyToBoot separators in RTMR0; LoadOptions "<append> initrd=initrd"
 * 202411     separator moved to RTMR1 (edk2 efaf8931bb); same LoadOptions
 * 202505     + fw_cfg "QEMU FW CFG" events and the BootManagerMenuApp boot option in RTMR0
 * 202508     LoadOptions "initrd=initrd <append>" (edk2 a2ac0fea49) */
enum measure_fw {
	MEASURE_FW_PRE202411,
	MEASURE_FW_202411,
	MEASURE_FW_202505,
	MEASURE_FW_202508,
};
#define MEASURE_FW_DEFAULT MEASURE_FW_202508

/* "edk2-stable202508" etc. (also accepted without the "edk2-stable" prefix, and "pre202411").
 * Returns 0 or -EINVAL. */
int measure_fw_parse(const char *name, enum measure_fw *out);
const char *measure_fw_name(enum measure_fw fw);
/* The accepted names, for usage texts. */
extern const char measure_fw_names[];

/* SHA-384 of a ‖ b (b may be NULL when blen is 0). Returns 0 or -EIO. The signature is the
 * one the event-log replay takes (ccel_sha384_fn). */
int measure_sha384(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[48]);

/* ---- PE/COFF Authenticode (the kernel's RTMR1 event, §4.1) */

struct measure_pe {
	uint32_t checksum_off;    /* file offset of OptionalHeader.CheckSum */
	uint32_t certdir_off;     /* of the Certificate Table data-directory entry, 0 if absent */
	uint32_t size_of_headers;
	uint32_t cert_size;       /* Certificate Table size (0 when absent) */
	uint32_t section_table;   /* file offset of the section headers */
	uint16_t nsections;
	bool pe32plus;
};

/* Parses the headers the Authenticode hash needs, every offset and size bounded by len.
 * Returns 0 or -EINVAL (*why says what is wrong). */
int measure_pe_parse(const uint8_t *img, size_t len, struct measure_pe *pe, const char **why);

/* The Authenticode SHA-384 exactly as TDVF measures a PE image it loads (edk2
 * MeasureBootPeCoff.c): headers without CheckSum and the Certificate Table entry, the
 * sections with raw data in file order, then the bytes after them less the certificate
 * table. Returns 0, -EINVAL (*why), -EIO. */
int measure_pe_authenticode(const uint8_t *img, size_t len, uint8_t out[48], const char **why);

/* QEMU < 10.2 rewrote the bzImage setup header before serving it (§4.1); >= 10.2 serves
 * the file unchanged to confidential guests. Applies that rewrite to img in place:
 * ram_size = the VM's -m in bytes, initrd_size 0 = no -initrd. Returns 0 or -EINVAL. */
int measure_qemu_patch_kernel(uint8_t *img, size_t len, uint64_t ram_size, uint64_t initrd_size,
			      const char **why);

/* ---- Command line and initrd (RTMR2 tags of the Linux EFI stub, §4.2-§4.3) */

/* The LoadOptions text TDVF hands the kernel for `-append APPEND` (NULL = none) with or
 * without `-initrd`: the "initrd=initrd" suffix or prefix by firmware class. Returns a
 * malloc'd string, "" when the firmware sets no LoadOptions (nothing is measured then),
 * or NULL (out of memory). */
char *measure_load_options_text(const char *append, bool initrd, enum measure_fw fw);

/* Digest of the stub's LoadOptions event for that text: SHA-384 of each byte widened to a
 * UTF-16LE unit (as OVMF's %a conversion does), followed by the UTF-16 NUL. The key
 * server checks a policy's "cmdline" strings with this. Returns 0 or -EIO. */
int measure_load_options_digest(const char *text, uint8_t out[48]);

/* ---- Event log writer (TCG2 crypto-agile, SHA-384 only, as TDVF writes the CCEL) */

/* Event types written here (TCG PFP §10.4.1; the parser in src/tdx names them too). */
enum {
	MEASURE_EV_SEPARATOR = 0x4,
	MEASURE_EV_EVENT_TAG = 0x6,
	MEASURE_EV_PLATFORM_CONFIG_FLAGS = 0xa,
	MEASURE_EV_EFI_VARIABLE_DRIVER_CONFIG = 0x80000001,
	MEASURE_EV_EFI_VARIABLE_BOOT = 0x80000002,
	MEASURE_EV_EFI_BOOT_SERVICES_APPLICATION = 0x80000003,
	MEASURE_EV_EFI_ACTION = 0x80000007,
	MEASURE_EV_EFI_PLATFORM_FIRMWARE_BLOB2 = 0x8000000a,
	MEASURE_EV_EFI_HANDOFF_TABLES2 = 0x8000000b,
};

/* Largest log the writer produces; TDVF's area is 64 KiB. */
#define MEASURE_LOG_MAX (1u << 20)
#define MEASURE_LOG_AREA 0x10000u

struct measure_log {
	uint8_t *buf;
	size_t len, cap;
	uint8_t rtmr[4][MEASURE_DIGEST_LEN]; /* what the events written so far extend to */
	unsigned nevents;
};

/* Starts a log with TDVF's Spec ID header (MR 1, SHA-384 only). Returns 0 or -ENOMEM. */
int measure_log_init(struct measure_log *log);
void measure_log_free(struct measure_log *log);
/* Appends one event extending RTMR[rtmr] (0..3) by digest. Returns 0, -EINVAL, -E2BIG. */
int measure_log_add(struct measure_log *log, unsigned rtmr, uint32_t type, const uint8_t digest[48],
		    const void *data, size_t data_len);
/* Same, digest = SHA-384(data) (separators, actions, UEFI variables, ...). */
int measure_log_add_hashed(struct measure_log *log, unsigned rtmr, uint32_t type, const void *data,
			   size_t data_len);
/* The log area as the guest reads it from /sys/firmware/acpi/tables/data/CCEL: the
 * records, then 0xFF up to 64 KiB (or 8 bytes of 0xFF past a longer log). malloc'd. */
int measure_log_area(const struct measure_log *log, uint8_t **out, size_t *out_len);

/* ---- A whole direct kernel boot */

struct measure_boot {
	enum measure_fw fw;
	const uint8_t *kernel;   /* the image as QEMU serves it (see measure_qemu_patch_kernel) */
	size_t kernel_len;
	const char *append;      /* -append, NULL = none */
	const uint8_t *initrd;   /* NULL = no -initrd */
	size_t initrd_len;
	/* Appended after the boot: events a kernel extends itself (RTMR index 0..3). */
	const struct measure_extra { unsigned rtmr; uint8_t digest[48]; } *extra;
	size_t nextra;
};

/* Writes the firmware events of TDVF for QEMU direct boot (RTMR0: TD HOB, CFV, Secure Boot
 * variables, separator, ACPI tables, boot variables; RTMR1: the kernel image, "Calling EFI
 * Application", separator, ExitBootServices) with the Linux EFI stub's LoadOptions and
 * initrd tags (RTMR2) in their place, then the extra events. The VM-shape events (TD HOB,
 * ACPI) carry fixed simulated blobs: a policy pins them from a reference log anyway.
 * Returns 0, -EINVAL (logged: bad kernel image), -ENOMEM. */
int measure_direct_boot(const struct measure_boot *b, struct measure_log *log);

/* ---- Reference values for a policy (tdx-keyserver reference-values) */

struct measure_ref_input {
	enum measure_fw fw;
	const uint8_t *kernel;     /* the kernel file */
	size_t kernel_len;
	const uint8_t *initrd;     /* NULL = no -initrd */
	size_t initrd_len;
	const char *append;        /* -append, NULL = none */
	bool qemu_header_patch;    /* QEMU < 10.2: hash the image with QEMU's rewrite */
	uint64_t ram_size;         /* -m in bytes (only with qemu_header_patch) */
};

struct measure_ref {
	uint8_t kernel[48];
	bool have_initrd;
	uint8_t initrd[48];
	char *cmdline;             /* the measured LoadOptions text, NULL when none is measured */
	uint8_t cmdline_digest[48];
};

/* Computes what the boot will measure. Returns 0, -EINVAL (logged: what is wrong with
 * which input), -ENOMEM. */
int measure_reference(const struct measure_ref_input *in, struct measure_ref *out);
void measure_ref_free(struct measure_ref *ref);
/* The policy members {"kernel":[hex], "initrd":[hex], "cmdline":[text]} (initrd and
 * cmdline only when measured), ready to merge into a resource's policy. NULL = no memory. */
struct json_object;
struct json_object *measure_ref_json(const struct measure_ref *ref);
