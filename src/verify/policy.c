/* SPDX-License-Identifier: Apache-2.0 */
/* TD policy: parsing (strict), evaluation, and a policy pinned to one TD (policy.h). */
#include "policy.h"
#include "boot_policy.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/hex.h"
#include "../common/log.h"
#include "../tdx/td_json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_VALUES 256
#define POLICY_MAX (1u << 20)

enum field { F_MR_TD, F_RTMR0, F_RTMR1, F_RTMR2, F_RTMR3, F_MR_CONFIG_ID, F_MR_OWNER,
	     F_MR_OWNER_CONFIG, F_MR_SEAM, F_XFAM, F_TD_ATTRIBUTES, F_MR_SERVICETD, F_TEE_TCB_SVN2,
	     F_COUNT };

static const struct {
	const char *name;
	size_t len;
} fields[F_COUNT] = {
	[F_MR_TD] = { "mr_td", 48 }, [F_RTMR0] = { "rtmr0", 48 }, [F_RTMR1] = { "rtmr1", 48 },
	[F_RTMR2] = { "rtmr2", 48 }, [F_RTMR3] = { "rtmr3", 48 },
	[F_MR_CONFIG_ID] = { "mr_config_id", 48 }, [F_MR_OWNER] = { "mr_owner", 48 },
	[F_MR_OWNER_CONFIG] = { "mr_owner_config", 48 }, [F_MR_SEAM] = { "mr_seam", 48 },
	[F_XFAM] = { "xfam", 8 }, [F_TD_ATTRIBUTES] = { "td_attributes", 8 },
	/* TDX 1.5 only (quote v5 body type 3, TDREPORT): see td_field() */
	[F_MR_SERVICETD] = { "mr_servicetd", 48 }, [F_TEE_TCB_SVN2] = { "tee_tcb_svn2", 16 },
};

struct vf_policy {
	bool present[F_COUNT];
	unsigned n[F_COUNT];
	uint8_t (*values[F_COUNT])[48];
	bool allow_debug;
	unsigned tcb_ok; /* bit per enum vf_tcb_status */
	struct vf_boot_policy *boot; /* kernel, initrd, cmdline, boot_events; NULL = none */
};

void vf_policy_free(struct vf_policy *p)
{
	if (!p)
		return;
	for (int f = 0; f < F_COUNT; f++)
		free(p->values[f]);
	vf_boot_policy_free(p->boot);
	free(p);
}

int vf_perr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int parse_list(struct vf_policy *p, enum field f, json_object *v, char *err, size_t elen)
{
	size_t n, want = fields[f].len;

	if (!json_object_is_type(v, json_type_array))
		return vf_perr(err, elen, "policy key \"%s\": expected an array of hex strings", fields[f].name);
	n = json_object_array_length(v);
	if (n > MAX_VALUES)
		return vf_perr(err, elen, "policy key \"%s\": more than %d values", fields[f].name, MAX_VALUES);
	p->values[f] = calloc(n ? n : 1, sizeof(*p->values[f]));
	if (!p->values[f])
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(v, i);

		if (!json_object_is_type(s, json_type_string) ||
		    (size_t)json_object_get_string_len(s) != 2 * want ||
		    hex_decode(json_object_get_string(s), p->values[f][i], want) != (int)want)
			return vf_perr(err, elen, "policy key \"%s\"[%zu]: expected %zu hex digits",
				       fields[f].name, i, 2 * want);
	}
	p->n[f] = (unsigned)n;
	p->present[f] = true;
	return 0;
}

static int parse_tcb(struct vf_policy *p, json_object *v, char *err, size_t elen)
{
	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) > 16)
		return vf_perr(err, elen, "policy key \"tcb_status\": expected an array of TCB status names");
	p->tcb_ok = 0;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *s = json_object_array_get_idx(v, i);
		enum vf_tcb_status st;

		if (!json_object_is_type(s, json_type_string) ||
		    vf_tcb_status_parse(json_object_get_string(s), &st) < 0)
			return vf_perr(err, elen, "policy key \"tcb_status\"[%zu]: not a TCB status "
				       "(UpToDate, SWHardeningNeeded, ConfigurationNeeded, "
				       "ConfigurationAndSWHardeningNeeded, OutOfDate, "
				       "OutOfDateConfigurationNeeded, Revoked)", i);
		p->tcb_ok |= 1u << st;
	}
	return 0;
}

static int parse_obj(struct vf_policy *p, json_object *o, char *err, size_t elen)
{
	if (!json_object_is_type(o, json_type_object))
		return vf_perr(err, elen, "policy: expected a JSON object");
	json_object_object_foreach(o, key, v) {
		int f, r;

		for (f = 0; f < F_COUNT && strcmp(key, fields[f].name) != 0; f++)
			;
		if (f < F_COUNT)
			r = parse_list(p, (enum field)f, v, err, elen);
		else if (strcmp(key, "allow_debug") == 0) {
			if (!json_object_is_type(v, json_type_boolean))
				return vf_perr(err, elen, "policy key \"allow_debug\": expected true or false");
			p->allow_debug = json_object_get_boolean(v);
			r = 0;
		} else if (strcmp(key, "tcb_status") == 0)
			r = parse_tcb(p, v, err, elen);
		else if ((r = vf_boot_policy_member(&p->boot, key, v, err, elen)) == 0)
			return vf_perr(err, elen, "policy: unknown key \"%s\"", key);
		if (r < 0)
			return r;
	}
	return 0;
}

int vf_policy_parse(const char *text, size_t len, struct vf_policy **out, char *err, size_t elen)
{
	struct vf_policy *p;
	json_tokener *tok;
	json_object *o;
	int r;

	if (len > POLICY_MAX)
		return vf_perr(err, elen, "policy larger than 1 MiB");
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, text, (int)len);
	/* only white space may follow the object (text need not end in a NUL: no strspn) */
	for (size_t i = o ? json_tokener_get_parse_end(tok) : len; i < len; i++)
		if (!strchr(" \t\r\n", text[i]) || !text[i]) {
			json_object_put(o);
			o = NULL;
			break;
		}
	json_tokener_free(tok);
	if (!o)
		return vf_perr(err, elen, "policy is not valid JSON");
	p = calloc(1, sizeof(*p));
	if (!p) {
		json_object_put(o);
		return -ENOMEM;
	}
	p->tcb_ok = 1u << VF_TCB_UP_TO_DATE;
	r = parse_obj(p, o, err, elen);
	if (r >= 0)
		r = vf_boot_policy_finish(p->boot, p->present[F_RTMR1], err, elen);
	json_object_put(o);
	if (r < 0) {
		vf_policy_free(p);
		return r;
	}
	*out = p;
	return 0;
}

int vf_policy_load(const char *path, struct vf_policy **out)
{
	_cleanup_free_ uint8_t *buf = NULL;
	char err[256];
	size_t len;
	int r;

	r = file_read_all(path, POLICY_MAX, &buf, &len);
	if (r < 0)
		return log_errno(r, "cannot read policy %s", path);
	r = vf_policy_parse((const char *)buf, len, out, err, sizeof(err));
	if (r == -EINVAL)
		log_err("%s: %s", path, err);
	else if (r < 0)
		log_errno(r, "policy %s", path);
	return r;
}

/* NULL when the TD's evidence does not have the field: a TDX 1.0 body (quote v4, v5 body
 * type 2) has no MRSERVICETD / TEE_TCB_SVN2, and a policy that lists them refuses it (an
 * absent value is not a zero value). */
static const uint8_t *td_field(const struct tdx_td_info *td, enum field f)
{
	switch (f) {
	case F_MR_SERVICETD: return td->has_tdx15 ? td->mr_servicetd : NULL;
	case F_TEE_TCB_SVN2: return td->has_tdx15 ? td->tee_tcb_svn2 : NULL;
	case F_MR_TD: return td->mr_td;
	case F_RTMR0: case F_RTMR1: case F_RTMR2: case F_RTMR3: return td->rtmr[f - F_RTMR0];
	case F_MR_CONFIG_ID: return td->mr_config_id;
	case F_MR_OWNER: return td->mr_owner;
	case F_MR_OWNER_CONFIG: return td->mr_owner_config;
	case F_MR_SEAM: return td->mr_seam;
	case F_XFAM: return td->xfam;
	case F_TD_ATTRIBUTES: return td->td_attributes;
	default: return NULL;
	}
}

bool vf_policy_eval(const struct vf_policy *p, const struct vf_claims *c, char *reason, size_t len)
{
	const struct tdx_td_info *td = &c->td;
	enum vf_tcb_status tcb_status = c->tcb_status;
	char hex[97];

	if (tdx_td_is_debug(td) && !p->allow_debug) {
		snprintf(reason, len, "debug TD (td_attributes bit 0) not allowed by allow_debug");
		return false;
	}
	if (tcb_status >= VF_TCB_NOT_SUPPORTED || !(p->tcb_ok & (1u << tcb_status))) {
		snprintf(reason, len, "tcb_status %s not in the policy's tcb_status list",
			 vf_tcb_status_name(tcb_status));
		return false;
	}
	for (int f = 0; f < F_COUNT; f++) {
		const uint8_t *v = td_field(td, (enum field)f);
		bool found = false;

		if (!p->present[f])
			continue;
		if (!v) {
			snprintf(reason, len, "%s required by the policy, but the quote has no TDX 1.5 body "
				 "(quote v4 or v5 body type 2)", fields[f].name);
			return false;
		}
		for (unsigned i = 0; i < p->n[f] && !found; i++)
			found = memcmp(p->values[f][i], v, fields[f].len) == 0;
		if (!found) {
			hex_encode(v, fields[f].len, hex);
			snprintf(reason, len, "%s %s not in the policy's allowed values", fields[f].name, hex);
			return false;
		}
	}
	if (!vf_boot_policy_eval(p->boot, &c->boot, reason, len))
		return false;
	if (len)
		reason[0] = '\0';
	return true;
}

static int add_list(json_object *o, const char *key, const uint8_t *v, size_t len)
{
	json_object *a = json_object_new_array(), *s = json_hex(v, len);

	if (!a || !s || json_object_array_add(a, s) < 0 || json_object_object_add(o, key, a) < 0) {
		json_object_put(s);
		json_object_put(a);
		return -ENOMEM;
	}
	return 0;
}

int vf_policy_from_td(const struct tdx_td_info *td, unsigned flags, json_object **out)
{
	/* The TD's own identity. MROWNER, MROWNERCONFIG (host-set at TD creation, zero unless
	 * used) and MRSERVICETD (a service TD bound to this one, e.g. a migration TD, can read
	 * its state; zero = none) are pinned too: a changed value is another TD. */
	static const enum field pinned[] = { F_MR_TD, F_RTMR0, F_RTMR1, F_RTMR2, F_RTMR3,
					     F_MR_CONFIG_ID, F_MR_OWNER, F_MR_OWNER_CONFIG,
					     F_XFAM, F_TD_ATTRIBUTES, F_MR_SERVICETD };
	/* The TDX module: changes with every module update of the host, which tcb_status
	 * already grades against Intel's collateral; pinned only when asked. */
	static const enum field module[] = { F_MR_SEAM, F_TEE_TCB_SVN2 };
	json_object *o = json_object_new_object(), *tcb = json_object_new_array();
	int r = o && tcb ? 0 : -ENOMEM;

	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(pinned) + ARRAY_SIZE(module); i++) {
		enum field f = i < ARRAY_SIZE(pinned) ? pinned[i] : module[i - ARRAY_SIZE(pinned)];
		const uint8_t *v = td_field(td, f);

		if (!v || (i >= ARRAY_SIZE(pinned) && !(flags & VF_PIN_MODULE)))
			continue; /* not in this TD's evidence, or not asked for */
		r = add_list(o, fields[f].name, v, fields[f].len);
	}
	if (r == 0 && json_object_object_add(o, "allow_debug", json_object_new_boolean(0)) < 0)
		r = -ENOMEM;
	if (r == 0 && json_object_array_add(tcb, json_object_new_string("UpToDate")) < 0)
		r = -ENOMEM;
	if (r == 0 && json_object_object_add(o, "tcb_status", tcb) < 0)
		r = -ENOMEM;
	else if (r == 0)
		tcb = NULL;
	json_object_put(tcb);
	if (r < 0) {
		json_object_put(o);
		return r;
	}
	*out = o;
	return 0;
}
