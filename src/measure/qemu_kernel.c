/* SPDX-License-Identifier: Apache-2.0 */
/* QEMU's rewrite of the Linux setup header before it serves a -kernel image (QEMU < 10.2
 * for every guest; >= 10.2 leaves confidential guests' images alone: commit a7542a38f399).
 * The measured image is the rewritten one, so the kernel's digest then depends on the
 * initrd size and, below 2.75 GiB of RAM, on the RAM size (measured-boot.md §4.1). */
#include "measure.h"

#include <errno.h>

#define HDR_MIN 0x1000u                 /* QEMU refuses shorter images */
#define ACPI_DATA_SIZE 0x28000u         /* QEMU's reserve below the top of low RAM */
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x40u

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, v); wr16(p + 2, v >> 16); }

int measure_qemu_patch_kernel(uint8_t *img, size_t len, uint64_t ram_size, uint64_t initrd_size,
			      const char **why)
{
	uint32_t real_addr, cmdline_addr, initrd_max, below_4g, lowmem;
	uint16_t protocol = 0;

	if (len < HDR_MIN) {
		*why = "kernel image shorter than 4 KiB";
		return -EINVAL;
	}
	if (rd32(img + 0x202) == 0x53726448) /* "HdrS" */
		protocol = rd16(img + 0x206);
	if (protocol < 0x200 || !(img[0x211] & 0x01)) {
		real_addr = 0x90000;
		cmdline_addr = 0x9a000;
	} else {
		real_addr = 0x10000;
		cmdline_addr = 0x20000;
	}
	if (protocol >= 0x200)
		img[0x210] = 0xb0;          /* type_of_loader: QEMU */
	if (protocol >= 0x201) {
		img[0x211] |= 0x80;         /* loadflags: CAN_USE_HEAP */
		wr16(img + 0x224, cmdline_addr - real_addr - 0x200);
	}
	if (protocol >= 0x202) {
		wr32(img + 0x228, cmdline_addr);
	} else {
		wr16(img + 0x20, 0xa33f);   /* old command-line protocol */
		wr16(img + 0x22, cmdline_addr - real_addr);
	}
	if (initrd_size == 0)
		return 0;
	if (protocol < 0x200) {
		*why = "kernel boot protocol too old for an initrd";
		return -EINVAL;
	}
	if (protocol >= 0x20c && (rd16(img + 0x236) & XLF_CAN_BE_LOADED_ABOVE_4G))
		initrd_max = UINT32_MAX;
	else if (protocol >= 0x203 && rd32(img + 0x22c))
		initrd_max = rd32(img + 0x22c);
	else
		initrd_max = 0x37ffffff;
	/* q35/pc: RAM below 4 GiB ends at 2 GiB when the VM has >= 2.75 GiB, else at 2.75 GiB. */
	lowmem = ram_size >= 0xb0000000ull ? 0x80000000u : 0xb0000000u;
	below_4g = ram_size >= lowmem ? lowmem : (uint32_t)ram_size;
	if (below_4g <= ACPI_DATA_SIZE) {
		*why = "RAM size too small";
		return -EINVAL;
	}
	if (initrd_max >= below_4g - ACPI_DATA_SIZE)
		initrd_max = below_4g - ACPI_DATA_SIZE - 1;
	if (initrd_size >= initrd_max) {
		*why = "initrd too large for the RAM size";
		return -EINVAL;
	}
	wr32(img + 0x218, (uint32_t)(initrd_max - initrd_size) & ~0xfffu);
	wr32(img + 0x21c, (uint32_t)initrd_size);
	return 0;
}
