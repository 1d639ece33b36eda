/* SPDX-License-Identifier: Apache-2.0 */
/* A boot-component policy pinned from one boot's facts (policy-from-quote --eventlog). */
#include "boot_policy.h"
#include "boot_facts.h"
#include "../common/hex.h"
#include "../tdx/eventlog_decode.h"

#include <errno.h>
#include <string.h>

static int add_str(json_object *arr, const char *s)
{
	json_object *v = json_object_new_string(s);

	if (!v || json_object_array_add(arr, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/* Adds s to the list member key of o unless it is there already. */
static int add_unique(json_object *o, const char *key, const char *s)
{
	json_object *arr;

	if (!json_object_object_get_ex(o, key, &arr)) {
		arr = json_object_new_array();
		if (!arr || json_object_object_add(o, key, arr) < 0) {
			json_object_put(arr);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s))
			return 0;
	return add_str(arr, s);
}

int vf_boot_policy_from_facts(const struct vf_boot_facts *f, json_object *o)
{
	json_object *layouts = json_object_new_array(), *l = json_object_new_object(),
		    *r1 = json_object_new_array(), *r2 = json_object_new_array();
	int r = layouts && l && r1 && r2 ? 0 : -ENOMEM;

	if (r == 0 && f->overflow)
		r = -E2BIG;
	if (r == 0 && (json_object_object_add(l, "rtmr1", r1) < 0 || (r1 = NULL, json_object_object_add(l, "rtmr2", r2) < 0)))
		r = -ENOMEM;
	else if (r == 0)
		r2 = NULL;
	if (r == 0 && (json_object_array_add(layouts, l) < 0 || (l = NULL, json_object_object_add(o, "boot_events", layouts) < 0)))
		r = -ENOMEM;
	else if (r == 0)
		layouts = NULL;
	json_object_put(r1);
	json_object_put(r2);
	json_object_put(l);
	json_object_put(layouts);
	if (r < 0)
		return r;
	json_object_object_get_ex(o, "boot_events", &layouts);
	l = json_object_array_get_idx(layouts, 0);
	for (unsigned i = 0; r == 0 && i < f->n; i++) {
		const struct vf_boot_event *e = &f->ev[i];
		json_object *slots = json_object_object_get(l, e->rtmr == 1 ? "rtmr1" : "rtmr2");
		char hex[2 * TDX_MR_LEN + 1];

		hex_encode(e->digest, TDX_MR_LEN, hex);
		switch (e->kind) {
		case CCEL_KERNEL:
			r = add_str(slots, "kernel");
			if (r == 0)
				r = add_unique(o, "kernel", hex);
			break;
		case CCEL_INITRD:
			r = add_str(slots, "initrd");
			if (r == 0)
				r = add_unique(o, "initrd", hex);
			break;
		case CCEL_CMDLINE:
		case CCEL_GRUB_CMDLINE: {
			bool cut = true;
			const char *text = vf_boot_facts_grub_text(f, e, &cut);

			r = add_str(slots, "cmdline");
			if (r == 0 && text && !cut) /* grub's whole text: a readable policy string */
				r = add_unique(o, "cmdline", text);
			else if (r == 0)
				r = add_unique(o, "cmdline_digest", hex);
			break;
		}
		default:
			r = add_str(slots, hex);
		}
	}
	return r;
}
