/* SPDX-License-Identifier: Apache-2.0 */
#include "sim_eventlog.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int sim_eventlog_parse_extra(const char *arg, struct sim_eventlog_opts *o)
{
	struct measure_extra *x;

	if (o->nextra >= SIM_EVENTLOG_MAX_EXTRA)
		return log_errno(-EINVAL, "--append-event: at most %d events", SIM_EVENTLOG_MAX_EXTRA);
	x = &o->extra[o->nextra];
	if (arg[0] < '0' || arg[0] > '3' || arg[1] != ':' || strlen(arg + 2) != 96 ||
	    hex_decode(arg + 2, x->digest, sizeof(x->digest)) != 48)
		return log_errno(-EINVAL, "--append-event '%s': expected RTMR:DIGEST (RTMR 0-3, 96 hex digits)", arg);
	x->rtmr = (unsigned)(arg[0] - '0');
	o->nextra++;
	return 0;
}

int sim_eventlog_option(int c, const char *arg, struct sim_eventlog_opts *o)
{
	unsigned long long mib;
	char *end;

	switch (c) {
	case SIM_O_KERNEL: o->kernel = arg; return 0;
	case SIM_O_INITRD: o->initrd = arg; return 0;
	case SIM_O_CMDLINE: o->cmdline = arg; return 0;
	case SIM_O_CCEL_OUT: o->out = arg; return 0;
	case SIM_O_HDR_PATCH: o->qemu_header_patch = true; return 0;
	case SIM_O_APPEND_EVENT: return sim_eventlog_parse_extra(arg, o);
	case SIM_O_FIRMWARE:
		if (measure_fw_parse(arg, &o->fw) < 0)
			return log_errno(-EINVAL, "--firmware '%s': one of %s", arg, measure_fw_names);
		return 0;
	case SIM_O_RAM:
		errno = 0;
		mib = strtoull(arg, &end, 10);
		if (errno || end == arg || *end || arg[0] == '-' || mib == 0 || mib > (1ull << 30))
			return log_errno(-EINVAL, "--ram '%s': the VM's RAM in MiB", arg);
		o->ram_size = (uint64_t)mib << 20;
		return 0;
	default: return -EINVAL;
	}
}

int sim_eventlog_check(const struct sim_eventlog_opts *o, const char *cmd)
{
	if (!o->kernel || !o->out)
		return log_errno(-EINVAL, "%s: --kernel FILE and --ccel-out FILE go together (see tdx-sim --help)", cmd);
	if (o->qemu_header_patch != (o->ram_size != 0))
		return log_errno(-EINVAL, "%s: --qemu-header-patch and --ram MiB go together", cmd);
	return 0;
}

int sim_eventlog_build(const struct sim_eventlog_opts *o, struct tdx_td_info *td)
{
	_cleanup_free_ uint8_t *kernel = NULL, *initrd = NULL, *area = NULL;
	struct measure_boot b = { .fw = o->fw, .append = o->cmdline, .extra = o->extra, .nextra = o->nextra };
	struct measure_log log;
	const char *why = NULL;
	size_t alen;
	int r;

	r = file_read_all(o->kernel, MEASURE_FILE_MAX, &kernel, &b.kernel_len);
	if (r < 0)
		return log_errno(r, "cannot read the kernel %s", o->kernel);
	b.kernel = kernel;
	if (o->initrd) {
		r = file_read_all(o->initrd, MEASURE_FILE_MAX, &initrd, &b.initrd_len);
		if (r < 0)
			return log_errno(r, "cannot read the initrd %s", o->initrd);
		b.initrd = initrd;
	}
	if (o->qemu_header_patch) {
		r = measure_qemu_patch_kernel(kernel, b.kernel_len, o->ram_size, o->initrd ? b.initrd_len : 0, &why);
		if (r < 0)
			return log_errno(r, "kernel %s: QEMU's header rewrite: %s", o->kernel, why);
	}
	r = measure_direct_boot(&b, &log);
	if (r < 0)
		return log_errno(r, "cannot build the event log");
	memcpy(td->rtmr, log.rtmr, sizeof(td->rtmr));
	r = measure_log_area(&log, &area, &alen);
	measure_log_free(&log);
	if (r < 0)
		return log_errno(r, "cannot build the event log");
	r = file_write_all(o->out, area, alen, 0644);
	if (r < 0)
		return log_errno(r, "cannot write the event log to %s", o->out);
	return 0;
}
