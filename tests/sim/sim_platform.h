/* SPDX-License-Identifier: Apache-2.0 */
/* The one simulated TDX platform: values shared by the PKI (PCK certificate, TCB info,
 * QE identity) and by the quote builder (QE report, TD body), so they always agree. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct sim_platform {
	/* PCK certificate SGX extension (tdx-formats.md §7). */
	uint8_t ppid[16];
	uint8_t sgx_svn[16];    /* TCB components .2.1 .. .2.16 */
	uint16_t pcesvn;
	uint8_t cpusvn[16];     /* equal to sgx_svn, as on real Platform-CA leaves */
	uint8_t pce_id[2];
	uint8_t fmspc[6];
	uint8_t fmspc_other[6]; /* what --fmspc-mismatch puts into the TCB info */
	int sgx_type;           /* 1: scalable */
	uint8_t platform_instance_id[16];
	bool processor_ca;      /* leaf issued by the PCK Processor CA: no items .6, .7 */

	/* TDX quoting enclave (QE report and QE identity, §6.5 / §8.5). */
	uint8_t qe_mrsigner[32];
	uint8_t qe_mrsigner_other[32]; /* what --qe-identity-mismatch puts into the identity */
	uint8_t qe_mrenclave[32];
	uint8_t qe_attributes[16];
	uint32_t qe_miscselect;
	uint16_t qe_isvprodid;
	uint16_t qe_isvsvn;
	uint8_t qe_auth_data[32];       /* 00 01 .. 1f */
	uint8_t header_user_data[20];   /* quote header user_data (16 bytes + 4 zero) */

	/* TDX module: TEE_TCB_SVN of the default profile and the UpToDate TCB level. */
	uint8_t tee_tcb_svn[16];
	uint8_t tdx_level_svn[16];      /* tdxtcbcomponents of the UpToDate level */
};

extern const struct sim_platform sim_platform;

/* TDX module major version encoded in TEE_TCB_SVN[1]: identity "TDX_01". */
#define SIM_TDX_MODULE_ID "TDX_01"
