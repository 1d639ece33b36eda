/* SPDX-License-Identifier: Apache-2.0 */
#include "quote.h"

#include <errno.h>
#include <string.h>

const uint8_t tdx_intel_qe_vendor_id[16] = {
	0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
	0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07,
};

/* Offsets inside the TD report body (tdx-formats.md §6.3). */
enum {
	B_TEE_TCB_SVN = 0, B_MRSEAM = 16, B_MRSIGNERSEAM = 64, B_SEAMATTR = 112,
	B_TDATTR = 120, B_XFAM = 128, B_MRTD = 136, B_MRCONFIGID = 184, B_MROWNER = 232,
	B_MROWNERCONFIG = 280, B_RTMR0 = 328, B_REPORTDATA = 520, B_TEE_TCB_SVN2 = 584,
	B_MRSERVICETD = 600,
};

/* Offsets inside the signature data (§6.4). */
enum {
	S_SIG = 0, S_ATT_KEY = 64, S_CERT_TYPE = 128, S_CERT_SIZE = 130, S_CERT_DATA = 134,
	QE_SIG = 384, QE_AUTH_SIZE = 448, QE_AUTH = 450,
};

static void body_to_td(const uint8_t *b, size_t blen, struct tdx_td_info *td)
{
	memcpy(td->tee_tcb_svn, b + B_TEE_TCB_SVN, 16);
	memcpy(td->mr_seam, b + B_MRSEAM, TDX_MR_LEN);
	memcpy(td->mr_signer_seam, b + B_MRSIGNERSEAM, TDX_MR_LEN);
	memcpy(td->seam_attributes, b + B_SEAMATTR, 8);
	memcpy(td->td_attributes, b + B_TDATTR, 8);
	memcpy(td->xfam, b + B_XFAM, 8);
	memcpy(td->mr_td, b + B_MRTD, TDX_MR_LEN);
	memcpy(td->mr_config_id, b + B_MRCONFIGID, TDX_MR_LEN);
	memcpy(td->mr_owner, b + B_MROWNER, TDX_MR_LEN);
	memcpy(td->mr_owner_config, b + B_MROWNERCONFIG, TDX_MR_LEN);
	for (int i = 0; i < 4; i++)
		memcpy(td->rtmr[i], b + B_RTMR0 + i * TDX_MR_LEN, TDX_MR_LEN);
	memcpy(td->report_data, b + B_REPORTDATA, TDX_REPORT_DATA_LEN);
	td->has_tdx15 = blen == TDX_BODY_V15_LEN;
	if (td->has_tdx15) {
		memcpy(td->tee_tcb_svn2, b + B_TEE_TCB_SVN2, 16);
		memcpy(td->mr_servicetd, b + B_MRSERVICETD, TDX_MR_LEN);
	}
}

#define FAIL(err, msg) do { *why = (msg); return (err); } while (0)

static int parse_header(const uint8_t *buf, size_t len, struct tdx_quote *q, const char **why)
{
	if (len < TDX_QUOTE_HEADER_LEN)
		FAIL(-EBADMSG, "quote shorter than its 48-byte header");
	q->version = le16(buf);
	q->att_key_type = le16(buf + 2);
	q->tee_type = le32(buf + 4);
	if (q->version != 4 && q->version != 5)
		FAIL(-EPROTONOSUPPORT, "quote version is not 4 or 5");
	if (q->tee_type != TDX_TEE_TYPE)
		FAIL(-EPROTONOSUPPORT, "quote tee_type is not TDX (0x81)");
	if (q->att_key_type != TDX_ATT_KEY_ECDSA_P256)
		FAIL(-EPROTONOSUPPORT, "quote attestation key type is not ECDSA P-256 (2)");
	if (memcmp(buf + 12, tdx_intel_qe_vendor_id, 16) != 0)
		FAIL(-EPROTONOSUPPORT, "quote QE vendor id is not Intel's");
	if (q->version == 4) {
		q->body_type = 0;
		q->body_off = TDX_QUOTE_HEADER_LEN;
		q->body_len = TDX_BODY_V10_LEN;
		return 0;
	}
	if (len < TDX_QUOTE_HEADER_LEN + 6)
		FAIL(-EBADMSG, "quote v5 truncated in the body descriptor");
	q->body_type = le16(buf + 48);
	q->body_len = le32(buf + 50);
	q->body_off = TDX_QUOTE_HEADER_LEN + 6;
	if (q->body_type == 2 && q->body_len == TDX_BODY_V10_LEN)
		return 0;
	if (q->body_type == 3 && q->body_len == TDX_BODY_V15_LEN)
		return 0;
	if (q->body_type != 2 && q->body_type != 3)
		FAIL(-EPROTONOSUPPORT, "quote v5 body type is not a TD report (2 or 3)");
	FAIL(-EBADMSG, "quote v5 body size does not match its body type");
}

/* Certification data type 6 (QE report) wrapping type 5 (PCK chain PEM). */
static int parse_cert_data(const uint8_t *sd, size_t sd_len, struct tdx_quote *q, const char **why)
{
	const uint8_t *qe, *inner;
	size_t s, n, m;

	if (sd_len < S_CERT_DATA)
		FAIL(-EBADMSG, "quote signature data shorter than 134 bytes");
	if (le16(sd + S_CERT_TYPE) != 6)
		FAIL(-EBADMSG, "quote certification data type is not 6 (QE report)");
	s = le32(sd + S_CERT_SIZE);
	if (s > sd_len - S_CERT_DATA)
		FAIL(-EBADMSG, "quote certification data size runs past the signature data");
	if (s < QE_AUTH)
		FAIL(-EBADMSG, "quote QE report certification data too short");
	qe = sd + S_CERT_DATA;
	n = le16(qe + QE_AUTH_SIZE);
	if (n > s - QE_AUTH || s - QE_AUTH - n < 6)
		FAIL(-EBADMSG, "quote QE authentication data size runs past the certification data");
	inner = qe + QE_AUTH + n;
	if (le16(inner) != 5)
		FAIL(-EBADMSG, "quote inner certification data type is not 5 (PCK chain)");
	m = le32(inner + 2);
	if (m > s - QE_AUTH - n - 6)
		FAIL(-EBADMSG, "quote PCK chain size runs past the certification data");
	if (m > 0 && inner[6 + m - 1] == '\0')
		m--;
	if (m == 0)
		FAIL(-EBADMSG, "quote PCK certificate chain is empty");
	q->signature = sd + S_SIG;
	q->att_key = sd + S_ATT_KEY;
	q->qe_report = qe;
	q->qe_report_sig = qe + QE_SIG;
	q->qe_auth = qe + QE_AUTH;
	q->qe_auth_len = (uint16_t)n;
	q->pck_chain_pem = (const char *)(inner + 6);
	q->pck_chain_len = m;
	return 0;
}

int tdx_quote_parse(const uint8_t *buf, size_t len, struct tdx_quote *q, const char **why)
{
	const char *unused;
	size_t sd_off, sd_len;
	int r;

	if (!why)
		why = &unused;
	memset(q, 0, sizeof(*q));
	if (len > TDX_QUOTE_MAX)
		FAIL(-EBADMSG, "quote larger than 1 MiB");
	r = parse_header(buf, len, q, why);
	if (r < 0)
		return r;
	q->signed_len = q->body_off + q->body_len;
	if (len < q->signed_len + 4)
		FAIL(-EBADMSG, "quote truncated in the TD report body");
	sd_len = le32(buf + q->signed_len);
	sd_off = q->signed_len + 4;
	if (sd_len > len - sd_off)
		FAIL(-EBADMSG, "quote signature data length runs past the end of the quote");
	r = parse_cert_data(buf + sd_off, sd_len, q, why);
	if (r < 0)
		return r;
	q->raw = buf;
	q->raw_len = len;
	q->end = sd_off + sd_len;
	body_to_td(buf + q->body_off, q->body_len, &q->td);
	return 0;
}
