/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-unlock list DEVICE */
#include "commands.h"
#include "../luks/luks.h"
#include "../luks/luks_util.h"

#include <string.h>

int cmd_list(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("usage: tdx-unlock list DEVICE\n  Prints the keyslots and tdx-unlock tokens (URLs, resource, CA path).");
		return EXIT_OK;
	}
	if (argc > 1 && argv[1][0] == '-')
		return usage_error("list", "unknown option '%s'", argv[1]);
	if (check_args("list", argc, argv, 1, 1, 1, "DEVICE") != 0)
		return EXIT_USAGE;
	luks_route_libcryptsetup_log();
	return luks_list(argv[1], stdout) < 0 ? EXIT_REJECT : EXIT_OK;
}
