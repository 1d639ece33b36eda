/* SPDX-License-Identifier: Apache-2.0 */
/* DCAP verification of TDX quotes (v4/v5) against Intel collateral at a given time
 * (../shared/docs/tdx-formats.md §6-§9). Rejections are results, not errors: the result
 * names the first failing check (the check names of ../shared/testdata/tdx/README.md, in
 * their evaluation order) and every other check that failed. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../tdx/pck_ext.h"
#include "../tdx/quote.h"

enum vf_check {
	VF_HEADER_VALID, VF_PCK_CHAIN_PEM, VF_PCK_ROOT_IS_ANCHOR, VF_PCK_CHAIN_SIGS,
	VF_PCK_CHAIN_TIME, VF_ROOTCRL_SIG, VF_ROOTCRL_TIME, VF_INTERMEDIATE_NOT_REVOKED,
	VF_PCKCRL_ISSUER_MATCH, VF_PCKCRL_SIG, VF_PCKCRL_TIME, VF_PCK_NOT_REVOKED,
	VF_PCKCRL_ISSUER_CHAIN, VF_TCB_CHAIN_TO_ANCHOR, VF_TCB_CHAIN_TIME,
	VF_TCB_SIGNER_NOT_REVOKED, VF_TCBINFO_SIG, VF_TCBINFO_ID_VERSION, VF_TCBINFO_TIME,
	VF_QE_CHAIN_TO_ANCHOR, VF_QE_CHAIN_TIME, VF_QEID_SIG, VF_QEID_ID_VERSION, VF_QEID_TIME,
	VF_FMSPC_MATCH, VF_PCEID_MATCH, VF_MRSIGNERSEAM_MATCH, VF_SEAM_ATTRIBUTES_ZERO_AND_MATCH,
	VF_QE_REPORT_SIG_BY_PCK, VF_QE_REPORTDATA_HASH, VF_QE_REPORTDATA_ZERO_TAIL,
	VF_QE_IDENTITY_MATCH, VF_QUOTE_SIG, VF_TCB_LEVEL,
	VF_CHECK_COUNT,
	VF_CHECK_NONE = -1,
};

/* The stable short code of a check ("quote_sig"), or NULL when out of range. */
const char *vf_check_name(int check);

enum vf_tcb_status {
	VF_TCB_UP_TO_DATE, VF_TCB_SW_HARDENING_NEEDED, VF_TCB_CONFIGURATION_NEEDED,
	VF_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED, VF_TCB_OUT_OF_DATE,
	VF_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED, VF_TCB_REVOKED, VF_TCB_NOT_SUPPORTED,
};

/* "UpToDate" ... "Revoked", "TCB_NOT_SUPPORTED". */
const char *vf_tcb_status_name(enum vf_tcb_status s);
/* Parses an Intel status string; returns 0 or -EINVAL. */
int vf_tcb_status_parse(const char *s, enum vf_tcb_status *out);

#define VF_MAX_ADVISORIES 64
#define VF_ADVISORY_LEN 32

struct vf_result {
	bool ok;                 /* authentic and a TCB level matched with an accepted status */
	int reason;              /* first failing enum vf_check, VF_CHECK_NONE when ok */
	char reason_text[256];
	uint64_t failed;         /* bit (1 << check) for every failing check that was evaluated */
	enum vf_tcb_status tcb_status;     /* computed even when rejected for another reason */
	bool have_qe_tcb_status;
	enum vf_tcb_status qe_tcb_status;
	unsigned n_advisory;
	char advisory[VF_MAX_ADVISORIES][VF_ADVISORY_LEN];
	bool have_quote;         /* quote parsed (header_valid passed) */
	struct tdx_quote quote;  /* points into the caller's quote buffer */
	bool have_pck;           /* SGX extension of the PCK certificate decoded */
	struct sgx_pck_ext pck;
	int64_t earliest_expiry; /* min over every nextUpdate / notAfter (Unix seconds) */
};

enum vf_anchor_mode {
	VF_ANCHOR_INTEL,      /* the pinned Intel SGX Root CA key (§8.1); a collateral
	                       * root_ca.pem with another key fails pck_root_is_anchor */
	VF_ANCHOR_FILE,       /* a PEM certificate given by the operator (e.g. a test PKI) */
	VF_ANCHOR_COLLATERAL, /* the root_ca.pem of each collateral directory (tests only) */
};

struct vf_options {
	enum vf_anchor_mode anchor_mode;
	const char *anchor_file;  /* VF_ANCHOR_FILE */
	unsigned cache_entries;   /* PCK chain / QE report cache bound; 0 = default (4096) */
	unsigned collateral_recheck_ms; /* re-stat collateral files at most this often; 0 = 1000 */
};

struct vf_ctx;

/* Creates a verifier (thread-safe; share one per process). Returns 0 or negative errno. */
int vf_ctx_new(const struct vf_options *opt, struct vf_ctx **out);
void vf_ctx_free(struct vf_ctx *ctx);

/* Verifies quote[0..len) against the collateral directory (layout of
 * ../shared/testdata/tdx/README.md) at time `at` (Unix seconds). Returns 0 with *res filled
 * (res->ok says accept/reject), or a negative errno when the collateral cannot be read or
 * memory runs out (then *res is meaningless). The quote buffer must outlive *res. */
int vf_verify(struct vf_ctx *ctx, const uint8_t *quote, size_t len, const char *collateral_dir,
	      int64_t at, struct vf_result *res);

/* The same for a quote the caller has already parsed: q must be tdx_quote_parse()'s result
 * for the very buffer `quote` (its pointers point into it), so the quote is parsed once. */
int vf_verify_parsed(struct vf_ctx *ctx, const uint8_t *quote, const struct tdx_quote *q,
		     const char *collateral_dir, int64_t at, struct vf_result *res);

/* RFC 3339 UTC time ("2025-07-19T10:00:34Z", optional fraction) to Unix seconds: 0 or -EINVAL. */
int vf_parse_time(const char *s, int64_t *out);
/* Formats Unix seconds as RFC 3339 UTC into buf (>= 21 bytes). */
void vf_format_time(int64_t t, char *buf, size_t len);

/* The Intel SGX Root CA public key (uncompressed P-256 point, 65 bytes). */
extern const uint8_t vf_intel_root_pubkey[65];
