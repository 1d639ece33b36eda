/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-sim quote | tdreport | profile: argument parsing only. */
#include "sim_cli.h"
#include "sim_pki.h"
#include "sim_quote.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/log.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sim_parse_report_data(const char *hex, unsigned char out[64])
{
	if (strlen(hex) != 128 || hex_decode(hex, out, 64) != 64)
		return log_errno(-EINVAL, "--report-data must be 128 hex digits (64 bytes)");
	return 0;
}

int sim_parse_version(const char *s, int *version)
{
	if (strcmp(s, "4") == 0)
		*version = 4;
	else if (strcmp(s, "5") == 0)
		*version = 5;
	else
		return log_errno(-EINVAL, "--quote-version must be 4 or 5, not '%s'", s);
	return 0;
}

int sim_parse_corrupt(const char *list, unsigned *flags)
{
	_cleanup_free_ char *copy = strdup(list);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int r = sim_corrupt_parse(t, flags);

		if (r < 0)
			return r;
	}
	return 0;
}

/* Options shared by quote and tdreport. */
struct evidence_args {
	const char *pki, *td, *out;
	struct sim_platform_sel sel;
	unsigned char report_data[64];
	bool have_report_data;
	int version;
	unsigned corrupt;
};

static int parse_evidence_args(int argc, char **argv, struct evidence_args *a, bool quote)
{
	enum { O_PKI = 256, O_RD, O_TD, O_VER, O_CORRUPT, O_PLATFORM, O_FMSPC };
	static const struct option opts[] = {
		{ "pki", required_argument, NULL, O_PKI },
		{ "platform", required_argument, NULL, O_PLATFORM },
		{ "fmspc", required_argument, NULL, O_FMSPC },
		{ "report-data", required_argument, NULL, O_RD },
		{ "td", required_argument, NULL, O_TD },
		{ "quote-version", required_argument, NULL, O_VER },
		{ "corrupt", required_argument, NULL, O_CORRUPT },
		{ "output", required_argument, NULL, 'o' },
		{ 0 }
	};
	int c;

	*a = (struct evidence_args){ .out = "-", .version = 4, .sel = { .index = -1 } };
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case O_PKI: a->pki = optarg; break;
		case O_TD: a->td = optarg; break;
		case O_PLATFORM:
		case O_FMSPC:
			if (!quote || sim_parse_platform_sel(c == O_FMSPC, optarg, &a->sel) < 0)
				return -EINVAL;
			break;
		case 'o': a->out = optarg; break;
		case O_RD:
			if (sim_parse_report_data(optarg, a->report_data) < 0)
				return -EINVAL;
			a->have_report_data = true;
			break;
		case O_VER:
			if (!quote || sim_parse_version(optarg, &a->version) < 0)
				return -EINVAL;
			break;
		case O_CORRUPT:
			if (!quote || sim_parse_corrupt(optarg, &a->corrupt) < 0)
				return -EINVAL;
			break;
		default: return -EINVAL;
		}
	}
	if (optind != argc)
		return log_errno(-EINVAL, "unexpected argument '%s' (see tdx-sim --help)", argv[optind]);
	if (!a->have_report_data)
		return log_errno(-EINVAL, "--report-data HEX is required");
	if (quote && !a->pki)
		return log_errno(-EINVAL, "--pki DIR is required (create one with 'tdx-sim pki DIR')");
	return 0;
}

static int load_profile(const char *path, struct tdx_td_info *td)
{
	return path ? sim_profile_load(path, td) : sim_profile_default(td);
}

static int write_output(const char *path, const uint8_t *buf, size_t len)
{
	int r = file_write_all(path, buf, len, 0644);

	if (r < 0)
		return log_errno(r, "cannot write %s", path);
	return 0;
}

int sim_parse_platform_sel(bool by_fmspc, const char *arg, struct sim_platform_sel *sel)
{
	char *end;
	long v;

	if (by_fmspc) {
		sel->fmspc = arg;
		return 0;
	}
	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 0 || v >= SIM_PKI_MAX_PLATFORMS)
		return log_errno(-EINVAL, "--platform '%s' is not a platform number (0..%d)", arg,
				 SIM_PKI_MAX_PLATFORMS - 1);
	sel->index = (int)v;
	return 0;
}

int sim_pki_load_platform(const char *dir, const struct sim_platform_sel *sel, struct sim_pki **out)
{
	char pdir[PATH_MAX];
	int r;

	if (sel->index < 0 && !sel->fmspc)
		return sim_pki_load(dir, out);
	r = sim_pki_platform_dir(dir, sel->index < 0 ? 0 : sel->index, sel->fmspc, pdir, sizeof(pdir));
	return r < 0 ? r : sim_pki_load(pdir, out);
}

int sim_cmd_quote(int argc, char **argv)
{
	struct evidence_args a;
	struct tdx_td_info td;
	struct sim_pki *pki = NULL;
	_cleanup_free_ uint8_t *q = NULL;
	size_t len;
	int r;

	if (parse_evidence_args(argc, argv, &a, true) < 0)
		return SIM_EXIT_USAGE;
	r = load_profile(a.td, &td);
	if (r == 0)
		r = sim_pki_load_platform(a.pki, &a.sel, &pki);
	if (r == 0)
		r = sim_quote_build(pki, &td, a.report_data, a.version, a.corrupt, &q, &len);
	if (r == 0)
		r = write_output(a.out, q, len);
	sim_pki_free(pki);
	return r < 0 ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}

int sim_cmd_tdreport(int argc, char **argv)
{
	struct evidence_args a;
	struct tdx_td_info td;
	uint8_t report[1024];
	int r;

	if (parse_evidence_args(argc, argv, &a, false) < 0)
		return SIM_EXIT_USAGE;
	r = load_profile(a.td, &td);
	if (r == 0)
		r = sim_tdreport_build(&td, a.report_data, report);
	if (r == 0)
		r = write_output(a.out, report, sizeof(report));
	return r < 0 ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}

int sim_cmd_profile(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "td", required_argument, NULL, 't' },
		{ 0 }
	};
	_cleanup_free_ char *json = NULL;
	struct tdx_td_info td;
	const char *path = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 't')
			return SIM_EXIT_USAGE;
		path = optarg;
	}
	if (optind != argc) {
		log_err("profile: unexpected argument '%s'", argv[optind]);
		return SIM_EXIT_USAGE;
	}
	if (load_profile(path, &td) < 0)
		return SIM_EXIT_FAIL;
	json = sim_profile_to_json(&td);
	if (!json) {
		log_errno(-ENOMEM, "cannot render the profile");
		return SIM_EXIT_FAIL;
	}
	puts(json);
	return SIM_EXIT_OK;
}
