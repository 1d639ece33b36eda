/* SPDX-License-Identifier: Apache-2.0 */
/* QGS GET_QUOTE message encoding/decoding (tdx-formats.md §5.2). */
#include "testutil.h"
#include "common/cleanup.h"
#include "tdx/qgs_msg.h"

#include <errno.h>
#include <string.h>

static void test_request_bytes(void **state)
{
	uint8_t report[1024], req[4 + QGS_REQ_LEN];
	const uint8_t expect_head[] = { 0x00, 0x00, 0x04, 0x18, 0x01, 0x00, 0x01, 0x00, 0, 0, 0, 0,
					0x18, 0x04, 0, 0, 0, 0, 0, 0, 0x00, 0x04, 0, 0, 0, 0, 0, 0 };
	const uint8_t *back;
	(void)state;

	for (size_t i = 0; i < sizeof(report); i++)
		report[i] = (uint8_t)i;
	qgs_encode_quote_req(report, req);
	assert_memory_equal(req, expect_head, sizeof(expect_head));
	assert_memory_equal(req + 28, report, 1024);
	assert_int_equal(qgs_decode_quote_req(req + 4, QGS_REQ_LEN, &back), 0);
	assert_memory_equal(back, report, 1024);
	assert_int_equal(qgs_decode_quote_req(req + 4, QGS_REQ_LEN - 1, &back), -EBADMSG);
	req[4 + 8] = 0x19; /* header size no longer matches */
	assert_int_equal(qgs_decode_quote_req(req + 4, QGS_REQ_LEN, &back), -EBADMSG);
}

static void test_response_roundtrip(void **state)
{
	const uint8_t quote[] = "not really a quote, but bytes";
	_cleanup_free_ uint8_t *msg = NULL;
	const uint8_t *q;
	size_t len, qlen;
	uint32_t code = 7;
	(void)state;

	assert_int_equal(qgs_encode_quote_resp(0, quote, sizeof(quote), &msg, &len), 0);
	assert_int_equal(len, 24 + sizeof(quote));
	assert_int_equal(qgs_decode_quote_resp(msg, len, &q, &qlen, &code), 0);
	assert_int_equal(code, 0);
	assert_int_equal(qlen, sizeof(quote));
	assert_memory_equal(q, quote, qlen);
	/* Every truncation and every wrong size field is refused. */
	for (size_t n = 0; n < len; n++)
		assert_int_equal(qgs_decode_quote_resp(msg, n, &q, &qlen, &code), -EBADMSG);
	msg[20] ^= 1;
	assert_int_equal(qgs_decode_quote_resp(msg, len, &q, &qlen, &code), -EBADMSG);
	msg[20] ^= 1;
	msg[0] = 2; /* major version */
	assert_int_equal(qgs_decode_quote_resp(msg, len, &q, &qlen, &code), -EBADMSG);
}

static void test_error_response(void **state)
{
	_cleanup_free_ uint8_t *msg = NULL;
	const uint8_t *q;
	size_t len, qlen;
	uint32_t code = 0;
	(void)state;

	assert_int_equal(qgs_encode_quote_resp(QGS_ERR_UNEXPECTED, NULL, 0, &msg, &len), 0);
	assert_int_equal(len, 24);
	assert_int_equal(qgs_decode_quote_resp(msg, len, &q, &qlen, &code), -EREMOTEIO);
	assert_int_equal(code, QGS_ERR_UNEXPECTED);
	msg[2] = 0; /* minor version 0 from older QGS builds is accepted */
	assert_int_equal(qgs_decode_quote_resp(msg, len, &q, &qlen, &code), -EREMOTEIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_bytes),
		cmocka_unit_test(test_response_roundtrip),
		cmocka_unit_test(test_error_response),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
