/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 3339 times for the simulator's --time option and collateral dates. */
#pragma once
#include <stddef.h>
#include <time.h>

#define SIM_DAY ((time_t)24 * 3600)

/* Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" (a space may replace the T).
 * Returns 0 or -EINVAL. */
int sim_time_parse(const char *s, time_t *out);
/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" (buf of at least 21 bytes). Returns 0 or -EINVAL. */
int sim_time_format(time_t t, char *buf, size_t len);
