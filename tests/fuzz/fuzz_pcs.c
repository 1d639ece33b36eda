/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: what Intel PCS / a PCCS sends back, before any signature check.
 * First byte: 0 issuer-chain header decoding (strict %XX; checks the output is never longer
 * than the input, holds no NUL, and survives re-encoding), 1 header line matching,
 * 2..5 the store's document summaries (TCB info, QE identity, PCK CRL, root CRL: what
 * the rollback comparison reads), 6 TCB evaluation data numbers, 7 the full install check
 * of a fetched document (vf_doc_check: issuer chain, signature, fields; second byte = kind,
 * the rest "BODY\0CHAIN"). */
#include "server/pcs_header.h"
#include "verify/store_doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode(const char *in, size_t len)
{
	char *out = malloc(len + 1), *enc, *again;
	size_t n, m;

	if (!out)
		return;
	if (pcs_url_decode(in, len, out, &n) == 0) {
		if (n > len || memchr(out, '\0', n))
			abort();
		enc = malloc(3 * n + 1);
		again = malloc(3 * n + 1);
		if (!enc || !again)
			abort();
		enc[0] = '\0';
		for (size_t i = 0, o = 0; i < n; i++)
			o += (size_t)sprintf(enc + o, "%%%02X", (uint8_t)out[i]);
		if (pcs_url_decode(enc, strlen(enc), again, &m) != 0)
			abort();
		/* every byte encoded: nothing is trimmed, the text comes back exactly */
		if (m != n || memcmp(out, again, n) != 0)
			abort();
		free(enc);
		free(again);
	}
	free(out);
}

static void check_doc(const uint8_t *data, size_t size)
{
	static struct vf_ctx *ctx;
	struct vf_doc d = { .update = "standard", .fmspc_hex = "00806F050000" };
	struct vf_doc_summary s;
	const uint8_t *nul;
	uint8_t *der = NULL;
	size_t der_len;
	char why[256];

	if (!ctx && vf_ctx_new(NULL, &ctx) < 0)
		abort();
	if (size < 1)
		return;
	d.kind = (enum vf_doc_kind)(data[0] % 4);
	d.ca = (enum vf_pck_ca)(data[0] / 4 % 2);
	data++;
	size--;
	nul = memchr(data, '\0', size);
	d.body = data;
	d.body_len = nul ? (size_t)(nul - data) : size;
	if (nul) {
		d.chain = (const char *)nul + 1;
		d.chain_len = size - d.body_len - 1;
	}
	/* accepted (a real Intel document of 2025-05-27, at 20:00 that day): consistent
	 * summary, DER only for CRLs; refused: nothing returned */
	if (vf_doc_check(ctx, &d, 1748376000, &s, &der, &der_len, why, sizeof(why)) == 0) {
		if (s.issued > 1748376000 || s.next_update < 1748376000 ||
		    (der == NULL) != (d.kind == VF_DOC_TCB_INFO || d.kind == VF_DOC_QE_IDENTITY))
			abort();
		free(der);
	} else if (der || !why[0]) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vf_doc_summary s;
	const char *v;
	size_t vl, n;
	int nums[16];

	if (size < 1)
		return 0;
	switch (data[0] % 8) {
	case 0:
		decode((const char *)data + 1, size - 1);
		break;
	case 1:
		if (pcs_header_match((const char *)data + 1, size - 1, "TCB-Info-Issuer-Chain", &v, &vl) &&
		    (v < (const char *)data + 1 || v + vl > (const char *)data + size))
			abort();
		break;
	case 7:
		check_doc(data + 1, size - 1);
		break;
	case 6:
		if (vf_eval_numbers_parse(data + 1, size - 1, nums, 16, &n) == 0 && n > 16)
			abort();
		break;
	default:
		(void)vf_doc_summarize((enum vf_doc_kind)(data[0] % 7 - 2), data + 1, size - 1, &s);
		break;
	}
	return 0;
}
