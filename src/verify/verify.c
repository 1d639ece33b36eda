/* SPDX-License-Identifier: Apache-2.0 */
/* DCAP verification of a TDX quote: orchestration, caches and the result
 * (tdx-formats.md §9; check names and order of ../shared/testdata/tdx/README.md). */
#include "internal.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>
#include <openssl/sha.h>

#include "verify_ctx.h"

static const char *const check_names[VF_CHECK_COUNT] = {
	"header_valid", "pck_chain_pem", "pck_root_is_anchor", "pck_chain_sigs", "pck_chain_time",
	"rootcrl_sig", "rootcrl_time", "intermediate_not_revoked", "pckcrl_issuer_match",
	"pckcrl_sig", "pckcrl_time", "pck_not_revoked", "pckcrl_issuer_chain",
	"tcb_chain_to_anchor", "tcb_chain_time", "tcb_signer_not_revoked", "tcbinfo_sig",
	"tcbinfo_id_version", "tcbinfo_time", "qe_chain_to_anchor", "qe_chain_time", "qeid_sig",
	"qeid_id_version", "qeid_time", "fmspc_match", "pceid_match", "mrsignerseam_match",
	"seam_attributes_zero_and_match", "qe_report_sig_by_pck", "qe_reportdata_hash",
	"qe_reportdata_zero_tail", "qe_identity_match", "quote_sig", "tcb_level",
};

const char *vf_check_name(int check)
{
	return check >= 0 && check < VF_CHECK_COUNT ? check_names[check] : NULL;
}

void vf_fail(struct vf_result *res, enum vf_check c, const char *fmt, ...)
{
	va_list ap;

	res->failed |= 1ull << c;
	if (res->reason != VF_CHECK_NONE && res->reason <= (int)c)
		return;
	res->reason = c;
	va_start(ap, fmt);
	vsnprintf(res->reason_text, sizeof(res->reason_text), fmt, ap);
	va_end(ap);
}

void vf_apply_findings(struct vf_result *res, const struct vf_findings *f)
{
	for (int c = 0; c < VF_CHECK_COUNT; c++)
		if (f->mask & (1ull << c))
			vf_fail(res, (enum vf_check)c, "%s", f->text[c] ? f->text[c] : check_names[c]);
}

void vf_apply_window(struct vf_result *res, const struct vf_window *w, int64_t at)
{
	char a[32], b[32];

	if (w->to < res->earliest_expiry)
		res->earliest_expiry = w->to;
	if (w->from > w->to) {
		vf_fail(res, w->check, "%s has no valid validity period", w->what);
	} else if (at < w->from) {
		vf_format_time(w->from, a, sizeof(a));
		vf_format_time(at, b, sizeof(b));
		vf_fail(res, w->check, "%s not yet valid: valid from %s, time is %s", w->what, a, b);
	} else if (at > w->to) {
		vf_format_time(w->to, a, sizeof(a));
		vf_format_time(at, b, sizeof(b));
		vf_fail(res, w->check, "%s expired at %s, time is %s", w->what, a, b);
	}
}

int vf_ctx_new(const struct vf_options *opt, struct vf_ctx **out)
{
	struct vf_options def = { 0 };
	struct vf_ctx *ctx;
	int r;

	if (!opt)
		opt = &def;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return log_errno(-ENOMEM, "verifier context");
	ctx->mode = opt->anchor_mode;
	ctx->recheck_ms = opt->collateral_recheck_ms ? opt->collateral_recheck_ms : 1000;
	ctx->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	r = ctx->sha256 ? vf_anchor_load(ctx, opt) : log_errno(-ENOMEM, "SHA-256 unavailable");
	if (r == 0)
		r = vf_cache_new(opt->cache_entries ? opt->cache_entries : 4096, &ctx->pck_cache);
	if (r == 0)
		r = vf_cache_new(opt->cache_entries ? opt->cache_entries : 4096, &ctx->qe_cache);
	if (r == 0)
		r = vf_cache_new(64, &ctx->coll_cache);
	if (r == 0)
		r = vf_cache_new(opt->cache_entries ? opt->cache_entries : 4096, &ctx->plat_cache);
	if (r == 0)
		r = vf_cache_new(16, &ctx->store_cache);
	if (r < 0) {
		vf_ctx_free(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}

void vf_ctx_free(struct vf_ctx *ctx)
{
	if (!ctx)
		return;
	vf_cache_free(ctx->pck_cache);
	vf_cache_free(ctx->qe_cache);
	vf_cache_free(ctx->coll_cache);
	vf_cache_free(ctx->plat_cache);
	vf_cache_free(ctx->store_cache);
	EVP_PKEY_free(ctx->anchor);
	EVP_MD_free(ctx->sha256);
	free(ctx);
}

/* Per-quote checks against the parsed collateral (steps 6, 7, 10, 11, 12). */
static void check_platform(struct vf_result *res, const struct vf_collateral *coll,
			   const struct vf_pck_entry *pe)
{
	const struct tdx_td_info *td = &res->quote.td;
	const struct vf_module_identity *mod;
	bool zero = true;

	if (!pe->have_pck)
		vf_fail(res, VF_FMSPC_MATCH, "PCK certificate has no valid SGX extension");
	else if (coll->tcb_ok && memcmp(pe->pck.fmspc, coll->tcb.fmspc, 6) != 0)
		vf_fail(res, VF_FMSPC_MATCH, "FMSPC of the PCK certificate differs from the TCB info");
	if (pe->have_pck && coll->tcb_ok && memcmp(pe->pck.pce_id, coll->tcb.pce_id, 2) != 0)
		vf_fail(res, VF_PCEID_MATCH, "PCE-ID of the PCK certificate differs from the TCB info");
	if (!coll->tcb_ok) {
		vf_fail(res, VF_FMSPC_MATCH, "TCB info unusable");
		return;
	}
	mod = vf_tcb_module_for(&coll->tcb, td->tee_tcb_svn);
	if (!mod) {
		vf_fail(res, VF_MRSIGNERSEAM_MATCH, "TCB info has no TDX module identity TDX_%02X",
			td->tee_tcb_svn[1]);
		return;
	}
	if (memcmp(mod->mrsigner, td->mr_signer_seam, 48) != 0)
		vf_fail(res, VF_MRSIGNERSEAM_MATCH, "MRSIGNERSEAM differs from the TDX module identity");
	for (int i = 0; i < 8; i++) {
		zero &= td->seam_attributes[i] == 0;
		if ((td->seam_attributes[i] & mod->attributes_mask[i]) != mod->attributes[i])
			zero = false;
	}
	if (!zero)
		vf_fail(res, VF_SEAM_ATTRIBUTES_ZERO_AND_MATCH,
			"SEAMATTRIBUTES not zero or not equal to the TDX module identity");
}

/* Step 10: the QE report against the QE identity; returns the QE TCB level or NULL. */
static const struct vf_level_isv *check_qe_identity(struct vf_result *res,
						    const struct vf_collateral *coll)
{
	const uint8_t *rep = res->quote.qe_report;
	const struct vf_qe_identity *qe = &coll->qe;
	const struct vf_level_isv *lvl;
	bool ok = true;

	if (!coll->qe_ok) {
		vf_fail(res, VF_QE_IDENTITY_MATCH, "QE identity unusable");
		return NULL;
	}
	for (int i = 0; i < 4; i++)
		ok &= (rep[16 + i] & qe->miscselect_mask[i]) == qe->miscselect[i];
	for (int i = 0; i < 16; i++)
		ok &= (rep[48 + i] & qe->attributes_mask[i]) == qe->attributes[i];
	if (!ok)
		vf_fail(res, VF_QE_IDENTITY_MATCH, "QE MISCSELECT/ATTRIBUTES do not match the QE identity");
	if (memcmp(rep + 128, qe->mrsigner, 32) != 0)
		vf_fail(res, VF_QE_IDENTITY_MATCH, "QE MRSIGNER differs from the QE identity");
	if (le16(rep + 256) != qe->isvprodid)
		vf_fail(res, VF_QE_IDENTITY_MATCH, "QE ISVPRODID differs from the QE identity");
	lvl = vf_qe_level(qe, le16(rep + 258));
	res->have_qe_tcb_status = true;
	res->qe_tcb_status = lvl ? lvl->status : VF_TCB_NOT_SUPPORTED;
	return lvl;
}

static void add_advisories(struct vf_result *res, unsigned n, char (*adv)[VF_ADVISORY_LEN])
{
	for (unsigned i = 0; i < n; i++) {
		bool dup = false;

		for (unsigned j = 0; j < res->n_advisory && !dup; j++)
			dup = strcmp(res->advisory[j], adv[i]) == 0;
		if (!dup && res->n_advisory < VF_MAX_ADVISORIES)
			memcpy(res->advisory[res->n_advisory++], adv[i], VF_ADVISORY_LEN);
	}
}

/* Steps 12-15: TCB level, module and QE convergence; advisory IDs of the matched levels. */
static void check_tcb(struct vf_result *res, const struct vf_collateral *coll,
		      const struct vf_pck_entry *pe, const struct vf_level_isv *qe_level)
{
	struct vf_tcb_eval ev;

	if (!coll->tcb_ok || !pe->have_pck) {
		vf_fail(res, VF_TCB_LEVEL, "no usable TCB info or PCK SGX extension");
		return;
	}
	vf_tcb_evaluate(&coll->tcb, &pe->pck, res->quote.td.tee_tcb_svn, qe_level, &ev);
	res->tcb_status = ev.status;
	if (ev.level) {
		add_advisories(res, ev.level->n_adv, ev.level->adv);
		if (ev.module_level)
			add_advisories(res, ev.module_level->n_adv, ev.module_level->adv);
		if (qe_level)
			add_advisories(res, qe_level->n_adv, qe_level->adv);
	}
	if (!ev.sgx_matched)
		vf_fail(res, VF_TCB_LEVEL, "no TCB level matches (sgx)");
	else if (!ev.level)
		vf_fail(res, VF_TCB_LEVEL, "no TCB level matches (tdx)");
	else if (ev.status == VF_TCB_NOT_SUPPORTED)
		vf_fail(res, VF_TCB_LEVEL, qe_level ? "no TDX module TCB level matches"
						    : "no QE identity TCB level matches");
	else if (ev.status == VF_TCB_REVOKED)
		vf_fail(res, VF_TCB_LEVEL, "TCB status is Revoked");
}

static void result_init(struct vf_result *res)
{
	memset(res, 0, sizeof(*res));
	res->reason = VF_CHECK_NONE;
	res->tcb_status = VF_TCB_NOT_SUPPORTED;
	res->earliest_expiry = INT64_MAX;
}

int vf_verify(struct vf_ctx *ctx, const uint8_t *quote, size_t len, const char *dir, int64_t at,
	      struct vf_result *res)
{
	struct tdx_quote q;
	const char *why = NULL;

	if (tdx_quote_parse(quote, len, &q, &why) < 0) {
		result_init(res);
		vf_fail(res, VF_HEADER_VALID, "%s", why ? why : "malformed quote");
		return 0;
	}
	return vf_verify_parsed(ctx, quote, &q, dir, at, res);
}

int vf_verify_parsed(struct vf_ctx *ctx, const uint8_t *quote, const struct tdx_quote *q,
		     const char *dir, int64_t at, struct vf_result *res)
{
	struct vf_collateral *coll = NULL;
	int r;

	result_init(res);
	r = vf_ctx_collateral(ctx, dir, &coll);
	if (r < 0)
		return r;
	r = vf_verify_coll(ctx, quote, q, coll, at, res);
	vf_obj_put(&coll->obj);
	return r;
}

void vf_result_reject(struct vf_result *res, const struct tdx_quote *q, enum vf_check c, const char *why)
{
	result_init(res);
	res->quote = *q;
	res->have_quote = true;
	vf_fail(res, c, "%s", why);
}

int vf_verify_coll(struct vf_ctx *ctx, const uint8_t *quote, const struct tdx_quote *q,
		   struct vf_collateral *coll, int64_t at, struct vf_result *res)
{
	struct vf_pck_entry *pe = NULL;
	struct vf_qe_entry *qe = NULL;
	const struct vf_level_isv *qe_level;
	int r;

	result_init(res);
	res->quote = *q;
	res->have_quote = true;
	r = vf_ctx_pck_entry(ctx, coll, &res->quote, &pe);
	if (r == 0)
		r = vf_ctx_qe_entry(ctx, pe, &res->quote, &qe);
	if (r < 0)
		goto out;
	vf_apply_findings(res, &coll->findings);
	for (unsigned i = 0; i < coll->n_windows; i++)
		vf_apply_window(res, &coll->windows[i], at);
	vf_apply_findings(res, &pe->findings);
	for (unsigned i = 0; i < pe->n_windows; i++)
		vf_apply_window(res, &pe->windows[i], at);
	res->have_pck = pe->have_pck;
	res->pck = pe->pck;
	check_platform(res, coll, pe);
	vf_apply_findings(res, &qe->findings);
	qe_level = check_qe_identity(res, coll);
	if (vf_ecdsa_verify(qe->att_key, quote, res->quote.signed_len, res->quote.signature) != 1)
		vf_fail(res, VF_QUOTE_SIG, "quote signature does not verify with the attestation key");
	check_tcb(res, coll, pe, qe_level);
	res->ok = res->failed == 0;
out:
	vf_obj_put(qe ? &qe->obj : NULL);
	vf_obj_put(pe ? &pe->obj : NULL);
	return r;
}
