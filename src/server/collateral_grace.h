/* SPDX-License-Identifier: Apache-2.0 */
/* DCAP verification for /attest at the server's time, with the operator's grace for expired
 * collateral (config collateral_grace_s, README). */
#pragma once
#include <stdint.h>

#include "../verify/verify.h"

struct ks_server;
struct vf_platform;

/* Verifies quote (parsed as q) against the server's collateral at its verification time
 * (now, or --test-time). When that fails ONLY because collateral or a certificate expired,
 * at most collateral_grace_s seconds ago, the quote is verified again at the moment of the
 * earliest expiry: if everything (signatures, revocation as of those CRLs, TCB level, and
 * every validity period, "not yet valid" included) holds at that single instant, it is
 * accepted and *graced_expiry says since when the collateral is stale (else 0). The
 * caller must log and audit that. Verifies against collateral_store when configured (then
 * -ENOENT means the quote's platform is missing there and *plat names it), else against
 * collateral_dir. Returns 0 with *res filled, or a negative errno as vf_verify_parsed(). */
int ks_verify_quote(struct ks_server *srv, const uint8_t *quote, const struct tdx_quote *q,
		    struct vf_result *res, int64_t *graced_expiry, struct vf_platform *plat);
