/* SPDX-License-Identifier: Apache-2.0 */
/* Documents of the collateral store (store.h): what each one is, its summary (dates,
 * evaluation number) and the checks a fetched document must pass before it is installed
 * (collateral-service.md §5.4): issuer chain of exactly signer + root, signer signed by the
 * trust anchor, the root equal to the anchor, every certificate and the document valid at
 * the verification time, the signature over the raw member (JSON) or the CRL, id/version,
 * the FMSPC or CA it is stored under. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

enum vf_doc_kind { VF_DOC_TCB_INFO, VF_DOC_QE_IDENTITY, VF_DOC_PCK_CRL, VF_DOC_ROOT_CRL };

struct vf_doc {
	enum vf_doc_kind kind;
	char fmspc_hex[13];     /* TCB info: upper-case hex */
	enum vf_pck_ca ca;      /* PCK CRL */
	const char *update;     /* TCB info, QE identity: "standard" / "early" */
	const uint8_t *body;    /* as received (JSON; CRL: DER, PEM or hex) */
	size_t body_len;
	const char *chain;      /* PEM issuer chain (not for the root CA CRL) */
	size_t chain_len;
};

struct vf_doc_summary {
	int eval_num;           /* tcbEvaluationDataNumber; -1 for CRLs */
	int64_t issued;         /* issueDate / thisUpdate */
	int64_t next_update;
	char fmspc_hex[13];     /* TCB info */
};

/* "TCB info FMSPC 00806F050000 (standard)", "PCK CRL (platform CA)", ... into buf. */
void vf_doc_describe(const struct vf_doc *d, char *buf, size_t len);
/* The store file names of d (names inside a generation; chain empty for the root CRL). */
void vf_doc_names(const struct vf_doc *d, char *body, char *chain, size_t len);

/* Summary of a document's body without checking signatures: 0 or -EBADMSG. */
int vf_doc_summarize(enum vf_doc_kind kind, const uint8_t *body, size_t len, struct vf_doc_summary *s);

/* Full check of a candidate against the context's trust anchor at time at. 0 (s filled),
 * -EBADMSG (why says what failed), -ENOMEM. For CRLs *der receives the DER to store
 * (malloc'd), for JSON NULL: the body is stored verbatim. */
int vf_doc_check(struct vf_ctx *ctx, const struct vf_doc *d, int64_t at, struct vf_doc_summary *s,
		 uint8_t **der, size_t *der_len, char *why, size_t why_len);

/* TCB evaluation data numbers (`/tdx/certification/v4/tcbevaluationdatanumbers`, §2.5 of
 * collateral-service.md): the numbers Intel still serves, newest first. Parse only: 0 or
 * -EBADMSG; at most max numbers. */
int vf_eval_numbers_parse(const uint8_t *body, size_t len, int *nums, size_t max, size_t *n);
/* The same after checking the signature over the raw member and the issuer chain against
 * the trust anchor at time at: 0, -EBADMSG (why), -ENOMEM. */
int vf_eval_numbers_check(struct vf_ctx *ctx, const uint8_t *body, size_t len, const char *chain,
			  size_t chain_len, int64_t at, int *nums, size_t max, size_t *n, char *why,
			  size_t why_len);
