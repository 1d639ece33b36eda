/* SPDX-License-Identifier: Apache-2.0 */
/* TDREPORT_STRUCT of the simulated TD (tdx-formats.md §3). */
#include "sim_ossl.h"
#include "sim_platform.h"
#include "sim_quote.h"
#include "tdx/tdreport.h"

#include <string.h>

enum {
	R_TYPE = 0, R_CPUSVN = 16, R_TEE_TCB_INFO_HASH = 32, R_TEE_INFO_HASH = 80,
	R_REPORTDATA = 128, R_TEE_TCB_INFO = 256, R_TEE_TCB_INFO_LEN = 239, R_VALID = 256,
	R_TEE_TCB_SVN = 264, R_MRSEAM = 280, R_MRSIGNERSEAM = 328, R_SEAMATTR = 376,
	R_TEE_TCB_SVN2 = 384, R_TDINFO = 512, R_TDATTR = 512, R_XFAM = 520, R_MRTD = 528,
	R_MRCONFIGID = 576, R_MROWNER = 624, R_MROWNERCONFIG = 672, R_RTMR0 = 720,
	R_SERVTD_HASH = 912,
};

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

int sim_tdreport_build(const struct tdx_td_info *td, const uint8_t report_data[64],
		       uint8_t out[1024])
{
	int r;

	memset(out, 0, TDX_TDREPORT_LEN);
	out[R_TYPE] = TDREPORT_TYPE_TDX;
	out[R_TYPE + 2] = all_zero(td->mr_servicetd, TDX_MR_LEN) ? 0 : 1; /* TDX 1.5 with SERVTD */
	memcpy(out + R_CPUSVN, sim_platform.cpusvn, 16);
	memcpy(out + R_REPORTDATA, report_data, TDX_REPORT_DATA_LEN);

	out[R_VALID] = 0xff; /* VALID = 0x1ff, little-endian */
	out[R_VALID + 1] = 0x01;
	memcpy(out + R_TEE_TCB_SVN, td->tee_tcb_svn, 16);
	memcpy(out + R_MRSEAM, td->mr_seam, TDX_MR_LEN);
	memcpy(out + R_MRSIGNERSEAM, td->mr_signer_seam, TDX_MR_LEN);
	memcpy(out + R_SEAMATTR, td->seam_attributes, 8);
	memcpy(out + R_TEE_TCB_SVN2, td->tee_tcb_svn2, 16);

	memcpy(out + R_TDATTR, td->td_attributes, 8);
	memcpy(out + R_XFAM, td->xfam, 8);
	memcpy(out + R_MRTD, td->mr_td, TDX_MR_LEN);
	memcpy(out + R_MRCONFIGID, td->mr_config_id, TDX_MR_LEN);
	memcpy(out + R_MROWNER, td->mr_owner, TDX_MR_LEN);
	memcpy(out + R_MROWNERCONFIG, td->mr_owner_config, TDX_MR_LEN);
	for (int i = 0; i < 4; i++)
		memcpy(out + R_RTMR0 + i * TDX_MR_LEN, td->rtmr[i], TDX_MR_LEN);
	memcpy(out + R_SERVTD_HASH, td->mr_servicetd, TDX_MR_LEN);

	r = sim_sha384(out + R_TEE_TCB_INFO, R_TEE_TCB_INFO_LEN, out + R_TEE_TCB_INFO_HASH);
	if (r == 0)
		r = sim_sha384(out + R_TDINFO, TDX_TDREPORT_LEN - R_TDINFO, out + R_TEE_INFO_HASH);
	return r;
}
