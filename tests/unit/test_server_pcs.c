/* SPDX-License-Identifier: Apache-2.0 */
/* PCS response headers: the URL-encoded issuer chains Intel sends (built from the real
 * chains of ../shared/testdata/tdx/pcs-extra exactly as PCS encodes them), strict %XX,
 * '+' kept, header line matching. */
#include "testutil.h"
#include "server/pcs_header.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PCS's encoding: every byte but A-Z a-z 0-9 - . _ ~ as %XX (collateral-service.md §2.2). */
static char *pcs_encode(const uint8_t *in, size_t len)
{
	char *out = malloc(3 * len + 1), *o = out;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = in[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

static void test_real_chains(void **state)
{
	static const char *const chains[] = {
		"pcs-extra/tdx_2025-05-27/tcb_info_issuer_chain.pem",
		"pcs-extra/tdx_2025-05-27/qe_identity_issuer_chain.pem",
		"pcs-extra/processor_crl_2025-05-27T18-46-25Z/pck_crl_issuer_chain.pem",
		"pcs-extra/platform_crl_2025-05-27T19-25-05Z/pck_crl_issuer_chain.pem",
		"pcs-extra/tcbevaluationdatanumbers/tdx_issuer_chain.pem",
	};
	const char *base = testdata_tdx_dir();

	(void)state;
	SKIP_WITHOUT_TESTDATA(base);
	for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		size_t len, dlen;
		uint8_t *pem = test_read(base, chains[i], &len);
		char *enc = pcs_encode(pem, len), *dec = malloc(strlen(enc) + 1);

		assert_non_null(strstr(enc, "-----BEGIN%20CERTIFICATE-----%0AMII"));
		assert_int_equal(pcs_url_decode(enc, strlen(enc), dec, &dlen), 0);
		/* exactly the PEM text, its last (encoded) newline included */
		assert_int_equal(dlen, len);
		assert_memory_equal(dec, pem, dlen);
		free(pem);
		free(enc);
		free(dec);
	}
}

static void test_strict(void **state)
{
	char out[64];
	size_t n;

	(void)state;
	assert_int_equal(pcs_url_decode("a+b%2Bc%2f", 10, out, &n), 0);
	assert_string_equal(out, "a+b+c/"); /* '+' is never a space */
	assert_int_equal(pcs_url_decode("%", 1, out, &n), -EBADMSG);
	assert_int_equal(pcs_url_decode("ab%4", 4, out, &n), -EBADMSG);
	assert_int_equal(pcs_url_decode("%G0", 3, out, &n), -EBADMSG);
	assert_int_equal(pcs_url_decode("x%00y", 5, out, &n), -EBADMSG);
	assert_int_equal(pcs_url_decode("x%01y", 5, out, &n), -EBADMSG);
	assert_int_equal(pcs_url_decode("  %41%0A \r\n", 11, out, &n), 0);
	assert_string_equal(out, "A\n"); /* raw whitespace trimmed, encoded kept */
}

static void test_header_match(void **state)
{
	static const char line[] = "tcb-info-issuer-chain:  -----BEGIN%20X \r\n";
	const char *v;
	size_t n;

	(void)state;
	assert_int_equal(pcs_header_match(line, strlen(line), "TCB-Info-Issuer-Chain", &v, &n), 1);
	assert_int_equal(n, strlen("-----BEGIN%20X"));
	assert_memory_equal(v, "-----BEGIN%20X", n);
	assert_int_equal(pcs_header_match(line, strlen(line), "SGX-TCB-Info-Issuer-Chain", &v, &n), 0);
	assert_int_equal(pcs_header_match("TCB-Info-Issuer-Chains: x\r\n", 27, "TCB-Info-Issuer-Chain", &v, &n), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_chains),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_header_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
