/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-sim pki | quote | tdreport | profile: argument parsing only. */
#include "sim_cli.h"
#include "sim_pki.h"
#include "sim_quote.h"
#include "sim_time.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/log.h"

#include <errno.h>
#include <getopt.h>
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

int sim_cmd_pki(int argc, char **argv)
{
	enum { O_TIME = 256, O_REV_PCK, O_REV_CA, O_EXP_TCB, O_EXP_QE, O_BAD_SIG, O_QE_MISMATCH,
	       O_FMSPC };
	static const struct option opts[] = {
		{ "time", required_argument, NULL, O_TIME },
		{ "revoke-pck", no_argument, NULL, O_REV_PCK },
		{ "revoke-platform-ca", no_argument, NULL, O_REV_CA },
		{ "expired-tcb-info", no_argument, NULL, O_EXP_TCB },
		{ "expired-qe-identity", no_argument, NULL, O_EXP_QE },
		{ "bad-tcb-info-sig", no_argument, NULL, O_BAD_SIG },
		{ "qe-identity-mismatch", no_argument, NULL, O_QE_MISMATCH },
		{ "fmspc-mismatch", no_argument, NULL, O_FMSPC },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct sim_pki_opts o = { .now = time(NULL) };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_TIME:
			if (sim_time_parse(optarg, &o.now) < 0) {
				log_err("--time '%s' is not an RFC 3339 time (e.g. 2025-07-01T12:00:00Z)", optarg);
				return SIM_EXIT_USAGE;
			}
			break;
		case O_REV_PCK: o.revoke_pck = true; break;
		case O_REV_CA: o.revoke_platform_ca = true; break;
		case O_EXP_TCB: o.expired_tcb_info = true; break;
		case O_EXP_QE: o.expired_qe_identity = true; break;
		case O_BAD_SIG: o.bad_tcb_info_sig = true; break;
		case O_QE_MISMATCH: o.qe_identity_mismatch = true; break;
		case O_FMSPC: o.fmspc_mismatch = true; break;
		case 'h': puts("usage: tdx-sim pki DIR [--time RFC3339] [DEFECT...] (see tdx-sim --help)"); return SIM_EXIT_OK;
		default: return SIM_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		log_err("pki: expected one DIR (see tdx-sim --help)");
		return SIM_EXIT_USAGE;
	}
	return sim_pki_create(argv[optind], &o) < 0 ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}

/* Options shared by quote and tdreport. */
struct evidence_args {
	const char *pki, *td, *out;
	unsigned char report_data[64];
	bool have_report_data;
	int version;
	unsigned corrupt;
};

static int parse_evidence_args(int argc, char **argv, struct evidence_args *a, bool quote)
{
	enum { O_PKI = 256, O_RD, O_TD, O_VER, O_CORRUPT };
	static const struct option opts[] = {
		{ "pki", required_argument, NULL, O_PKI },
		{ "report-data", required_argument, NULL, O_RD },
		{ "td", required_argument, NULL, O_TD },
		{ "quote-version", required_argument, NULL, O_VER },
		{ "corrupt", required_argument, NULL, O_CORRUPT },
		{ "output", required_argument, NULL, 'o' },
		{ 0 }
	};
	int c;

	*a = (struct evidence_args){ .out = "-", .version = 4 };
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case O_PKI: a->pki = optarg; break;
		case O_TD: a->td = optarg; break;
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
		r = sim_pki_load(a.pki, &pki);
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
