/* SPDX-License-Identifier: Apache-2.0 */
/* Event log parser, replay and decoder: every real log of the shared test data replays to
 * the RTMRs upstream asserts, the one-boot pair matches its quote, truncations and
 * corrupted size fields are errors (no crash under ASan). */
#include "testutil.h"
#include "common/cleanup.h"
#include "common/hex.h"
#include "tdx/ccel_read.h"
#include "tdx/eventlog.h"
#include "tdx/eventlog_decode.h"
#include "tdx/quote.h"
#include "verify/sha384.h"

#include <json-c/json.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static json_object *read_json(const char *dir, const char *rel)
{
	size_t len;
	_cleanup_free_ uint8_t *buf = test_read(dir, rel, &len);
	json_object *o = json_tokener_parse((char *)buf);

	assert_non_null(o);
	return o;
}

static void expect_rtmrs(json_object *arr, uint8_t rtmr[4][TDX_MR_LEN], const char *what)
{
	char hex[2 * TDX_MR_LEN + 1];

	assert_int_equal(json_object_array_length(arr), 4);
	for (int k = 0; k < 4; k++) {
		hex_encode(rtmr[k], TDX_MR_LEN, hex);
		if (strcmp(hex, json_object_get_string(json_object_array_get_idx(arr, (size_t)k))) != 0)
			fail_msg("%s: RTMR%d replays to %s", what, k, hex);
	}
}

static size_t count_extended(const struct ccel_log *log)
{
	size_t n = 0;

	for (size_t i = 0; i < log->n; i++)
		n += ccel_event_rtmr(&log->ev[i]) >= 0;
	return n;
}

/* Both SHA-384 implementations (client mbedTLS, server OpenSSL) replay alike. */
static void replay_both(const struct ccel_log *log, uint8_t rtmr[4][TDX_MR_LEN])
{
	uint8_t other[4][TDX_MR_LEN];

	assert_int_equal(ccel_replay(log, tdx_sha384_mbedtls, rtmr), 0);
	assert_int_equal(ccel_replay(log, vf_sha384, other), 0);
	assert_memory_equal(rtmr, other, sizeof(other));
}

static void test_real_logs(void **state)
{
	const char *dir = testdata_ccel_dir();
	json_object *exp;
	int cases = 0;
	(void)state;

	SKIP_WITHOUT_TESTDATA(dir);
	exp = read_json(dir, "logs/expected.json");
	json_object_object_foreach(exp, name, want) {
		char rel[PATH_MAX];
		struct ccel_log log;
		uint8_t rtmr[4][TDX_MR_LEN];
		const char *why = NULL;
		size_t len;

		snprintf(rel, sizeof(rel), "logs/%s", name);
		_cleanup_free_ uint8_t *buf = test_read(dir, rel, &len);
		assert_true(ccel_looks_like_log(buf, len));
		if (ccel_parse(buf, len, &log, &why) != 0)
			fail_msg("%s: %s", name, why);
		assert_int_equal(log.end, json_object_get_int(json_object_object_get(want, "log_end")));
		assert_int_equal(log.n, json_object_get_int(json_object_object_get(want, "events")));
		assert_int_equal(count_extended(&log), json_object_get_int(json_object_object_get(want, "extended")));
		replay_both(&log, rtmr);
		expect_rtmrs(json_object_object_get(want, "rtmr_replayed"), rtmr, name);
		ccel_log_free(&log);
		cases++;
	}
	assert_int_equal(cases, 8);
	json_object_put(exp);
}

static void test_cos113_pair(void **state)
{
	const char *dir = testdata_ccel_dir();
	struct ccel_log log;
	struct tdx_quote q;
	uint8_t rtmr[4][TDX_MR_LEN];
	const char *why = NULL;
	size_t len, qlen, strings = 0;
	json_object *exp;
	(void)state;

	SKIP_WITHOUT_TESTDATA(dir);
	_cleanup_free_ uint8_t *buf = test_read(dir, "cos113/ccel_data.bin", &len);
	_cleanup_free_ uint8_t *quote = test_read(dir, "cos113/quote.bin", &qlen);
	exp = read_json(dir, "cos113/expected.json");
	assert_int_equal(tdx_quote_parse(quote, qlen, &q, &why), 0);
	assert_int_equal(ccel_parse(buf, len, &log, &why), 0);
	assert_int_equal(log.end, 18101);
	assert_int_equal(count_extended(&log), 43);
	replay_both(&log, rtmr);
	assert_memory_equal(rtmr, q.td.rtmr, sizeof(rtmr));
	expect_rtmrs(json_object_object_get(exp, "rtmr_in_quote"), rtmr, "cos113");

	/* The 15 grub string events verify; the kernel is grub's file event. */
	_cleanup_free_ struct ccel_decoded *d = calloc(log.n, sizeof(*d));
	assert_int_equal(ccel_decode(&log, vf_sha384, d), 0);
	for (size_t i = 0; i < log.n; i++) {
		assert_int_not_equal(d[i].check, CCEL_DIGEST_BAD);
		if (d[i].kind == CCEL_GRUB_CMD || d[i].kind == CCEL_GRUB_CMDLINE) {
			assert_int_equal(d[i].check, CCEL_DIGEST_OK);
			strings++;
		}
	}
	assert_int_equal(strings, 15);
	assert_int_equal(d[39].kind, CCEL_KERNEL);
	assert_string_equal(d[39].desc, "kernel (grub) /syslinux/vmlinuz.A");
	assert_int_equal(d[40].kind, CCEL_GRUB_CMDLINE);
	assert_non_null(d[40].text);
	assert_true(d[40].text_len > 20 && !strncmp(d[40].text, "/syslinux/vmlinuz.A init=", 25));
	assert_int_equal(d[17].kind, CCEL_IMAGE);
	assert_int_equal(d[18].kind, CCEL_SHIM_MOK);
	json_object_put(exp);
	ccel_log_free(&log);
}

static void test_tdshim_log(void **state)
{
	const char *dir = testdata_tdx_dir();
	struct ccel_log log;
	uint8_t rtmr[4][TDX_MR_LEN];
	size_t len;
	json_object *exp;
	(void)state;

	SKIP_WITHOUT_TESTDATA(dir);
	_cleanup_free_ uint8_t *buf = test_read(dir, "ccel/CCEL_data", &len);
	exp = read_json(dir, "ccel/expected_rtmr.json");
	assert_int_equal(ccel_parse(buf, len, &log, NULL), 0);
	assert_int_equal(log.end, 9822);
	assert_int_equal(count_extended(&log), json_object_get_int(json_object_object_get(exp, "measured_events")));
	replay_both(&log, rtmr);
	expect_rtmrs(json_object_object_get(exp, "rtmr"), rtmr, "TD-shim CCEL_data");
	json_object_put(exp);
	ccel_log_free(&log);
}

/* Decodes a log and returns the decoded array (caller frees), asserting no lying data. */
static struct ccel_decoded *decode_log(const char *rel, uint8_t **buf, struct ccel_log *log)
{
	const char *dir = testdata_ccel_dir();
	struct ccel_decoded *d;
	size_t len;

	*buf = test_read(dir, rel, &len);
	assert_int_equal(ccel_parse(*buf, len, log, NULL), 0);
	d = calloc(log->n, sizeof(*d));
	assert_non_null(d);
	assert_int_equal(ccel_decode(log, tdx_sha384_mbedtls, d), 0);
	return d;
}

static void test_decode_components(void **state)
{
	struct ccel_log log;
	uint8_t *buf;
	struct ccel_decoded *d;
	size_t names = 0, sections = 0;
	(void)state;

	SKIP_WITHOUT_TESTDATA(testdata_ccel_dir());
	/* Direct boot: kernel by device path, command line and initrd tags. */
	d = decode_log("logs/trustee_CCEL_data_ovmf.bin", &buf, &log);
	assert_int_equal(d[11].kind, CCEL_KERNEL);
	assert_string_equal(d[11].desc, "kernel VenMedia(1428f772-b64a-441e-b8c3-9ebdd7f893c7)/File(kernel)");
	assert_int_equal(d[16].kind, CCEL_CMDLINE);
	assert_string_equal(d[16].desc, "cmdline (LOADED_IMAGE::LoadOptions)");
	assert_int_equal(d[17].kind, CCEL_INITRD);
	assert_int_equal(d[7].kind, CCEL_SEPARATOR);
	assert_int_equal(d[7].check, CCEL_DIGEST_OK);
	assert_int_equal(d[2].kind, CCEL_VARIABLE);
	assert_string_equal(d[2].desc, "variable SecureBoot");
	assert_int_equal(d[2].check, CCEL_DIGEST_OK);
	assert_int_equal(d[12].check, CCEL_DIGEST_OK); /* BootOrder: data only */
	assert_int_equal(d[14].kind, CCEL_ACTION);
	assert_string_equal(d[14].desc, "Calling EFI Application from Boot Option");
	free(d), free(buf), ccel_log_free(&log);

	/* shim + grub: the kernel is the image the stub's tags follow. */
	d = decode_log("logs/trustee_CCEL_data_grub.bin", &buf, &log);
	assert_int_equal(d[32].kind, CCEL_KERNEL);
	assert_int_equal(d[31].kind, CCEL_IMAGE);
	assert_int_equal(d[19].kind, CCEL_SHIM_MOK);
	assert_int_equal(d[33].kind, CCEL_CMDLINE);
	assert_int_equal(d[34].kind, CCEL_INITRD);
	free(d), free(buf), ccel_log_free(&log);

	/* UKI: section name/content pairs; the SP800-155 events are not extended. */
	d = decode_log("logs/trustee_CCEL_data_grub_gke.bin", &buf, &log);
	assert_int_equal(d[0].kind, CCEL_NO_ACTION);
	for (size_t i = 0; i < log.n; i++) {
		names += d[i].kind == CCEL_UKI_NAME && d[i].check == CCEL_DIGEST_OK;
		sections += d[i].kind == CCEL_UKI_DATA;
	}
	assert_int_equal(names, 6);
	assert_int_equal(sections, 3); /* .osrel .uname .sbat; the others are components: */
	assert_string_equal(d[20].desc, "UKI section name .linux");
	assert_int_equal(d[21].kind, CCEL_KERNEL);
	assert_string_equal(d[21].desc, "kernel (UKI section .linux)");
	assert_int_equal(d[25].kind, CCEL_CMDLINE);
	assert_string_equal(d[25].desc, "cmdline (UKI section .cmdline)");
	assert_int_equal(d[27].kind, CCEL_INITRD);
	assert_string_equal(d[23].desc, "UKI section .osrel");
	assert_int_equal(d[32].kind, CCEL_KERNEL); /* the .linux PE image systemd-stub loads */
	free(d), free(buf), ccel_log_free(&log);

	/* The early stub's bare LoadOptions string; the CoCo AA events self-check. */
	d = decode_log("logs/goeventlog_CCEL_unpadded.bin", &buf, &log);
	assert_int_equal(d[16].kind, CCEL_CMDLINE);
	free(d), free(buf), ccel_log_free(&log);
	d = decode_log("logs/trustee_CCEL_AAEL_alibabacloud.bin", &buf, &log);
	assert_int_equal(d[85].kind, CCEL_TAG);
	assert_int_equal(d[85].check, CCEL_DIGEST_OK);
	assert_int_equal(d[86].check, CCEL_DIGEST_OK);
	free(d), free(buf), ccel_log_free(&log);
}

/* Every cut inside a record is an error; a cut between records is a shorter log, which
 * no longer replays to the full log's values. */
static void truncate_every_offset(const char *rel)
{
	const char *dir = testdata_ccel_dir();
	struct ccel_log full, cut;
	uint8_t want[4][TDX_MR_LEN], got[4][TDX_MR_LEN];
	size_t len, next = 0;

	_cleanup_free_ uint8_t *buf = test_read(dir, rel, &len);
	assert_int_equal(ccel_parse(buf, len, &full, NULL), 0);
	assert_int_equal(ccel_replay(&full, tdx_sha384_mbedtls, want), 0);
	for (size_t l = 0; l < full.end; l++) {
		_cleanup_free_ uint8_t *copy = malloc(l ? l : 1);
		bool boundary;
		int r;

		memcpy(copy, buf, l);
		while (next < full.n && full.ev[next].offset < l)
			next++;
		boundary = next < full.n && full.ev[next].offset == l;
		r = ccel_parse(copy, l, &cut, NULL);
		if (!boundary) {
			if (r != -EBADMSG)
				fail_msg("%s cut at %zu: parsed (%d)", rel, l, r);
			continue;
		}
		assert_int_equal(r, 0);
		assert_int_equal(cut.n, next);
		assert_int_equal(ccel_replay(&cut, tdx_sha384_mbedtls, got), 0);
		if (count_extended(&cut) < count_extended(&full))
			assert_memory_not_equal(got, want, sizeof(got));
		ccel_log_free(&cut);
	}
	ccel_log_free(&full);
}

static void test_truncation(void **state)
{
	(void)state;
	SKIP_WITHOUT_TESTDATA(testdata_ccel_dir());
	truncate_every_offset("logs/trustee_CCEL_data_ovmf.bin");
	truncate_every_offset("logs/goeventlog_CCEL_unpadded.bin");
	truncate_every_offset("logs/trustee_CCEL_data_grub_gke.bin");
	truncate_every_offset("cos113/ccel_data.bin");
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* Parses a corrupted copy: must fail, or (for sizes that still fit) may parse as other
 * records. A longer last event that swallows fill bytes replays alike: event data is not
 * covered by the RTMRs (that is what the digest self-checks are for). */
static void expect_bad(const uint8_t *buf, size_t len, size_t off, uint32_t v,
		       bool must_fail)
{
	_cleanup_free_ uint8_t *copy = malloc(len);
	struct ccel_log log;
	uint8_t got[4][TDX_MR_LEN];
	int r;

	memcpy(copy, buf, len);
	put32(copy + off, v);
	r = ccel_parse(copy, len, &log, NULL);
	if (r == 0) {
		if (must_fail)
			fail_msg("value 0x%x at offset %zu parsed", v, off);
		assert_int_equal(ccel_replay(&log, tdx_sha384_mbedtls, got), 0);
		ccel_log_free(&log);
	} else {
		assert_int_equal(r, -EBADMSG);
	}
}

static void test_corrupt_sizes(void **state)
{
	const char *dir = testdata_ccel_dir();
	struct ccel_log log;
	size_t len;
	(void)state;

	SKIP_WITHOUT_TESTDATA(dir);
	_cleanup_free_ uint8_t *buf = test_read(dir, "logs/trustee_CCEL_data_ovmf.bin", &len);
	assert_int_equal(ccel_parse(buf, len, &log, NULL), 0);
	/* Spec ID event: its size, algorithm count, SHA-384's size, the algorithm itself. */
	expect_bad(buf, len, 28, 0xffffffffu, true);
	expect_bad(buf, len, 28, 27, true);
	expect_bad(buf, len, 28, (uint32_t)len, true);
	expect_bad(buf, len, 32 + 24, 0, true);
	expect_bad(buf, len, 32 + 24, 17, true);
	expect_bad(buf, len, 32 + 24, 0xffffffffu, true);
	expect_bad(buf, len, 32 + 24, 2, true);
	expect_bad(buf, len, 32 + 28, 0x0030000b, true); /* SHA-256 id with 48 bytes: no SHA-384 */
	expect_bad(buf, len, 32 + 28, 0x0000000c, true); /* SHA-384 of size 0 */
	for (size_t i = 0; i < log.n; i++) {
		const struct ccel_event *e = &log.ev[i];
		size_t size_off = (size_t)(e->data - buf) - 4, left = len - (size_t)(e->data - buf);

		expect_bad(buf, len, e->offset + 8, 0xffffffffu, true); /* digest count */
		expect_bad(buf, len, e->offset + 8, 2, true);
		expect_bad(buf, len, e->offset + 8, 0, true);           /* no SHA-384 */
		expect_bad(buf, len, e->offset + 12, 0x0004, true);     /* unlisted algorithm */
		expect_bad(buf, len, e->offset, 5, true);               /* MR index */
		expect_bad(buf, len, e->offset, 0, true);
		expect_bad(buf, len, size_off, 0xffffffffu, true);
		expect_bad(buf, len, size_off, (uint32_t)left + 1, true);
		expect_bad(buf, len, size_off, (uint32_t)left, false);
		expect_bad(buf, len, size_off, e->data_len + 1, false);
		if (e->data_len)
			expect_bad(buf, len, size_off, e->data_len - 1, false);
	}
	ccel_log_free(&log);
}

/* Garbage and hostile event data decodes without reading outside the event. */
static void test_decode_hostile_data(void **state)
{
	static const uint8_t zeros[64];
	uint8_t data[64], digest[TDX_MR_LEN] = { 0 };
	static const uint32_t types[] = {
		EV_EFI_BOOT_SERVICES_APPLICATION, EV_EFI_VARIABLE_BOOT, EV_EFI_VARIABLE_DRIVER_CONFIG,
		EV_EVENT_TAG, EV_IPL, EV_EFI_HANDOFF_TABLES2, EV_PLATFORM_CONFIG_FLAGS, EV_NO_ACTION, 0x1234,
	};
	(void)state;

	for (size_t t = 0; t < ARRAY_SIZE(types); t++) {
		for (size_t n = 0; n <= sizeof(data); n++) {
			for (int fill = 0; fill < 3; fill++) {
				struct ccel_event e = { .mr = 2, .type = types[t], .digest = digest, .data_len = (uint32_t)n };
				struct ccel_log log = { .ev = &e, .n = 1 };
				struct ccel_decoded d;
				/* exact-size heap copy so ASan sees any overread */
				_cleanup_free_ uint8_t *p = malloc(n ? n : 1);

				memset(data, fill == 0 ? 0xff : fill == 1 ? 0x41 : 0x00, sizeof(data));
				if (fill == 2 && n >= 32)
					data[24] = 0xf0; /* device path / name length beyond the event */
				memcpy(p, n ? data : zeros, n);
				e.data = p;
				assert_int_equal(ccel_decode(&log, tdx_sha384_mbedtls, &d), 0);
				assert_true(strlen(d.desc) < sizeof(d.desc));
			}
		}
	}
}

/* What the client sends: the log trimmed after its last record + 8 bytes 0xFF; no log
 * (none, missing file, malformed) is an error the caller turns into cc_eventlog null. */
static void test_read_for_evidence(void **state)
{
	const char *dir = testdata_ccel_dir();
	char path[PATH_MAX], cut[] = "/tmp/tdx-unlock-ccel-XXXXXX";
	struct ccel_log log;
	uint8_t *out;
	size_t len, n;
	int fd;
	(void)state;

	SKIP_WITHOUT_TESTDATA(dir);
	snprintf(path, sizeof(path), "%s/cos113/ccel_data.bin", dir);
	_cleanup_free_ uint8_t *orig = test_read(dir, "cos113/ccel_data.bin", &n);
	assert_int_equal(ccel_read_evidence(path, &out, &len), 0);
	assert_int_equal(len, 18101 + 8);
	assert_memory_equal(out, orig, 18101);
	assert_true(out[18101] == 0xff && out[len - 1] == 0xff);
	assert_int_equal(ccel_parse(out, len, &log, NULL), 0);
	assert_int_equal(log.n, 43);
	ccel_log_free(&log);
	free(out);
	assert_int_equal(ccel_read_evidence("none", &out, &len), -ENOENT);
	assert_null(out);
	assert_int_equal(ccel_read_evidence("/nonexistent/ccel", &out, &len), -ENOENT);
	fd = mkstemp(cut);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, orig, 1000), 1000);
	close(fd);
	assert_int_equal(ccel_read_evidence(cut, &out, &len), -EBADMSG);
	assert_null(out);
	unlink(cut);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_logs),
		cmocka_unit_test(test_cos113_pair),
		cmocka_unit_test(test_tdshim_log),
		cmocka_unit_test(test_decode_components),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_corrupt_sizes),
		cmocka_unit_test(test_decode_hostile_data),
		cmocka_unit_test(test_read_for_evidence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
