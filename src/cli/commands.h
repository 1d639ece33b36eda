/* SPDX-License-Identifier: Apache-2.0 */
/* Subcommands of the tdx-unlock binary; each returns a process exit status. */
#pragma once
#include <stdbool.h>
#include <stdio.h>

enum { EXIT_OK = 0, EXIT_REJECT = 1, EXIT_USAGE = 2 };

/* Inputs larger than this are refused before parsing (quotes are < 10 KB). */
#define TDX_INPUT_MAX (1u << 20)

int cmd_inspect(int argc, char **argv);
int cmd_quote(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_bind(int argc, char **argv);
int cmd_unbind(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_unlock(int argc, char **argv);

/* Parses a whole number of seconds in 1..3600; returns 0 or -EINVAL. */
int parse_timeout(const char *s, int *out);
/* Logs "CMD: <what> (see tdx-unlock CMD --help)" and returns EXIT_USAGE: a usage error
 * names the option or argument at fault instead of printing only the usage. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 0 when argv[first..argc) holds min..max operands; else usage_error() naming the missing
 * operand(s) (names, e.g. "DEVICE") or the first unexpected one. */
int check_args(const char *cmd, int argc, char **argv, int first, int min, int max, const char *names);
