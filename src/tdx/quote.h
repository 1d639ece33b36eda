/* SPDX-License-Identifier: Apache-2.0 */
/* TDX quote v4/v5 parsing, bounded entirely by the length fields (trailing bytes are normal). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "tdx_types.h"

struct tdx_quote {
	/* Everything below points into the caller's buffer, which must outlive this. */
	const uint8_t *raw;
	size_t raw_len;
	uint16_t version;      /* 4 or 5 */
	uint16_t att_key_type; /* 2 */
	uint32_t tee_type;     /* 0x81 */
	uint16_t body_type;    /* v5: 2 or 3; v4: 0 (no descriptor) */
	size_t body_off, body_len;
	size_t signed_len;     /* header..body end: what the attestation key signs */
	struct tdx_td_info td;
	const uint8_t *signature; /* 64: r||s over raw[0..signed_len) */
	const uint8_t *att_key;   /* 64: X||Y */
	const uint8_t *qe_report; /* 384: SGX report body */
	const uint8_t *qe_report_sig; /* 64: by the PCK leaf key */
	const uint8_t *qe_auth;
	uint16_t qe_auth_len;
	const char *pck_chain_pem; /* not NUL-terminated; a trailing NUL is excluded */
	size_t pck_chain_len;
	size_t end; /* offset just past the signature data */
};

/* Parses a quote. Returns 0, or -EBADMSG (malformed; *why names the problem),
 * -EPROTONOSUPPORT (well-formed but not a TDX ECDSA-P256 quote; *why says what). */
int tdx_quote_parse(const uint8_t *buf, size_t len, struct tdx_quote *q, const char **why);

/* Little-endian readers for callers that look at raw structures. */
static inline uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
