/* SPDX-License-Identifier: Apache-2.0 */
/* Quote Generation Service message protocol (tdx-formats.md §5): GET_QUOTE request and
 * response, each framed on the stream by a 4-byte big-endian length. Both directions are
 * here so the client and the test QGS (tests/sim) share one implementation. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define QGS_MSG_MAJOR 1
#define QGS_MSG_MINOR 1
#define QGS_MSG_GET_QUOTE_REQ 0
#define QGS_MSG_GET_QUOTE_RESP 1
#define QGS_HEADER_LEN 16
#define QGS_REQ_LEN (QGS_HEADER_LEN + 8 + 1024)
#define QGS_ERR_UNEXPECTED 0x00012001u
/* A framed message larger than this is refused (quotes are < 10 KB; QEMU caps at 128 KiB). */
#define QGS_MSG_MAX (1u << 20)

/* Writes the framed GET_QUOTE request for a 1024-byte TDREPORT into out (4 + QGS_REQ_LEN). */
void qgs_encode_quote_req(const uint8_t tdreport[1024], uint8_t out[4 + QGS_REQ_LEN]);
/* Parses an unframed request; returns 0 and points *tdreport into msg, or -EBADMSG. */
int qgs_decode_quote_req(const uint8_t *msg, size_t len, const uint8_t **tdreport);

/* Builds an unframed response (error_code 0 with a quote, or an error with no quote);
 * returns a malloc'd buffer in *out. */
int qgs_encode_quote_resp(uint32_t error_code, const uint8_t *quote, size_t quote_len,
			  uint8_t **out, size_t *out_len);
/* Parses an unframed response. On success points *quote into msg. Returns 0, -EBADMSG
 * (malformed), or -EREMOTEIO with *error_code set when the QGS reported an error. */
int qgs_decode_quote_resp(const uint8_t *msg, size_t len, const uint8_t **quote,
			  size_t *quote_len, uint32_t *error_code);

/* Big-endian frame length helpers. */
static inline uint32_t qgs_frame_len(const uint8_t p[4])
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void qgs_put_frame_len(uint8_t p[4], uint32_t n)
{
	p[0] = (uint8_t)(n >> 24); p[1] = (uint8_t)(n >> 16); p[2] = (uint8_t)(n >> 8); p[3] = (uint8_t)n;
}
