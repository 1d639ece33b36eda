/* SPDX-License-Identifier: Apache-2.0 */
/* The QE report of a quote: signed by the PCK key, binding the attestation key
 * (tdx-formats.md §9 steps 8-9). Cached per (PCK chain, QE report, key, auth data). */
#include "internal.h"

#include <errno.h>
#include <string.h>


enum { QE_REPORTDATA = 320 };

static void destroy(struct vf_obj *o)
{
	struct vf_qe_entry *e = (struct vf_qe_entry *)o;

	EVP_PKEY_free(e->att_key);
	free(e);
}

int vf_qe_entry_build(const struct tdx_quote *q, EVP_PKEY *leaf_key, struct vf_qe_entry **out)
{
	struct vf_qe_entry *e = calloc(1, sizeof(*e));
	uint8_t h[32];
	EVP_MD_CTX *md;
	unsigned hl = 0;
	int ok;

	if (!e)
		return -ENOMEM;
	atomic_init(&e->obj.ref, 1);
	e->obj.destroy = destroy;
	if (vf_ecdsa_verify(leaf_key, q->qe_report, TDX_QE_REPORT_LEN, q->qe_report_sig) != 1)
		vf_note(&e->findings, VF_QE_REPORT_SIG_BY_PCK, "QE report signature does not verify with the PCK key");
	md = EVP_MD_CTX_new();
	ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(md, q->att_key, TDX_ECDSA_KEY_LEN) == 1 &&
	     EVP_DigestUpdate(md, q->qe_auth, q->qe_auth_len) == 1 &&
	     EVP_DigestFinal_ex(md, h, &hl) == 1 && hl == 32;
	EVP_MD_CTX_free(md);
	if (!ok) {
		free(e);
		return -ENOMEM;
	}
	if (memcmp(q->qe_report + QE_REPORTDATA, h, 32) != 0)
		vf_note(&e->findings, VF_QE_REPORTDATA_HASH,
			"QE REPORTDATA is not SHA-256(attestation key || QE authentication data)");
	for (int i = 32; i < 64; i++)
		if (q->qe_report[QE_REPORTDATA + i]) {
			vf_note(&e->findings, VF_QE_REPORTDATA_ZERO_TAIL, "QE REPORTDATA[32..64) is not zero");
			break;
		}
	e->att_key = vf_p256_key_from_xy(q->att_key);
	*out = e;
	return 0;
}
