/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-keyserver collateral fetch|status: fill a collateral store from Intel PCS or a PCCS,
 * and report what it holds and when it expires (src/verify/store.h, issue 12).
 *
 *   collateral fetch --store DIR --pcs URL [--fmspc HEX]... [--quote FILE]...
 *                    [--update standard|early] [--root-crl-url URL] [--pcs-ca FILE]
 *                    [--anchor FILE] [--at RFC3339] [--timeout-ms N] [--retries N]
 *                    [--backoff-ms N] [--retry-after-max S]   (defaults: 30000 ms per
 *                    request, 3 retries, 1000 ms doubling; Retry-After honoured up to 60 s;
 *                    bodies up to 4 MiB)
 *     No --fmspc / --quote: everything already in the store again (the refresh).
 *     Exit 0 all installed or unchanged, 1 something refused or unreachable, 2 usage.
 *   collateral status --store DIR [--at RFC3339] [--warn-days N] [--json]
 *     Exit 0 all valid beyond the window, 1 expired / expiring within it / missing, 2 usage. */
#include "ks_commands.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../server/collateral_fetch.h"
#include "../verify/store_list.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

static const char fetch_usage[] =
	"usage: tdx-keyserver collateral fetch --store DIR --pcs URL [--fmspc HEX]... [--quote FILE]...\n"
	"         [--update standard|early] [--root-crl-url URL] [--pcs-ca FILE] [--anchor FILE]\n"
	"         [--at RFC3339] [--timeout-ms N] [--retries N] [--backoff-ms N] [--retry-after-max S]";
static const char status_usage[] =
	"usage: tdx-keyserver collateral status --store DIR [--at RFC3339] [--warn-days N] [--json]";

static int parse_at(const char *s, int64_t *at)
{
	if (vf_parse_time(s, at) < 0) {
		log_err("collateral: --at wants RFC 3339 UTC, e.g. 2025-07-19T10:00:34Z");
		return -EINVAL;
	}
	return 0;
}

static int add_quote(struct vf_ctx *ctx, struct coll_fetch_req *req, const char *path)
{
	_cleanup_free_ uint8_t *buf = NULL;
	struct vf_platform p;
	struct tdx_quote q;
	const char *why = NULL;
	size_t len;
	int r;

	r = file_read_all(path, KS_INPUT_MAX, &buf, &len);
	if (r < 0)
		return log_errno(r, "collateral: cannot read quote %s", path);
	if (tdx_quote_parse(buf, len, &q, &why) < 0)
		return log_fail(-EINVAL, "collateral: %s is not a TDX quote: %s", path, why ? why : "malformed");
	r = vf_quote_platform(ctx, &q, &p, &why);
	if (r < 0)
		return log_fail(-EINVAL, "collateral: quote %s: %s", path, why ? why : "no platform");
	req->ca[p.ca] = true;
	return coll_fetch_add_fmspc(req, p.fmspc_hex);
}

int ks_collateral_fetch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "store", required_argument, NULL, 's' }, { "pcs", required_argument, NULL, 'p' },
		{ "fmspc", required_argument, NULL, 'f' }, { "quote", required_argument, NULL, 'q' },
		{ "update", required_argument, NULL, 'u' }, { "root-crl-url", required_argument, NULL, 'r' },
		{ "pcs-ca", required_argument, NULL, 'c' }, { "anchor", required_argument, NULL, 'a' },
		{ "at", required_argument, NULL, 't' }, { "timeout-ms", required_argument, NULL, 'T' },
		{ "retries", required_argument, NULL, 'R' }, { "backoff-ms", required_argument, NULL, 'B' },
		{ "retry-after-max", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' }, { 0 }
	};
	struct vf_options vopt = { .anchor_mode = VF_ANCHOR_INTEL };
	struct coll_fetch_req *req = calloc(1, sizeof(*req));
	struct coll_fetch_result res;
	struct vf_ctx *ctx = NULL;
	const char *quotes[64];
	size_t nq = 0;
	bool by_fmspc = false;
	int c, r = KS_EXIT_USAGE;

	if (!req)
		return KS_EXIT_USAGE;
	req->at = (int64_t)time(NULL);
	req->update = VF_UPDATE_STANDARD;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': req->store = optarg; break;
		case 'p': req->pcs_url = optarg; break;
		case 'f':
			if (coll_fetch_add_fmspc(req, optarg) < 0) {
				log_err("collateral fetch: --fmspc wants 12 hex digits, not \"%s\"", optarg);
				goto out;
			}
			by_fmspc = true;
			break;
		case 'q':
			if (nq == 64) {
				log_err("collateral fetch: at most 64 --quote");
				goto out;
			}
			quotes[nq++] = optarg;
			break;
		case 'u':
			if (strcmp(optarg, VF_UPDATE_STANDARD) != 0 && strcmp(optarg, VF_UPDATE_EARLY) != 0) {
				log_err("collateral fetch: --update wants standard or early");
				goto out;
			}
			req->update = optarg;
			break;
		case 'r': req->root_crl_url = optarg; break;
		case 'c': req->http.ca_file = optarg; break;
		case 'a': vopt.anchor_mode = VF_ANCHOR_FILE; vopt.anchor_file = optarg; break;
		case 't': if (parse_at(optarg, &req->at) < 0) goto out; break;
		case 'T': req->http.timeout_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'R':
			req->http.retries = (unsigned)strtoul(optarg, NULL, 10);
			req->http.no_retry = req->http.retries == 0;
			break;
		case 'B': req->http.backoff_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'A': req->http.retry_after_cap_s = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'h': puts(fetch_usage); r = KS_EXIT_OK; goto out;
		default: goto out;
		}
	}
	if (optind != argc || !req->store || !req->pcs_url) {
		log_err("collateral fetch: --store DIR and --pcs URL are required (%s)", fetch_usage);
		goto out;
	}
	if (vf_ctx_new(&vopt, &ctx) < 0)
		goto out;
	for (size_t i = 0; i < nq; i++)
		if (add_quote(ctx, req, quotes[i]) < 0)
			goto out;
	if (by_fmspc) /* which CA a platform's PCK certificate chains to is not known: both */
		req->ca[VF_CA_PROCESSOR] = req->ca[VF_CA_PLATFORM] = true;
	if (!by_fmspc && !nq && coll_fetch_add_installed(req) < 0)
		goto out;
	r = coll_fetch(ctx, req, &res);
	if (r >= 0)
		printf("collateral: %u installed, %u unchanged, %u refused, %u unreachable, %u not served\n",
		       res.installed, res.unchanged, res.refused, res.unreachable, res.not_found);
	r = r == 0 ? KS_EXIT_OK : KS_EXIT_REJECT;
out:
	vf_ctx_free(ctx);
	free(req);
	return r;
}

static void fmt_left(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "EXPIRED %lldd%02lldh ago", (long long)(-s / 86400), (long long)(-s % 86400 / 3600));
	else
		snprintf(buf, len, "%lldd%02lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
}

/* Missing pieces of a usable store: a TCB info without the QE identity of its update type,
 * no PCK CRL at all, no root CA CRL. */
static unsigned report_missing(const struct vf_store_entry *e, size_t n, bool json, json_object *arr)
{
	bool tcb[2] = { false }, qe[2] = { false }, crl = false, root = false;
	unsigned missing = 0;

	for (size_t i = 0; i < n; i++) {
		int u = strcmp(e[i].update, VF_UPDATE_EARLY) == 0;

		tcb[u] |= e[i].kind == VF_DOC_TCB_INFO;
		qe[u] |= e[i].kind == VF_DOC_QE_IDENTITY;
		crl |= e[i].kind == VF_DOC_PCK_CRL;
		root |= e[i].kind == VF_DOC_ROOT_CRL;
	}
	const char *what[4] = { (tcb[0] && !qe[0]) ? "TD QE identity (standard)" : NULL,
				(tcb[1] && !qe[1]) ? "TD QE identity (early)" : NULL,
				!crl ? "PCK CRL (no CA)" : NULL, !root ? "root CA CRL" : NULL };
	for (int i = 0; i < 4; i++) {
		if (!what[i])
			continue;
		missing++;
		if (json)
			json_object_array_add(arr, json_object_new_string(what[i]));
		else
			printf("MISSING  %s\n", what[i]);
	}
	return missing;
}

int ks_collateral_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "store", required_argument, NULL, 's' }, { "at", required_argument, NULL, 't' },
		{ "warn-days", required_argument, NULL, 'w' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { 0 }
	};
	const char *store = NULL;
	int64_t at = (int64_t)time(NULL), warn = 7 * 86400;
	struct vf_store_entry *e = NULL;
	json_object *docs = NULL, *missing_arr = NULL;
	unsigned bad = 0;
	bool json = false;
	size_t n;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': store = optarg; break;
		case 't': if (parse_at(optarg, &at) < 0) return KS_EXIT_USAGE; break;
		case 'w': warn = strtoll(optarg, NULL, 10) * 86400; break;
		case 'j': json = true; break;
		case 'h': puts(status_usage); return KS_EXIT_OK;
		default: return KS_EXIT_USAGE;
		}
	}
	if (optind != argc || !store) {
		log_err("collateral status: --store DIR is required (%s)", status_usage);
		return KS_EXIT_USAGE;
	}
	r = vf_store_list(store, &e, &n);
	if (r == -ENOENT) {
		n = 0; /* an empty store: everything is missing */
	} else if (r < 0) {
		log_errno(r, "collateral status: cannot read the store %s", store);
		return KS_EXIT_USAGE;
	}
	if (json) {
		docs = json_object_new_array();
		missing_arr = json_object_new_array();
	}
	for (size_t i = 0; i < n; i++) {
		int64_t left = e[i].expires - at;
		char iss[32] = "?", next[32] = "?", tl[80] = "unreadable";
		const char *state = !e[i].readable ? "BAD" : left < 0 ? "EXPIRED" : left < warn ? "WARN" : "OK";

		bad += strcmp(state, "OK") != 0;
		if (e[i].readable) {
			vf_format_time(e[i].s.issued, iss, sizeof(iss));
			vf_format_time(e[i].s.next_update, next, sizeof(next));
			fmt_left(left, tl, sizeof(tl));
			if (e[i].chain_expires_first) {
				char ce[32];

				vf_format_time(e[i].expires, ce, sizeof(ce));
				snprintf(tl + strlen(tl), sizeof(tl) - strlen(tl), " (issuer chain until %s)", ce);
			}
		}
		if (json) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "document", json_object_new_string(e[i].what));
			json_object_object_add(o, "file", json_object_new_string(e[i].file));
			json_object_object_add(o, "state", json_object_new_string(state));
			if (e[i].s.eval_num >= 0 && e[i].readable)
				json_object_object_add(o, "tcb_evaluation_data_number", json_object_new_int(e[i].s.eval_num));
			json_object_object_add(o, "issued", json_object_new_string(iss));
			json_object_object_add(o, "next_update", json_object_new_string(next));
			json_object_object_add(o, "seconds_left", json_object_new_int64(e[i].readable ? left : 0));
			json_object_object_add(o, "chain_expires_first", json_object_new_boolean(e[i].chain_expires_first));
			json_object_array_add(docs, o);
		} else {
			char ev[16] = "-";

			if (e[i].s.eval_num >= 0 && e[i].readable)
				snprintf(ev, sizeof(ev), "%d", e[i].s.eval_num);
			printf("%-8s %-42s eval %-3s issued %s next update %s left %s\n", state, e[i].what, ev,
			       iss, next, tl);
		}
	}
	bad += report_missing(e, n, json, missing_arr);
	if (!json && n) {
		size_t w = 0;
		int64_t left = vf_store_time_left(e, n, at, &w);
		char t[32] = "?";

		if (e[w].readable)
			vf_format_time(e[w].expires, t, sizeof(t));
		printf("earliest expiry: %s (%s), %s\n", t, e[w].what,
		       bad ? "ATTENTION: exit 1" : left < 0 ? "expired" : "ok");
	}
	if (json) {
		json_object *top = json_object_new_object();

		json_object_object_add(top, "store", json_object_new_string(store));
		json_object_object_add(top, "ok", json_object_new_boolean(bad == 0));
		json_object_object_add(top, "warn_seconds", json_object_new_int64(warn));
		json_object_object_add(top, "documents", docs);
		json_object_object_add(top, "missing", missing_arr);
		puts(json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(top);
	}
	free(e);
	return bad ? KS_EXIT_REJECT : KS_EXIT_OK;
}

int ks_collateral(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "fetch") == 0)
		return ks_collateral_fetch(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "status") == 0)
		return ks_collateral_status(argc - 1, argv + 1);
	log_err("collateral: expected fetch or status\n%s\n%s", fetch_usage, status_usage);
	return KS_EXIT_USAGE;
}
