/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-unlock quote --report-data HEX [--tsm-dir DIR] [--qgs ADDR] [--tdreport FILE] [-o FILE] */
#include "commands.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/hex.h"
#include "../common/log.h"
#include "../tdx/evidence.h"

#include <getopt.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: tdx-unlock quote --report-data HEX [--tsm-dir DIR]\n"
	      "                        [--qgs vsock:CID:PORT|tcp:HOST:PORT [--tdreport FILE]] [-o FILE]\n"
	      "  HEX is up to 64 bytes, zero-padded on the right. Without --tsm-dir/--qgs,\n"
	      "  configfs-tsm is tried first, then /dev/tdx_guest + the QGS on vsock:2:4050.\n"
	      "  -o - (the default) writes the binary quote to stdout, which must not be a terminal.\n", f);
}

int cmd_quote(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "report-data", required_argument, NULL, 'r' },
		{ "tsm-dir", required_argument, NULL, 't' },
		{ "qgs", required_argument, NULL, 'q' },
		{ "tdreport", required_argument, NULL, 'T' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct evidence_opts eo = { 0 };
	enum evidence_method method;
	_cleanup_free_ uint8_t *quote = NULL;
	uint8_t rd[64] = { 0 };
	const char *rd_hex = NULL, *out = "-";
	size_t len;
	int c, r;

	while ((c = getopt_long(argc, argv, "r:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': rd_hex = optarg; break;
		case 't': eo.tsm_dir = optarg; break;
		case 'q': eo.qgs_addr = optarg; break;
		case 'T': eo.tdreport_file = optarg; break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if ((c = check_args("quote", argc, argv, optind, 0, 0, "")) != 0)
		return c;
	if (!rd_hex)
		return usage_error("quote", "--report-data is required");
	if (eo.tsm_dir && (eo.qgs_addr || eo.tdreport_file))
		return usage_error("quote", "--tsm-dir cannot be combined with --qgs or --tdreport");
	r = hex_decode(rd_hex, rd, sizeof(rd));
	if (r < 0) {
		log_err("quote: --report-data must be at most 128 hex digits (64 bytes), even length");
		return EXIT_USAGE;
	}
	if (strcmp(out, "-") == 0 && isatty(STDOUT_FILENO)) {
		log_err("quote: refusing to write a binary quote to a terminal; use -o FILE");
		return EXIT_USAGE;
	}
	if (evidence_get_quote(&eo, rd, &quote, &len, &method) < 0)
		return EXIT_REJECT;
	r = file_write_all(out, quote, len, 0644);
	if (r < 0) {
		log_errno(r, "quote: writing %s", out);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}
