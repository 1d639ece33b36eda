/* SPDX-License-Identifier: Apache-2.0 */
/* TDX evidence of the simulated platform, for the CLI, the FUSE configfs-tsm file system,
 * the test QGS and unit tests: TD profiles, TDREPORTs and signed quotes v4/v5
 * (tdx-formats.md §3, §6). Stable API: the verifier's tests use it (see README.md).
 *
 *   struct sim_pki *pki;  struct tdx_td_info td;  uint8_t *q;  size_t n;
 *   sim_pki_load("pki", &pki);  sim_profile_default(&td);
 *   sim_quote_build(pki, &td, report_data, 4, 0, &q, &n);  ... free(q); sim_pki_free(pki);
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "tdx/tdx_types.h"

/* Key material of a PKI directory made by `tdx-sim pki` (attestation key, PCK leaf key,
 * PCK chain PEM). Read-only after loading: one instance may be shared between threads. */
struct sim_pki;
int sim_pki_load(const char *dir, struct sim_pki **out);
void sim_pki_free(struct sim_pki *pki);

/* A TD profile is a struct tdx_td_info whose report_data is ignored.
 * Defaults: non-debug TD (td_attributes 0000001000000000), xfam e702060000000000,
 * mr_td = SHA-384("tdx-unlock simulator MRTD"), rtmr0..2 = SHA-384("tdx-unlock simulator
 * RTMRi"), rtmr3 and the MRCONFIGID/MROWNER/MROWNERCONFIG zero, mr_seam = SHA-384("tdx-unlock
 * simulator TDX module"), MRSIGNERSEAM/SEAMATTRIBUTES zero, tee_tcb_svn 03 01 02 00.. (matches
 * the UpToDate level of the simulated TCB info), tee_tcb_svn2 = tee_tcb_svn, mr_servicetd zero. */
int sim_profile_default(struct tdx_td_info *td);
/* Loads a profile JSON object: defaults overridden by the keys present. Keys (hex strings):
 * mr_td, rtmr0..rtmr3, mr_config_id, mr_owner, mr_owner_config, mr_seam, mr_servicetd
 * (96 digits), td_attributes, xfam (16), tee_tcb_svn, tee_tcb_svn2 (32). tee_tcb_svn2
 * follows tee_tcb_svn unless given. Unknown keys or bad hex: -EINVAL (logged). */
int sim_profile_load(const char *path, struct tdx_td_info *td);
int sim_profile_parse(const char *json, struct tdx_td_info *td);
/* Renders a profile as pretty JSON (malloc'd string), or NULL on allocation failure. */
char *sim_profile_to_json(const struct tdx_td_info *td);

/* Deliberate defects for negative tests (bit flags). */
enum {
	SIM_CORRUPT_QE_REPORTDATA = 1u << 0,  /* QE REPORTDATA != SHA-256(att key || auth data);
					       * the QE report signature stays valid */
	SIM_CORRUPT_QUOTE_SIG = 1u << 1,      /* one bit of the quote signature flipped */
	SIM_CORRUPT_QE_REPORT_SIG = 1u << 2,  /* one bit of the QE report signature flipped */
};
/* Parses "qe-reportdata", "quote-sig" or "qe-report-sig" into *flags (ORed). -EINVAL else. */
int sim_corrupt_parse(const char *name, unsigned *flags);

/* Builds a 1024-byte TDREPORT (type 0x81, VALID 0x1ff, the platform CPUSVN, correct
 * TEE_TCB_INFO_HASH and TEE_INFO_HASH, MAC zero). */
int sim_tdreport_build(const struct tdx_td_info *td, const uint8_t report_data[64],
		       uint8_t out[1024]);

/* Builds a signed quote (version 4, or 5 with body type 3) over the profile and REPORTDATA.
 * *out is malloc'd. Returns 0, -EINVAL (bad version), -ENOMEM or -EIO (logged). */
int sim_quote_build(const struct sim_pki *pki, const struct tdx_td_info *td,
		    const uint8_t report_data[64], int version, unsigned corrupt,
		    uint8_t **out, size_t *out_len);
/* The same from a TDREPORT (what a QGS receives): every body field is taken from it. */
int sim_quote_from_tdreport(const struct sim_pki *pki, const uint8_t *tdreport, size_t len,
			    int version, unsigned corrupt, uint8_t **out, size_t *out_len);
