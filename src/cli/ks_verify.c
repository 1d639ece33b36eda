/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-keyserver verify QUOTE --collateral DIR | --store DIR [--update standard|early]
 *                          [--at RFC3339] [--anchor FILE] [--json]
 *
 * --store picks the quote's documents from a collateral store (src/verify/store.h) by the
 * FMSPC and PCK CA of its PCK certificate; a store without the platform is exit 2.
 *
 * Trust anchor: by default the pinned Intel SGX Root CA key; the collateral directory's
 * root_ca.pem must then be that root too (else pck_root_is_anchor fails). With --anchor the
 * given PEM certificate is the anchor and root_ca.pem is not consulted. */
#include "ks_commands.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../verify/result_json.h"
#include "../verify/store.h"
#include "../verify/verify.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char usage_text[] =
	"usage: tdx-keyserver verify QUOTE --collateral DIR | --store DIR [--update standard|early]\n"
	"                            [--at RFC3339] [--anchor FILE] [--json]";

static void print_text(const struct vf_result *res)
{
	printf("result: %s\n", res->ok ? "ok" : "reject");
	printf("tcb_status: %s\n", vf_tcb_status_name(res->tcb_status));
	if (res->have_qe_tcb_status)
		printf("qe_tcb_status: %s\n", vf_tcb_status_name(res->qe_tcb_status));
	if (!res->ok)
		printf("reason: %s: %s\n", vf_check_name(res->reason), res->reason_text);
	for (unsigned i = 0; i < res->n_advisory; i++)
		printf("advisory: %s\n", res->advisory[i]);
}

int ks_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "collateral", required_argument, NULL, 'c' },
		{ "store", required_argument, NULL, 's' },
		{ "update", required_argument, NULL, 'u' },
		{ "at", required_argument, NULL, 't' },
		{ "anchor", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct vf_options vopt = { .anchor_mode = VF_ANCHOR_INTEL };
	_cleanup_free_ uint8_t *buf = NULL;
	const char *dir = NULL, *store = NULL, *update = VF_UPDATE_STANDARD;
	struct vf_platform plat;
	struct tdx_quote q;
	const char *why = NULL;
	struct vf_result res;
	struct vf_ctx *ctx = NULL;
	int64_t at = (int64_t)time(NULL);
	bool json = false;
	size_t len;
	int c, r;

	while ((c = getopt_long(argc, argv, "c:s:u:t:a:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': dir = optarg; break;
		case 's': store = optarg; break;
		case 'u':
			if (strcmp(optarg, VF_UPDATE_STANDARD) != 0 && strcmp(optarg, VF_UPDATE_EARLY) != 0) {
				log_err("verify: --update wants standard or early");
				return KS_EXIT_USAGE;
			}
			update = optarg;
			break;
		case 't':
			if (vf_parse_time(optarg, &at) < 0) {
				log_err("verify: --at wants RFC 3339 UTC, e.g. 2025-07-19T10:00:34Z");
				return KS_EXIT_USAGE;
			}
			break;
		case 'a':
			vopt.anchor_mode = VF_ANCHOR_FILE;
			vopt.anchor_file = optarg;
			break;
		case 'j': json = true; break;
		case 'h': puts(usage_text); return KS_EXIT_OK;
		default: return KS_EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !dir == !store) {
		log_err("verify: expected one QUOTE and --collateral DIR or --store DIR (%s)", usage_text);
		return KS_EXIT_USAGE;
	}
	r = file_read_all(argv[optind], KS_INPUT_MAX, &buf, &len);
	if (r < 0) {
		log_errno(r, "verify: cannot read %s", argv[optind]);
		return KS_EXIT_USAGE;
	}
	if (vf_ctx_new(&vopt, &ctx) < 0)
		return KS_EXIT_USAGE;
	if (dir) {
		r = vf_verify(ctx, buf, len, dir, at, &res);
	} else if (tdx_quote_parse(buf, len, &q, &why) < 0) {
		r = vf_verify(ctx, buf, len, store, at, &res); /* the header_valid rejection */
	} else {
		r = vf_verify_store(ctx, buf, &q, store, update, at, &res, &plat);
		if (r == -ENOENT) {
			log_err("verify: store %s has no %s collateral for FMSPC %s with the %s CA "
				"(run tdx-keyserver collateral fetch --store %s --quote %s)", store, update,
				plat.fmspc_hex, vf_ca_name(plat.ca), store, argv[optind]);
			vf_ctx_free(ctx);
			return KS_EXIT_USAGE;
		}
	}
	if (r < 0) {
		log_errno(r, "verify: cannot verify against collateral %s", dir ? dir : store);
		vf_ctx_free(ctx);
		return KS_EXIT_USAGE;
	}
	if (json) {
		json_object *obj = NULL;

		if (vf_result_to_json(&res, &obj) < 0) {
			vf_ctx_free(ctx);
			return KS_EXIT_USAGE;
		}
		puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(obj);
	} else {
		print_text(&res);
	}
	vf_ctx_free(ctx);
	return res.ok ? KS_EXIT_OK : KS_EXIT_REJECT;
}
