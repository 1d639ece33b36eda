/* SPDX-License-Identifier: Apache-2.0 */
/* The simulated TD's event log (tdx-sim mount --kernel ...): the log a QEMU direct boot
 * under TDVF writes for the given kernel, initrd and command line (src/measure, the same
 * rules as tdx-keyserver reference-values), written to a file the client reads as its
 * CCEL, and the TD's RTMR0-3 set to what the log extends them to. */
#pragma once
#include <stdbool.h>
#include <getopt.h>
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

/* The options of the log (tdx-sim mount and tdx-sim eventlog): --kernel FILE --initrd FILE
 * --cmdline STRING --append-event RTMR:DIGEST --ccel-out FILE --firmware CLASS
 * --qemu-header-patch --ram MiB. */
enum { SIM_O_KERNEL = 512, SIM_O_INITRD, SIM_O_CMDLINE, SIM_O_APPEND_EVENT, SIM_O_CCEL_OUT,
       SIM_O_FIRMWARE, SIM_O_HDR_PATCH, SIM_O_RAM };
#define SIM_EVENTLOG_OPTIONS \
	{ "kernel", required_argument, NULL, SIM_O_KERNEL }, \
	{ "initrd", required_argument, NULL, SIM_O_INITRD }, \
	{ "cmdline", required_argument, NULL, SIM_O_CMDLINE }, \
	{ "append-event", required_argument, NULL, SIM_O_APPEND_EVENT }, \
	{ "ccel-out", required_argument, NULL, SIM_O_CCEL_OUT }, \
	{ "firmware", required_argument, NULL, SIM_O_FIRMWARE }, \
	{ "qemu-header-patch", no_argument, NULL, SIM_O_HDR_PATCH }, \
	{ "ram", required_argument, NULL, SIM_O_RAM }
/* Applies one of them (c = its value). Returns 0 or -EINVAL (logged). */
int sim_eventlog_option(int c, const char *arg, struct sim_eventlog_opts *o);
/* The combination is complete: --kernel and --ccel-out, --ram with --qemu-header-patch.
 * Returns 0 or -EINVAL (logged, naming cmd). */
int sim_eventlog_check(const struct sim_eventlog_opts *o, const char *cmd);

/* Parses "RTMR:DIGEST" (RTMR 0..3, 96 hex digits) into o->extra. Returns 0 or -EINVAL. */
int sim_eventlog_parse_extra(const char *arg, struct sim_eventlog_opts *o);
/* Builds the log, writes its area to o->out, sets td->rtmr[0..3]. Returns 0 or a negative
 * errno (logged). */
int sim_eventlog_build(const struct sim_eventlog_opts *o, struct tdx_td_info *td);
