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
	uint8_t fmspc[6];

	t = add(t, "version", num(3));
	t = add(t, "issueDate", date(s->issue_date));
	t = add(t, "nextUpdate", date(s->next_update));
	memcpy(fmspc, s->fmspc ? s->fmspc : p->fmspc, 6);
	if (s->mismatch)
		fmspc[5] ^= 0xff; /* 50C06F000000 -> 50C06F0000FF (sim_platform.fmspc_other) */
	t = add(t, "fmspc", hex_upper(fmspc, 6));
	t = add(t, "pceId", hex_upper(p->pce_id, 2));
	t = add(t, "tcbType", num(0));
	t = add(t, "tcbEvaluationDataNumber", num(s->tcb_eval ? s->tcb_eval : 17));
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
	q = add(q, "tcbEvaluationDataNumber", num(s->tcb_eval ? s->tcb_eval : 17));
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

int sim_json_sign(EVP_PKEY *key, const char *member, const char *text, bool bad_sig, char **out)
{
	uint8_t sig[64];
	char sig_hex[129];
	int r;

	r = sim_sign_raw(key, (const uint8_t *)text, strlen(text), sig);
	if (r < 0)
		return r;
	if (bad_sig)
		sig[63] ^= 0x01;
	hex_encode(sig, sizeof(sig), sig_hex);
	if (asprintf(out, "{\"%s\":%s,\"signature\":\"%s\"}", member, text, sig_hex) < 0) {
		*out = NULL;
		return log_errno(-ENOMEM, "cannot assemble the signed %s", member);
	}
	return 0;
}

/* Signs the exact bytes of the serialised member. */
static int build_signed(const char *member, json_object *inner, const struct sim_collateral_spec *s,
			char **out)
{
	const char *text;

	if (!inner)
		return log_errno(-ENOMEM, "cannot build the %s JSON", member);
	text = json_object_to_json_string_ext(inner, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		return log_errno(-ENOMEM, "cannot serialise the %s JSON", member);
	return sim_json_sign(s->signing_key, member, text, s->bad_sig, out);
}

static int write_doc(const char *path, const char *doc)
{
	_cleanup_free_ char *line = NULL;
	int n = asprintf(&line, "%s\n", doc);
	int r;

	if (n < 0) {
		line = NULL;
		return log_errno(-ENOMEM, "cannot assemble %s", path);
	}
	r = file_write_all(path, (const uint8_t *)line, (size_t)n, 0644);
	if (r < 0)
		return log_errno(r, "cannot write %s: check the directory permissions", path);
	return 0;
}

int sim_tcb_info_build(const struct sim_collateral_spec *spec, char **out)
{
	_cleanup_json_ json_object *t = tcb_info(spec);

	return build_signed("tcbInfo", t, spec, out);
}

int sim_qe_identity_build(const struct sim_collateral_spec *spec, char **out)
{
	_cleanup_json_ json_object *q = qe_identity(spec);

	return build_signed("enclaveIdentity", q, spec, out);
}

int sim_tcb_info_write(const char *path, const struct sim_collateral_spec *spec)
{
	_cleanup_free_ char *doc = NULL;
	int r = sim_tcb_info_build(spec, &doc);

	return r < 0 ? r : write_doc(path, doc);
}

int sim_qe_identity_write(const char *path, const struct sim_collateral_spec *spec)
{
	_cleanup_free_ char *doc = NULL;
	int r = sim_qe_identity_build(spec, &doc);

	return r < 0 ? r : write_doc(path, doc);
}
