/* SPDX-License-Identifier: Apache-2.0 */
/* Evidence collection: a TDX quote over 64 bytes of REPORTDATA, by whichever path the
 * platform offers (configfs-tsm first, then /dev/tdx_guest + the host QGS). */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct evidence_opts {
	const char *tsm_dir;       /* configfs-tsm report dir; set = use only configfs-tsm */
	const char *qgs_addr;      /* "vsock:CID:PORT" | "tcp:HOST:PORT"; set = only TDREPORT+QGS */
	const char *tdreport_file; /* use this TDREPORT instead of the ioctl (with qgs_addr) */
	int qgs_timeout_ms;        /* 0 = 30 s, the kernel's own bound */
};

enum evidence_method { EVIDENCE_TSM, EVIDENCE_QGS };
const char *evidence_method_name(enum evidence_method m);

/* Returns 0 with a malloc'd quote whose REPORTDATA equals report_data and which parses,
 * or a negative errno after logging what failed. *method says which path produced it. */
int evidence_get_quote(const struct evidence_opts *opts, const uint8_t report_data[64],
		       uint8_t **quote, size_t *len, enum evidence_method *method);
