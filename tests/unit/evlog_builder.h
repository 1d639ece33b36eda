/* SPDX-License-Identifier: Apache-2.0 */
/* Event logs built the way TDVF and the Linux EFI stub write them for a QEMU direct boot
 * (measured-boot.md §3.2, §4), with what a hostile kernel may append: shared by the boot
 * policy tests (unit and in-process server). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVB_CMDLINE "console=ttyS0 root=/dev/vda1 initrd=initrd"

struct logbuf {
	uint8_t b[8192];
	size_t n;
};

struct boot {
	const char *kernel, *initrd, *cmdline; /* labels of the "files"; NULL = not measured */
	bool old_firmware;                      /* no ReadyToBoot separator in RTMR1 */
	const char *append_kernel;              /* an RTMR1 event appended after the boot */
	const char *append_cmdline, *append_initrd; /* RTMR2 events appended */
};

/* The log of boot b, ended by 8 bytes 0xFF. */
void evb_build(struct logbuf *l, const struct boot *b);
/* A shim + grub disk boot with a CC-aware grub: grub's commands, the kernel file it reads
 * (labelled kernel), and its kernel_cmdline "/vmlinuz CMDLINE" (measured-boot.md §5). */
void evb_build_grub(struct logbuf *l, const char *kernel, const char *cmdline);
/* Stand-ins for a kernel's Authenticode hash or an initrd's SHA-384: SHA-384(label). */
void evb_file_digest(const char *label, uint8_t out[48]);
void evb_hex(const char *label, char out[97]);
/* The RTMRs the log replays to (what a quote of that boot carries). */
void evb_replay(const struct logbuf *l, uint8_t rtmr[4][48]);
