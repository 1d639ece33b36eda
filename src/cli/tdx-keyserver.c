/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-keyserver: the reference key server and its offline verification tools. */
#include "ks_commands.h"
#include "../common/log.h"
#include "../common/version.h"

#include <stdio.h>
#include <string.h>

/* One line per subcommand; add new ones here (declared in ks_commands.h). */
static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "serve", ks_cmd_serve,
	  "serve --config FILE [-v]\n"
	  "        run the HTTPS key server (KBS protocol 0.4.0)" },
	{ "verify", ks_verify,
	  "verify QUOTE --collateral DIR | --store DIR [--update standard|early] [--at RFC3339]\n"
	  "        [--anchor FILE] [--json]\n"
	  "        DCAP-verify a TDX quote offline (exit 0 ok, 1 rejected, 2 usage/IO)" },
	{ "collateral", ks_collateral,
	  "collateral fetch --store DIR --pcs URL [--fmspc HEX]... [--quote FILE]... [--update U]\n"
	  "        [--root-crl-url URL] [--pcs-ca FILE] [--anchor FILE] [--at RFC3339]\n"
	  "        fetch, verify and install collateral (exit 0 ok, 1 refused/unreachable, 2 usage)\n"
	  "  collateral status --store DIR [--at RFC3339] [--warn-days N] [--json]\n"
	  "        what the store holds and when it expires (exit 1 within --warn-days, default 7)" },
	{ "policy-from-quote", ks_policy_from_quote,
	  "policy-from-quote QUOTE [--eventlog LOG] [--resource REPO/TYPE/TAG] [--pin-module]\n"
	  "        print a policy file pinned to the TD of this quote" },
	{ "reference-values", ks_reference_values,
	  "reference-values --kernel FILE [--initrd FILE] [--cmdline STRING] [--firmware CLASS] [--json]\n"
	  "        the kernel/initrd/cmdline a QEMU direct boot under TDVF measures, as policy members" },
};

static void usage(FILE *f)
{
	fputs("usage: tdx-keyserver [-v] COMMAND [ARGS]\n       tdx-keyserver --version\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].help);
}

int main(int argc, char **argv)
{
	int i = 1;

	log_set_prefix("tdx-keyserver");
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0)
			log_set_level(LOG_LVL_DEBUG);
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return KS_EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			puts("tdx-keyserver " TDX_UNLOCK_VERSION);
			return KS_EXIT_OK;
		} else {
			log_err("unknown option '%s' (see tdx-keyserver --help)", argv[i]);
			return KS_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		log_err("a COMMAND is required");
		usage(stderr);
		return KS_EXIT_USAGE;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].fn(argc - i, argv + i);
	log_err("unknown command '%s' (see tdx-keyserver --help)", argv[i]);
	return KS_EXIT_USAGE;
}
