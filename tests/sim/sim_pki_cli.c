/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-sim pki: argument parsing only. */
#include "sim_cli.h"
#include "sim_pki.h"
#include "sim_time.h"
#include "common/log.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_uint(const char *opt, const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || *out > max)
		return log_errno(-EINVAL, "%s '%s' is not a number 0..%lu", opt, s, max);
	return 0;
}

static int parse_time(const char *opt, const char *s, time_t *out)
{
	if (sim_time_parse(s, out) < 0)
		return log_errno(-EINVAL, "%s '%s' is not an RFC 3339 time (e.g. 2025-07-01T12:00:00Z)", opt, s);
	return 0;
}

enum { O_TIME = 256, O_REV_PCK, O_REV_CA, O_EXP_TCB, O_EXP_QE, O_BAD_SIG, O_QE_MISMATCH,
       O_FMSPC_MISMATCH, O_FMSPC, O_PLATFORMS, O_RESIGN, O_ISSUE, O_VALIDITY, O_EVAL, O_UPDATE };

struct pki_args {
	struct sim_pki_opts o;
	struct sim_pki_platform list[SIM_PKI_MAX_PLATFORMS];
	size_t n_fmspc;
	unsigned long n_platforms;
	bool resign;
};

static int pki_option(int c, struct pki_args *a)
{
	unsigned long v;

	switch (c) {
	case O_TIME: return parse_time("--time", optarg, &a->o.now);
	case O_REV_PCK: a->o.revoke_pck = true; return 0;
	case O_REV_CA: a->o.revoke_platform_ca = true; return 0;
	case O_EXP_TCB: a->o.expired_tcb_info = true; return 0;
	case O_EXP_QE: a->o.expired_qe_identity = true; return 0;
	case O_BAD_SIG: a->o.bad_tcb_info_sig = true; return 0;
	case O_QE_MISMATCH: a->o.qe_identity_mismatch = true; return 0;
	case O_FMSPC_MISMATCH: a->o.fmspc_mismatch = true; return 0;
	case O_FMSPC:
		if (a->n_fmspc == SIM_PKI_MAX_PLATFORMS)
			return log_errno(-E2BIG, "at most %d --fmspc", SIM_PKI_MAX_PLATFORMS);
		return sim_pki_platform_parse(optarg, &a->list[a->n_fmspc++]);
	case O_PLATFORMS:
		if (parse_uint("--platforms", optarg, SIM_PKI_MAX_PLATFORMS, &a->n_platforms) < 0)
			return -EINVAL;
		return a->n_platforms ? 0 : log_errno(-EINVAL, "--platforms must be at least 1");
	case O_RESIGN: a->resign = true; return 0;
	case O_ISSUE:
		a->o.have_issue_date = true;
		return parse_time("--issue-date", optarg, &a->o.issue_date);
	case O_VALIDITY:
		if (parse_uint("--validity-days", optarg, 3650, &v) < 0 || v == 0)
			return log_errno(-EINVAL, "--validity-days must be 1..3650");
		a->o.validity_days = (unsigned)v;
		return 0;
	case O_EVAL:
		if (parse_uint("--tcb-eval", optarg, 100000, &v) < 0 || v == 0)
			return log_errno(-EINVAL, "--tcb-eval must be 1..100000");
		a->o.tcb_eval = (int)v;
		return 0;
	case O_UPDATE:
		if (strcmp(optarg, "early") == 0)
			a->o.early = true;
		else if (strcmp(optarg, "standard") == 0)
			a->o.early = false;
		else
			return log_errno(-EINVAL, "--update must be standard or early");
		return 0;
	default: return -EINVAL;
	}
}

int sim_cmd_pki(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "time", required_argument, NULL, O_TIME },
		{ "revoke-pck", no_argument, NULL, O_REV_PCK },
		{ "revoke-platform-ca", no_argument, NULL, O_REV_CA },
		{ "expired-tcb-info", no_argument, NULL, O_EXP_TCB },
		{ "expired-qe-identity", no_argument, NULL, O_EXP_QE },
		{ "bad-tcb-info-sig", no_argument, NULL, O_BAD_SIG },
		{ "qe-identity-mismatch", no_argument, NULL, O_QE_MISMATCH },
		{ "fmspc-mismatch", no_argument, NULL, O_FMSPC_MISMATCH },
		{ "fmspc", required_argument, NULL, O_FMSPC },
		{ "platforms", required_argument, NULL, O_PLATFORMS },
		{ "resign", no_argument, NULL, O_RESIGN },
		{ "issue-date", required_argument, NULL, O_ISSUE },
		{ "validity-days", required_argument, NULL, O_VALIDITY },
		{ "tcb-eval", required_argument, NULL, O_EVAL },
		{ "update", required_argument, NULL, O_UPDATE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static struct pki_args a; /* the platform list is large */
	int c, r;

	memset(&a, 0, sizeof(a));
	a.o.now = time(NULL);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			puts("usage: tdx-sim pki DIR [--time RFC3339] [--platforms N | --fmspc HEX[:CA]...]\n"
			     "       [--issue-date RFC3339] [--validity-days N] [--tcb-eval N] [DEFECT...]\n"
			     "       tdx-sim pki DIR --resign [--update standard|early] ... (see tdx-sim --help)");
			return SIM_EXIT_OK;
		}
		if (pki_option(c, &a) < 0)
			return SIM_EXIT_USAGE;
	}
	if (optind != argc - 1) {
		log_err("pki: expected one DIR (see tdx-sim --help)");
		return SIM_EXIT_USAGE;
	}
	if (a.n_fmspc && a.n_platforms) {
		log_err("pki: --fmspc and --platforms exclude each other");
		return SIM_EXIT_USAGE;
	}
	if (a.resign && (a.n_fmspc || a.n_platforms)) {
		log_err("pki: --resign keeps the platforms of DIR: drop --fmspc/--platforms");
		return SIM_EXIT_USAGE;
	}
	if (a.o.early && !a.resign) {
		log_err("pki: --update early is for --resign (a new PKI serves its standard documents for both)");
		return SIM_EXIT_USAGE;
	}
	for (unsigned long i = 0; i < a.n_platforms; i++)
		sim_pki_platform_nth((unsigned)i, &a.list[i]);
	a.o.platforms = a.list;
	a.o.n_platforms = a.n_fmspc ? a.n_fmspc : a.n_platforms;
	r = a.resign ? sim_pki_resign(argv[optind], &a.o) : sim_pki_create(argv[optind], &a.o);
	return r < 0 ? SIM_EXIT_FAIL : SIM_EXIT_OK;
}
