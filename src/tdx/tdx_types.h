/* SPDX-License-Identifier: Apache-2.0 */
/* Sizes and identifiers of TDX evidence (../shared/docs/tdx-formats.md §3, §6). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define TDX_TEE_TYPE 0x81u
#define TDX_ATT_KEY_ECDSA_P256 2u
#define TDX_REPORT_DATA_LEN 64
#define TDX_MR_LEN 48
#define TDX_TDREPORT_LEN 1024
#define TDX_QUOTE_HEADER_LEN 48
#define TDX_BODY_V10_LEN 584 /* TDX 1.0 TD report body (v4, v5 type 2) */
#define TDX_BODY_V15_LEN 648 /* TDX 1.5 TD report body (v5 type 3) */
#define TDX_QE_REPORT_LEN 384
#define TDX_ECDSA_SIG_LEN 64
#define TDX_ECDSA_KEY_LEN 64
/* Largest quote we accept anywhere (the kernel caps outblob at 16 MiB; real quotes are < 10 KB). */
#define TDX_QUOTE_MAX (1u << 20)

extern const uint8_t tdx_intel_qe_vendor_id[16];

/* The TD fields a relying party looks at; identical for quote bodies and TDREPORTs. */
struct tdx_td_info {
	uint8_t tee_tcb_svn[16];
	uint8_t mr_seam[TDX_MR_LEN];
	uint8_t mr_signer_seam[TDX_MR_LEN];
	uint8_t seam_attributes[8];
	uint8_t td_attributes[8];
	uint8_t xfam[8];
	uint8_t mr_td[TDX_MR_LEN];
	uint8_t mr_config_id[TDX_MR_LEN];
	uint8_t mr_owner[TDX_MR_LEN];
	uint8_t mr_owner_config[TDX_MR_LEN];
	uint8_t rtmr[4][TDX_MR_LEN];
	uint8_t report_data[TDX_REPORT_DATA_LEN];
	bool has_tdx15; /* the two fields below are present (v5 body type 3, TDREPORT) */
	uint8_t tee_tcb_svn2[16];
	uint8_t mr_servicetd[TDX_MR_LEN];
};

static inline bool tdx_td_is_debug(const struct tdx_td_info *td)
{
	return td->td_attributes[0] & 1;
}
