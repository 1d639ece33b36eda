/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-unlock inspect FILE [--json] */
#include "commands.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../tdx/inspect.h"

#include <getopt.h>
#include <string.h>

int cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	_cleanup_free_ uint8_t *buf = NULL;
	json_object *obj = NULL;
	bool json = false;
	size_t len;
	int c, r;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h': puts("usage: tdx-unlock inspect FILE [--json]"); return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		log_err("inspect: expected one FILE (a TDX quote or TDREPORT; - for stdin)");
		return EXIT_USAGE;
	}
	r = file_read_all(argv[optind], TDX_INPUT_MAX, &buf, &len);
	if (r < 0) {
		log_errno(r, "inspect: cannot read %s", argv[optind]);
		return EXIT_USAGE;
	}
	if (tdx_inspect(buf, len, &obj) < 0)
		return EXIT_REJECT;
	if (json)
		puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		tdx_inspect_print_text(obj, stdout);
	json_object_put(obj);
	return EXIT_OK;
}
