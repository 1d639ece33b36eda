/* SPDX-License-Identifier: Apache-2.0 */
/* Cache lookups: collateral per directory (re-stat'ed at most every recheck_ms), PCK chain
 * outcomes per (collateral, chain bytes), QE report outcomes per (chain, QE report, key). */
#include "verify_ctx.h"
#include "../common/mono_time.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

int vf_ctx_collateral(struct vf_ctx *ctx, const char *dir, struct vf_collateral **out)
{
	struct vf_collateral *c;
	uint8_t key[32];
	int64_t now = mono_ms();
	uint64_t stamp;
	int r;

	SHA256((const uint8_t *)dir, strlen(dir), key);
	c = (struct vf_collateral *)vf_cache_get(ctx->coll_cache, key);
	if (c) {
		long long last = atomic_load(&c->checked_ms);

		if (now - last < ctx->recheck_ms ||
		    !atomic_compare_exchange_strong(&c->checked_ms, &last, now)) {
			*out = c;
			return 0;
		}
		if (vf_collateral_stamp(dir, &stamp) == 0 && stamp == c->stamp) {
			*out = c;
			return 0;
		}
		vf_obj_put(&c->obj);
	}
	r = vf_collateral_load(dir, ctx->anchor, ctx->mode == VF_ANCHOR_INTEL, &c);
	if (r < 0)
		return r;
	atomic_store(&c->checked_ms, now);
	vf_cache_put(ctx->coll_cache, key, &c->obj);
	*out = c;
	return 0;
}

/* SHA-256 over several parts (fetched digest: no per-call algorithm lookup). */
static int digest(struct vf_ctx *ctx, uint8_t out[32], unsigned n, const void *const *p,
		  const size_t *len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned l = 0;
	int ok = md && EVP_DigestInit_ex(md, ctx->sha256, NULL) == 1;

	for (unsigned i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(md, p[i], len[i]) == 1;
	ok = ok && EVP_DigestFinal_ex(md, out, &l) == 1 && l == 32;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -ENOMEM;
}

int vf_ctx_pck_entry(struct vf_ctx *ctx, const struct vf_collateral *coll,
		     const struct tdx_quote *q, struct vf_pck_entry **out)
{
	const void *parts[] = { &coll->generation, q->pck_chain_pem };
	const size_t lens[] = { sizeof(coll->generation), q->pck_chain_len };
	struct vf_pck_entry *e;
	uint8_t key[32];
	int r;

	r = digest(ctx, key, 2, parts, lens);
	if (r < 0)
		return r;
	e = (struct vf_pck_entry *)vf_cache_get(ctx->pck_cache, key);
	if (e) {
		*out = e;
		return 0;
	}
	r = vf_pck_entry_build(q->pck_chain_pem, q->pck_chain_len, coll, &e);
	if (r < 0)
		return r;
	memcpy(e->id, key, 32);
	vf_cache_put(ctx->pck_cache, key, &e->obj);
	*out = e;
	return 0;
}

int vf_ctx_qe_entry(struct vf_ctx *ctx, const struct vf_pck_entry *pe, const struct tdx_quote *q,
		    struct vf_qe_entry **out)
{
	const void *parts[] = { pe->id, q->qe_report, q->qe_report_sig, q->att_key, q->qe_auth };
	const size_t lens[] = { 32, TDX_QE_REPORT_LEN, TDX_ECDSA_SIG_LEN, TDX_ECDSA_KEY_LEN,
				q->qe_auth_len };
	struct vf_qe_entry *e;
	uint8_t key[32];
	int r;

	r = digest(ctx, key, 5, parts, lens);
	if (r < 0)
		return r;
	e = (struct vf_qe_entry *)vf_cache_get(ctx->qe_cache, key);
	if (e) {
		*out = e;
		return 0;
	}
	r = vf_qe_entry_build(q, pe->leaf_key, &e);
	if (r < 0)
		return r;
	vf_cache_put(ctx->qe_cache, key, &e->obj);
	*out = e;
	return 0;
}
