/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-unlock unbind DEVICE [--token N] */
#include "commands.h"
#include "../common/log.h"
#include "../luks/luks.h"
#include "../luks/luks_util.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

static void usage(FILE *f)
{
	fputs("usage: tdx-unlock unbind DEVICE [--token N]\n"
	      "  Removes a tdx-unlock token and its keyslot (never the last keyslot).\n"
	      "  --token is needed when the device has several tdx-unlock tokens.\n", f);
}

int cmd_unbind(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "token", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, token = -1;
	char *end;
	long v;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 0 || v > 31) {
				log_err("unbind: --token must be 0..31");
				return EXIT_USAGE;
			}
			token = (int)v;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if ((c = check_args("unbind", argc, argv, optind, 1, 1, "DEVICE")) != 0)
		return c;
	luks_route_libcryptsetup_log();
	return luks_unbind(argv[optind], token) < 0 ? EXIT_REJECT : EXIT_OK;
}
