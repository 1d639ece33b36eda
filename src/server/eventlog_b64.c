/* SPDX-License-Identifier: Apache-2.0 */
/* A TD may send its whole CCEL area (64 KiB on OVMF) and most of it is the fill after
 * the log's end marker, which in base64 is one 4-character group repeated ("AAAA",
 * "////"). Checking and decoding 87 KB character by character cost ~100 us, more than
 * the log may add to a whole flow; here the groups before the repeated tail are checked
 * and decoded with OpenSSL, the tail is measured with memcmp and its group decoded once
 * and copied. Any input is accepted and decoded exactly as b64_canon_check + a plain
 * decode would (test_server_attest_body and fuzz_attest_body compare them). */
#include "eventlog_b64.h"
#include "../common/b64_canon.h"
#include "../common/cleanup.h"
#include "../tdx/eventlog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define TAIL_STEP 256 /* characters compared at once while measuring the repeated tail */

/* b64[0..len) as: head (checked and decoded as it is), reps copies of one group, the last
 * group (the only one that may hold padding). */
struct layout {
	size_t tail, reps, last;
	size_t head_bytes, last_bytes;
};

/* Start of the run of copies of the group t[end-4..end) that ends at end (end >= 4,
 * a multiple of 4); the result is a multiple of 4 and <= end - 4. */
static size_t repeated_tail_start(const char *t, size_t end)
{
	char pattern[TAIL_STEP];
	size_t s = end - 4;

	for (size_t i = 0; i < TAIL_STEP; i += 4)
		memcpy(pattern + i, t + s, 4);
	while (s >= TAIL_STEP && memcmp(t + s - TAIL_STEP, pattern, TAIL_STEP) == 0)
		s -= TAIL_STEP;
	while (s >= 4 && memcmp(t + s - 4, pattern, 4) == 0)
		s -= 4;
	return s;
}

static int check(const char *b64, size_t len, struct layout *l)
{
	size_t group_bytes;

	if (len > b64_encoded_len(CCEL_LOG_MAX))
		return -E2BIG;
	if (len < 4 || len % 4)
		return -EINVAL;
	l->last = len - 4;
	l->tail = l->last >= 4 ? repeated_tail_start(b64, l->last) : l->last;
	l->reps = (l->last - l->tail) / 4;
	/* Padding only in the last group; each part is then canonical on its own. */
	if (memchr(b64, '=', l->tail) || (l->reps && memchr(b64 + l->tail, '=', 4)) ||
	    b64_canon_check(b64, l->tail, false, &l->head_bytes) < 0 ||
	    (l->reps && b64_canon_check(b64 + l->tail, 4, false, &group_bytes) < 0) ||
	    b64_canon_check(b64 + l->last, 4, false, &l->last_bytes) < 0)
		return -EINVAL;
	return 0;
}

int ks_eventlog_b64_check(const char *b64, size_t len)
{
	struct layout l;

	return check(b64, len, &l);
}

/* Fills dst[0..n) with copies of the 3 bytes at dst[0..3), doubling what is there. */
static void repeat_group(uint8_t *dst, size_t n)
{
	for (size_t have = 3; have < n;) {
		size_t take = n - have < have ? n - have : have;

		memcpy(dst + have, dst, take);
		have += take;
	}
}

int ks_eventlog_b64_decode(const char *b64, size_t len, uint8_t **out, size_t *out_len)
{
	_cleanup_free_ uint8_t *buf = NULL;
	const unsigned char *t = (const unsigned char *)b64;
	uint8_t last[3];
	struct layout l;
	size_t total;
	int r = check(b64, len, &l);

	if (r < 0)
		return r;
	total = l.head_bytes + l.reps * 3 + l.last_bytes;
	buf = malloc(total + 3); /* EVP_DecodeBlock writes 3 bytes per group, padding included */
	if (!buf)
		return -ENOMEM;
	/* The lengths are bounded by CCEL_LOG_MAX (check): within an int. */
	if ((l.tail && EVP_DecodeBlock(buf, t, (int)l.tail) < 0) ||
	    (l.reps && EVP_DecodeBlock(buf + l.head_bytes, t + l.tail, 4) < 0) ||
	    EVP_DecodeBlock(last, t + l.last, 4) < 0)
		return -EINVAL;
	if (l.reps)
		repeat_group(buf + l.head_bytes, l.reps * 3);
	memcpy(buf + l.head_bytes + l.reps * 3, last, l.last_bytes);
	*out = buf;
	buf = NULL;
	*out_len = total;
	return 0;
}
