/* SPDX-License-Identifier: Apache-2.0 */
#include "td_json.h"
#include "../common/hex.h"

#include <errno.h>
#include <stdbool.h>

json_object *json_hex(const uint8_t *p, size_t len)
{
	char buf[2 * 128 + 1];

	if (len > 128)
		return NULL;
	hex_encode(p, len, buf);
	return json_object_new_string(buf);
}

/* Adds key: val (val may be NULL for JSON null when null_ok). Returns 0 or -ENOMEM. */
static int add(json_object *obj, const char *key, json_object *val, bool null_ok)
{
	if (!val && !null_ok)
		return -ENOMEM;
	if (json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

int td_json_fill(json_object *obj, const struct tdx_quote *q, const struct tdx_td_info *td,
		 const struct sgx_pck_ext *pck)
{
	json_object *rtmr = json_object_new_array();
	int failed = 0;

	if (!rtmr)
		return -ENOMEM;
	for (int i = 0; i < 4; i++) {
		json_object *v = json_hex(td->rtmr[i], TDX_MR_LEN);

		if (!v || json_object_array_add(rtmr, v) < 0) {
			json_object_put(v);
			json_object_put(rtmr);
			return -ENOMEM;
		}
	}
	if (q) {
		failed |= add(obj, "version", json_object_new_int(q->version), false);
		failed |= add(obj, "body_type", q->body_type ? json_object_new_int(q->body_type) : NULL, !q->body_type);
		failed |= add(obj, "tee_type", json_hex(q->raw + 4, 4), false);
	} else {
		failed |= add(obj, "kind", json_object_new_string("tdreport"), false);
		failed |= add(obj, "version", NULL, true);
		failed |= add(obj, "body_type", NULL, true);
		failed |= add(obj, "tee_type", json_object_new_string("81000000"), false);
	}
	failed |= add(obj, "mr_td", json_hex(td->mr_td, TDX_MR_LEN), false);
	failed |= add(obj, "mr_config_id", json_hex(td->mr_config_id, TDX_MR_LEN), false);
	failed |= add(obj, "mr_owner", json_hex(td->mr_owner, TDX_MR_LEN), false);
	failed |= add(obj, "mr_owner_config", json_hex(td->mr_owner_config, TDX_MR_LEN), false);
	failed |= add(obj, "rtmr", rtmr, false);
	failed |= add(obj, "report_data", json_hex(td->report_data, TDX_REPORT_DATA_LEN), false);
	failed |= add(obj, "td_attributes", json_hex(td->td_attributes, 8), false);
	failed |= add(obj, "xfam", json_hex(td->xfam, 8), false);
	failed |= add(obj, "mr_seam", json_hex(td->mr_seam, TDX_MR_LEN), false);
	failed |= add(obj, "mr_signer_seam", json_hex(td->mr_signer_seam, TDX_MR_LEN), false);
	failed |= add(obj, "seam_attributes", json_hex(td->seam_attributes, 8), false);
	failed |= add(obj, "tee_tcb_svn", json_hex(td->tee_tcb_svn, 16), false);
	if (td->has_tdx15) {
		failed |= add(obj, "tee_tcb_svn2", json_hex(td->tee_tcb_svn2, 16), false);
		failed |= add(obj, "mr_servicetd", json_hex(td->mr_servicetd, TDX_MR_LEN), false);
	}
	failed |= add(obj, "debug", json_object_new_boolean(tdx_td_is_debug(td)), false);
	if (pck)
		failed |= add(obj, "fmspc", json_hex(pck->fmspc, 6), false);
	else if (q)
		failed |= add(obj, "fmspc", NULL, true);
	return failed ? -ENOMEM : 0;
}
