/* tdx-keyserver policy-from-quote QUOTE [--resource REPO/TYPE/TAG] [--pin-module]: a complete
 * policy file ({"REPO/TYPE/TAG": {policy}}, what policy_file loads) pinned to the TD of this
 * quote (no DCAP verification: the operator vouches for the quote; verify it with `verify`
 * first). */
#include "ks_commands.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/json_cleanup.h"
#include "../common/log.h"
#include "../common/resource_path.h"
#include "../tdx/quote.h"
#include "../verify/policy.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#define DEFAULT_RESOURCE "default/luks/root"

static void usage(FILE *f)
{
	fputs("usage: tdx-keyserver policy-from-quote QUOTE [--resource REPO/TYPE/TAG] [--pin-module]\n"
	      "  Prints a policy file for the key server's policy_file: {\"REPO/TYPE/TAG\": {policy}}\n"
	      "  pinned to the TD of QUOTE (- = stdin): mr_td, rtmr0-3, mr_config_id, mr_owner,\n"
	      "  mr_owner_config, xfam, td_attributes, mr_servicetd (TDX 1.5 quotes), no debug,\n"
	      "  tcb_status UpToDate. The quote is not verified: verify it first.\n"
	      "  --resource    the resource it guards (default " DEFAULT_RESOURCE ")\n"
	      "  --pin-module  also pin the TDX module (mr_seam, tee_tcb_svn2): the secret is then\n"
	      "                refused after every TDX module update of the host\n", f);
}

int ks_policy_from_quote(int argc, char **argv)
{
	enum { O_RESOURCE = 256, O_PIN_MODULE };
	static const struct option opts[] = {
		{ "resource", required_argument, NULL, O_RESOURCE },
		{ "pin-module", no_argument, NULL, O_PIN_MODULE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	_cleanup_free_ uint8_t *buf = NULL;
	_cleanup_json_put_ json_object *file = NULL;
	const char *why = NULL, *resource = DEFAULT_RESOURCE;
	unsigned flags = 0;
	struct tdx_quote q;
	json_object *obj;
	size_t len;
	int c, r;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_RESOURCE: resource = optarg; break;
		case O_PIN_MODULE: flags |= VF_PIN_MODULE; break;
		case 'h': usage(stdout); return KS_EXIT_OK;
		default: usage(stderr); return KS_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		log_err("policy-from-quote: expected one QUOTE (- for stdin)");
		return KS_EXIT_USAGE;
	}
	if (!resource_path_valid(resource)) {
		log_err("policy-from-quote: --resource \"%s\" is not REPO/TYPE/TAG", resource);
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
	file = json_object_new_object();
	if (!file || vf_policy_from_td(&q.td, flags, &obj) < 0) {
		log_errno(-ENOMEM, "policy-from-quote");
		return KS_EXIT_USAGE;
	}
	if (json_object_object_add(file, resource, obj) < 0) {
		json_object_put(obj);
		log_errno(-ENOMEM, "policy-from-quote");
		return KS_EXIT_USAGE;
	}
	if (tdx_td_is_debug(&q.td))
		log_warn("policy-from-quote: this is a debug TD; the policy (allow_debug false) will refuse it");
	puts(json_object_to_json_string_ext(file, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						   JSON_C_TO_STRING_NOSLASHESCAPE));
	return KS_EXIT_OK;
}
