/* SPDX-License-Identifier: Apache-2.0 */
/* Subcommands of the tdx-keyserver binary; each returns a process exit status. */
#pragma once

enum { KS_EXIT_OK = 0, KS_EXIT_REJECT = 1, KS_EXIT_USAGE = 2 };

/* Inputs larger than this are refused before parsing (quotes are < 10 KB). */
#define KS_INPUT_MAX (1u << 20)

int ks_verify(int argc, char **argv);
int ks_policy_from_quote(int argc, char **argv);
int ks_cmd_serve(int argc, char **argv);
/* collateral fetch|status (ks_collateral.c) */
int ks_collateral(int argc, char **argv);
int ks_collateral_fetch(int argc, char **argv);
int ks_collateral_status(int argc, char **argv);
int ks_reference_values(int argc, char **argv);
