/* SPDX-License-Identifier: Apache-2.0 */
/* Small argument helpers shared by the tdx-unlock subcommands. */
#include "commands.h"

#include <errno.h>
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
