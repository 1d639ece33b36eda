/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: JSON collateral (TCB info / QE identity documents): the raw signed-member
 * scanner, the signature member, the typed parsers, and TCB level matching on the result.
 * The first byte chooses the document kind; the rest is the document. */
#include "verify/internal.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void evaluate(const struct vf_tcb_info *t, const uint8_t *data, size_t size)
{
	struct sgx_pck_ext pck = { 0 };
	struct vf_level_isv qe = { .isvsvn = 0, .status = VF_TCB_UP_TO_DATE };
	struct vf_tcb_eval ev;
	uint8_t svn[16] = { 0 };

	memcpy(pck.sgx_svn, data, size < 16 ? size : 16);
	pck.pcesvn = size > 17 ? (uint16_t)(data[16] | data[17] << 8) : 0;
	if (size > 34)
		memcpy(svn, data + 18, 16);
	vf_tcb_evaluate(t, &pck, svn, &qe, &ev);
	(void)vf_tcb_module_for(t, svn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *doc, *slice;
	size_t len, slen;
	uint8_t sig[64];
	const char *why;
	bool tcb;

	if (size < 1)
		return 0;
	tcb = data[0] & 1;
	doc = (const char *)data + 1;
	len = size - 1;
	(void)vf_json_signature(doc, len, sig);
	if (vf_json_member_slice(doc, len, tcb ? "tcbInfo" : "enclaveIdentity", &slice, &slen) < 0) {
		/* parse the whole input as the member too: exercises the typed parsers directly */
		slice = doc;
		slen = len;
	}
	if (tcb) {
		struct vf_tcb_info t;

		if (vf_tcb_info_parse(slice, slen, &t, &why) == 0) {
			evaluate(&t, data, size);
			vf_tcb_info_free(&t);
		}
	} else {
		struct vf_qe_identity q;

		if (vf_qe_identity_parse(slice, slen, &q, &why) == 0) {
			(void)vf_qe_level(&q, size > 1 ? data[1] : 0);
			vf_qe_identity_free(&q);
		}
	}
	return 0;
}
