/* SPDX-License-Identifier: Apache-2.0 */
/* Small argument helpers shared by the tdx-unlock subcommands. */
#include "commands.h"
#include "../common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

int parse_timeout(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 3600)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_err("%s: %s (see tdx-unlock %s --help)", cmd, what, cmd);
	return EXIT_USAGE;
}

int check_args(const char *cmd, int argc, char **argv, int first, int min, int max, const char *names)
{
	int n = argc - first;

	if (n < min)
		return usage_error(cmd, "%s is required", names);
	if (n > max)
		return usage_error(cmd, "unexpected argument '%s'", argv[first + max]);
	return 0;
}
