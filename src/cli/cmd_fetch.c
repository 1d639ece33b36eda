/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-unlock fetch --url URL [--url URL ...] --resource REPO/TYPE/TAG [--ca FILE]
 *                  [--tsm-dir DIR] [--ccel FILE|none] [--timeout SECONDS] -o FILE|-
 * The event log sent with the quote: --ccel FILE, else the firmware's (sysfs CCEL). */
#include "commands.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../common/secmem.h"
#include "../kbs/kbs_client.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: tdx-unlock fetch --url https://HOST:PORT [--url ...] --resource REPO/TYPE/TAG\n"
	      "                        [--ca FILE] [--tsm-dir DIR] [--qgs ADDR] [--ccel FILE|none]\n"
	      "                        [--timeout SECONDS] -o FILE|-\n"
	      "  Attests this TD to the key server(s) and writes the released secret to FILE\n"
	      "  (created 0600). Only -o - writes it to stdout.\n", f);
}

int cmd_fetch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "resource", required_argument, NULL, 'r' },
		{ "ca", required_argument, NULL, 'c' },
		{ "tsm-dir", required_argument, NULL, 't' },
		{ "qgs", required_argument, NULL, 'q' },
		{ "ccel", required_argument, NULL, 'e' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct kbs_client_opts ko = { 0 };
	_cleanup_secret_ struct secret secret = { 0 };
	const char *resource = NULL, *out = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			if (ko.n_urls == KBS_MAX_URLS) {
				log_err("fetch: at most %d --url", KBS_MAX_URLS);
				return EXIT_USAGE;
			}
			ko.urls[ko.n_urls++] = optarg;
			break;
		case 'r': resource = optarg; break;
		case 'c': ko.ca_file = optarg; break;
		case 't': ko.evidence.tsm_dir = optarg; break;
		case 'q': ko.evidence.qgs_addr = optarg; break;
		case 'e': ko.evidence.ccel_path = optarg; break;
		case 'T':
			if (parse_timeout(optarg, &ko.deadline_s) < 0) {
				log_err("fetch: --timeout must be 1..3600 seconds");
				return EXIT_USAGE;
			}
			break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if ((c = check_args("fetch", argc, argv, optind, 0, 0, "")) != 0)
		return c;
	if (!ko.n_urls)
		return usage_error("fetch", "--url is required");
	if (!resource)
		return usage_error("fetch", "--resource is required");
	if (!out)
		return usage_error("fetch", "-o FILE (or -o - for stdout) is required");
	if (kbs_fetch(&ko, &resource, 1, &secret) < 0)
		return EXIT_REJECT;
	r = file_write_all(out, secret.data, secret.len, 0600);
	if (r < 0) {
		log_errno(r, "fetch: writing the secret to %s", out);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}
