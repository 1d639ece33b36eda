/* SPDX-License-Identifier: Apache-2.0 */
/* The verifier context: trust anchor and caches (anchor.c, lookup.c). */
#pragma once
#include "internal.h"

struct vf_ctx {
	enum vf_anchor_mode mode;
	EVP_PKEY *anchor;          /* NULL in VF_ANCHOR_COLLATERAL mode */
	unsigned recheck_ms;
	EVP_MD *sha256;
	struct vf_cache *coll_cache, *pck_cache, *qe_cache;
	struct vf_cache *plat_cache;  /* PCK chain -> platform (platform.c) */
	struct vf_cache *store_cache; /* store directory -> generation snapshot (store.c) */
};

int vf_anchor_load(struct vf_ctx *ctx, const struct vf_options *opt);
/* Each returns a new reference in *out, or a negative errno. */
int vf_ctx_collateral(struct vf_ctx *ctx, const char *dir, struct vf_collateral **out);
int vf_ctx_pck_entry(struct vf_ctx *ctx, const struct vf_collateral *coll,
		     const struct tdx_quote *q, struct vf_pck_entry **out);
int vf_ctx_qe_entry(struct vf_ctx *ctx, const struct vf_pck_entry *pe, const struct tdx_quote *q,
		    struct vf_qe_entry **out);
/* Verifies against one loaded set (verify.c); the caller keeps its reference. */
int vf_verify_coll(struct vf_ctx *ctx, const uint8_t *quote, const struct tdx_quote *q,
		   struct vf_collateral *coll, int64_t at, struct vf_result *res);
/* A rejection before any collateral is involved. */
void vf_result_reject(struct vf_result *res, const struct tdx_quote *q, enum vf_check c, const char *why);
