/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers for the collateral store tests: documents from the shared test data, a digest of
 * a whole directory tree (byte-identical checks). */
#pragma once
#include <stdint.h>

#include "verify/store_txn.h"

/* A fresh empty directory under /tmp (path into buf). */
void store_test_mkdtemp(char *buf, size_t len);
void store_test_rmtree(const char *dir);
/* SHA-256 over every path, link target and file content below dir, in sorted order. */
void store_test_tree_digest(const char *dir, uint8_t out[32]);
/* Installs the four documents of a one-directory collateral (testdata layout) at `at`,
 * the PCK CRL under ca; asserts every put returns `expect` (VF_PUT_* or a negative errno). */
void store_test_put_case(struct vf_ctx *ctx, const char *store, const char *coll_dir, enum vf_pck_ca ca,
			 int64_t at, int expect);
/* One document from files (chain may be NULL); returns vf_store_put's result. */
int store_test_put_file(struct vf_ctx *ctx, const char *store, int64_t at, enum vf_doc_kind kind,
			const char *key, const char *body_path, const char *chain_path);
