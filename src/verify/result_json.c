/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON rendering of a verification result (`tdx-keyserver verify --json`, audit log):
 * the verdict keys, then the TD fields exactly as `tdx-unlock inspect --json`. */
#include "result_json.h"
#include "../tdx/td_json.h"

#include <errno.h>

static int add(json_object *obj, const char *key, json_object *val)
{
	if (!val)
		return -ENOMEM;
	if (json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

static int add_null(json_object *obj, const char *key)
{
	return json_object_object_add(obj, key, NULL) < 0 ? -ENOMEM : 0;
}

static json_object *reason(const struct vf_result *res)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (add(o, "code", json_object_new_string(vf_check_name(res->reason))) < 0 ||
	    add(o, "text", json_object_new_string(res->reason_text)) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static json_object *string_array(unsigned n, const char *(*get)(const struct vf_result *, unsigned),
				 const struct vf_result *res)
{
	json_object *a = json_object_new_array();

	for (unsigned i = 0; a && i < n; i++) {
		json_object *s = json_object_new_string(get(res, i));

		if (!s || json_object_array_add(a, s) < 0) {
			json_object_put(s);
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

static const char *advisory_at(const struct vf_result *res, unsigned i) { return res->advisory[i]; }

static const char *failed_at(const struct vf_result *res, unsigned i)
{
	unsigned k = 0;

	for (int c = 0; c < VF_CHECK_COUNT; c++)
		if (res->failed & (1ull << c) && k++ == i)
			return vf_check_name(c);
	return "";
}

int vf_result_to_json(const struct vf_result *res, json_object **out)
{
	json_object *o = json_object_new_object();
	unsigned nfailed = (unsigned)__builtin_popcountll(res->failed);
	char t[32];
	int r = 0;

	if (!o)
		return -ENOMEM;
	r |= add(o, "result", json_object_new_string(res->ok ? "ok" : "reject"));
	r |= add(o, "tcb_status", json_object_new_string(vf_tcb_status_name(res->tcb_status)));
	if (res->ok) {
		r |= add_null(o, "reason");
		r |= add_null(o, "reason_code");
	} else {
		r |= add(o, "reason", reason(res));
		r |= add(o, "reason_code", json_object_new_string(vf_check_name(res->reason)));
	}
	r |= add(o, "failed_checks", string_array(nfailed, failed_at, res));
	r |= add(o, "advisory_ids", string_array(res->n_advisory, advisory_at, res));
	if (res->have_qe_tcb_status)
		r |= add(o, "qe_tcb_status", json_object_new_string(vf_tcb_status_name(res->qe_tcb_status)));
	else
		r |= add_null(o, "qe_tcb_status");
	if (res->have_quote && res->earliest_expiry != INT64_MAX) {
		vf_format_time(res->earliest_expiry, t, sizeof(t));
		r |= add(o, "collateral_expiry", json_object_new_string(t));
	}
	if (res->have_quote)
		r |= td_json_fill(o, &res->quote, &res->quote.td, res->have_pck ? &res->pck : NULL);
	if (r) {
		json_object_put(o);
		return -ENOMEM;
	}
	*out = o;
	return 0;
}
