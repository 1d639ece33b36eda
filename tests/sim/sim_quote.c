/* SPDX-License-Identifier: Apache-2.0 */
/* Signed TDX quotes v4 / v5 (body type 3) of the simulated platform (tdx-formats.md §6). */
#include "sim_ossl.h"
#include "sim_platform.h"
#include "sim_quote.h"
#include "sim_quote_int.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "tdx/quote.h"
#include "tdx/tdreport.h"

#include <errno.h>
#include <string.h>

/* TD report body offsets (§6.3). */
enum {
	B_TEE_TCB_SVN = 0, B_MRSEAM = 16, B_MRSIGNERSEAM = 64, B_SEAMATTR = 112,
	B_TDATTR = 120, B_XFAM = 128, B_MRTD = 136, B_MRCONFIGID = 184, B_MROWNER = 232,
	B_MROWNERCONFIG = 280, B_RTMR0 = 328, B_REPORTDATA = 520, B_TEE_TCB_SVN2 = 584,
	B_MRSERVICETD = 600,
};
/* QE report offsets (§6.5). */
enum {
	QE_CPUSVN = 0, QE_MISCSELECT = 16, QE_ATTRIBUTES = 48, QE_MRENCLAVE = 64,
	QE_MRSIGNER = 128, QE_ISVPRODID = 256, QE_ISVSVN = 258, QE_REPORTDATA = 320,
};
#define QE_AUTH_LEN 32
#define CERT_TYPE_QE_REPORT 6
#define CERT_TYPE_PCK_CHAIN 5

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

int sim_corrupt_parse(const char *name, unsigned *flags)
{
	if (strcmp(name, "qe-reportdata") == 0)
		*flags |= SIM_CORRUPT_QE_REPORTDATA;
	else if (strcmp(name, "quote-sig") == 0)
		*flags |= SIM_CORRUPT_QUOTE_SIG;
	else if (strcmp(name, "qe-report-sig") == 0)
		*flags |= SIM_CORRUPT_QE_REPORT_SIG;
	else
		return log_errno(-EINVAL, "unknown corruption '%s': use qe-reportdata, quote-sig or qe-report-sig", name);
	return 0;
}

static void write_body(uint8_t *b, const struct tdx_td_info *td, const uint8_t rd[64], bool v15)
{
	memcpy(b + B_TEE_TCB_SVN, td->tee_tcb_svn, 16);
	memcpy(b + B_MRSEAM, td->mr_seam, TDX_MR_LEN);
	memcpy(b + B_MRSIGNERSEAM, td->mr_signer_seam, TDX_MR_LEN);
	memcpy(b + B_SEAMATTR, td->seam_attributes, 8);
	memcpy(b + B_TDATTR, td->td_attributes, 8);
	memcpy(b + B_XFAM, td->xfam, 8);
	memcpy(b + B_MRTD, td->mr_td, TDX_MR_LEN);
	memcpy(b + B_MRCONFIGID, td->mr_config_id, TDX_MR_LEN);
	memcpy(b + B_MROWNER, td->mr_owner, TDX_MR_LEN);
	memcpy(b + B_MROWNERCONFIG, td->mr_owner_config, TDX_MR_LEN);
	for (int i = 0; i < 4; i++)
		memcpy(b + B_RTMR0 + i * TDX_MR_LEN, td->rtmr[i], TDX_MR_LEN);
	memcpy(b + B_REPORTDATA, rd, TDX_REPORT_DATA_LEN);
	if (v15) {
		memcpy(b + B_TEE_TCB_SVN2, td->tee_tcb_svn2, 16);
		memcpy(b + B_MRSERVICETD, td->mr_servicetd, TDX_MR_LEN);
	}
}

/* QE report + its signature by the PCK key; REPORTDATA binds the attestation key. */
static int write_qe_report(uint8_t *qe, uint8_t *qe_sig, const struct sim_pki *pki, unsigned corrupt)
{
	const struct sim_platform *p = &sim_platform;
	uint8_t hashed[64 + QE_AUTH_LEN];
	int r;

	memcpy(qe + QE_CPUSVN, p->cpusvn, 16);
	put32(qe + QE_MISCSELECT, p->qe_miscselect);
	memcpy(qe + QE_ATTRIBUTES, p->qe_attributes, 16);
	memcpy(qe + QE_MRENCLAVE, p->qe_mrenclave, 32);
	memcpy(qe + QE_MRSIGNER, p->qe_mrsigner, 32);
	put16(qe + QE_ISVPRODID, p->qe_isvprodid);
	put16(qe + QE_ISVSVN, p->qe_isvsvn);
	memcpy(hashed, pki->att_xy, 64);
	memcpy(hashed + 64, p->qe_auth_data, QE_AUTH_LEN);
	r = sim_sha256(hashed, sizeof(hashed), qe + QE_REPORTDATA);
	if (r < 0)
		return r;
	if (corrupt & SIM_CORRUPT_QE_REPORTDATA)
		qe[QE_REPORTDATA] ^= 0x01;
	r = sim_sign_raw(pki->pck_key, qe, TDX_QE_REPORT_LEN, qe_sig);
	if (r < 0)
		return r;
	if (corrupt & SIM_CORRUPT_QE_REPORT_SIG)
		qe_sig[63] ^= 0x01;
	return 0;
}

int sim_quote_build(const struct sim_pki *pki, const struct tdx_td_info *td,
		    const uint8_t report_data[64], int version, unsigned corrupt,
		    uint8_t **out, size_t *out_len)
{
	const struct sim_platform *p = &sim_platform;
	size_t body_off = version == 4 ? TDX_QUOTE_HEADER_LEN : TDX_QUOTE_HEADER_LEN + 6;
	size_t body_len = version == 4 ? TDX_BODY_V10_LEN : TDX_BODY_V15_LEN;
	size_t signed_len = body_off + body_len;
	size_t m = pki->chain_len + 1; /* PEM with a trailing NUL, as Intel's QE writes it */
	size_t s = TDX_QE_REPORT_LEN + 64 + 2 + QE_AUTH_LEN + 6 + m;
	size_t l = 64 + 64 + 6 + s;
	size_t total = signed_len + 4 + l;
	_cleanup_free_ uint8_t *q = NULL;
	uint8_t *sd, *qe, *inner;
	int r;

	if (version != 4 && version != 5)
		return log_errno(-EINVAL, "quote version %d unsupported: use 4 or 5", version);
	if (total > TDX_QUOTE_MAX)
		return log_errno(-EFBIG, "PCK chain too large for a quote: check pck_chain.pem");
	q = calloc(1, total);
	if (!q)
		return log_errno(-ENOMEM, "cannot allocate a %zu-byte quote", total);

	put16(q, (uint16_t)version);
	put16(q + 2, TDX_ATT_KEY_ECDSA_P256);
	put32(q + 4, TDX_TEE_TYPE);
	memcpy(q + 12, tdx_intel_qe_vendor_id, 16);
	memcpy(q + 28, p->header_user_data, 20);
	if (version == 5) {
		put16(q + 48, 3);
		put32(q + 50, (uint32_t)body_len);
	}
	write_body(q + body_off, td, report_data, version == 5);

	put32(q + signed_len, (uint32_t)l);
	sd = q + signed_len + 4;
	memcpy(sd + 64, pki->att_xy, 64);
	put16(sd + 128, CERT_TYPE_QE_REPORT);
	put32(sd + 130, (uint32_t)s);
	qe = sd + 134;
	r = write_qe_report(qe, qe + TDX_QE_REPORT_LEN, pki, corrupt);
	if (r < 0)
		return r;
	put16(qe + 448, QE_AUTH_LEN);
	memcpy(qe + 450, p->qe_auth_data, QE_AUTH_LEN);
	inner = qe + 450 + QE_AUTH_LEN;
	put16(inner, CERT_TYPE_PCK_CHAIN);
	put32(inner + 2, (uint32_t)m);
	memcpy(inner + 6, pki->chain, pki->chain_len); /* the NUL is already there (calloc) */

	r = sim_sign_raw(pki->att_key, q, signed_len, sd);
	if (r < 0)
		return r;
	if (corrupt & SIM_CORRUPT_QUOTE_SIG)
		sd[63] ^= 0x01;
	*out = q;
	*out_len = total;
	q = NULL;
	return 0;
}

int sim_quote_from_tdreport(const struct sim_pki *pki, const uint8_t *tdreport, size_t len,
			    int version, unsigned corrupt, uint8_t **out, size_t *out_len)
{
	struct tdx_td_info td;
	const char *why = NULL;
	int r;

	r = tdx_tdreport_parse(tdreport, len, &td, &why);
	if (r < 0)
		return log_errno(r, "invalid TDREPORT (%s)", why ? why : "unknown");
	return sim_quote_build(pki, &td, td.report_data, version, corrupt, out, out_len);
}
