/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-keyserver reference-values --kernel FILE [--initrd FILE] [--cmdline STRING]
 *     [--firmware CLASS] [--qemu-header-patch --ram SIZE] [--json]
 * What a QEMU direct kernel boot under TDVF will measure, as policy members. */
#include "ks_commands.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/hex.h"
#include "../common/json_cleanup.h"
#include "../common/log.h"
#include "../measure/measure.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: tdx-keyserver reference-values --kernel FILE [--initrd FILE] [--cmdline STRING]\n"
	"           [--firmware CLASS] [--qemu-header-patch --ram SIZE] [--json]\n"
	"  The values a QEMU direct kernel boot (-kernel -initrd -append) under TDVF measures:\n"
	"  the kernel's Authenticode SHA-384, the initrd's SHA-384 and the command line as the\n"
	"  Linux EFI stub sees it. --json prints them as policy members (lists) to merge into\n"
	"  a resource's policy. --cmdline is QEMU's -append text.\n"
	"  --firmware: pre202411, edk2-stable202411, edk2-stable202505, edk2-stable202508\n"
	"      (default; where \"initrd=initrd\" goes and which events the firmware logs).\n"
	"  --qemu-header-patch: QEMU before 10.2 rewrote the kernel's setup header before\n"
	"      serving it; the digest then depends on --ram (the VM's -m, e.g. 2G) and the\n"
	"      initrd's size. QEMU >= 10.2 serves the file unchanged (default).";

/* "2G", "1024M", "4096" (MiB, like QEMU's -m) */
static int parse_ram(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 20;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -EINVAL;
	if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	if (*end || v == 0 || v > (1ull << 50) >> shift)
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static void print_text(const struct measure_ref *ref, enum measure_fw fw, bool patched)
{
	char hex[97];

	printf("firmware: %s\n", measure_fw_name(fw));
	hex_encode(ref->kernel, 48, hex);
	printf("kernel: %s (Authenticode SHA-384%s)\n", hex, patched ? ", QEMU < 10.2 header" : "");
	if (ref->have_initrd) {
		hex_encode(ref->initrd, 48, hex);
		printf("initrd: %s\n", hex);
	}
	if (ref->cmdline) {
		hex_encode(ref->cmdline_digest, 48, hex);
		printf("cmdline: \"%s\" (LoadOptions digest %s)\n", ref->cmdline, hex);
	} else {
		printf("cmdline: none measured (no -append, no -initrd)\n");
	}
}

int ks_reference_values(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "firmware", required_argument, NULL, 'f' },
		{ "qemu-header-patch", no_argument, NULL, 'p' },
		{ "ram", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct measure_ref_input in = { .fw = MEASURE_FW_DEFAULT };
	_cleanup_free_ uint8_t *kernel = NULL, *initrd = NULL;
	_cleanup_json_put_ json_object *obj = NULL;
	const char *kpath = NULL, *ipath = NULL;
	struct measure_ref ref;
	bool json = false, have_ram = false;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': kpath = optarg; break;
		case 'i': ipath = optarg; break;
		case 'c': in.append = optarg; break;
		case 'p': in.qemu_header_patch = true; break;
		case 'j': json = true; break;
		case 'f':
			if (measure_fw_parse(optarg, &in.fw) < 0) {
				log_err("reference-values: unknown --firmware '%s' (one of %s)", optarg, measure_fw_names);
				return KS_EXIT_USAGE;
			}
			break;
		case 'm':
			if (parse_ram(optarg, &in.ram_size) < 0) {
				log_err("reference-values: --ram '%s' is not a size (e.g. 2G, 1536M)", optarg);
				return KS_EXIT_USAGE;
			}
			have_ram = true;
			break;
		case 'h': puts(usage_text); return KS_EXIT_OK;
		default: fputs(usage_text, stderr); fputc('\n', stderr); return KS_EXIT_USAGE;
		}
	}
	if (optind != argc || !kpath) {
		log_err("reference-values: --kernel FILE is required, and no other arguments (see --help)");
		return KS_EXIT_USAGE;
	}
	if (in.qemu_header_patch != have_ram) {
		log_err("reference-values: --qemu-header-patch and --ram SIZE go together");
		return KS_EXIT_USAGE;
	}
	r = file_read_all(kpath, MEASURE_FILE_MAX, &kernel, &in.kernel_len);
	if (r < 0) {
		log_errno(r, "reference-values: cannot read the kernel %s", kpath);
		return KS_EXIT_USAGE;
	}
	in.kernel = kernel;
	if (ipath) {
		r = file_read_all(ipath, MEASURE_FILE_MAX, &initrd, &in.initrd_len);
		if (r < 0) {
			log_errno(r, "reference-values: cannot read the initrd %s", ipath);
			return KS_EXIT_USAGE;
		}
		in.initrd = initrd;
	}
	if (measure_reference(&in, &ref) < 0)
		return KS_EXIT_REJECT;
	if (!json) {
		print_text(&ref, in.fw, in.qemu_header_patch);
		measure_ref_free(&ref);
		return KS_EXIT_OK;
	}
	obj = measure_ref_json(&ref);
	measure_ref_free(&ref);
	if (!obj) {
		log_errno(-ENOMEM, "reference-values");
		return KS_EXIT_USAGE;
	}
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	return KS_EXIT_OK;
}
