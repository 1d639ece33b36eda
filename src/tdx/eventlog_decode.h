/* SPDX-License-Identifier: Apache-2.0 */
/* What each event of a parsed log is (measured-boot.md §2.1, §4-§6): the boot component
 * it measures, a short description, and whether its digest is a hash of its data.
 * Event data is not protected by the RTMRs unless the digest covers it: a description
 * names what the firmware or boot loader says it hashed, only `check == CCEL_DIGEST_OK`
 * (and a replay that matches the quote) makes it a fact. */
#pragma once
#include "eventlog.h"

enum ccel_kind {
	CCEL_OTHER,
	CCEL_NO_ACTION,   /* not extended (Spec ID, SP800-155 platform id) */
	CCEL_SEPARATOR,
	CCEL_ACTION,      /* EV_EFI_ACTION text ("Calling EFI Application ...") */
	CCEL_IMAGE,       /* a PE image the firmware loaded (shim, grub, UKI, ...) */
	CCEL_KERNEL,      /* the Linux kernel: direct boot File(kernel), the image the kernel
			   * stub's tags follow, or the file grub's `linux` command read */
	CCEL_CMDLINE,     /* tag LOADED_IMAGE::LoadOptions (UTF-16 command line) */
	CCEL_INITRD,      /* tag "Linux initrd", or the file grub's `initrd` command read */
	CCEL_GRUB_CMD,    /* "grub_cmd: ..." */
	CCEL_GRUB_CMDLINE,/* "kernel_cmdline: ..." (text in the event, digest covers it) */
	CCEL_GRUB_FILE,   /* a file grub read (EV_IPL, file name) */
	CCEL_SHIM_MOK,    /* shim's MokList / MokListX / MokListTrusted */
	CCEL_UKI_NAME,    /* systemd-stub: section name event */
	CCEL_UKI_DATA,    /* systemd-stub: section content event */
	CCEL_VARIABLE,    /* EV_EFI_VARIABLE_* */
	CCEL_TAG,         /* another EV_EVENT_TAG (e.g. the CoCo AA event log "LEAA") */
	CCEL_FIRMWARE,    /* TD HOB, CFV, ACPI/fw_cfg blobs, GPT, handoff tables */
};

enum ccel_check {
	CCEL_UNCHECKED,   /* the digest is of something not in the log (image, file, blob) */
	CCEL_DIGEST_OK,   /* digest == the hash the measuring code takes of the event data */
	CCEL_DIGEST_BAD,  /* it should be, and is not: the data lies */
};

#define CCEL_DESC_MAX 160

struct ccel_decoded {
	enum ccel_kind kind;
	enum ccel_check check;
	char desc[CCEL_DESC_MAX];
	/* grub's kernel_cmdline: the measured text (into the log buffer, not NUL-terminated);
	 * NULL otherwise. Trustworthy only when check == CCEL_DIGEST_OK. */
	const char *text;
	size_t text_len;
};

const char *ccel_kind_name(enum ccel_kind k);

/* Decodes every event of log into out[0..log->n). Returns 0 or a negative errno from
 * sha384. Malformed event data is described as such, never an error. */
int ccel_decode(const struct ccel_log *log, ccel_sha384_fn sha384, struct ccel_decoded *out);
