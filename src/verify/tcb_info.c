/* SPDX-License-Identifier: Apache-2.0 */
/* TDX TCB Info v3 (tdx-formats.md §8.4), parsed from the signed member slice. */
#include "json_fields.h"

#include <errno.h>
#include <string.h>

static void module_free(struct vf_module_identity *m)
{
	vf_isv_levels_free(m->levels, m->n_levels);
	m->levels = NULL;
	m->n_levels = 0;
}

void vf_tcb_info_free(struct vf_tcb_info *t)
{
	module_free(&t->module);
	for (unsigned i = 0; t->module_ids && i < t->n_module_ids; i++)
		module_free(&t->module_ids[i]);
	free(t->module_ids);
	for (unsigned i = 0; t->levels && i < t->n_levels; i++)
		free(t->levels[i].adv);
	free(t->levels);
	memset(t, 0, sizeof(*t));
}

/* {"mrsigner":…,"attributes":…,"attributesMask":…} (+ "id", "tcbLevels" for identities) */
static int parse_module(json_object *o, struct vf_module_identity *m, bool identity)
{
	if (!json_object_is_type(o, json_type_object) ||
	    vf_jget_hex(o, "mrsigner", m->mrsigner, 48) < 0 ||
	    vf_jget_hex(o, "attributes", m->attributes, 8) < 0 ||
	    vf_jget_hex(o, "attributesMask", m->attributes_mask, 8) < 0)
		return -EBADMSG;
	if (!identity)
		return 0;
	if (vf_jget_str(o, "id", m->id, sizeof(m->id)) < 0)
		return -EBADMSG;
	return vf_jget_isv_levels(o, &m->levels, &m->n_levels);
}

/* sgxtcbcomponents / tdxtcbcomponents: 16 x {"svn":N,...} */
static int parse_components(json_object *tcb, const char *key, int svn[16])
{
	json_object *arr = vf_jget_array(tcb, key, 16, 16);

	if (!arr)
		return -EBADMSG;
	for (size_t i = 0; i < 16; i++) {
		json_object *c = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(c, json_type_object) ||
		    vf_jget_int(c, "svn", 0, 65535, &svn[i]) < 0)
			return -EBADMSG;
	}
	return 0;
}

static int parse_level(json_object *o, struct vf_tcb_level *l)
{
	json_object *tcb;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "tcb", &tcb) || !json_object_is_type(tcb, json_type_object) ||
	    parse_components(tcb, "sgxtcbcomponents", l->sgx) < 0 ||
	    parse_components(tcb, "tdxtcbcomponents", l->tdx) < 0 ||
	    vf_jget_int(tcb, "pcesvn", 0, 65535, &l->pcesvn) < 0 ||
	    vf_jget_status(o, "tcbStatus", &l->status) < 0)
		return -EBADMSG;
	return vf_jget_advisories(o, &l->n_adv, &l->adv);
}

static int parse(json_object *o, struct vf_tcb_info *t, const char **why)
{
	json_object *arr, *mod;
	size_t n;
	int r;

	*why = "tcbInfo: missing or malformed id/version/issueDate/nextUpdate/fmspc/pceId";
	if (!json_object_is_type(o, json_type_object) ||
	    vf_jget_str(o, "id", t->id, sizeof(t->id)) < 0 ||
	    vf_jget_int(o, "version", 0, 1000, &t->version) < 0 ||
	    vf_jget_time(o, "issueDate", &t->issue_date) < 0 ||
	    vf_jget_time(o, "nextUpdate", &t->next_update) < 0 ||
	    vf_jget_hex(o, "fmspc", t->fmspc, 6) < 0 || vf_jget_hex(o, "pceId", t->pce_id, 2) < 0)
		return -EBADMSG;
	*why = "tcbInfo: malformed tdxModule";
	if (json_object_object_get_ex(o, "tdxModule", &mod)) {
		if (parse_module(mod, &t->module, false) < 0)
			return -EBADMSG;
		t->has_module = true;
	}
	*why = "tcbInfo: malformed tdxModuleIdentities";
	if (json_object_object_get_ex(o, "tdxModuleIdentities", &arr)) {
		if (!json_object_is_type(arr, json_type_array) ||
		    json_object_array_length(arr) > VF_MAX_MODULE_IDS)
			return -EBADMSG;
		n = json_object_array_length(arr);
		t->module_ids = calloc(n ? n : 1, sizeof(*t->module_ids));
		if (!t->module_ids)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			r = parse_module(json_object_array_get_idx(arr, i), &t->module_ids[i], true);
			t->n_module_ids = (unsigned)i + 1;
			if (r < 0)
				return r;
		}
	}
	*why = "tcbInfo: malformed tcbLevels";
	arr = vf_jget_array(o, "tcbLevels", 1, VF_MAX_TCB_LEVELS);
	if (!arr)
		return -EBADMSG;
	n = json_object_array_length(arr);
	t->levels = calloc(n, sizeof(*t->levels));
	if (!t->levels)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		r = parse_level(json_object_array_get_idx(arr, i), &t->levels[i]);
		t->n_levels = (unsigned)i + 1;
		if (r < 0)
			return r;
	}
	return 0;
}

int vf_tcb_info_parse(const char *slice, size_t len, struct vf_tcb_info *out, const char **why)
{
	json_object *o;
	int r;

	memset(out, 0, sizeof(*out));
	o = vf_json_parse(slice, len);
	if (!o) {
		*why = "tcbInfo is not valid JSON";
		return -EBADMSG;
	}
	r = parse(o, out, why);
	json_object_put(o);
	if (r < 0)
		vf_tcb_info_free(out);
	return r;
}
