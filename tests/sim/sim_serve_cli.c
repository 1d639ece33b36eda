/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-sim mount | qgs | pcs: argument parsing only. */
#include "sim_cli.h"
#include "sim_eventlog.h"
#include "sim_fuse.h"
#include "sim_pcs.h"
#include "sim_qgs.h"
#include "common/log.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* Options common to both servers. */
enum { O_PKI = 256, O_TD, O_VER, O_CORRUPT, O_NO_PROVIDER, O_BUSY, O_RACE, O_LISTEN, O_PID, O_PLATFORM,
       O_FMSPC };

/* The getopt_long entries of the options common_opt applies. */
#define SERVE_COMMON_OPTIONS \
	{ "pki", required_argument, NULL, O_PKI }, \
	{ "td", required_argument, NULL, O_TD }, \
	{ "quote-version", required_argument, NULL, O_VER }, \
	{ "corrupt", required_argument, NULL, O_CORRUPT }, \
	{ "platform", required_argument, NULL, O_PLATFORM }, \
	{ "fmspc", required_argument, NULL, O_FMSPC }

struct serve_args {
	const char *pki_dir, *td;
	struct sim_platform_sel sel;
	int version;
	unsigned corrupt;
};

static int common_opt(int c, struct serve_args *a)
{
	switch (c) {
	case O_PKI: a->pki_dir = optarg; return 0;
	case O_TD: a->td = optarg; return 0;
	case O_VER: return sim_parse_version(optarg, &a->version);
	case O_CORRUPT: return sim_parse_corrupt(optarg, &a->corrupt);
	case O_PLATFORM: return sim_parse_platform_sel(false, optarg, &a->sel);
	case O_FMSPC: return sim_parse_platform_sel(true, optarg, &a->sel);
	default: return -EINVAL;
	}
}

static int load(const struct serve_args *a, struct sim_pki **pki, struct tdx_td_info *td)
{
	int r;

	if (!a->pki_dir)
		return log_errno(-EINVAL, "--pki DIR is required (create one with 'tdx-sim pki DIR')");
	r = a->td ? sim_profile_load(a->td, td) : sim_profile_default(td);
	return r < 0 ? r : sim_pki_load_platform(a->pki_dir, &a->sel, pki);
}

static int parse_count(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > 1000000 || s[0] == '-')
		return log_errno(-EINVAL, "--busy '%s' is not a count (0..1000000)", s);
	*out = (unsigned)v;
	return 0;
}

int sim_cmd_mount(int argc, char **argv)
{
	static const struct option opts[] = {
		SERVE_COMMON_OPTIONS,
		{ "no-provider", no_argument, NULL, O_NO_PROVIDER },
		{ "busy", required_argument, NULL, O_BUSY },
		{ "race", no_argument, NULL, O_RACE },
		{ "foreground", no_argument, NULL, 'f' },
		SIM_EVENTLOG_OPTIONS,
		{ 0 }
	};
	struct serve_args a = { .version = 4, .sel = { .index = -1 } };
	struct sim_fuse_config cfg = { 0 };
	struct sim_eventlog_opts ev = { .fw = MEASURE_FW_DEFAULT };
	struct sim_pki *pki = NULL;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		if (c == 'f')
			cfg.foreground = true;
		else if (c == O_NO_PROVIDER)
			cfg.no_provider = true;
		else if (c == O_RACE)
			cfg.race = true;
		else if (c >= SIM_O_KERNEL ? sim_eventlog_option(c, optarg, &ev) < 0 :
			 c == O_BUSY ? parse_count(optarg, &cfg.busy) < 0 : common_opt(c, &a) < 0)
			return SIM_EXIT_USAGE;
	}
	if (optind != argc - 1) {
		log_err("mount: expected one MOUNTPOINT (see tdx-sim --help)");
		return SIM_EXIT_USAGE;
	}
	if ((ev.kernel || ev.out || ev.initrd || ev.cmdline || ev.nextra || ev.qemu_header_patch) &&
	    sim_eventlog_check(&ev, "mount") < 0)
		return SIM_EXIT_USAGE;
	if (load(&a, &pki, &cfg.td) < 0)
		return SIM_EXIT_FAIL;
	/* The quotes' RTMRs are what the log extends them to. */
	if (ev.kernel && sim_eventlog_build(&ev, &cfg.td) < 0) {
		sim_pki_free(pki);
		return SIM_EXIT_FAIL;
	}
	cfg.mountpoint = argv[optind];
	cfg.pki = pki;
	cfg.version = a.version;
	cfg.corrupt = a.corrupt;
	r = sim_fuse_run(&cfg);
	sim_pki_free(pki);
	return r < 0 ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}

int sim_cmd_qgs(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "pid-file", required_argument, NULL, O_PID },
		SERVE_COMMON_OPTIONS,
		{ 0 }
	};
	struct serve_args a = { .version = 4, .sel = { .index = -1 } };
	struct sim_qgs_config cfg = { 0 };
	struct sim_pki *pki = NULL;
	struct tdx_td_info unused;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == O_LISTEN)
			cfg.listen = optarg;
		else if (c == O_PID)
			cfg.pid_file = optarg;
		else if (common_opt(c, &a) < 0)
			return SIM_EXIT_USAGE;
	}
	if (optind != argc || !cfg.listen) {
		log_err("qgs: expected --listen tcp:HOST:PORT and no other arguments (see tdx-sim --help)");
		return SIM_EXIT_USAGE;
	}
	/* The TD fields come from each received TDREPORT; a --td profile is only validated. */
	if (load(&a, &pki, &unused) < 0)
		return SIM_EXIT_FAIL;
	cfg.pki = pki;
	cfg.version = a.version;
	cfg.corrupt = a.corrupt;
	r = sim_qgs_run(&cfg);
	sim_pki_free(pki);
	return r < 0 ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}

int sim_cmd_pcs(int argc, char **argv)
{
	enum { P_PKI = 256, P_LISTEN, P_CERT, P_KEY, P_PCCS, P_FAULT, P_FAULT_FILE, P_PID, P_LOG };
	static const struct option opts[] = {
		{ "pki", required_argument, NULL, P_PKI },
		{ "listen", required_argument, NULL, P_LISTEN },
		{ "tls-cert", required_argument, NULL, P_CERT },
		{ "tls-key", required_argument, NULL, P_KEY },
		{ "pccs", no_argument, NULL, P_PCCS },
		{ "fault", required_argument, NULL, P_FAULT },
		{ "fault-file", required_argument, NULL, P_FAULT_FILE },
		{ "pid-file", required_argument, NULL, P_PID },
		{ "access-log", required_argument, NULL, P_LOG },
		{ 0 }
	};
	struct sim_pcs_fault faults[SIM_PCS_MAX_FAULTS];
	struct sim_pcs_config cfg = { 0 };
	const char *fault_file = NULL;
	size_t n = 0;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case P_PKI: cfg.pki_dir = optarg; break;
		case P_LISTEN: cfg.listen = optarg; break;
		case P_CERT: cfg.tls_cert = optarg; break;
		case P_KEY: cfg.tls_key = optarg; break;
		case P_PCCS: cfg.pccs = true; break;
		case P_FAULT_FILE: fault_file = optarg; break;
		case P_PID: cfg.pid_file = optarg; break;
		case P_LOG: cfg.access_log = optarg; break;
		case P_FAULT:
			if (n == SIM_PCS_MAX_FAULTS) {
				log_err("pcs: at most %d --fault options", SIM_PCS_MAX_FAULTS);
				return SIM_EXIT_USAGE;
			}
			if (sim_pcs_fault_parse(optarg, &faults[n++]) < 0)
				return SIM_EXIT_USAGE;
			break;
		default: return SIM_EXIT_USAGE;
		}
	}
	if (optind != argc || !cfg.pki_dir || !cfg.listen || !cfg.tls_cert != !cfg.tls_key) {
		log_err("pcs: expected --pki DIR --listen tcp:HOST:PORT [--tls-cert F --tls-key F] and no other arguments (see tdx-sim --help)");
		return SIM_EXIT_USAGE;
	}
	if (sim_pcs_faults_new(faults, n, fault_file, &cfg.faults) < 0)
		return SIM_EXIT_FAIL;
	r = sim_pcs_run(&cfg);
	sim_pcs_faults_free(cfg.faults);
	return r < 0 ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}
