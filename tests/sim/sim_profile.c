/* SPDX-License-Identifier: Apache-2.0 */
#include "sim_platform.h"
#include "sim_ossl.h"
#include "sim_quote.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#define PROFILE_MAX (64u * 1024)
#define MRTD_SEED "tdx-unlock simulator MRTD"
#define MRSEAM_SEED "tdx-unlock simulator TDX module"

struct field {
	const char *key;
	size_t off, len;
};

#define F(k, member) { k, offsetof(struct tdx_td_info, member), sizeof(((struct tdx_td_info *)0)->member) }
static const struct field fields[] = {
	F("mr_td", mr_td),
	{ "rtmr0", offsetof(struct tdx_td_info, rtmr[0]), TDX_MR_LEN },
	{ "rtmr1", offsetof(struct tdx_td_info, rtmr[1]), TDX_MR_LEN },
	{ "rtmr2", offsetof(struct tdx_td_info, rtmr[2]), TDX_MR_LEN },
	{ "rtmr3", offsetof(struct tdx_td_info, rtmr[3]), TDX_MR_LEN },
	F("mr_config_id", mr_config_id),
	F("mr_owner", mr_owner),
	F("mr_owner_config", mr_owner_config),
	F("td_attributes", td_attributes),
	F("xfam", xfam),
	F("mr_seam", mr_seam),
	F("tee_tcb_svn", tee_tcb_svn),
	F("tee_tcb_svn2", tee_tcb_svn2),
	F("mr_servicetd", mr_servicetd),
};
#undef F

int sim_profile_default(struct tdx_td_info *td)
{
	static const uint8_t attributes[8] = { 0x00, 0x00, 0x00, 0x10, 0, 0, 0, 0 };
	static const uint8_t xfam[8] = { 0xe7, 0x02, 0x06, 0x00, 0, 0, 0, 0 };
	int r;

	memset(td, 0, sizeof(*td));
	memcpy(td->td_attributes, attributes, 8);
	memcpy(td->xfam, xfam, 8);
	memcpy(td->tee_tcb_svn, sim_platform.tee_tcb_svn, 16);
	memcpy(td->tee_tcb_svn2, sim_platform.tee_tcb_svn, 16);
	td->has_tdx15 = true;
	r = sim_sha384(MRTD_SEED, strlen(MRTD_SEED), td->mr_td);
	if (r == 0)
		r = sim_sha384(MRSEAM_SEED, strlen(MRSEAM_SEED), td->mr_seam);
	for (int i = 0; i < 3 && r == 0; i++) {
		char s[32];
		int n = snprintf(s, sizeof(s), "tdx-unlock simulator RTMR%d", i);

		r = sim_sha384(s, (size_t)n, td->rtmr[i]);
	}
	return r;
}

static int apply(json_object *obj, struct tdx_td_info *td, const char *src)
{
	bool svn2_given = false;

	json_object_object_foreach(obj, key, val) {
		const struct field *f = NULL;
		uint8_t buf[TDX_MR_LEN];
		const char *hex;

		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strcmp(key, fields[i].key) == 0)
				f = &fields[i];
		if (!f)
			return log_errno(-EINVAL, "%s: unknown key \"%s\" (see tdx-sim --help)", src, key);
		if (!json_object_is_type(val, json_type_string))
			return log_errno(-EINVAL, "%s: \"%s\" must be a hex string", src, key);
		hex = json_object_get_string(val);
		if (strlen(hex) != 2 * f->len || hex_decode(hex, buf, sizeof(buf)) != (int)f->len)
			return log_errno(-EINVAL, "%s: \"%s\" must be %zu hex digits", src, key, 2 * f->len);
		memcpy((uint8_t *)td + f->off, buf, f->len);
		if (strcmp(key, "tee_tcb_svn2") == 0)
			svn2_given = true;
	}
	if (!svn2_given)
		memcpy(td->tee_tcb_svn2, td->tee_tcb_svn, 16);
	return 0;
}

static int parse(const char *json, struct tdx_td_info *td, const char *src)
{
	enum json_tokener_error jerr;
	json_object *obj;
	int r;

	r = sim_profile_default(td);
	if (r < 0)
		return r;
	obj = json_tokener_parse_verbose(json, &jerr);
	if (!obj)
		return log_errno(-EINVAL, "%s: invalid JSON: %s", src, json_tokener_error_desc(jerr));
	if (!json_object_is_type(obj, json_type_object))
		r = log_errno(-EINVAL, "%s: a TD profile must be a JSON object", src);
	else
		r = apply(obj, td, src);
	json_object_put(obj);
	return r;
}

int sim_profile_parse(const char *json, struct tdx_td_info *td)
{
	return parse(json, td, "TD profile");
}

int sim_profile_load(const char *path, struct tdx_td_info *td)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int r;

	r = file_read_all(path, PROFILE_MAX, &buf, &len);
	if (r < 0)
		return log_errno(r, "cannot read the TD profile %s: check the path (max 64 KiB)", path);
	if (strlen((char *)buf) != len)
		return log_errno(-EINVAL, "%s: TD profile contains a NUL byte", path);
	return parse((char *)buf, td, path);
}

char *sim_profile_to_json(const struct tdx_td_info *td)
{
	json_object *obj = json_object_new_object();
	char *out = NULL;

	for (size_t i = 0; obj && i < sizeof(fields) / sizeof(fields[0]); i++) {
		char hex[2 * TDX_MR_LEN + 1];
		json_object *v;

		hex_encode((const uint8_t *)td + fields[i].off, fields[i].len, hex);
		v = json_object_new_string(hex);
		if (!v || json_object_object_add(obj, fields[i].key, v) < 0) {
			json_object_put(v);
			json_object_put(obj);
			return NULL;
		}
	}
	if (obj)
		out = strdup(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
	return out;
}
