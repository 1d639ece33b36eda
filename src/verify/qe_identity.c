/* SPDX-License-Identifier: Apache-2.0 */
/* TD QE Identity v2 (tdx-formats.md §8.5), parsed from the signed member slice. */
#include "json_fields.h"

#include <errno.h>
#include <string.h>

void vf_qe_identity_free(struct vf_qe_identity *q)
{
	vf_isv_levels_free(q->levels, q->n_levels);
	memset(q, 0, sizeof(*q));
}

static int parse(json_object *o, struct vf_qe_identity *q, const char **why)
{
	*why = "enclaveIdentity: missing or malformed id/version/issueDate/nextUpdate";
	if (!json_object_is_type(o, json_type_object) ||
	    vf_jget_str(o, "id", q->id, sizeof(q->id)) < 0 ||
	    vf_jget_int(o, "version", 0, 1000, &q->version) < 0 ||
	    vf_jget_time(o, "issueDate", &q->issue_date) < 0 ||
	    vf_jget_time(o, "nextUpdate", &q->next_update) < 0)
		return -EBADMSG;
	*why = "enclaveIdentity: malformed miscselect/attributes/mrsigner/isvprodid";
	if (vf_jget_hex(o, "miscselect", q->miscselect, 4) < 0 ||
	    vf_jget_hex(o, "miscselectMask", q->miscselect_mask, 4) < 0 ||
	    vf_jget_hex(o, "attributes", q->attributes, 16) < 0 ||
	    vf_jget_hex(o, "attributesMask", q->attributes_mask, 16) < 0 ||
	    vf_jget_hex(o, "mrsigner", q->mrsigner, 32) < 0 ||
	    vf_jget_int(o, "isvprodid", 0, 65535, &q->isvprodid) < 0)
		return -EBADMSG;
	*why = "enclaveIdentity: malformed tcbLevels";
	return vf_jget_isv_levels(o, &q->levels, &q->n_levels);
}

int vf_qe_identity_parse(const char *slice, size_t len, struct vf_qe_identity *out,
			 const char **why)
{
	json_object *o;
	int r;

	memset(out, 0, sizeof(*out));
	o = vf_json_parse(slice, len);
	if (!o) {
		*why = "enclaveIdentity is not valid JSON";
		return -EBADMSG;
	}
	r = parse(o, out, why);
	json_object_put(o);
	if (r < 0)
		vf_qe_identity_free(out);
	return r;
}
