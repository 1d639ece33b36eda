/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-keyserver policy-from-quote QUOTE [--eventlog LOG] [--resource REPO/TYPE/TAG]
 * [--pin-module]: a complete policy file ({"REPO/TYPE/TAG": {policy}}, what policy_file loads)
 * pinned to the TD of this quote (no DCAP verification: the operator vouches for the quote;
 * verify it with `verify` first). With the TD's event log of that boot, RTMR1/RTMR2 are
 * replaced by the boot's components (kernel, initrd, cmdline) and its fixed events
 * (boot_events), so that a kernel, initrd or command line update is a list entry. */
#include "ks_commands.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/json_cleanup.h"
#include "../common/log.h"
#include "../common/resource_path.h"
#include "../tdx/quote.h"
#include "../tdx/eventlog.h"
#include "../verify/boot_facts.h"
#include "../verify/boot_policy.h"
#include "../verify/policy.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#define DEFAULT_RESOURCE "default/luks/root"

static void usage(FILE *f)
{
	fputs("usage: tdx-keyserver policy-from-quote QUOTE [--eventlog LOG] [--resource REPO/TYPE/TAG]\n"
	      "                                       [--pin-module]\n"
	      "  Prints a policy file for the key server's policy_file: {\"REPO/TYPE/TAG\": {policy}}\n"
	      "  pinned to the TD of QUOTE (- = stdin): mr_td, rtmr0-3, mr_config_id, mr_owner,\n"
	      "  mr_owner_config, xfam, td_attributes, mr_servicetd (TDX 1.5 quotes), no debug,\n"
	      "  tcb_status UpToDate. The quote is not verified: verify it first.\n"
	      "  --eventlog    the TD's event log of the same boot (its CCEL, as `tdx-unlock inspect`\n"
	      "                reads it): instead of rtmr1/rtmr2, the kernel, initrd and cmdline it\n"
	      "                booted (lists: merge the values of an update into them) and\n"
	      "                boot_events, the order of every RTMR1/RTMR2 event with the fixed\n"
	      "                firmware and boot loader events pinned; the TD must then send its log\n"
	      "  --resource    the resource it guards (default " DEFAULT_RESOURCE ")\n"
	      "  --pin-module  also pin the TDX module (mr_seam, tee_tcb_svn2): the secret is then\n"
	      "                refused after every TDX module update of the host\n", f);
}

/* The boot of the log (which must be the quote's boot) instead of rtmr1/rtmr2. */
static int pin_boot(const char *path, const struct tdx_td_info *td, json_object *obj)
{
	_cleanup_free_ uint8_t *log = NULL;
	_cleanup_free_ struct vf_boot_facts *f = calloc(1, sizeof(*f));
	char reason[320];
	size_t len;
	int r;

	if (!f)
		return log_errno(-ENOMEM, "policy-from-quote"), KS_EXIT_USAGE;
	r = file_read_all(path, CCEL_LOG_MAX, &log, &len);
	if (r < 0) {
		log_errno(r, "policy-from-quote: cannot read the event log %s", path);
		return KS_EXIT_USAGE;
	}
	if (vf_boot_facts_from_log(log, len, td, f, reason, sizeof(reason)) < 0) {
		log_err("policy-from-quote: %s: %s", path, reason);
		return KS_EXIT_REJECT;
	}
	json_object_object_del(obj, "rtmr1");
	json_object_object_del(obj, "rtmr2");
	r = vf_boot_policy_from_facts(f, obj);
	if (r == -E2BIG) {
		log_err("policy-from-quote: %s has more than %d RTMR1/RTMR2 events: pin rtmr1/rtmr2 instead (without --eventlog)",
			path, VF_BOOT_EVENTS_MAX);
		return KS_EXIT_REJECT;
	}
	if (r < 0) {
		log_errno(r, "policy-from-quote");
		return KS_EXIT_USAGE;
	}
	if (!json_object_object_get_ex(obj, "kernel", NULL))
		log_warn("policy-from-quote: %s names no kernel event (RTMR1/RTMR2 are pinned event by event)", path);
	return KS_EXIT_OK;
}

int ks_policy_from_quote(int argc, char **argv)
{
	enum { O_RESOURCE = 256, O_PIN_MODULE, O_EVENTLOG };
	static const struct option opts[] = {
		{ "resource", required_argument, NULL, O_RESOURCE },
		{ "eventlog", required_argument, NULL, O_EVENTLOG },
		{ "pin-module", no_argument, NULL, O_PIN_MODULE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	_cleanup_free_ uint8_t *buf = NULL;
	_cleanup_json_put_ json_object *file = NULL;
	const char *why = NULL, *resource = DEFAULT_RESOURCE, *eventlog = NULL;
	unsigned flags = 0;
	struct tdx_quote q;
	json_object *obj;
	size_t len;
	int c, r;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_RESOURCE: resource = optarg; break;
		case O_PIN_MODULE: flags |= VF_PIN_MODULE; break;
		case O_EVENTLOG: eventlog = optarg; break;
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
	if (eventlog && (r = pin_boot(eventlog, &q.td, obj)) != KS_EXIT_OK) {
		json_object_put(obj);
		return r;
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
