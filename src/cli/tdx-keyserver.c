/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-keyserver: the reference key server and its offline verification tools. */
#include "ks_commands.h"
#include "../common/log.h"

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
	  "verify QUOTE --collateral DIR [--at RFC3339] [--anchor FILE] [--json]\n"
	  "        DCAP-verify a TDX quote offline (exit 0 ok, 1 rejected, 2 usage/IO)" },
	{ "policy-from-quote", ks_policy_from_quote,
	  "policy-from-quote QUOTE\n"
	  "        print a resource policy pinned to the TD of this quote" },
};

static void usage(FILE *f)
{
	fputs("usage: tdx-keyserver [-v] COMMAND [ARGS]\n\ncommands:\n", f);
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
		} else {
			usage(stderr);
			return KS_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return KS_EXIT_USAGE;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].fn(argc - i, argv + i);
	log_err("unknown command '%s' (see tdx-keyserver --help)", argv[i]);
	return KS_EXIT_USAGE;
}
