/* SPDX-License-Identifier: Apache-2.0 */
/* The collateral store: DCAP collateral for a fleet (many FMSPCs, both PCK CAs), keyed as
 * ../shared/docs/collateral-service.md §1 and §7 say.
 *
 * Layout (every name is fixed; FMSPC upper-case hex, UPDATE "standard" or "early",
 * CA "processor" or "platform"):
 *
 *   STORE/current -> gen-000042              symlink to the generation in use
 *   STORE/gen-000042/root_ca_crl.der         Root CA CRL (DER)
 *   STORE/gen-000042/root_ca.pem             trust anchor certificate (optional; tests)
 *   STORE/gen-000042/qe_identity-UPDATE.json           TD QE identity (PCS body, verbatim)
 *   STORE/gen-000042/qe_identity-UPDATE.chain.pem      its issuer chain (signer, root)
 *   STORE/gen-000042/pck_crl-CA.der                    PCK CRL of that CA (DER)
 *   STORE/gen-000042/pck_crl-CA.chain.pem              PCK CA certificate, root
 *   STORE/gen-000042/tcb_info-FMSPC-UPDATE.json        TDX TCB info (PCS body, verbatim)
 *   STORE/gen-000042/tcb_info-FMSPC-UPDATE.chain.pem   TCB signing certificate, root
 *   STORE/.lock                              flock(2) of writers (fetch, server refresh)
 *
 * A generation is never modified once `current` points to it: a writer builds the next
 * generation beside it (hard links of the unchanged files plus the new, verified ones),
 * fsyncs it and swaps `current` with rename(2); readers resolve `current` once per load, so
 * they never see a half-written store. The two previous generations are kept for readers
 * still loading from them. A directory without `current` is read as a one-platform store in
 * the layout of ../shared/testdata/tdx/README.md (`--collateral DIR`) when it holds
 * tcb_info.json.
 *
 * The verifier picks the set for a quote by the FMSPC of its PCK certificate and the CN of
 * the PCK certificate's issuer ("Intel SGX PCK Platform CA" / "... Processor CA", exact
 * match, §4.6); sets are loaded lazily and kept in memory per generation. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verify.h"

enum vf_pck_ca { VF_CA_PROCESSOR, VF_CA_PLATFORM, VF_CA_COUNT };

/* "processor" / "platform". */
const char *vf_ca_name(enum vf_pck_ca ca);
/* Parses "processor" / "platform": 0 or -EINVAL. */
int vf_ca_parse(const char *s, enum vf_pck_ca *ca);
/* The CA from the PCK leaf's issuer CN (exact names): 0 or -EINVAL. */
int vf_ca_from_issuer_cn(const char *cn, enum vf_pck_ca *ca);

#define VF_UPDATE_STANDARD "standard"
#define VF_UPDATE_EARLY "early"

/* Which platform a quote comes from: FMSPC and PCK CA of its PCK certificate. */
struct vf_platform {
	uint8_t fmspc[6];
	enum vf_pck_ca ca;
	char fmspc_hex[13];
};

/* File names inside a generation (buf >= 64 bytes). */
void vf_store_name_tcb(char *buf, size_t len, const char *fmspc_hex, const char *update, bool chain);
void vf_store_name_qe(char *buf, size_t len, const char *update, bool chain);
void vf_store_name_pck_crl(char *buf, size_t len, enum vf_pck_ca ca, bool chain);
#define VF_STORE_ROOT_CRL "root_ca_crl.der"
#define VF_STORE_ROOT_CA "root_ca.pem"
#define VF_STORE_CURRENT "current"
#define VF_STORE_LOCK ".lock"

/* False for a one-directory collateral (tcb_info.json, no `current`), true otherwise (an
 * empty or missing directory is a store nothing was installed in yet). */
bool vf_store_is_store(const char *dir);
/* Resolves STORE/current to the generation directory path (buf): 0 or negative errno. */
int vf_store_resolve(const char *store, char *buf, size_t len);

/* The platform of a quote (cached per PCK chain). 0, or -EBADMSG with *why set when the
 * chain has no PCK leaf with an FMSPC, its CA is neither of Intel's PCK CAs, or the leaf
 * and its CA are not signed by their issuers up to the trust anchor. */
int vf_quote_platform(struct vf_ctx *ctx, const struct tdx_quote *q, struct vf_platform *out,
		      const char **why);

/* Verifies against the set of the quote's platform in the store (tcb_update: NULL =
 * standard). Returns 0 with *res filled; -ENOENT when the store has no TCB info for the
 * FMSPC or no CRL for the CA (*plat says which: fetch it, then call again); other negative
 * errno when the store cannot be read. A one-directory collateral is verified as
 * vf_verify_parsed() does (its read errors are -EIO, never -ENOENT). plat may be NULL. */
int vf_verify_store(struct vf_ctx *ctx, const uint8_t *quote, const struct tdx_quote *q,
		    const char *store, const char *tcb_update, int64_t at, struct vf_result *res,
		    struct vf_platform *plat);
