/* The simulated TD's event log (tdx-sim mount --kernel ...): the log a QEMU direct boot
 * under TDVF writes for the given kernel, initrd and command line (src/measure, the same
 * rules as tdx-keyserver reference-values), written to a file the client reads as its
 * CCEL, and the TD's RTMR0-3 set to what the log extends them to. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "measure/measure.h"
#include "sim_quote.h"

#define SIM_EVENTLOG_MAX_EXTRA 16

struct sim_eventlog_opts {
	const char *kernel, *initrd, *cmdline, *out;
	enum measure_fw fw;
	bool qemu_header_patch;
	uint64_t ram_size;
	struct measure_extra extra[SIM_EVENTLOG_MAX_EXTRA];
	size_t nextra;
};

/* Parses "RTMR:DIGEST" (RTMR 0..3, 96 hex digits) into o->extra. Returns 0 or -EINVAL. */
int sim_eventlog_parse_extra(const char *arg, struct sim_eventlog_opts *o);
/* Builds the log, writes its area to o->out, sets td->rtmr[0..3]. Returns 0 or a negative
 * errno (logged). */
int sim_eventlog_build(const struct sim_eventlog_opts *o, struct tdx_td_info *td);
