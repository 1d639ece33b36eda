/* SPDX-License-Identifier: Apache-2.0 */
/* Collateral fetch: PCS v4 / PCCS URLs, response checks, install (collateral_fetch.h). */
#include "collateral_fetch.h"
#include "../common/log.h"
#include "../verify/store_list.h"
#include "../verify/store_txn.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const tcb_chain_hdr[] = { "TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain", NULL };
static const char *const qe_chain_hdr[] = { "SGX-Enclave-Identity-Issuer-Chain", NULL };
static const char *const crl_chain_hdr[] = { "SGX-PCK-CRL-Issuer-Chain", NULL };
static const char *const evn_chain_hdr[] = { "TCB-Evaluation-Data-Numbers-Issuer-Chain", NULL };

int coll_fetch_add_fmspc(struct coll_fetch_req *req, const char *hex)
{
	char up[13];

	if (strlen(hex) != 12)
		return -EINVAL;
	for (int i = 0; i < 12; i++) {
		if (!isxdigit((unsigned char)hex[i]))
			return -EINVAL;
		up[i] = (char)toupper((unsigned char)hex[i]);
	}
	up[12] = '\0';
	for (size_t i = 0; i < req->n_fmspcs; i++)
		if (strcmp(req->fmspcs[i], up) == 0)
			return 0;
	if (req->n_fmspcs >= COLL_MAX_FMSPCS)
		return -E2BIG;
	memcpy(req->fmspcs[req->n_fmspcs++], up, 13);
	return 0;
}

int coll_fetch_add_installed(struct coll_fetch_req *req)
{
	struct vf_store_entry *e;
	size_t n;
	int r = vf_store_list(req->store, &e, &n);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++) {
		if (e[i].kind == VF_DOC_TCB_INFO)
			r = coll_fetch_add_fmspc(req, e[i].fmspc_hex);
		else if (e[i].kind == VF_DOC_PCK_CRL)
			req->ca[e[i].ca] = true;
	}
	free(e);
	return r;
}

/* The base without a trailing '/' or API path: "https://api.trustedservices.intel.com". */
static void base_of(const char *url, char *out, size_t len)
{
	static const char *const tails[] = { "/sgx/certification/v4", "/tdx/certification/v4" };
	size_t n;

	snprintf(out, len, "%s", url);
	n = strlen(out);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
	for (size_t i = 0; i < 2; i++) {
		size_t t = strlen(tails[i]);

		if (n >= t && strcmp(out + n - t, tails[i]) == 0)
			out[n - t] = '\0';
	}
}

struct fetched {
	struct vf_doc d;
	char url[1280];
	struct pcs_response resp;
	bool ok;
};

struct run {
	const struct coll_fetch_req *req;
	struct coll_fetch_result *res;
	struct fetched *v;
	size_t n;
};

/* Fetch phase (no lock held: a slow PCS does not block other writers). */
static void fetch_one(struct run *run, const struct vf_doc *d, const char *url, const char *const *hdrs)
{
	struct fetched *f = &run->v[run->n++];
	char what[96], err[256];
	int r;

	f->d = *d;
	snprintf(f->url, sizeof(f->url), "%s", url);
	vf_doc_describe(d, what, sizeof(what));
	r = pcs_get(&run->req->http, url, hdrs, &f->resp, err, sizeof(err));
	if (r == -ENOENT) {
		run->res->not_found++;
		log_err("collateral: %s: %s: not served (%s): the old document, if any, stays", what, url, err);
		return;
	}
	if (r < 0) {
		run->res->unreachable++;
		log_err("collateral: %s: %s: %s: the old document, if any, stays", what, url, err);
		return;
	}
	if (hdrs && !f->resp.chain) {
		run->res->refused++;
		log_err("collateral: %s: %s answered without the %s header (Request-ID %s): refused",
			what, url, hdrs[0], f->resp.request_id[0] ? f->resp.request_id : "none");
		return;
	}
	f->d.body = f->resp.body;
	f->d.body_len = f->resp.body_len;
	f->d.chain = f->resp.chain;
	f->d.chain_len = f->resp.chain_len;
	f->ok = true;
}

/* Install phase: every fetched document through the store's checks. */
static void install_one(struct run *run, struct vf_store_txn *txn, struct fetched *f)
{
	char what[96], why[256];
	int r;

	vf_doc_describe(&f->d, what, sizeof(what));
	r = vf_store_put(txn, &f->d, why, sizeof(why));
	if (r == VF_PUT_INSTALLED) {
		run->res->installed++;
		log_info("collateral: %s installed from %s", what, f->url);
	} else if (r == VF_PUT_UNCHANGED) {
		run->res->unchanged++;
		log_debug("collateral: %s unchanged", what);
	} else {
		run->res->refused++;
		log_err("collateral: %s from %s refused (Request-ID %s): %s", what, f->url,
			f->resp.request_id[0] ? f->resp.request_id : "none", r == -ENOMEM ? "out of memory" : why);
	}
}

static void fetch_all(struct run *run, const char *base, const char *update)
{
	const struct coll_fetch_req *req = run->req;
	char url[1280];
	struct vf_doc d;

	for (size_t i = 0; i < req->n_fmspcs; i++) {
		d = (struct vf_doc){ .kind = VF_DOC_TCB_INFO, .update = update };
		memcpy(d.fmspc_hex, req->fmspcs[i], 13);
		snprintf(url, sizeof(url), "%s/tdx/certification/v4/tcb?fmspc=%s&update=%s", base,
			 req->fmspcs[i], update);
		fetch_one(run, &d, url, tcb_chain_hdr);
	}
	for (int ca = 0; ca < VF_CA_COUNT; ca++) {
		if (!req->ca[ca])
			continue;
		d = (struct vf_doc){ .kind = VF_DOC_PCK_CRL, .ca = (enum vf_pck_ca)ca };
		snprintf(url, sizeof(url), "%s/sgx/certification/v4/pckcrl?ca=%s&encoding=der", base,
			 vf_ca_name((enum vf_pck_ca)ca));
		fetch_one(run, &d, url, crl_chain_hdr);
	}
	if (req->skip_shared)
		return;
	d = (struct vf_doc){ .kind = VF_DOC_QE_IDENTITY, .update = update };
	snprintf(url, sizeof(url), "%s/tdx/certification/v4/qe/identity?update=%s", base, update);
	fetch_one(run, &d, url, qe_chain_hdr);
	d = (struct vf_doc){ .kind = VF_DOC_ROOT_CRL };
	if (req->root_crl_url)
		snprintf(url, sizeof(url), "%s", req->root_crl_url);
	else if (strstr(base, "://api.trustedservices.intel.com"))
		snprintf(url, sizeof(url), "%s", COLL_DEFAULT_ROOT_CRL_URL);
	else /* a PCCS: the root CA CRL as hex text */
		snprintf(url, sizeof(url), "%s/sgx/certification/v4/rootcacrl", base);
	fetch_one(run, &d, url, NULL);
}

/* TCB Recovery ahead (collateral-service.md 5.3): Intel's list of evaluation numbers has a
 * higher one than a TCB info in use. A warning only: PCCS does not serve the list (404),
 * and nothing is stored or refused because of it. */
static void check_eval_numbers(struct vf_ctx *ctx, const struct coll_fetch_req *req, const char *base,
			       const char *update)
{
	struct vf_store_entry *e = NULL;
	struct pcs_response resp;
	struct pcs_opts http = req->http;
	char url[1280], err[256], why[256];
	int nums[32], top = -1;
	size_t n = 0, ne = 0;

	snprintf(url, sizeof(url), "%s/tdx/certification/v4/tcbevaluationdatanumbers", base);
	http.no_retry = true;
	if (pcs_get(&http, url, evn_chain_hdr, &resp, err, sizeof(err)) < 0) {
		log_debug("collateral: %s: %s (TCB evaluation data numbers are optional)", url, err);
		return;
	}
	if (!resp.chain || vf_eval_numbers_check(ctx, resp.body, resp.body_len, resp.chain, resp.chain_len,
						 req->at, nums, 32, &n, why, sizeof(why)) < 0) {
		log_warn("collateral: TCB evaluation data numbers from %s ignored: %s", url,
			 resp.chain ? why : "no issuer chain header");
		pcs_response_free(&resp);
		return;
	}
	pcs_response_free(&resp);
	for (size_t i = 0; i < n; i++)
		top = nums[i] > top ? nums[i] : top;
	if (vf_store_list(req->store, &e, &ne) < 0)
		return;
	for (size_t i = 0; i < ne; i++)
		if (e[i].kind == VF_DOC_TCB_INFO && e[i].readable && strcmp(e[i].update, update) == 0 &&
		    e[i].s.eval_num < top)
			log_warn("collateral: Intel already lists tcbEvaluationDataNumber %d; the %s of this store "
				 "has %d: verification results change when the %s set moves (a TCB Recovery; "
				 "compare with collateral_update early)", top, e[i].what, e[i].s.eval_num, update);
	free(e);
}

int coll_fetch(struct vf_ctx *ctx, const struct coll_fetch_req *req, struct coll_fetch_result *res)
{
	struct run run = { .req = req, .res = res };
	struct vf_store_txn *txn = NULL;
	char base[1024];
	int r;

	memset(res, 0, sizeof(*res));
	base_of(req->pcs_url, base, sizeof(base));
	run.v = calloc(req->n_fmspcs + VF_CA_COUNT + 2, sizeof(*run.v));
	if (!run.v)
		return -ENOMEM;
	fetch_all(&run, base, req->update ? req->update : VF_UPDATE_STANDARD);
	r = vf_store_begin(ctx, req->store, req->at, &txn);
	for (size_t i = 0; r == 0 && i < run.n; i++)
		if (run.v[i].ok)
			install_one(&run, txn, &run.v[i]);
	if (r == 0 && (r = vf_store_commit(txn)) < 0)
		log_errno(r, "collateral: cannot publish the new documents in %s", req->store);
	for (size_t i = 0; i < run.n; i++)
		pcs_response_free(&run.v[i].resp);
	free(run.v);
	if (r < 0)
		return r;
	if (!req->skip_shared)
		check_eval_numbers(ctx, req, base, req->update ? req->update : VF_UPDATE_STANDARD);
	return res->refused + res->unreachable + res->not_found ? 1 : 0;
}
