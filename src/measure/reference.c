/* SPDX-License-Identifier: Apache-2.0 */
/* Reference values of a direct boot for a resource policy: the kernel's Authenticode
 * digest (as QEMU serves the image), the initrd's digest and the command line as the
 * EFI stub measures it. The policy members they fill are lists, so an update's values
 * merge into the current ones by union. */
#include "measure.h"
#include "common/hex.h"
#include "common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

int measure_reference(const struct measure_ref_input *in, struct measure_ref *out)
{
	const char *why = NULL;
	uint8_t *patched = NULL;
	const uint8_t *img = in->kernel;
	int r;

	memset(out, 0, sizeof(*out));
	if (in->qemu_header_patch) {
		patched = malloc(in->kernel_len ? in->kernel_len : 1);
		if (!patched)
			return -ENOMEM;
		memcpy(patched, in->kernel, in->kernel_len);
		r = measure_qemu_patch_kernel(patched, in->kernel_len, in->ram_size,
					      in->initrd ? in->initrd_len : 0, &why);
		if (r < 0) {
			free(patched);
			return log_errno(r, "kernel: QEMU's header rewrite: %s", why);
		}
		img = patched;
	}
	r = measure_pe_authenticode(img, in->kernel_len, out->kernel, &why);
	free(patched);
	if (r == -EINVAL)
		return log_errno(r, "kernel: %s (TDVF measures a PE image: a bzImage with the EFI stub)", why);
	if (r < 0)
		return log_errno(r, "kernel: cannot hash the image");
	if (in->initrd) {
		/* The stub measures nothing for an empty initrd. */
		if (in->initrd_len == 0)
			return log_fail(-EINVAL, "initrd: the file is empty (nothing would be measured)");
		r = measure_sha384(in->initrd, in->initrd_len, NULL, 0, out->initrd);
		if (r < 0)
			return log_errno(r, "initrd: cannot hash the file");
		out->have_initrd = true;
	}
	if (in->append) {
		for (const char *p = in->append; *p; p++)
			if ((unsigned char)*p >= 0x80 || *p == '\n')
				return log_fail(-EINVAL, "cmdline: only printable ASCII is supported (OVMF widens each byte to UTF-16)");
	}
	out->cmdline = measure_load_options_text(in->append, in->initrd != NULL, in->fw);
	if (!out->cmdline)
		return -ENOMEM;
	if (!out->cmdline[0]) {
		free(out->cmdline);
		out->cmdline = NULL;
		return 0;
	}
	r = measure_load_options_digest(out->cmdline, out->cmdline_digest);
	if (r < 0)
		measure_ref_free(out);
	return r;
}

void measure_ref_free(struct measure_ref *ref)
{
	free(ref->cmdline);
	ref->cmdline = NULL;
}

static int add_list(json_object *obj, const char *key, json_object *value)
{
	json_object *list = json_object_new_array();

	if (!value || !list || json_object_array_add(list, value) < 0) {
		json_object_put(value);
		json_object_put(list);
		return -ENOMEM;
	}
	if (json_object_object_add(obj, key, list) < 0) {
		json_object_put(list);
		return -ENOMEM;
	}
	return 0;
}

static json_object *hex_string(const uint8_t d[48])
{
	char hex[97];

	hex_encode(d, 48, hex);
	return json_object_new_string(hex);
}

json_object *measure_ref_json(const struct measure_ref *ref)
{
	json_object *obj = json_object_new_object();
	int r;

	if (!obj)
		return NULL;
	r = add_list(obj, "kernel", hex_string(ref->kernel));
	if (r == 0 && ref->have_initrd)
		r = add_list(obj, "initrd", hex_string(ref->initrd));
	if (r == 0 && ref->cmdline)
		r = add_list(obj, "cmdline", json_object_new_string(ref->cmdline));
	if (r < 0) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}
