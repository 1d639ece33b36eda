/* SPDX-License-Identifier: Apache-2.0 */
/* Measurement rules (src/measure): command-line digests against real logs and the
 * reference's worked examples, TDVF's firmware events against a real direct-boot log,
 * the Authenticode hash's invariants and bounds, QEMU's header patch, the log writer. */
#include "testutil.h"
#include "common/cleanup.h"
#include "common/hex.h"
#include "measure/measure.h"
#include "tdx/eventlog.h"
#include "tdx/eventlog_decode.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

/* ../shared/testdata/ccel: $TDX_CCEL_TESTDATA, else next to the TDX vectors. */
static const char *ccel_dir(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("TDX_CCEL_TESTDATA"), *tdx;

	if (env && *env)
		return env;
	tdx = testdata_tdx_dir();
	if (!tdx)
		return NULL;
	snprintf(path, sizeof(path), "%s/../ccel", tdx);
	return path;
}

static void expect_digest(const uint8_t d[48], const char *hex)
{
	char got[97];

	hex_encode(d, 48, got);
	assert_string_equal(got, hex);
}

/* A test-local walk over a crypto-agile SHA-384 log (the project's parser lives in
 * src/tdx; this one only serves to compare the writer with real logs). */
struct rec {
	uint32_t mr, type, size;
	const uint8_t *digest, *data;
};

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static size_t walk(const uint8_t *b, size_t len, struct rec *out, size_t max)
{
	size_t off, n = 0;

	assert_true(len >= 32);
	off = 32 + le32(b + 28);
	while (n < max && off + 8 <= len) {
		static const uint8_t ff[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, zero[8];

		if (!memcmp(b + off, ff, 8) || !memcmp(b + off, zero, 8))
			break;
		assert_true(off + 12 + 2 + 48 + 4 <= len);
		assert_int_equal(le32(b + off + 8), 1);
		assert_int_equal(b[off + 12] | b[off + 13] << 8, 0x000c);
		out[n] = (struct rec){ .mr = le32(b + off), .type = le32(b + off + 4), .digest = b + off + 14,
				       .size = le32(b + off + 62), .data = b + off + 66 };
		assert_true(out[n].size <= len - off - 66);
		off += 66 + out[n].size;
		n++;
	}
	return n;
}

static void replay(const struct rec *ev, size_t n, uint8_t rtmr[4][48])
{
	memset(rtmr, 0, 4 * 48);
	for (size_t i = 0; i < n; i++) {
		assert_in_range(ev[i].mr, 1, 4);
		assert_int_equal(measure_sha384(rtmr[ev[i].mr - 1], 48, ev[i].digest, 48, rtmr[ev[i].mr - 1]), 0);
	}
}

/* measured-boot.md §4.2's worked example, both OVMF classes. */
static void test_cmdline_reference_examples(void **state)
{
	static const char append[] = "console=ttyS0 root=/dev/vda1";
	_cleanup_free_ char *old = measure_load_options_text(append, true, MEASURE_FW_202505);
	_cleanup_free_ char *new = measure_load_options_text(append, true, MEASURE_FW_202508);
	_cleanup_free_ char *none = measure_load_options_text(NULL, false, MEASURE_FW_202508);
	_cleanup_free_ char *only_initrd = measure_load_options_text("", true, MEASURE_FW_202508);
	_cleanup_free_ char *only_initrd_old = measure_load_options_text("", true, MEASURE_FW_PRE202411);
	uint8_t d[48];
	(void)state;

	assert_string_equal(old, "console=ttyS0 root=/dev/vda1 initrd=initrd");
	assert_string_equal(new, "initrd=initrd console=ttyS0 root=/dev/vda1");
	assert_int_equal(measure_load_options_digest(old, d), 0);
	expect_digest(d, "e8ff50bed8f5064b3bbb2ac076807cf089c5d1cae4f3e521ea5aba9c9260ba4e8271f054f1fb59b3fd6ebd6c106a978b");
	assert_int_equal(measure_load_options_digest(new, d), 0);
	expect_digest(d, "688d8100fe711a54099bbcf2074349b4f1cd55f8859abd9e2dd3a3800baa250a45b810c7888fa300439104878718e80f");
	/* No -append, no -initrd: OVMF sets no LoadOptions and the stub measures nothing. */
	assert_string_equal(none, "");
	/* edk2's format strings keep their space when -append is empty. */
	assert_string_equal(only_initrd, "initrd=initrd ");
	assert_string_equal(only_initrd_old, " initrd=initrd");
}

/* go-eventlog's CCEL_unpadded: a real TD booted with -append "root=/dev/vda1 rw
 * console=hvc0" and no initrd; its LoadOptions event must be our digest. */
static void test_cmdline_real_log(void **state)
{
	static const char tag[] = "LOADED_IMAGE::LoadOptions";
	const char *dir = ccel_dir();
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ uint8_t *log = NULL;
	const uint8_t *p;
	uint8_t d[48];
	size_t len;
	(void)state;

	SKIP_WITHOUT_TESTDATA(dir);
	log = test_read(dir, "logs/goeventlog_CCEL_unpadded.bin", &len);
	p = memmem(log, len, tag, sizeof(tag));
	assert_non_null(p);
	assert_true(p - log >= 52);
	text = measure_load_options_text("root=/dev/vda1 rw console=hvc0", false, MEASURE_FW_202411);
	assert_int_equal(measure_load_options_digest(text, d), 0);
	assert_memory_equal(d, p - 4 - 48, 48);
}

/* A minimal PE32+ image: headers (0x200), .text and .data, optionally a certificate
 * table after them. */
static size_t make_pe(uint8_t *b, size_t cap, size_t cert_len)
{
	const size_t nt = 0x80, opt = nt + 24, sect = opt + 240, text = 0x200, end = 0x600;

	assert_true(cap >= end + cert_len);
	memset(b, 0, end + cert_len);
	b[0] = 'M';
	b[1] = 'Z';
	b[0x3c] = (uint8_t)nt;
	memcpy(b + nt, "PE\0\0", 4);
	b[nt + 4] = 0x64;
	b[nt + 5] = 0x86;
	b[nt + 6] = 2;            /* sections */
	b[nt + 20] = 240;         /* SizeOfOptionalHeader */
	b[opt] = 0x0b;
	b[opt + 1] = 0x02;        /* PE32+ */
	b[opt + 60 + 1] = 0x02;   /* SizeOfHeaders 0x200 */
	b[opt + 64] = 0x5a;       /* CheckSum */
	b[opt + 108] = 16;        /* NumberOfRvaAndSizes */
	memcpy(b + sect, ".text", 5);
	b[sect + 16 + 1] = 0x02;  /* SizeOfRawData 0x200 */
	b[sect + 20 + 1] = 0x02;  /* PointerToRawData 0x200 */
	memcpy(b + sect + 40, ".data", 5);
	b[sect + 40 + 16 + 1] = 0x02;
	b[sect + 40 + 20 + 1] = 0x04;
	for (size_t i = text; i < end; i++)
		b[i] = (uint8_t)(i * 7);
	if (cert_len) {
		b[opt + 112 + 32 + 1] = 0x06;          /* Certificate Table at 0x600 */
		b[opt + 112 + 36] = (uint8_t)cert_len;
		for (size_t i = 0; i < cert_len; i++)
			b[end + i] = 0xc5;
	}
	return end + cert_len;
}

static void test_authenticode_invariants(void **state)
{
	uint8_t img[0x700], d0[48], d1[48];
	size_t len;
	const char *why = NULL;
	(void)state;

	len = make_pe(img, sizeof(img), 0);
	assert_int_equal(measure_pe_authenticode(img, len, d0, &why), 0);
	/* Signing adds a certificate table and fills its directory entry and the
	 * CheckSum: none of them is hashed. */
	len = make_pe(img, sizeof(img), 0x40);
	img[0x80 + 24 + 64] = 0x77;
	assert_int_equal(measure_pe_authenticode(img, len, d1, &why), 0);
	assert_memory_equal(d0, d1, 48);
	/* A header byte, a section byte, or data after the sections change it. */
	img[0x30] ^= 1;
	assert_int_equal(measure_pe_authenticode(img, len, d1, &why), 0);
	assert_memory_not_equal(d0, d1, 48);
	img[0x30] ^= 1;
	img[0x4ff] ^= 1;
	assert_int_equal(measure_pe_authenticode(img, len, d1, &why), 0);
	assert_memory_not_equal(d0, d1, 48);
	img[0x4ff] ^= 1;
	len = make_pe(img, sizeof(img), 0);
	img[len] = 0;
	assert_int_equal(measure_pe_authenticode(img, len + 1, d1, &why), 0);
	assert_memory_not_equal(d0, d1, 48);
}

/* Every truncation and a set of corrupted size fields: an error, never a read past the
 * buffer (ASan in make test-sanitizers). */
static void test_authenticode_bounds(void **state)
{
	uint8_t img[0x700], d[48];
	size_t len = make_pe(img, sizeof(img), 0x40);
	const char *why = NULL;
	static const struct { size_t off; uint8_t v; } bad[] = {
		{ 0x3c, 0xff }, { 0x3d, 0xff }, { 0x80, 'X' }, { 0x80 + 6, 0xff },
		{ 0x80 + 21, 0xff }, { 0x80 + 24, 0x0c }, { 0x80 + 24 + 62, 0xff }, { 0x80 + 24 + 108, 0xff },
		{ 0x80 + 24 + 240 + 19, 0xff }, { 0x80 + 24 + 240 + 23, 0xff }, { 0x80 + 24 + 112 + 39, 0xff },
	};
	(void)state;

	for (size_t n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, img, n);
		/* A file that ends right after its sections hashes like edk2 does (nothing
		 * follows, the certificate table is not looked at); any other cut is refused. */
		if (n == 0x600) {
			assert_int_equal(measure_pe_authenticode(copy, n, d, &why), 0);
		} else {
			assert_int_equal(measure_pe_authenticode(copy, n, d, &why), -EINVAL);
			assert_non_null(why);
		}
		free(copy);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint8_t copy[sizeof(img)];

		memcpy(copy, img, len);
		copy[bad[i].off] = bad[i].v;
		why = NULL;
		assert_int_equal(measure_pe_authenticode(copy, len, d, &why), -EINVAL);
		assert_non_null(why);
	}
}

/* QEMU < 10.2's setup-header rewrite, on a synthetic protocol 2.15 header. */
static void test_qemu_patch(void **state)
{
	uint8_t *k = calloc(1, 0x2000), *k2 = calloc(1, 0x2000);
	const char *why = NULL;
	(void)state;

	memcpy(k + 0x202, "HdrS", 4);
	k[0x206] = 0x0f;
	k[0x207] = 0x02;
	k[0x211] = 0x01;          /* LOADED_HIGH */
	k[0x236] = 0x40;          /* XLF_CAN_BE_LOADED_ABOVE_4G */
	memcpy(k2, k, 0x2000);
	assert_int_equal(measure_qemu_patch_kernel(k, 0x2000, 1ull << 30, 0x123456, &why), 0);
	assert_int_equal(k[0x210], 0xb0);
	assert_int_equal(k[0x211], 0x81);
	assert_int_equal(k[0x224] | k[0x225] << 8, 0xfe00);
	assert_int_equal(le32(k + 0x228), 0x20000);
	assert_int_equal(le32(k + 0x21c), 0x123456);
	/* 1 GiB: initrd_max = 0x40000000 - 0x28000 - 1. */
	assert_int_equal(le32(k + 0x218), (0x40000000u - 0x28000u - 1u - 0x123456u) & ~0xfffu);
	/* 2 GiB and >= 2.75 GiB place it alike (RAM below 4 GiB ends at 2 GiB then). */
	memcpy(k, k2, 0x2000);
	assert_int_equal(measure_qemu_patch_kernel(k, 0x2000, 2ull << 30, 0x1000, &why), 0);
	assert_int_equal(measure_qemu_patch_kernel(k2, 0x2000, 8ull << 30, 0x1000, &why), 0);
	assert_memory_equal(k, k2, 0x2000);
	assert_int_equal(measure_qemu_patch_kernel(k, 0x800, 1ull << 30, 0, &why), -EINVAL);
	assert_int_equal(measure_qemu_patch_kernel(k, 0x2000, 1ull << 20, 0x100000, &why), -EINVAL);
	free(k);
	free(k2);
}

static size_t build_boot(enum measure_fw fw, struct measure_log *log, struct measure_extra *extra,
			 size_t nextra)
{
	static uint8_t kernel[0x700];
	static const uint8_t initrd[] = "initrd contents";
	struct measure_boot b = { .fw = fw, .append = "console=hvc0", .initrd = initrd,
				  .initrd_len = sizeof(initrd), .extra = extra, .nextra = nextra };

	b.kernel_len = make_pe(kernel, sizeof(kernel), 0);
	b.kernel = kernel;
	assert_int_equal(measure_direct_boot(&b, log), 0);
	return log->nevents;
}

/* The writer's log against trustee's CCEL_data_ovmf (an upstream OVMF of the pre-202411
 * class, direct boot with an initrd): same header bytes, same events in the same order
 * and registers; the firmware's fixed events are byte-identical (data and digest). */
static void test_firmware_events_real_log(void **state)
{
	const char *dir = ccel_dir();
	_cleanup_free_ uint8_t *ref = NULL, *area = NULL;
	struct rec want[64], got[64];
	struct measure_log log;
	size_t rlen, alen, nw, ng;
	/* Indexes of the events whose data and digest depend on nothing but the firmware. */
	static const unsigned fixed[] = { 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 18, 19 };
	(void)state;

	SKIP_WITHOUT_TESTDATA(dir);
	ref = test_read(dir, "logs/trustee_CCEL_data_ovmf.bin", &rlen);
	build_boot(MEASURE_FW_PRE202411, &log, NULL, 0);
	assert_int_equal(measure_log_area(&log, &area, &alen), 0);
	assert_int_equal(alen, MEASURE_LOG_AREA);
	assert_memory_equal(area, ref, 65);
	nw = walk(ref, rlen, want, ARRAY_SIZE(want));
	ng = walk(area, alen, got, ARRAY_SIZE(got));
	assert_int_equal(ng, nw);
	for (size_t i = 0; i < nw; i++) {
		assert_int_equal(got[i].mr, want[i].mr);
		assert_int_equal(got[i].type, want[i].type);
		assert_int_equal(got[i].size, want[i].size);
	}
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++) {
		assert_memory_equal(got[fixed[i]].digest, want[fixed[i]].digest, 48);
		/* (the CFV's data names its address, which differs per build: digest only) */
		if (fixed[i] != 1)
			assert_memory_equal(got[fixed[i]].data, want[fixed[i]].data, got[fixed[i]].size);
	}
	/* The kernel event's device path and both Linux tags' data are TDVF's. */
	assert_memory_equal(got[11].data + 24, want[11].data + 24, 74 - 24);
	assert_memory_equal(got[16].data, want[16].data, 34);
	assert_memory_equal(got[17].data, want[17].data, 21);
	measure_log_free(&log);
}

/* The writer's registers are the replay of what it wrote; the classes differ where
 * §3.4 says; appended events extend after the boot. */
static void test_writer_replays(void **state)
{
	static const enum measure_fw fws[] = { MEASURE_FW_PRE202411, MEASURE_FW_202411, MEASURE_FW_202505,
					      MEASURE_FW_202508 };
	uint8_t rtmr[4][48], prev[4][48] = { { 0 } };
	struct measure_extra extra = { .rtmr = 2 };
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(fws); i++) {
		_cleanup_free_ uint8_t *area = NULL;
		struct rec ev[64];
		struct measure_log log;
		size_t alen, n;

		build_boot(fws[i], &log, NULL, 0);
		assert_int_equal(measure_log_area(&log, &area, &alen), 0);
		n = walk(area, alen, ev, ARRAY_SIZE(ev));
		assert_int_equal(n, log.nevents);
		replay(ev, n, rtmr);
		assert_memory_equal(rtmr, log.rtmr, sizeof(rtmr));
		if (i > 0)
			assert_memory_not_equal(rtmr, prev, sizeof(rtmr));
		memcpy(prev, rtmr, sizeof(rtmr));
		measure_log_free(&log);
	}
	/* An appended RTMR2 event: RTMR0/1 unchanged, RTMR2 one extend further. */
	{
		struct measure_log a, b;
		uint8_t want[48];

		memset(extra.digest, 0xab, 48);
		build_boot(MEASURE_FW_202508, &a, NULL, 0);
		build_boot(MEASURE_FW_202508, &b, &extra, 1);
		assert_int_equal(b.nevents, a.nevents + 1);
		assert_memory_equal(a.rtmr[0], b.rtmr[0], 96);
		assert_int_equal(measure_sha384(a.rtmr[2], 48, extra.digest, 48, want), 0);
		assert_memory_equal(b.rtmr[2], want, 48);
		measure_log_free(&a);
		measure_log_free(&b);
	}
}

/* The project's event-log parser (src/tdx) reads every class's log, replays it to the
 * writer's registers, finds the kernel, cmdline and initrd events, and finds every
 * self-checking digest right. */
static void test_parser_reads_writer(void **state)
{
	static const enum measure_fw fws[] = { MEASURE_FW_PRE202411, MEASURE_FW_202411, MEASURE_FW_202505,
					      MEASURE_FW_202508 };
	struct measure_extra extra = { .rtmr = 1 };
	(void)state;

	memset(extra.digest, 0x5a, 48);
	for (size_t i = 0; i < 2 * ARRAY_SIZE(fws); i++) {
		_cleanup_free_ uint8_t *area = NULL;
		_cleanup_free_ struct ccel_decoded *dec = NULL;
		struct measure_log log;
		struct ccel_log parsed;
		uint8_t rtmr[4][48];
		const char *why = NULL;
		unsigned kernels = 0, cmdlines = 0, initrds = 0;
		size_t alen;

		build_boot(fws[i % ARRAY_SIZE(fws)], &log, &extra, i / ARRAY_SIZE(fws));
		assert_int_equal(measure_log_area(&log, &area, &alen), 0);
		assert_int_equal(ccel_parse(area, alen, &parsed, &why), 0);
		assert_int_equal(parsed.n, log.nevents);
		assert_int_equal(ccel_replay(&parsed, measure_sha384, rtmr), 0);
		assert_memory_equal(rtmr, log.rtmr, sizeof(rtmr));
		dec = calloc(parsed.n, sizeof(*dec));
		assert_non_null(dec);
		assert_int_equal(ccel_decode(&parsed, measure_sha384, dec), 0);
		for (size_t e = 0; e < parsed.n; e++) {
			assert_int_not_equal(dec[e].check, CCEL_DIGEST_BAD);
			kernels += dec[e].kind == CCEL_KERNEL;
			cmdlines += dec[e].kind == CCEL_CMDLINE;
			initrds += dec[e].kind == CCEL_INITRD;
		}
		/* the appended forgery is a second kernel image event */
		assert_int_equal(kernels, 1 + i / ARRAY_SIZE(fws));
		assert_int_equal(cmdlines, 1);
		assert_int_equal(initrds, 1);
		ccel_log_free(&parsed);
		measure_log_free(&log);
	}
}

/* reference-values' computation: members, the empty cases, QEMU's header rewrite. */
static void test_reference(void **state)
{
	uint8_t kernel[0x1800], d[48];
	static const uint8_t initrd[] = "initrd";
	struct measure_ref_input in = { .fw = MEASURE_FW_202411, .kernel = kernel, .initrd = initrd,
					.initrd_len = sizeof(initrd), .append = "quiet" };
	struct measure_ref ref, patched;
	json_object *o, *v;
	(void)state;

	memset(kernel, 0, sizeof(kernel));
	in.kernel_len = make_pe(kernel, sizeof(kernel), 0);
	assert_int_equal(measure_reference(&in, &ref), 0);
	assert_int_equal(measure_pe_authenticode(kernel, in.kernel_len, d, NULL), 0);
	assert_memory_equal(ref.kernel, d, 48);
	assert_string_equal(ref.cmdline, "quiet initrd=initrd");
	assert_int_equal(measure_load_options_digest("quiet initrd=initrd", d), 0);
	assert_memory_equal(ref.cmdline_digest, d, 48);
	o = measure_ref_json(&ref);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "cmdline", &v));
	assert_int_equal(json_object_array_length(v), 1);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "quiet initrd=initrd");
	assert_true(json_object_object_get_ex(o, "initrd", &v));
	assert_true(json_object_object_get_ex(o, "kernel", &v));
	assert_int_equal(json_object_object_length(o), 3);
	json_object_put(o);
	measure_ref_free(&ref);

	/* Neither -append nor -initrd: no command line is measured, no member. */
	in.append = NULL;
	in.initrd = NULL;
	assert_int_equal(measure_reference(&in, &ref), 0);
	assert_null(ref.cmdline);
	o = measure_ref_json(&ref);
	assert_int_equal(json_object_object_length(o), 1);
	json_object_put(o);
	measure_ref_free(&ref);

	/* An empty initrd is measured by nothing; a non-ASCII command line is refused. */
	in.initrd = initrd;
	in.initrd_len = 0;
	assert_int_equal(measure_reference(&in, &ref), -EINVAL);
	in.initrd_len = sizeof(initrd);
	in.append = "caf\xc3\xa9";
	assert_int_equal(measure_reference(&in, &ref), -EINVAL);

	/* QEMU < 10.2: a setup header (protocol 2.15) rewritten before hashing; the file's
	 * own digest differs, the input stays untouched. */
	in.append = "quiet";
	in.kernel_len = sizeof(kernel);
	memcpy(kernel + 0x202, "HdrS", 4);
	kernel[0x206] = 0x0f;
	kernel[0x207] = 0x02;
	kernel[0x211] = 0x01;
	assert_int_equal(measure_reference(&in, &ref), 0);
	memcpy(d, kernel + 0x200, 48);
	in.qemu_header_patch = true;
	in.ram_size = 2ull << 30;
	assert_int_equal(measure_reference(&in, &patched), 0);
	assert_memory_not_equal(ref.kernel, patched.kernel, 48);
	assert_memory_equal(kernel + 0x200, d, 48);
	measure_ref_free(&ref);
	measure_ref_free(&patched);
}

static void test_fw_names(void **state)
{
	enum measure_fw fw;
	(void)state;

	assert_int_equal(measure_fw_parse("edk2-stable202508", &fw), 0);
	assert_int_equal(fw, MEASURE_FW_202508);
	assert_int_equal(measure_fw_parse("202411", &fw), 0);
	assert_int_equal(fw, MEASURE_FW_202411);
	assert_int_equal(measure_fw_parse("pre202411", &fw), 0);
	assert_int_equal(fw, MEASURE_FW_PRE202411);
	assert_int_equal(measure_fw_parse("edk2-stable202302", &fw), -EINVAL);
	assert_string_equal(measure_fw_name(MEASURE_FW_202505), "edk2-stable202505");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmdline_reference_examples),
		cmocka_unit_test(test_cmdline_real_log),
		cmocka_unit_test(test_authenticode_invariants),
		cmocka_unit_test(test_authenticode_bounds),
		cmocka_unit_test(test_qemu_patch),
		cmocka_unit_test(test_firmware_events_real_log),
		cmocka_unit_test(test_writer_replays),
		cmocka_unit_test(test_parser_reads_writer),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_fw_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
