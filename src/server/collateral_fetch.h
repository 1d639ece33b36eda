/* SPDX-License-Identifier: Apache-2.0 */
/* Fetching collateral from Intel PCS or a PCCS into a collateral store (src/verify/store.h):
 * which URLs (collateral-service.md §1, §2.1, §3.1), and every document through the
 * store's verified install. Used by `tdx-keyserver collateral fetch` and the server. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcs_client.h"
#include "../verify/store.h"

#define COLL_DEFAULT_ROOT_CRL_URL "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"
#define COLL_MAX_FMSPCS 1024

struct coll_fetch_req {
	const char *store;
	const char *pcs_url;          /* Intel PCS or a PCCS base (a trailing /sgx|tdx/certification/v4 is cut) */
	const char *root_crl_url;     /* NULL: Intel's CDP for PCS, {base}/sgx/certification/v4/rootcacrl otherwise */
	const char *update;           /* "standard" (default) / "early" */
	int64_t at;                   /* verification time of the install checks */
	struct pcs_opts http;
	size_t n_fmspcs;
	char fmspcs[COLL_MAX_FMSPCS][13]; /* upper-case hex */
	bool ca[VF_CA_COUNT];         /* PCK CRLs to fetch */
	bool skip_shared;             /* only TCB info and PCK CRLs (first sight of a platform) */
};

struct coll_fetch_result {
	unsigned installed, unchanged, refused, unreachable;
	unsigned not_found;           /* 404/410: e.g. an FMSPC unknown to Intel */
};

/* Adds the FMSPCs and CAs already in the store (refresh of everything installed). */
int coll_fetch_add_installed(struct coll_fetch_req *req);
/* Adds an FMSPC (hex, any case) unless present: 0, -EINVAL, -E2BIG. */
int coll_fetch_add_fmspc(struct coll_fetch_req *req, const char *hex);

/* Fetches and installs; logs one line per refused or unreachable document. Returns 0 when
 * every document was installed or unchanged, 1 when something failed (the old documents
 * stay), or a negative errno when the store cannot be written. */
int coll_fetch(struct vf_ctx *ctx, const struct coll_fetch_req *req, struct coll_fetch_result *res);
