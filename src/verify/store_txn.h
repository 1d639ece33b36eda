/* SPDX-License-Identifier: Apache-2.0 */
/* Installing documents into a collateral store (layout: store.h), verified first and
 * atomically: a transaction stages the accepted documents in a new generation and swaps
 * `current` at commit. Nothing is written for a refused document; a transaction that
 * accepted nothing leaves the store byte-identical. */
#pragma once
#include "store_doc.h"

struct vf_store_txn;

/* Locks the store (creating it when absent) for the transaction; at = verification time. */
int vf_store_begin(struct vf_ctx *ctx, const char *store, int64_t at, struct vf_store_txn **out);

enum vf_put_result {
	VF_PUT_INSTALLED = 0, /* staged: newer than the installed one, or new */
	VF_PUT_UNCHANGED = 1, /* the installed one is the same (or the same issue) */
};
/* Checks d (vf_doc_check) and compares it with the installed document: a lower
 * tcbEvaluationDataNumber, an older issueDate for the same number, or an older CRL thisUpdate
 * is refused (-ESTALE); a failed check -EBADMSG. why receives the reason of a refusal. */
int vf_store_put(struct vf_store_txn *t, const struct vf_doc *d, char *why, size_t why_len);
/* Publishes the staged documents as a new generation (no-op when none), unlocks, frees. */
int vf_store_commit(struct vf_store_txn *t);
/* Drops the staged documents, unlocks, frees. */
void vf_store_abort(struct vf_store_txn *t);
