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
};

int vf_anchor_load(struct vf_ctx *ctx, const struct vf_options *opt);
/* Each returns a new reference in *out, or a negative errno. */
int vf_ctx_collateral(struct vf_ctx *ctx, const char *dir, struct vf_collateral **out);
int vf_ctx_pck_entry(struct vf_ctx *ctx, const struct vf_collateral *coll,
		     const struct tdx_quote *q, struct vf_pck_entry **out);
int vf_ctx_qe_entry(struct vf_ctx *ctx, const struct vf_pck_entry *pe, const struct tdx_quote *q,
		    struct vf_qe_entry **out);
