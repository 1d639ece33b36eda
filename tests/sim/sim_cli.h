/* SPDX-License-Identifier: Apache-2.0 */
/* Subcommands of tdx-sim (sim_main.c dispatches); each returns a process exit status. */
#pragma once

enum { SIM_EXIT_OK = 0, SIM_EXIT_FAIL = 1, SIM_EXIT_USAGE = 2 };

int sim_cmd_pki(int argc, char **argv);
int sim_cmd_quote(int argc, char **argv);
int sim_cmd_tdreport(int argc, char **argv);
int sim_cmd_profile(int argc, char **argv);
int sim_cmd_mount(int argc, char **argv);
int sim_cmd_qgs(int argc, char **argv);

/* Shared option parsing helpers. */
int sim_parse_report_data(const char *hex, unsigned char out[64]);
int sim_parse_version(const char *s, int *version);
int sim_parse_corrupt(const char *list, unsigned *flags);
