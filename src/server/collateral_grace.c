/* SPDX-License-Identifier: Apache-2.0 */
#include "collateral_grace.h"
#include "server.h"
#include "../verify/store.h"
#include "../common/log.h"

#include <string.h>
#include <time.h>

#define TIME_CHECKS                                                                              \
	(1ull << VF_PCK_CHAIN_TIME | 1ull << VF_ROOTCRL_TIME | 1ull << VF_PCKCRL_TIME |          \
	 1ull << VF_TCB_CHAIN_TIME | 1ull << VF_TCBINFO_TIME | 1ull << VF_QE_CHAIN_TIME |        \
	 1ull << VF_QEID_TIME)

static int64_t verification_time(const struct ks_server *srv)
{
	int64_t t;

	if (srv->test_time && vf_parse_time(srv->test_time, &t) == 0)
		return t;
	return (int64_t)time(NULL);
}

/* One verification at `at`, against the store (when configured) or the directory. */
static int verify_at(struct ks_server *srv, const uint8_t *quote, const struct tdx_quote *q,
		     int64_t at, struct vf_result *res, struct vf_platform *plat)
{
	if (!srv->cfg.collateral_store)
		return vf_verify_parsed(srv->verifier, quote, q, srv->cfg.collateral_dir, at, res);
	return vf_verify_store(srv->verifier, quote, q, srv->cfg.collateral_store, srv->cfg.collateral_update,
			       at, res, plat);
}

int ks_verify_quote(struct ks_server *srv, const uint8_t *quote, const struct tdx_quote *q,
		    struct vf_result *res, int64_t *graced_expiry, struct vf_platform *plat)
{
	int64_t now = verification_time(srv), grace = srv->cfg.collateral_grace_s;
	struct vf_result again;
	int r;

	*graced_expiry = 0;
	r = verify_at(srv, quote, q, now, res, plat);
	if (r < 0 || res->ok || grace == 0 || (res->failed & ~TIME_CHECKS) != 0 ||
	    res->earliest_expiry >= now || res->earliest_expiry < now - grace)
		return r;
	/* Only validity periods failed and the earliest end lies within the grace: would the
	 * quote have been accepted at that instant? (Not at now - grace: collateral issued
	 * since then would be "not yet valid" there.) */
	r = verify_at(srv, quote, q, res->earliest_expiry, &again, plat);
	if (r < 0 || !again.ok)
		return r; /* the first result says why */
	*graced_expiry = res->earliest_expiry;
	memcpy(res, &again, sizeof(again));
	return 0;
}
