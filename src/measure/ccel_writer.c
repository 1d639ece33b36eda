/* SPDX-License-Identifier: Apache-2.0 */
/* Writes a TD event log the way TDVF does (TCG2 crypto-agile, SHA-384 only; tdx-formats.md
 * §12.2, measured-boot.md §2) and keeps the RTMR values its events extend to. */
#include "measure.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define EV_NO_ACTION 0x3u
#define TPM_ALG_SHA384 0x000cu

static int reserve(struct measure_log *log, size_t more)
{
	size_t cap;
	uint8_t *p;

	if (more > MEASURE_LOG_MAX - log->len)
		return -E2BIG;
	if (log->len + more <= log->cap)
		return 0;
	cap = log->cap ? log->cap : 4096;
	while (cap < log->len + more)
		cap *= 2;
	p = realloc(log->buf, cap);
	if (!p)
		return -ENOMEM;
	log->buf = p;
	log->cap = cap;
	return 0;
}

static void put(struct measure_log *log, const void *p, size_t n)
{
	if (n)
		memcpy(log->buf + log->len, p, n);
	log->len += n;
}

static void put32(struct measure_log *log, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	put(log, b, 4);
}

int measure_log_init(struct measure_log *log)
{
	/* Spec ID Event03: platformClass 0, version 2.0 errata 0, uintnSize 2 (UINT64),
	 * one algorithm {SHA-384, 48}, no vendor info: 33 bytes. */
	static const uint8_t spec_id[33] = {
		'S', 'p', 'e', 'c', ' ', 'I', 'D', ' ', 'E', 'v', 'e', 'n', 't', '0', '3', 0,
		0, 0, 0, 0, 0, 2, 0, 2, 1, 0, 0, 0, 0x0c, 0x00, 48, 0, 0,
	};
	static const uint8_t zero_sha1[20];
	int r;

	memset(log, 0, sizeof(*log));
	r = reserve(log, 32 + sizeof(spec_id));
	if (r < 0)
		return r;
	put32(log, 1);              /* TDVF writes MR 1 here */
	put32(log, EV_NO_ACTION);
	put(log, zero_sha1, sizeof(zero_sha1));
	put32(log, sizeof(spec_id));
	put(log, spec_id, sizeof(spec_id));
	return 0;
}

void measure_log_free(struct measure_log *log)
{
	free(log->buf);
	memset(log, 0, sizeof(*log));
}

int measure_log_add(struct measure_log *log, unsigned rtmr, uint32_t type, const uint8_t digest[48],
		    const void *data, size_t data_len)
{
	uint8_t alg[2] = { TPM_ALG_SHA384 & 0xff, TPM_ALG_SHA384 >> 8 };
	int r;

	if (rtmr > 3 || type == EV_NO_ACTION || data_len > MEASURE_LOG_MAX)
		return -EINVAL;
	r = reserve(log, 4 + 4 + 4 + 2 + MEASURE_DIGEST_LEN + 4 + data_len);
	if (r < 0)
		return r;
	r = measure_sha384(log->rtmr[rtmr], MEASURE_DIGEST_LEN, digest, MEASURE_DIGEST_LEN, log->rtmr[rtmr]);
	if (r < 0)
		return r;
	put32(log, rtmr + 1);       /* CC MR index: RTMR n is MR n+1 */
	put32(log, type);
	put32(log, 1);
	put(log, alg, 2);
	put(log, digest, MEASURE_DIGEST_LEN);
	put32(log, (uint32_t)data_len);
	put(log, data, data_len);
	log->nevents++;
	return 0;
}

int measure_log_add_hashed(struct measure_log *log, unsigned rtmr, uint32_t type, const void *data,
			   size_t data_len)
{
	uint8_t d[MEASURE_DIGEST_LEN];
	int r = measure_sha384(data, data_len, NULL, 0, d);

	return r < 0 ? r : measure_log_add(log, rtmr, type, d, data, data_len);
}

int measure_log_area(const struct measure_log *log, uint8_t **out, size_t *out_len)
{
	size_t n = log->len + 8 > MEASURE_LOG_AREA ? log->len + 8 : MEASURE_LOG_AREA;
	uint8_t *p = malloc(n);

	if (!p)
		return -ENOMEM;
	memcpy(p, log->buf, log->len);
	memset(p + log->len, 0xff, n - log->len);
	*out = p;
	*out_len = n;
	return 0;
}
