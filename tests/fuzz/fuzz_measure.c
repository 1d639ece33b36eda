/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the PE/COFF parser behind the kernel's Authenticode digest
 * (src/measure/pe_authenticode.c) and QEMU's setup-header rewrite (qemu_kernel.c), on
 * exact-size buffers. Promises checked: a parse that succeeds keeps every offset inside
 * the image; Authenticode succeeds only on images the parser accepts and gives the same
 * digest twice. */
#include "measure/measure.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct measure_pe pe;
	const char *why = NULL;
	uint8_t d1[48], d2[48], *copy;
	int r, a;

	copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	r = measure_pe_parse(copy, size, &pe, &why);
	if (r == 0) {
		if (pe.size_of_headers > size || pe.checksum_off + 4 > pe.size_of_headers ||
		    (pe.certdir_off && pe.certdir_off + 8 > pe.size_of_headers) ||
		    pe.section_table + 40ull * pe.nsections > size)
			abort();
	} else if (!why) {
		abort();
	}
	a = measure_pe_authenticode(copy, size, d1, &why);
	if (a == 0 && r != 0)
		abort();
	if (a == 0) {
		if (measure_pe_authenticode(copy, size, d2, &why) != 0 || memcmp(d1, d2, 48) != 0)
			abort();
	}
	if (size >= 2) {
		uint64_t ram = (uint64_t)data[0] << 24, initrd = (uint64_t)data[1] << 16;

		r = measure_qemu_patch_kernel(copy, size, ram, initrd, &why);
		if (r != 0 && !why)
			abort();
	}
	free(copy);
	return 0;
}
