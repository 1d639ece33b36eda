/* SPDX-License-Identifier: Apache-2.0 */
#include "tdreport.h"

#include <errno.h>
#include <string.h>

enum {
	R_TYPE = 0, R_REPORTDATA = 128, R_TEE_TCB_SVN = 264, R_MRSEAM = 280,
	R_MRSIGNERSEAM = 328, R_SEAMATTR = 376, R_TEE_TCB_SVN2 = 384, R_TDATTR = 512,
	R_XFAM = 520, R_MRTD = 528, R_MRCONFIGID = 576, R_MROWNER = 624,
	R_MROWNERCONFIG = 672, R_RTMR0 = 720, R_SERVTD_HASH = 912,
};

int tdx_tdreport_parse(const uint8_t *buf, size_t len, struct tdx_td_info *td, const char **why)
{
	const char *unused;

	if (!why)
		why = &unused;
	if (len != TDX_TDREPORT_LEN) {
		*why = "TDREPORT is not exactly 1024 bytes";
		return -EBADMSG;
	}
	if (buf[R_TYPE] != TDREPORT_TYPE_TDX) {
		*why = "TDREPORT type is not TDX (0x81)";
		return -EBADMSG;
	}
	memset(td, 0, sizeof(*td));
	memcpy(td->report_data, buf + R_REPORTDATA, TDX_REPORT_DATA_LEN);
	memcpy(td->tee_tcb_svn, buf + R_TEE_TCB_SVN, 16);
	memcpy(td->mr_seam, buf + R_MRSEAM, TDX_MR_LEN);
	memcpy(td->mr_signer_seam, buf + R_MRSIGNERSEAM, TDX_MR_LEN);
	memcpy(td->seam_attributes, buf + R_SEAMATTR, 8);
	memcpy(td->td_attributes, buf + R_TDATTR, 8);
	memcpy(td->xfam, buf + R_XFAM, 8);
	memcpy(td->mr_td, buf + R_MRTD, TDX_MR_LEN);
	memcpy(td->mr_config_id, buf + R_MRCONFIGID, TDX_MR_LEN);
	memcpy(td->mr_owner, buf + R_MROWNER, TDX_MR_LEN);
	memcpy(td->mr_owner_config, buf + R_MROWNERCONFIG, TDX_MR_LEN);
	for (int i = 0; i < 4; i++)
		memcpy(td->rtmr[i], buf + R_RTMR0 + i * TDX_MR_LEN, TDX_MR_LEN);
	td->has_tdx15 = true;
	memcpy(td->tee_tcb_svn2, buf + R_TEE_TCB_SVN2, 16);
	memcpy(td->mr_servicetd, buf + R_SERVTD_HASH, TDX_MR_LEN);
	return 0;
}
