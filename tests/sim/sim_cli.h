/* SPDX-License-Identifier: Apache-2.0 */
/* Subcommands of tdx-sim (sim_main.c dispatches); each returns a process exit status. */
#pragma once
#include <stdbool.h>

struct sim_pki;

enum { SIM_EXIT_OK = 0, SIM_EXIT_FAIL = 1, SIM_EXIT_USAGE = 2 };

int sim_cmd_pki(int argc, char **argv);
int sim_cmd_quote(int argc, char **argv);
int sim_cmd_tdreport(int argc, char **argv);
int sim_cmd_profile(int argc, char **argv);
int sim_cmd_mount(int argc, char **argv);
int sim_cmd_qgs(int argc, char **argv);
int sim_cmd_pcs(int argc, char **argv);
int sim_cmd_eventlog(int argc, char **argv);

/* Shared option parsing helpers. */
int sim_parse_report_data(const char *hex, unsigned char out[64]);
int sim_parse_version(const char *s, int *version);
int sim_parse_corrupt(const char *list, unsigned *flags);

/* Which platform of a PKI a quote comes from (--platform N / --fmspc HEX). */
struct sim_platform_sel {
	int index;          /* -1: none given (the PKI directory's own platform 0 files) */
	const char *fmspc;  /* or NULL */
};
int sim_parse_platform_sel(bool by_fmspc, const char *arg, struct sim_platform_sel *sel);
/* sim_pki_load() of the selected platform's directory. */
int sim_pki_load_platform(const char *dir, const struct sim_platform_sel *sel, struct sim_pki **out);
