/* SPDX-License-Identifier: Apache-2.0 */
#include "inspect.h"
#include "quote.h"
#include "tdreport.h"
#include "td_json.h"
#include "../common/log.h"

#include <errno.h>

int tdx_inspect(const uint8_t *buf, size_t len, json_object **out)
{
	struct tdx_td_info td;
	struct tdx_quote q;
	struct sgx_pck_ext pck;
	const char *why = NULL;
	json_object *obj;
	int r, pr;

	if (len == TDX_TDREPORT_LEN && buf[0] == TDREPORT_TYPE_TDX) {
		r = tdx_tdreport_parse(buf, len, &td, &why);
		if (r < 0)
			return log_fail(r, "inspect: %s", why);
		obj = json_object_new_object();
		if (!obj || td_json_fill(obj, NULL, &td, NULL) < 0) {
			json_object_put(obj);
			return -ENOMEM;
		}
		*out = obj;
		return 0;
	}
	r = tdx_quote_parse(buf, len, &q, &why);
	if (r < 0)
		return log_fail(r, "inspect: not a TDX quote or TDREPORT (%zu bytes): %s", len, why);
	pr = sgx_pck_ext_from_chain(q.pck_chain_pem, q.pck_chain_len, &pck);
	if (pr < 0)
		log_warn("inspect: cannot read FMSPC from the PCK certificate in the quote (%s)",
			 pr == -ENOENT ? "no SGX extension" : "malformed certificate chain");
	obj = json_object_new_object();
	if (!obj || td_json_fill(obj, &q, &q.td, pr < 0 ? NULL : &pck) < 0 ||
	    json_object_object_add(obj, "trailing_bytes", json_object_new_int64((int64_t)(len - q.end))) < 0) {
		json_object_put(obj);
		return -ENOMEM;
	}
	*out = obj;
	return 0;
}

void tdx_inspect_print_text(json_object *obj, FILE *f)
{
	json_object_object_foreach(obj, key, val) {
		if (json_object_is_type(val, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(val); i++)
				fprintf(f, "%s%zu: %s\n", key, i,
					json_object_get_string(json_object_array_get_idx(val, i)));
		} else {
			fprintf(f, "%s: %s\n", key, val ? json_object_get_string(val) : "-");
		}
	}
}
