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
	int qgs_timeout_ms;        /* the whole QGS exchange; 0 = 30 s, the kernel's own bound */
	long long deadline_ms;     /* absolute CLOCK_MONOTONIC ms bounding the whole collection
	                            * (the KBS attempt's deadline); 0 = none beyond the above */
	const char *ccel_path;     /* event log sent with the quote: NULL = the firmware's
				    * (sysfs CCEL), a file, or "none" (ccel_read.h) */
};

enum evidence_method { EVIDENCE_TSM, EVIDENCE_QGS };
const char *evidence_method_name(enum evidence_method m);

/* Returns 0 with a malloc'd quote whose REPORTDATA equals report_data and which parses,
 * or a negative errno after logging what failed. *method says which path produced it. */
int evidence_get_quote(const struct evidence_opts *opts, const uint8_t report_data[64],
		       uint8_t **quote, size_t *len, enum evidence_method *method);
