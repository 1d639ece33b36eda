/* SPDX-License-Identifier: Apache-2.0 */
/* `tdx-sim pki DIR`: the complete test DCAP PKI and collateral of the simulated platforms,
 * in the layout of shared/testdata/tdx/README.md (platform 0), plus every platform's own
 * directory, the documents a PCS serves (DIR/pcs/) and the private keys under DIR/keys/. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Files below the PKI directory (or below a platform directory DIR/platforms/N). */
#define SIM_PKI_PCK_CHAIN "pck_chain.pem"        /* leaf, PCK CA, root: goes into quotes */
#define SIM_PKI_ATT_KEY "keys/attestation_key.pem"
#define SIM_PKI_PCK_KEY "keys/pck_key.pem"
#define SIM_PKI_MANIFEST "platforms.json"        /* {"platforms":[{"fmspc":..,"ca":..}]} */

/* Certificate serial numbers (fixed, so tests can look them up in the CRLs). */
#define SIM_SERIAL_ROOT 0x51d0000000000001ull
#define SIM_SERIAL_PLATFORM_CA 0x51d0000000000002ull
#define SIM_SERIAL_TCB_SIGNING 0x51d0000000000003ull
#define SIM_SERIAL_PCK 0x51d0000000000004ull       /* platform 0's leaf */
#define SIM_SERIAL_PROCESSOR_CA 0x51d0000000000005ull
#define SIM_SERIAL_PCK_N 0x51d0000000010000ull     /* + N: leaf of platform N >= 1 */
#define SIM_SERIAL_UNRELATED 0x51d00000000000ffull /* always listed in every CRL */

#define SIM_PKI_MAX_PLATFORMS 1000
#define SIM_PKI_DEFAULT_TCB_EVAL 17

enum sim_pck_ca { SIM_CA_PLATFORM, SIM_CA_PROCESSOR };

struct sim_pki_platform {
	uint8_t fmspc[6];
	enum sim_pck_ca ca;
};

struct sim_pki_opts {
	time_t now;               /* base of every validity window */
	bool revoke_pck;          /* platform 0's PCK CA CRL lists its PCK leaf */
	bool revoke_platform_ca;  /* root CA CRL lists the platform CA */
	bool expired_tcb_info;    /* tcbInfo nextUpdate = now - 1 day */
	bool expired_qe_identity; /* enclaveIdentity nextUpdate = now - 1 day */
	bool bad_tcb_info_sig;    /* one bit of the tcbInfo signature flipped */
	bool qe_identity_mismatch; /* identity MRSIGNER differs from the QE report's */
	bool fmspc_mismatch;      /* tcbInfo fmspc differs from the PCK certificate's */

	/* The platforms (NULL/0: one, FMSPC 50C06F000000, Platform CA). Ignored by resign. */
	const struct sim_pki_platform *platforms;
	size_t n_platforms;

	/* Collateral windows and numbers (TCB info, QE identity, all CRLs). */
	bool have_issue_date;
	time_t issue_date;        /* default now - 1 day */
	unsigned validity_days;   /* nextUpdate = issue date + this (default 31) */
	int tcb_eval;             /* tcbEvaluationDataNumber (default 17) */
	bool early;               /* resign: write DIR/pcs/early/ only (update=early) */
};

/* Creates DIR (and its subdirectories; keys 0700); overwrites existing files. */
int sim_pki_create(const char *dir, const struct sim_pki_opts *opts);
/* Re-signs every collateral document of an existing DIR with its keys (certificates and
 * keys unchanged), each file replaced atomically. */
int sim_pki_resign(const char *dir, const struct sim_pki_opts *opts);

/* Reads DIR/platforms.json (a one-platform default when absent: PKIs of older versions).
 * *out is malloc'd. */
int sim_pki_manifest_read(const char *dir, struct sim_pki_platform **out, size_t *n);
/* The directory of one platform for sim_pki_load(): DIR/platforms/INDEX, or the platform
 * whose FMSPC is fmspc (12 hex digits) when fmspc is not NULL. */
int sim_pki_platform_dir(const char *dir, int index, const char *fmspc, char *out, size_t len);
/* "50C06F000000[:processor]" -> platform. */
int sim_pki_platform_parse(const char *s, struct sim_pki_platform *out);
/* Platform i of `--platforms N`: FMSPC 50C06F00 + i (16 bits), even i Platform CA, odd
 * i Processor CA. */
void sim_pki_platform_nth(unsigned i, struct sim_pki_platform *out);
