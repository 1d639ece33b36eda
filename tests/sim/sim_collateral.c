/* SPDX-License-Identifier: Apache-2.0 */
#include "sim_collateral.h"
#include "sim_ossl.h"
#include "sim_platform.h"
#include "sim_time.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

static void json_putp(json_object **o) { json_object_put(*o); }
#define _cleanup_json_ __attribute__((cleanup(json_putp)))

/* Construction helpers: a NULL value (allocation failure) propagates to the caller's
 * final NULL check, so builders stay linear. */
static json_object *add(json_object *obj, const char *key, json_object *val)
{
	if (!obj || !val || json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static json_object *push(json_object *arr, json_object *val)
{
	if (!arr || !val || json_object_array_add(arr, val) < 0) {
		json_object_put(val);
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

static json_object *hex_upper(const uint8_t *p, size_t len)
{
	char buf[2 * 64 + 1];

	if (len > 64)
		return NULL;
	hex_encode(p, len, buf);
	for (char *c = buf; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	return json_object_new_string(buf);
}

static json_object *date(time_t t)
{
	char buf[32];

	return sim_time_format(t, buf, sizeof(buf)) < 0 ? NULL : json_object_new_string(buf);
}

static json_object *str(const char *s) { return json_object_new_string(s); }
static json_object *num(int v) { return json_object_new_int(v); }

/* One tcbLevels entry: {"tcb":tcb,"tcbDate":...,"tcbStatus":...[,"advisoryIDs":[...]]} */
static json_object *level(json_object *tcb, const char *tcb_date, const char *status,
			  const char *const *advisories)
{
	json_object *l = add(json_object_new_object(), "tcb", tcb);

	l = add(l, "tcbDate", str(tcb_date));
	l = add(l, "tcbStatus", str(status));
	if (advisories) {
		json_object *ids = json_object_new_array();

		for (; *advisories; advisories++)
			ids = push(ids, str(*advisories));
		l = add(l, "advisoryIDs", ids);
	}
	return l;
}

static json_object *isvsvn_level(int svn, const char *tcb_date, const char *status,
				 const char *const *advisories)
{
	return level(add(json_object_new_object(), "isvsvn", num(svn)), tcb_date, status, advisories);
}

static json_object *components(const uint8_t svn[16], const char *const names[][2])
{
	json_object *arr = json_object_new_array();

	for (int i = 0; i < 16; i++) {
		json_object *c = add(json_object_new_object(), "svn", num(svn[i]));

		if (names[i][0])
			c = add(c, "category", str(names[i][0]));
		if (names[i][1])
			c = add(c, "type", str(names[i][1]));
		arr = push(arr, c);
	}
	return arr;
}

static const char *const sgx_names[16][2] = {
	{ "BIOS", "Early Microcode Update" }, { "OS/VMM", "SGX Late Microcode Update" },
	{ "OS/VMM", "TXT SINIT" }, { "BIOS", NULL }, { "BIOS", NULL }, { "BIOS", NULL },
};
static const char *const tdx_names[16][2] = {
	{ "OS/VMM", "TDX Module" }, { "OS/VMM", "TDX Module" },
	{ "OS/VMM", "TDX Late Microcode Update" },
};

static json_object *platform_level(const uint8_t sgx[16], int pcesvn, const uint8_t tdx[16],
				   const char *tcb_date, const char *status,
				   const char *const *advisories)
{
	json_object *tcb = add(json_object_new_object(), "sgxtcbcomponents", components(sgx, sgx_names));

	tcb = add(tcb, "pcesvn", num(pcesvn));
	tcb = add(tcb, "tdxtcbcomponents", components(tdx, tdx_names));
	return level(tcb, tcb_date, status, advisories);
}

static json_object *module_identity(const char *id, int uptodate_svn)
{
	static const uint8_t zero[48];
	static const uint8_t ones[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	json_object *m = add(json_object_new_object(), "id", str(id));
	json_object *levels = json_object_new_array();

	m = add(m, "mrsigner", hex_upper(zero, 48));
	m = add(m, "attributes", hex_upper(zero, 8));
	m = add(m, "attributesMask", hex_upper(ones, 8));
	levels = push(levels, isvsvn_level(uptodate_svn, "2024-03-13T00:00:00Z", "UpToDate", NULL));
	levels = push(levels, isvsvn_level(uptodate_svn - 1, "2023-08-09T00:00:00Z", "OutOfDate", NULL));
	return add(m, "tcbLevels", levels);
}

static json_object *tcb_info(const struct sim_collateral_spec *s)
{
	static const uint8_t zero[48];
	static const uint8_t ones[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t old_sgx[16] = { 2, 2, 2, 2, 2, 1, 0, 3 };
	static const uint8_t old_tdx[16] = { 2, 0, 1 };
	static const char *const advisories[] = { "INTEL-SA-00837", "INTEL-SA-00960", NULL };
	const struct sim_platform *p = &sim_platform;
	json_object *t = add(json_object_new_object(), "id", str("TDX"));
	json_object *module = add(json_object_new_object(), "mrsigner", hex_upper(zero, 48));
	json_object *ids = json_object_new_array();
	json_object *levels = json_object_new_array();

	t = add(t, "version", num(3));
	t = add(t, "issueDate", date(s->issue_date));
	t = add(t, "nextUpdate", date(s->next_update));
	t = add(t, "fmspc", hex_upper(s->mismatch ? p->fmspc_other : p->fmspc, 6));
	t = add(t, "pceId", hex_upper(p->pce_id, 2));
	t = add(t, "tcbType", num(0));
	t = add(t, "tcbEvaluationDataNumber", num(17));
	module = add(module, "attributes", hex_upper(zero, 8));
	module = add(module, "attributesMask", hex_upper(ones, 8));
	t = add(t, "tdxModule", module);
	/* TDX_03 first, so a verifier must select the identity by TEE_TCB_SVN[1]. */
	ids = push(ids, module_identity("TDX_03", 5));
	ids = push(ids, module_identity(SIM_TDX_MODULE_ID, p->tee_tcb_svn[0]));
	t = add(t, "tdxModuleIdentities", ids);
	levels = push(levels, platform_level(p->sgx_svn, p->pcesvn, p->tdx_level_svn,
					     "2024-03-13T00:00:00Z", "UpToDate", NULL));
	levels = push(levels, platform_level(old_sgx, 11, old_tdx, "2023-08-09T00:00:00Z",
					     "OutOfDate", advisories));
	return add(t, "tcbLevels", levels);
}

static json_object *qe_identity(const struct sim_collateral_spec *s)
{
	static const uint8_t attr_mask[16] = { 0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t misc_mask[4] = { 0xff, 0xff, 0xff, 0xff };
	static const char *const advisories[] = { "INTEL-SA-00837", NULL };
	const struct sim_platform *p = &sim_platform;
	uint8_t attr[16], misc[4];
	json_object *q = add(json_object_new_object(), "id", str("TD_QE"));
	json_object *levels = json_object_new_array();

	for (int i = 0; i < 16; i++)
		attr[i] = p->qe_attributes[i] & attr_mask[i];
	for (int i = 0; i < 4; i++)
		misc[i] = (uint8_t)(p->qe_miscselect >> (8 * i)); /* little-endian u32 as hex */
	q = add(q, "version", num(2));
	q = add(q, "issueDate", date(s->issue_date));
	q = add(q, "nextUpdate", date(s->next_update));
	q = add(q, "tcbEvaluationDataNumber", num(17));
	q = add(q, "miscselect", hex_upper(misc, 4));
	q = add(q, "miscselectMask", hex_upper(misc_mask, 4));
	q = add(q, "attributes", hex_upper(attr, 16));
	q = add(q, "attributesMask", hex_upper(attr_mask, 16));
	q = add(q, "mrsigner", hex_upper(s->mismatch ? p->qe_mrsigner_other : p->qe_mrsigner, 32));
	q = add(q, "isvprodid", num(p->qe_isvprodid));
	levels = push(levels, isvsvn_level(p->qe_isvsvn, "2024-03-13T00:00:00Z", "UpToDate", NULL));
	levels = push(levels, isvsvn_level(p->qe_isvsvn - 1, "2023-08-09T00:00:00Z", "OutOfDate",
					   advisories));
	return add(q, "tcbLevels", levels);
}

/* Writes {"<member>":<inner as serialised>,"signature":"<128 hex>"}\n, signing the exact
 * bytes of the serialised member. */
static int write_signed(const char *path, const char *member, json_object *inner,
			const struct sim_collateral_spec *s)
{
	_cleanup_free_ char *out = NULL;
	const char *text;
	uint8_t sig[64];
	char sig_hex[129];
	int n, r;

	if (!inner)
		return log_errno(-ENOMEM, "cannot build the %s JSON", member);
	text = json_object_to_json_string_ext(inner, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		return log_errno(-ENOMEM, "cannot serialise the %s JSON", member);
	r = sim_sign_raw(s->signing_key, (const uint8_t *)text, strlen(text), sig);
	if (r < 0)
		return r;
	if (s->bad_sig)
		sig[63] ^= 0x01;
	hex_encode(sig, sizeof(sig), sig_hex);
	n = asprintf(&out, "{\"%s\":%s,\"signature\":\"%s\"}\n", member, text, sig_hex);
	if (n < 0) {
		out = NULL;
		return log_errno(-ENOMEM, "cannot assemble %s", path);
	}
	r = file_write_all(path, (const uint8_t *)out, (size_t)n, 0644);
	if (r < 0)
		return log_errno(r, "cannot write %s: check the directory permissions", path);
	return 0;
}

int sim_tcb_info_write(const char *path, const struct sim_collateral_spec *spec)
{
	_cleanup_json_ json_object *t = tcb_info(spec);

	return write_signed(path, "tcbInfo", t, spec);
}

int sim_qe_identity_write(const char *path, const struct sim_collateral_spec *spec)
{
	_cleanup_json_ json_object *q = qe_identity(spec);

	return write_signed(path, "enclaveIdentity", q, spec);
}
