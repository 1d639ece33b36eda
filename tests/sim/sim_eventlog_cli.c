/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-sim eventlog: the event log of a direct boot and the TD profile whose RTMRs match it,
 * without mounting anything (the QEMU tests hand both to the simulator in the guest). */
#include "sim_cli.h"
#include "sim_eventlog.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

int sim_cmd_eventlog(int argc, char **argv)
{
	enum { O_TD = 256, O_TD_OUT };
	static const struct option opts[] = {
		SIM_EVENTLOG_OPTIONS,
		{ "td", required_argument, NULL, O_TD },
		{ "td-out", required_argument, NULL, O_TD_OUT },
		{ 0 }
	};
	struct sim_eventlog_opts ev = { .fw = MEASURE_FW_DEFAULT };
	_cleanup_free_ char *json = NULL;
	const char *td_in = NULL, *td_out = "-";
	struct tdx_td_info td;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == O_TD)
			td_in = optarg;
		else if (c == O_TD_OUT)
			td_out = optarg;
		else if (sim_eventlog_option(c, optarg, &ev) < 0)
			return SIM_EXIT_USAGE;
	}
	if (optind != argc) {
		log_err("eventlog: unexpected argument '%s' (see tdx-sim --help)", argv[optind]);
		return SIM_EXIT_USAGE;
	}
	if (sim_eventlog_check(&ev, "eventlog") < 0)
		return SIM_EXIT_USAGE;
	r = td_in ? sim_profile_load(td_in, &td) : sim_profile_default(&td);
	if (r < 0 || sim_eventlog_build(&ev, &td) < 0)
		return SIM_EXIT_FAIL;
	json = sim_profile_to_json(&td);
	if (!json) {
		log_errno(-ENOMEM, "cannot render the profile");
		return SIM_EXIT_FAIL;
	}
	r = file_write_all(td_out, (const uint8_t *)json, strlen(json), 0644);
	if (r < 0) {
		log_errno(r, "cannot write %s", td_out);
		return SIM_EXIT_FAIL;
	}
	return SIM_EXIT_OK;
}
