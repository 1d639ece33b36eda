/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-unlock inspect FILE [--quote QUOTE] [--json]: a quote, a TDREPORT or an event log. */
#include "commands.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../tdx/eventlog_inspect.h"
#include "../tdx/inspect.h"
#include "../tdx/quote.h"

#include <getopt.h>
#include <string.h>

static void print(json_object *obj, bool json, bool evlog)
{
	if (json)
		puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (evlog)
		ccel_inspect_print_text(obj, stdout);
	else
		tdx_inspect_print_text(obj, stdout);
}

/* An event log, compared with the RTMRs of the quote at quote_path when given. */
static int inspect_log(const uint8_t *buf, size_t len, const char *quote_path, bool json)
{
	_cleanup_free_ uint8_t *qbuf = NULL;
	struct tdx_quote q;
	const char *why = NULL;
	json_object *obj = NULL;
	bool match;
	size_t qlen;
	int r;

	if (quote_path) {
		r = file_read_all(quote_path, TDX_INPUT_MAX, &qbuf, &qlen);
		if (r < 0) {
			log_errno(r, "inspect: cannot read the quote %s", quote_path);
			return EXIT_USAGE;
		}
		if (tdx_quote_parse(qbuf, qlen, &q, &why) < 0) {
			log_err("inspect: %s is not a TDX quote: %s", quote_path, why);
			return EXIT_REJECT;
		}
	}
	if (ccel_inspect(buf, len, quote_path ? &q.td : NULL, &obj, &match) < 0)
		return EXIT_REJECT;
	print(obj, json, true);
	json_object_put(obj);
	if (!match) {
		log_err("inspect: the replayed RTMR0-2 differ from the quote's (another boot's log, or a log that was cut or edited)");
		return EXIT_REJECT;
	}
	return EXIT_OK;
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quote", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	_cleanup_free_ uint8_t *buf = NULL;
	json_object *obj = NULL;
	const char *quote = NULL;
	bool json = false;
	size_t len;
	int c, r;

	while ((c = getopt_long(argc, argv, "jq:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'q': quote = optarg; break;
		case 'h': puts("usage: tdx-unlock inspect FILE [--quote QUOTE] [--json]\n"
			       "FILE: a TDX quote, a TDREPORT or an event log (CCEL); --quote compares\n"
			       "the log's replayed RTMRs with the quote's"); return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if ((c = check_args("inspect", argc, argv, optind, 1, 1, "FILE")) != 0)
		return c;
	r = file_read_all(argv[optind], CCEL_LOG_MAX, &buf, &len);
	if (r < 0) {
		log_errno(r, "inspect: cannot read %s", argv[optind]);
		return EXIT_USAGE;
	}
	if (ccel_looks_like_log(buf, len))
		return inspect_log(buf, len, quote, json);
	if (quote) {
		log_err("inspect: --quote goes with an event log; %s is not one", argv[optind]);
		return EXIT_USAGE;
	}
	if (len > TDX_INPUT_MAX) {
		log_err("inspect: %s is not an event log and too large for a quote (%zu bytes)", argv[optind], len);
		return EXIT_REJECT;
	}
	if (tdx_inspect(buf, len, &obj) < 0)
		return EXIT_REJECT;
	print(obj, json, false);
	json_object_put(obj);
	return EXIT_OK;
}
