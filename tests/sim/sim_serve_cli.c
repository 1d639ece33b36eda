/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-sim mount | qgs: argument parsing only. */
#include "sim_cli.h"
#include "sim_fuse.h"
#include "sim_qgs.h"
#include "common/log.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* Options common to both servers. */
enum { O_PKI = 256, O_TD, O_VER, O_CORRUPT, O_NO_PROVIDER, O_BUSY, O_RACE, O_LISTEN, O_PID };

struct serve_args {
	const char *pki_dir, *td;
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
	default: return -EINVAL;
	}
}

static int load(const struct serve_args *a, struct sim_pki **pki, struct tdx_td_info *td)
{
	int r;

	if (!a->pki_dir)
		return log_errno(-EINVAL, "--pki DIR is required (create one with 'tdx-sim pki DIR')");
	r = a->td ? sim_profile_load(a->td, td) : sim_profile_default(td);
	return r < 0 ? r : sim_pki_load(a->pki_dir, pki);
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
		{ "pki", required_argument, NULL, O_PKI },
		{ "td", required_argument, NULL, O_TD },
		{ "quote-version", required_argument, NULL, O_VER },
		{ "corrupt", required_argument, NULL, O_CORRUPT },
		{ "no-provider", no_argument, NULL, O_NO_PROVIDER },
		{ "busy", required_argument, NULL, O_BUSY },
		{ "race", no_argument, NULL, O_RACE },
		{ "foreground", no_argument, NULL, 'f' },
		{ 0 }
	};
	struct serve_args a = { .version = 4 };
	struct sim_fuse_config cfg = { 0 };
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
		else if (c == O_BUSY ? parse_count(optarg, &cfg.busy) < 0 : common_opt(c, &a) < 0)
			return SIM_EXIT_USAGE;
	}
	if (optind != argc - 1) {
		log_err("mount: expected one MOUNTPOINT (see tdx-sim --help)");
		return SIM_EXIT_USAGE;
	}
	if (load(&a, &pki, &cfg.td) < 0)
		return SIM_EXIT_FAIL;
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
		{ "pki", required_argument, NULL, O_PKI },
		{ "td", required_argument, NULL, O_TD },
		{ "quote-version", required_argument, NULL, O_VER },
		{ "corrupt", required_argument, NULL, O_CORRUPT },
		{ 0 }
	};
	struct serve_args a = { .version = 4 };
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
