/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-unlock bind DEVICE --url URL [--url ...] --resource REPO/TYPE/TAG [--ca FILE]
 *                 [--timeout S] --secret-out FILE|- [--key-file FILE|-] */
#include "commands.h"
#include "../common/log.h"
#include "../luks/luks.h"
#include "../luks/luks_util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: tdx-unlock bind DEVICE --url https://HOST:PORT [--url ...] --resource REPO/TYPE/TAG\n"
	      "                       [--ca FILE] [--timeout SECONDS] --secret-out FILE|- [--key-file FILE|-]\n"
	      "  Adds a keyslot for a new random secret (PBKDF2, 1000 iterations) and a tdx-unlock\n"
	      "  token for it. The secret (44 base64 characters, no newline) goes to --secret-out\n"
	      "  (created 0600, never overwritten): upload it to the key server as REPO/TYPE/TAG.\n"
	      "  An existing passphrase authorises the change (--key-file, or asked on the terminal).\n", f);
}

int cmd_bind(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "resource", required_argument, NULL, 'r' },
		{ "ca", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "secret-out", required_argument, NULL, 's' },
		{ "key-file", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct luks_bind_opts bo = { 0 };
	int c, token, keyslot;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			if (bo.n_urls == LUKS_TOKEN_MAX_URLS) {
				log_err("bind: at most %d --url", LUKS_TOKEN_MAX_URLS);
				return EXIT_USAGE;
			}
			bo.urls[bo.n_urls++] = optarg;
			break;
		case 'r': bo.resource = optarg; break;
		case 'c': bo.ca_file = optarg; break;
		case 'T':
			if (parse_timeout(optarg, &bo.timeout_s) < 0 || bo.timeout_s < LUKS_TIMEOUT_MIN) {
				log_err("bind: --timeout must be %d..%d seconds", LUKS_TIMEOUT_MIN, LUKS_TIMEOUT_MAX);
				return EXIT_USAGE;
			}
			break;
		case 's': bo.secret_out = optarg; break;
		case 'k': bo.key_file = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if ((c = check_args("bind", argc, argv, optind, 1, 1, "DEVICE")) != 0)
		return c;
	if (!bo.n_urls)
		return usage_error("bind", "--url is required");
	if (!bo.resource)
		return usage_error("bind", "--resource is required");
	if (!bo.secret_out)
		return usage_error("bind", "--secret-out is required");
	bo.device = argv[optind];
	luks_route_libcryptsetup_log();
	if (luks_bind(&bo, &token, &keyslot) < 0)
		return EXIT_REJECT;
	log_info("%s: token %d, keyslot %d; upload the secret in %s to the key server as %s",
		 bo.device, token, keyslot, bo.secret_out, bo.resource);
	return EXIT_OK;
}
