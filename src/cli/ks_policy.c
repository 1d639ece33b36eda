/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-keyserver policy-from-quote QUOTE: a policy pinned to the TD of this quote (no DCAP
 * verification: the operator vouches for the quote; verify it with `verify` first). */
#include "ks_commands.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../tdx/quote.h"
#include "../verify/policy.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>

int ks_policy_from_quote(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	_cleanup_free_ uint8_t *buf = NULL;
	const char *why = NULL;
	struct tdx_quote q;
	json_object *obj;
	size_t len;
	int c, r;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': puts("usage: tdx-keyserver policy-from-quote QUOTE"); return KS_EXIT_OK;
		default: return KS_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		log_err("policy-from-quote: expected one QUOTE (- for stdin)");
		return KS_EXIT_USAGE;
	}
	r = file_read_all(argv[optind], KS_INPUT_MAX, &buf, &len);
	if (r < 0) {
		log_errno(r, "policy-from-quote: cannot read %s", argv[optind]);
		return KS_EXIT_USAGE;
	}
	r = tdx_quote_parse(buf, len, &q, &why);
	if (r < 0) {
		log_err("policy-from-quote: %s: %s", argv[optind], why);
		return KS_EXIT_REJECT;
	}
	if (vf_policy_from_td(&q.td, &obj) < 0) {
		log_errno(-ENOMEM, "policy-from-quote");
		return KS_EXIT_USAGE;
	}
	if (tdx_td_is_debug(&q.td))
		log_warn("policy-from-quote: this is a debug TD; the policy (allow_debug false) will refuse it");
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
	return KS_EXIT_OK;
}
