/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-unlock unlock [DEVICE [NAME]] [--all] [--test] [--tsm-dir DIR] [--ccel FILE] [--timeout S] */
#include "commands.h"
#include "../common/log.h"
#include "../luks/luks.h"
#include "../luks/luks_util.h"

#include <getopt.h>
#include <stdlib.h>

static void usage(FILE *f)
{
	fputs("usage: tdx-unlock unlock DEVICE [NAME] | --all  [--test] [--tsm-dir DIR] [--ccel FILE|none]\n"
	      "                         [--timeout SECONDS]\n"
	      "  Attests this TD to the key server(s) of each device's tdx-unlock token, fetches the\n"
	      "  secret and opens the token's keyslot as NAME (default luks-UUID). --test checks the\n"
	      "  key without activating. Configuration: kernel command line (rd.tdx_unlock.*) >\n"
	      "  /etc/tdx-unlock/tdx-unlock.conf > the token. Never writes the LUKS2 header.\n", f);
}

int cmd_unlock(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "test", no_argument, NULL, 'n' },
		{ "tsm-dir", required_argument, NULL, 't' },
		{ "ccel", required_argument, NULL, 'e' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct luks_unlock_opts uo = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': uo.all = true; break;
		case 'n': uo.test = true; break;
		case 't': uo.tsm_dir = optarg; break;
		case 'e': uo.ccel = optarg; break;
		case 'T':
			if (parse_timeout(optarg, &uo.timeout_s) < 0) {
				log_err("unlock: --timeout must be 1..3600 seconds");
				return EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if ((c = check_args("unlock", argc, argv, optind, 0, uo.all ? 0 : 2, "")) != 0)
		return c;
	if (optind < argc)
		uo.device = argv[optind++];
	if (optind < argc)
		uo.name = argv[optind++];
	if (!uo.all && !uo.device)
		return usage_error("unlock", "DEVICE or --all is required");
	luks_route_libcryptsetup_log();
	return luks_unlock(&uo) < 0 ? EXIT_REJECT : EXIT_OK;
}
