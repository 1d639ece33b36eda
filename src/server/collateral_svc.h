/* SPDX-License-Identifier: Apache-2.0 */
/* The key server's collateral service (issue 12): refresh of the collateral store in the
 * background before documents expire (never on the request path), expiry warnings in the
 * log, and the first-sight fetch of a platform the store does not hold yet: once per
 * platform however many attestations ask (coalesced), rate-limited, bounded in time. */
#pragma once
#include <stddef.h>

#include "../verify/store.h"

struct ks_server;
struct ks_coll_svc;

/* Starts the service for srv (store configured; the refresh thread only with pcs_url).
 * srv->test_time must be set already. 0 or negative errno. */
int ks_coll_svc_start(struct ks_server *srv, struct ks_coll_svc **out);
void ks_coll_svc_stop(struct ks_coll_svc *svc);

/* Fetches the documents of platform p (TCB info of its FMSPC, CRL of its CA, and the
 * shared ones when missing), waiting at most collateral_fetch_wait_s. At most threads - 1
 * request threads fetch or wait at a time (the others are refused at once, -EBUSY), so one
 * worker always serves the platforms already known. 0: installed, verify again. Negative:
 * reason receives the refusal ("collateral_unavailable: ..."); -ENOENT when it will not
 * change by retrying (no pcs_url, the PCS does not serve the FMSPC). svc may be NULL. */
int ks_coll_first_sight(struct ks_coll_svc *svc, const struct vf_platform *p, char *reason, size_t len);

/* Logs a warning per document that expires within the warning window (an error when
 * expired); returns the number of such documents. */
int ks_coll_check_expiry(const char *store, int64_t at, unsigned warn_days);
