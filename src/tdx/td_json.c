#include "td_json.h"
#include "../common/hex.h"

#include <errno.h>

json_object *json_hex(const uint8_t *p, size_t len)
{
	char buf[2 * 128 + 1];

	if (len > 128)
		return NULL;
	hex_encode(p, len, buf);
	return json_object_new_string(buf);
}

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

int td_json_fill(json_object *obj, const struct tdx_quote *q, const struct tdx_td_info *td,
		 const struct sgx_pck_ext *pck)
{
	json_object *rtmr = json_object_new_array();
	int r = 0;

	if (!rtmr)
		return -ENOMEM;
	for (int i = 0; i < 4; i++)
		if (json_object_array_add(rtmr, json_hex(td->rtmr[i], TDX_MR_LEN)) < 0)
			r = -ENOMEM;
	if (r < 0) {
		json_object_put(rtmr);
		return r;
	}
	if (q) {
		r |= add(obj, "version", json_object_new_int(q->version));
		r |= json_object_object_add(obj, "body_type",
					    q->body_type ? json_object_new_int(q->body_type) : NULL);
		r |= add(obj, "tee_type", json_hex((const uint8_t *)q->raw + 4, 4));
	} else {
		r |= add(obj, "kind", json_object_new_string("tdreport"));
		r |= json_object_object_add(obj, "version", NULL);
		r |= json_object_object_add(obj, "body_type", NULL);
		r |= add(obj, "tee_type", json_object_new_string("81000000"));
	}
	r |= add(obj, "mr_td", json_hex(td->mr_td, TDX_MR_LEN));
	r |= add(obj, "mr_config_id", json_hex(td->mr_config_id, TDX_MR_LEN));
	r |= add(obj, "mr_owner", json_hex(td->mr_owner, TDX_MR_LEN));
	r |= add(obj, "mr_owner_config", json_hex(td->mr_owner_config, TDX_MR_LEN));
	r |= add(obj, "rtmr", rtmr);
	r |= add(obj, "report_data", json_hex(td->report_data, TDX_REPORT_DATA_LEN));
	r |= add(obj, "td_attributes", json_hex(td->td_attributes, 8));
	r |= add(obj, "xfam", json_hex(td->xfam, 8));
	r |= add(obj, "mr_seam", json_hex(td->mr_seam, TDX_MR_LEN));
	r |= add(obj, "mr_signer_seam", json_hex(td->mr_signer_seam, TDX_MR_LEN));
	r |= add(obj, "seam_attributes", json_hex(td->seam_attributes, 8));
	r |= add(obj, "tee_tcb_svn", json_hex(td->tee_tcb_svn, 16));
	if (td->has_tdx15) {
		r |= add(obj, "tee_tcb_svn2", json_hex(td->tee_tcb_svn2, 16));
		r |= add(obj, "mr_servicetd", json_hex(td->mr_servicetd, TDX_MR_LEN));
	}
	r |= add(obj, "debug", json_object_new_boolean(tdx_td_is_debug(td)));
	if (pck)
		r |= add(obj, "fmspc", json_hex(pck->fmspc, 6));
	else if (q)
		r |= json_object_object_add(obj, "fmspc", NULL);
	return r ? -ENOMEM : 0;
}
