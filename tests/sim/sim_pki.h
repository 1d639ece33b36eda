/* SPDX-License-Identifier: Apache-2.0 */
/* `tdx-sim pki DIR`: the complete test DCAP PKI and collateral of the simulated platform,
 * in the layout of shared/testdata/tdx/README.md, plus the private keys under DIR/keys/. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Files below the PKI directory. */
#define SIM_PKI_PCK_CHAIN "pck_chain.pem"        /* leaf, platform CA, root: goes into quotes */
#define SIM_PKI_ATT_KEY "keys/attestation_key.pem"
#define SIM_PKI_PCK_KEY "keys/pck_key.pem"

/* Certificate serial numbers (fixed, so tests can look them up in the CRLs). */
#define SIM_SERIAL_ROOT 0x51d0000000000001ull
#define SIM_SERIAL_PLATFORM_CA 0x51d0000000000002ull
#define SIM_SERIAL_TCB_SIGNING 0x51d0000000000003ull
#define SIM_SERIAL_PCK 0x51d0000000000004ull
#define SIM_SERIAL_UNRELATED 0x51d00000000000ffull /* always listed in both CRLs */

struct sim_pki_opts {
	time_t now;               /* base of every validity window */
	bool revoke_pck;          /* PCK CRL lists the PCK leaf */
	bool revoke_platform_ca;  /* root CA CRL lists the platform CA */
	bool expired_tcb_info;    /* tcbInfo nextUpdate = now - 1 day */
	bool expired_qe_identity; /* enclaveIdentity nextUpdate = now - 1 day */
	bool bad_tcb_info_sig;    /* one bit of the tcbInfo signature flipped */
	bool qe_identity_mismatch; /* identity MRSIGNER differs from the QE report's */
	bool fmspc_mismatch;      /* tcbInfo fmspc differs from the PCK certificate's */
};

/* Creates DIR (and DIR/collateral, DIR/keys (0700), DIR/certs); overwrites existing files. */
int sim_pki_create(const char *dir, const struct sim_pki_opts *opts);
