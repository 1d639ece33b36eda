/* SPDX-License-Identifier: Apache-2.0 */
/* `tdx-sim qgs`: a Quote Generation Service over TCP for tests (tdx-formats.md §5):
 * framed GET_QUOTE requests (4-byte big-endian length + QGS message), or a bare 1024-byte
 * TDREPORT ("raw" mode: bare quote back, then close). One connection at a time. */
#pragma once
#include "sim_quote.h"

struct sim_qgs_config {
	const char *listen;   /* "tcp:HOST:PORT" (numeric host; PORT 0 = any free port) */
	const char *pid_file; /* or NULL */
	const struct sim_pki *pki;
	int version;          /* 4 or 5 */
	unsigned corrupt;     /* SIM_CORRUPT_* for every quote */
};

/* Listens, prints "listening on HOST:PORT" to stdout, serves until SIGTERM/SIGINT.
 * Returns 0 or a negative errno (logged). */
int sim_qgs_run(const struct sim_qgs_config *cfg);
