/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-unlock: attest this TD to a key server and unlock LUKS2 volumes with the secret. */
#include "commands.h"
#include "../common/log.h"
#include "../common/version.h"

#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "inspect", cmd_inspect, "inspect FILE [--quote Q] [--json] print a quote, TDREPORT or event log (CCEL)" },
	{ "quote", cmd_quote, "quote --report-data HEX [-o FILE] obtain a TDX quote over REPORTDATA" },
	{ "fetch", cmd_fetch, "fetch --url URL --resource R -o FILE  attest and fetch a secret" },
	{ "bind", cmd_bind, "bind DEVICE --url URL --resource R --secret-out FILE  add a keyslot + token" },
	{ "unbind", cmd_unbind, "unbind DEVICE [--token N]        remove a tdx-unlock token and its keyslot" },
	{ "list", cmd_list, "list DEVICE                       show keyslots and tdx-unlock tokens" },
	{ "unlock", cmd_unlock, "unlock DEVICE [NAME] | --all [--test]  attest, fetch, open LUKS2 volumes" },
};

static void usage(FILE *f)
{
	fputs("usage: tdx-unlock [-v] COMMAND [ARGS]\n       tdx-unlock --version\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].help);
}

int main(int argc, char **argv)
{
	int i = 1;

	log_set_prefix("tdx-unlock");
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0)
			log_set_level(LOG_LVL_DEBUG);
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			puts("tdx-unlock " TDX_UNLOCK_VERSION);
			return EXIT_OK;
		} else {
			log_err("unknown option '%s' (see tdx-unlock --help)", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		log_err("a COMMAND is required");
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].fn(argc - i, argv + i);
	log_err("unknown command '%s' (see tdx-unlock --help)", argv[i]);
	return EXIT_USAGE;
}
