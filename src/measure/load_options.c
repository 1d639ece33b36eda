/* SPDX-License-Identifier: Apache-2.0 */
/* The kernel command line as the Linux EFI stub measures it in a QEMU direct boot
 * (measured-boot.md §4.2): OVMF builds LoadOptions from fw_cfg's -append bytes and, with
 * an initrd, "initrd=initrd" (edk2 X86QemuLoadImageLib QemuLoadKernelImage), converts each
 * byte to one UTF-16 unit and NUL-terminates; the stub hashes all LoadOptionsSize bytes. */
#include "measure.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *measure_load_options_text(const char *append, bool initrd, enum measure_fw fw)
{
	char *s = NULL;
	int n;

	if (!append)
		append = "";
	if (!initrd)
		n = asprintf(&s, "%s", append);
	else if (fw >= MEASURE_FW_202508)
		n = asprintf(&s, "initrd=initrd %s", append);   /* edk2 a2ac0fea49: a prefix */
	else
		n = asprintf(&s, "%s initrd=initrd", append);   /* earlier: a suffix */
	return n < 0 ? NULL : s;
}

int measure_load_options_digest(const char *text, uint8_t out[48])
{
	size_t n = strlen(text);
	uint8_t *u16 = malloc(2 * n + 2);
	int r;

	if (!u16)
		return -ENOMEM;
	for (size_t i = 0; i <= n; i++) {   /* the NUL too */
		u16[2 * i] = (uint8_t)text[i];
		u16[2 * i + 1] = 0;
	}
	r = measure_sha384(u16, 2 * n + 2, NULL, 0, out);
	free(u16);
	return r;
}
