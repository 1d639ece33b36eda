/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: certification data with OpenSSL: the SGX extension decoder, PEM and
 * concatenated-DER certificate lists, the PCK chain checks of the verifier (against an
 * empty collateral with the pinned Intel anchor), and CRLs (DER, PEM or hex; their
 * validity window and issuer). The first byte chooses the mode. */
#include "verify/internal.h"
#include "verify/crl.h"

#include <openssl/err.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vf_collateral coll;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sgx_pck_ext ext;
	X509 *certs[8];
	int n;

	if (!coll.anchor) {
		coll.anchor = vf_p256_key_from_point(vf_intel_root_pubkey);
		if (!coll.anchor)
			return 0;
	}
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		(void)vf_sgx_ext_decode(data + 1, size - 1, &ext);
		break;
	case 1:
		n = vf_certs_from_der(data + 1, size - 1, certs, 8);
		for (int i = 0; i < n; i++)
			(void)vf_sgx_ext_from_cert(certs[i], &ext);
		if (n > 0)
			vf_certs_free(certs, n);
		break;
	case 3: {
		X509_CRL *crl = vf_crl_parse(data + 1, size - 1);
		struct vf_window w;

		if (crl) {
			vf_crl_window(crl, VF_PCKCRL_TIME, "fuzz CRL", &w);
			X509_CRL_free(crl);
		}
		break;
	}
	default: {
		struct vf_pck_entry *e = NULL;

		if (vf_pck_entry_build((const char *)data + 1, size - 1, &coll, &e) == 0)
			vf_obj_put(&e->obj);
		break;
	}
	}
	ERR_clear_error();
	return 0;
}
