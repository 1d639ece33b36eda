/* SPDX-License-Identifier: Apache-2.0 */
#include "qgs_msg.h"
#include "quote.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static void put_header(uint8_t *p, uint32_t type, uint32_t size, uint32_t error_code)
{
	put16(p, QGS_MSG_MAJOR);
	put16(p + 2, QGS_MSG_MINOR);
	put32(p + 4, type);
	put32(p + 8, size);
	put32(p + 12, error_code);
}

/* Minor version 0 is what older QGS builds send; accept it. */
static int check_header(const uint8_t *msg, size_t len, uint32_t type)
{
	if (len < QGS_HEADER_LEN + 8)
		return -EBADMSG;
	if (le16(msg) != QGS_MSG_MAJOR || le16(msg + 2) > QGS_MSG_MINOR)
		return -EBADMSG;
	if (le32(msg + 4) != type || le32(msg + 8) != len)
		return -EBADMSG;
	return 0;
}

void qgs_encode_quote_req(const uint8_t tdreport[1024], uint8_t out[4 + QGS_REQ_LEN])
{
	qgs_put_frame_len(out, QGS_REQ_LEN);
	put_header(out + 4, QGS_MSG_GET_QUOTE_REQ, QGS_REQ_LEN, 0);
	put32(out + 4 + 16, 1024);
	put32(out + 4 + 20, 0);
	memcpy(out + 4 + 24, tdreport, 1024);
}

int qgs_decode_quote_req(const uint8_t *msg, size_t len, const uint8_t **tdreport)
{
	uint32_t report_size, id_list_size;

	if (check_header(msg, len, QGS_MSG_GET_QUOTE_REQ) < 0)
		return -EBADMSG;
	report_size = le32(msg + 16);
	id_list_size = le32(msg + 20);
	if (report_size != 1024 || id_list_size > len - 24 - report_size ||
	    len != 24 + (size_t)report_size + id_list_size)
		return -EBADMSG;
	*tdreport = msg + 24;
	return 0;
}

int qgs_encode_quote_resp(uint32_t error_code, const uint8_t *quote, size_t quote_len,
			  uint8_t **out, size_t *out_len)
{
	size_t n = 24 + (error_code ? 0 : quote_len);
	uint8_t *p;

	if (quote_len > QGS_MSG_MAX)
		return -E2BIG;
	p = calloc(1, n);
	if (!p)
		return -ENOMEM;
	put_header(p, QGS_MSG_GET_QUOTE_RESP, (uint32_t)n, error_code);
	put32(p + 16, 0);
	put32(p + 20, error_code ? 0 : (uint32_t)quote_len);
	if (!error_code)
		memcpy(p + 24, quote, quote_len);
	*out = p;
	*out_len = n;
	return 0;
}

int qgs_decode_quote_resp(const uint8_t *msg, size_t len, const uint8_t **quote,
			  size_t *quote_len, uint32_t *error_code)
{
	uint32_t id_size, q_size;

	if (check_header(msg, len, QGS_MSG_GET_QUOTE_RESP) < 0)
		return -EBADMSG;
	*error_code = le32(msg + 12);
	id_size = le32(msg + 16);
	q_size = le32(msg + 20);
	if (id_size > len - 24 || q_size != len - 24 - id_size)
		return -EBADMSG;
	if (*error_code)
		return -EREMOTEIO;
	if (q_size == 0)
		return -EBADMSG;
	*quote = msg + 24 + id_size;
	*quote_len = q_size;
	return 0;
}
