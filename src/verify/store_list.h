/* SPDX-License-Identifier: Apache-2.0 */
/* What a collateral store holds (store.h): one entry per document of the current
 * generation, for `tdx-keyserver collateral status`, the server's expiry warnings and its
 * refresh (which FMSPCs and CAs to fetch again). */
#pragma once
#include "store_doc.h"

struct vf_store_entry {
	enum vf_doc_kind kind;
	char what[64];          /* "TCB info FMSPC 00806F050000 (standard)" */
	char file[96];          /* its name in the generation */
	char fmspc_hex[13];     /* TCB info */
	char update[16];        /* TCB info, QE identity */
	enum vf_pck_ca ca;      /* PCK CRL */
	bool readable;          /* false: the summary could not be read (then dates are 0) */
	struct vf_doc_summary s;
	int64_t expires;        /* min(nextUpdate, notAfter of its issuer chain's certificates) */
	bool chain_expires_first; /* a chain certificate expires before the document */
};

/* Lists the documents of the current generation, sorted by file name: 0 (*out malloc'd,
 * possibly with *n == 0) or negative errno (-ENOENT: not a store). */
int vf_store_list(const char *store, struct vf_store_entry **out, size_t *n);

/* Seconds until the earliest expiry (nextUpdate or chain notAfter) among the entries (negative: expired); INT64_MAX
 * when there are none. *which (may be NULL) receives that entry's index. */
int64_t vf_store_time_left(const struct vf_store_entry *e, size_t n, int64_t at, size_t *which);
