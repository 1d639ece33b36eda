/* SPDX-License-Identifier: Apache-2.0 */
/* `tdx-sim pcs`: an HTTP(S) server answering like Intel PCS v4 (or a PCCS) with the
 * collateral of a simulator PKI (DIR/pcs), with faults (sim_pcs_fault.h). Endpoints:
 *   GET /tdx/certification/v4/tcb?fmspc=HEX[&update=standard|early|&tcbEvaluationDataNumber=N]
 *   GET /tdx/certification/v4/qe/identity[?update=...]
 *   GET /sgx/certification/v4/pckcrl?ca=processor|platform[&encoding=pem|der]
 *   GET /tdx/certification/v4/tcbevaluationdatanumbers
 *   GET /sgx/certification/v4/fmspcs
 *   GET /IntelSGXRootCA.der                      (the root CA CRL, as Intel's CDP host)
 *   PCCS only: GET /sgx/certification/v4/rootcacrl (hex), /sgx/certification/v4/crl?uri=URL */
#pragma once
#include <stdbool.h>

#include "sim_pcs_fault.h"

struct sim_pcs_config {
	const char *pki_dir;
	const char *listen;       /* tcp:IPV4:PORT (PORT 0: any) */
	const char *tls_cert;     /* PEM files: HTTPS (both or neither) */
	const char *tls_key;
	bool pccs;                /* answer like Intel's PCCS (hex CRLs, /rootcacrl, ...) */
	const char *pid_file;
	const char *access_log;   /* one line per request, or NULL */
	struct sim_pcs_faults *faults;
};

/* Serves until SIGTERM/SIGINT; SIGHUP re-reads the fault file and resets fault counts.
 * Prints "listening on http[s]://HOST:PORT" on stdout once ready. */
int sim_pcs_run(const struct sim_pcs_config *cfg);
