/* SPDX-License-Identifier: Apache-2.0 */
/* CCEL record walk and replay (eventlog.h). Every length comes from the input and is
 * checked against what is left before it is used. */
#include "eventlog.h"
#include "quote.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ALG_SHA384 0x000cu
#define SPEC_ID_SIG "Spec ID Event03"
/* Spec ID event: signature(16) platformClass(4) minor major errata uintnSize(4) count(4). */
#define SPEC_ID_FIXED 28u
#define SPEC_ID_MAX_ALGS 16u
/* Legacy first record: MR(4) type(4) SHA-1 digest(20) size(4). */
#define FIRST_HDR 32u

struct alg {
	uint16_t id, size;
};

struct walker {
	const uint8_t *buf;
	size_t len, pos;
	const char **why;
};

static int bad(struct walker *w, const char *what)
{
	if (w->why)
		*w->why = what;
	return -EBADMSG;
}

static bool take(struct walker *w, size_t n, const uint8_t **p)
{
	if (n > w->len - w->pos)
		return false;
	*p = w->buf + w->pos;
	w->pos += n;
	return true;
}

static const struct {
	uint32_t type;
	const char *name;
} type_names[] = {
	{ EV_POST_CODE, "EV_POST_CODE" }, { 0x2, "EV_UNUSED" }, { EV_NO_ACTION, "EV_NO_ACTION" },
	{ EV_SEPARATOR, "EV_SEPARATOR" }, { EV_ACTION, "EV_ACTION" }, { EV_EVENT_TAG, "EV_EVENT_TAG" },
	{ EV_S_CRTM_CONTENTS, "EV_S_CRTM_CONTENTS" }, { EV_S_CRTM_VERSION, "EV_S_CRTM_VERSION" },
	{ EV_CPU_MICROCODE, "EV_CPU_MICROCODE" }, { EV_PLATFORM_CONFIG_FLAGS, "EV_PLATFORM_CONFIG_FLAGS" },
	{ EV_TABLE_OF_DEVICES, "EV_TABLE_OF_DEVICES" }, { EV_COMPACT_HASH, "EV_COMPACT_HASH" },
	{ EV_IPL, "EV_IPL" }, { EV_IPL_PARTITION_DATA, "EV_IPL_PARTITION_DATA" },
	{ EV_NONHOST_CODE, "EV_NONHOST_CODE" }, { EV_NONHOST_CONFIG, "EV_NONHOST_CONFIG" },
	{ EV_NONHOST_INFO, "EV_NONHOST_INFO" }, { EV_OMIT_BOOT_DEVICE_EVENTS, "EV_OMIT_BOOT_DEVICE_EVENTS" },
	{ EV_EFI_VARIABLE_DRIVER_CONFIG, "EV_EFI_VARIABLE_DRIVER_CONFIG" },
	{ EV_EFI_VARIABLE_BOOT, "EV_EFI_VARIABLE_BOOT" },
	{ EV_EFI_BOOT_SERVICES_APPLICATION, "EV_EFI_BOOT_SERVICES_APPLICATION" },
	{ EV_EFI_BOOT_SERVICES_DRIVER, "EV_EFI_BOOT_SERVICES_DRIVER" },
	{ EV_EFI_RUNTIME_SERVICES_DRIVER, "EV_EFI_RUNTIME_SERVICES_DRIVER" },
	{ EV_EFI_GPT_EVENT, "EV_EFI_GPT_EVENT" }, { EV_EFI_ACTION, "EV_EFI_ACTION" },
	{ EV_EFI_PLATFORM_FIRMWARE_BLOB, "EV_EFI_PLATFORM_FIRMWARE_BLOB" },
	{ EV_EFI_HANDOFF_TABLES, "EV_EFI_HANDOFF_TABLES" },
	{ EV_EFI_PLATFORM_FIRMWARE_BLOB2, "EV_EFI_PLATFORM_FIRMWARE_BLOB2" },
	{ EV_EFI_HANDOFF_TABLES2, "EV_EFI_HANDOFF_TABLES2" },
	{ EV_EFI_VARIABLE_BOOT2, "EV_EFI_VARIABLE_BOOT2" },
	{ EV_EFI_VARIABLE_AUTHORITY, "EV_EFI_VARIABLE_AUTHORITY" },
};

const char *ccel_type_name(uint32_t type)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return NULL;
}

bool ccel_looks_like_log(const uint8_t *buf, size_t len)
{
	return len >= FIRST_HDR + SPEC_ID_FIXED && le32(buf + 4) == EV_NO_ACTION &&
	       memcmp(buf + FIRST_HDR, SPEC_ID_SIG, sizeof(SPEC_ID_SIG)) == 0;
}

/* The first record: its Spec ID event lists the digest algorithms and their sizes. */
static int parse_spec_id(struct walker *w, struct alg *algs, uint32_t *nalgs)
{
	const uint8_t *hdr, *ev, *p;
	uint32_t size, n;

	if (!take(w, FIRST_HDR, &hdr))
		return bad(w, "shorter than the first (Spec ID) record");
	if (le32(hdr + 4) != EV_NO_ACTION)
		return bad(w, "the first record is not EV_NO_ACTION (not a TCG2 event log)");
	size = le32(hdr + 28);
	if (!take(w, size, &ev))
		return bad(w, "the Spec ID event is longer than the log");
	if (size < SPEC_ID_FIXED || memcmp(ev, SPEC_ID_SIG, sizeof(SPEC_ID_SIG)) != 0)
		return bad(w, "no \"Spec ID Event03\" in the first record (not a crypto-agile log)");
	n = le32(ev + 24);
	if (n == 0 || n > SPEC_ID_MAX_ALGS)
		return bad(w, "Spec ID event: algorithm count is 0 or above 16");
	if ((size - SPEC_ID_FIXED) / 4 < n)
		return bad(w, "Spec ID event: algorithm table longer than the event");
	p = ev + SPEC_ID_FIXED;
	for (uint32_t i = 0; i < n; i++, p += 4) {
		algs[i].id = le16(p);
		algs[i].size = le16(p + 2);
		if (algs[i].size == 0 || algs[i].size > 64)
			return bad(w, "Spec ID event: a digest size is 0 or above 64");
		if (algs[i].id == ALG_SHA384 && algs[i].size != TDX_MR_LEN)
			return bad(w, "Spec ID event: SHA-384 with a size other than 48");
	}
	/* vendorInfoSize (u8) and vendorInfo follow; they must fit in the event. */
	if (size - SPEC_ID_FIXED - 4 * n < 1 || size - SPEC_ID_FIXED - 4 * n - 1 < p[0])
		return bad(w, "Spec ID event: vendor info longer than the event");
	for (uint32_t i = 0; i < n; i++)
		if (algs[i].id == ALG_SHA384) {
			*nalgs = n;
			return 0;
		}
	return bad(w, "the log has no SHA-384 digests (not a TDX log)");
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static int parse_record(struct walker *w, const struct alg *algs, uint32_t nalgs, struct ccel_event *e)
{
	const uint8_t *hdr, *p;
	uint32_t count;

	e->offset = w->pos;
	if (!take(w, 12, &hdr))
		return bad(w, "a record header is cut off");
	e->mr = le32(hdr);
	e->type = le32(hdr + 4);
	count = le32(hdr + 8);
	e->digest = NULL;
	if (count > nalgs)
		return bad(w, "a record has more digests than the Spec ID event lists");
	for (uint32_t i = 0; i < count; i++) {
		uint16_t id;
		uint32_t j;

		if (!take(w, 2, &p))
			return bad(w, "a record's digest list is cut off");
		id = le16(p);
		for (j = 0; j < nalgs && algs[j].id != id; j++)
			;
		if (j == nalgs)
			return bad(w, "a record has a digest of an algorithm the Spec ID event does not list");
		if (!take(w, algs[j].size, &p))
			return bad(w, "a record's digest is cut off");
		if (id == ALG_SHA384)
			e->digest = p;
	}
	if (!take(w, 4, &p))
		return bad(w, "a record's event size is cut off");
	e->data_len = le32(p);
	if (!take(w, e->data_len, &e->data))
		return bad(w, "a record's event data is longer than the log");
	if (e->type == EV_NO_ACTION)
		return 0;
	if (!e->digest)
		return bad(w, "a measured record has no SHA-384 digest");
	if (e->mr < 1 || e->mr > 4)
		return bad(w, "a measured record has an MR index outside 1..4 (RTMR0-3)");
	return 0;
}

int ccel_parse(const uint8_t *buf, size_t len, struct ccel_log *log, const char **why)
{
	struct walker w = { .buf = buf, .len = len, .why = why };
	struct alg algs[SPEC_ID_MAX_ALGS];
	uint32_t nalgs = 0;
	size_t cap = 0;
	int r;

	memset(log, 0, sizeof(*log));
	r = parse_spec_id(&w, algs, &nalgs);
	if (r < 0)
		return r;
	for (;;) {
		size_t left = len - w.pos;

		/* The end: the area's 0xFF fill (or zeroes), or the buffer's end. Fewer than 8
		 * bytes of 0xFF fill also end it; anything else is a cut record. */
		if (left == 0 || all_bytes(buf + w.pos, left < 8 ? left : 8, 0xff) ||
		    (left >= 8 && all_bytes(buf + w.pos, 8, 0x00)))
			break;
		if (log->n == CCEL_MAX_EVENTS) {
			r = bad(&w, "more than 65536 records");
			goto fail;
		}
		if (log->n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			struct ccel_event *ev = realloc(log->ev, ncap * sizeof(*ev));

			if (!ev) {
				r = -ENOMEM;
				goto fail;
			}
			log->ev = ev;
			cap = ncap;
		}
		r = parse_record(&w, algs, nalgs, &log->ev[log->n]);
		if (r < 0)
			goto fail;
		log->n++;
	}
	log->end = w.pos;
	return 0;
fail:
	log->end = w.pos;
	ccel_log_free(log);
	return r;
}

void ccel_log_free(struct ccel_log *log)
{
	free(log->ev);
	log->ev = NULL;
	log->n = 0;
}

int ccel_replay(const struct ccel_log *log, ccel_sha384_fn sha384, uint8_t rtmr[4][TDX_MR_LEN])
{
	memset(rtmr, 0, 4 * TDX_MR_LEN);
	for (size_t i = 0; i < log->n; i++) {
		int k = ccel_event_rtmr(&log->ev[i]);
		int r;

		if (k < 0)
			continue;
		r = sha384(rtmr[k], TDX_MR_LEN, log->ev[i].digest, TDX_MR_LEN, rtmr[k]);
		if (r < 0)
			return r;
	}
	return 0;
}
