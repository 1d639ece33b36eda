/* SPDX-License-Identifier: Apache-2.0 */
/* TD policy: strict loading, allow/deny per key, debug denied by default, pinned policy. */
#include "testutil.h"
#include "verify/policy.h"
#include "common/hex.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void sample_td(struct tdx_td_info *td)
{
	memset(td, 0, sizeof(*td));
	memset(td->mr_td, 0x11, 48);
	for (int i = 0; i < 4; i++)
		memset(td->rtmr[i], 0x20 + i, 48);
	memset(td->mr_config_id, 0x33, 48);
	memset(td->mr_owner, 0x44, 48);
	memset(td->mr_owner_config, 0x55, 48);
	memset(td->mr_seam, 0x66, 48);
	memcpy(td->xfam, "\xe7\x02\x06\x00\x00\x00\x00\x00", 8);
	memcpy(td->td_attributes, "\x00\x00\x00\x10\x00\x00\x00\x00", 8);
	td->has_tdx15 = true;
	memset(td->mr_servicetd, 0x77, 48);
	memset(td->tee_tcb_svn2, 0x08, 16);
}

static struct vf_policy *load(const char *text)
{
	struct vf_policy *p = NULL;
	char err[256] = "";
	int r = vf_policy_parse(text, strlen(text), &p, err, sizeof(err));

	if (r < 0)
		fail_msg("policy %s: %s", text, err);
	return p;
}

static bool eval_td(const struct vf_policy *p, const struct tdx_td_info *td, enum vf_tcb_status st,
		    char *why, size_t len)
{
	struct vf_claims c = { .td = *td, .tcb_status = st };

	return vf_policy_eval(p, &c, why, len);
}

static bool allows(const char *text, const struct tdx_td_info *td, enum vf_tcb_status st,
		   char *why, size_t len)
{
	struct vf_policy *p = load(text);
	bool ok = eval_td(p, td, st, why, len);

	vf_policy_free(p);
	return ok;
}

static const struct {
	const char *key;
	size_t off; /* offset of the field in struct tdx_td_info */
	size_t len;
} keys[] = {
	{ "mr_td", offsetof(struct tdx_td_info, mr_td), 48 },
	{ "rtmr0", offsetof(struct tdx_td_info, rtmr[0]), 48 },
	{ "rtmr1", offsetof(struct tdx_td_info, rtmr[1]), 48 },
	{ "rtmr2", offsetof(struct tdx_td_info, rtmr[2]), 48 },
	{ "rtmr3", offsetof(struct tdx_td_info, rtmr[3]), 48 },
	{ "mr_config_id", offsetof(struct tdx_td_info, mr_config_id), 48 },
	{ "mr_owner", offsetof(struct tdx_td_info, mr_owner), 48 },
	{ "mr_owner_config", offsetof(struct tdx_td_info, mr_owner_config), 48 },
	{ "mr_seam", offsetof(struct tdx_td_info, mr_seam), 48 },
	{ "xfam", offsetof(struct tdx_td_info, xfam), 8 },
	{ "td_attributes", offsetof(struct tdx_td_info, td_attributes), 8 },
	{ "mr_servicetd", offsetof(struct tdx_td_info, mr_servicetd), 48 },
	{ "tee_tcb_svn2", offsetof(struct tdx_td_info, tee_tcb_svn2), 16 },
};

static void test_each_key(void **state)
{
	struct tdx_td_info td;
	char text[512], hex[97], other[97], why[256];

	(void)state;
	sample_td(&td);
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		uint8_t *field = (uint8_t *)&td + keys[k].off;

		hex_encode(field, keys[k].len, hex);
		memset(other, 'a', 2 * keys[k].len);
		other[2 * keys[k].len] = '\0';
		/* allowed: the TD's value among others (upper case accepted too) */
		snprintf(text, sizeof(text), "{\"%s\":[\"%s\",\"%s\"]}", keys[k].key, other, hex);
		assert_true(allows(text, &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
		/* denied: only another value; the reason names the key and the TD's value */
		snprintf(text, sizeof(text), "{\"%s\":[\"%s\"]}", keys[k].key, other);
		assert_false(allows(text, &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
		assert_non_null(strstr(why, keys[k].key));
		assert_non_null(strstr(why, hex));
		/* empty list: nothing allowed */
		snprintf(text, sizeof(text), "{\"%s\":[]}", keys[k].key);
		assert_false(allows(text, &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
		/* malformed hex and wrong length are load errors */
		snprintf(text, sizeof(text), "{\"%s\":[\"%.*sg\"]}", keys[k].key, (int)(2 * keys[k].len - 1), hex);
		assert_int_equal(vf_policy_parse(text, strlen(text), &(struct vf_policy *){ NULL }, why, sizeof(why)), -EINVAL);
		assert_non_null(strstr(why, keys[k].key));
		snprintf(text, sizeof(text), "{\"%s\":[\"%s00\"]}", keys[k].key, hex);
		assert_int_equal(vf_policy_parse(text, strlen(text), &(struct vf_policy *){ NULL }, why, sizeof(why)), -EINVAL);
		snprintf(text, sizeof(text), "{\"%s\":\"%s\"}", keys[k].key, hex);
		assert_int_equal(vf_policy_parse(text, strlen(text), &(struct vf_policy *){ NULL }, why, sizeof(why)), -EINVAL);
	}
}

static void test_debug(void **state)
{
	struct tdx_td_info td;
	char why[256];

	(void)state;
	sample_td(&td);
	td.td_attributes[0] |= 1;
	assert_false(allows("{}", &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
	assert_non_null(strstr(why, "debug"));
	assert_false(allows("{\"allow_debug\":false}", &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
	assert_true(allows("{\"allow_debug\":true}", &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
	td.td_attributes[0] &= (uint8_t)~1;
	assert_true(allows("{}", &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
	assert_int_equal(vf_policy_parse("{\"allow_debug\":1}", 17, &(struct vf_policy *){ NULL }, why, sizeof(why)), -EINVAL);
}

static void test_tcb_status(void **state)
{
	struct tdx_td_info td;
	char why[256];

	(void)state;
	sample_td(&td);
	assert_true(allows("{}", &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
	assert_false(allows("{}", &td, VF_TCB_OUT_OF_DATE, why, sizeof(why)));
	assert_non_null(strstr(why, "OutOfDate"));
	assert_false(allows("{}", &td, VF_TCB_SW_HARDENING_NEEDED, why, sizeof(why)));
	assert_true(allows("{\"tcb_status\":[\"UpToDate\",\"SWHardeningNeeded\"]}", &td,
			   VF_TCB_SW_HARDENING_NEEDED, why, sizeof(why)));
	assert_true(allows("{\"tcb_status\":[\"OutOfDate\"]}", &td, VF_TCB_OUT_OF_DATE, why, sizeof(why)));
	assert_false(allows("{\"tcb_status\":[\"OutOfDate\"]}", &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
	assert_false(allows("{\"tcb_status\":[\"UpToDate\"]}", &td, VF_TCB_NOT_SUPPORTED, why, sizeof(why)));
	assert_int_equal(vf_policy_parse("{\"tcb_status\":[\"Fine\"]}", 23, &(struct vf_policy *){ NULL }, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "tcb_status"));
}

static void test_load_errors(void **state)
{
	static const char *const bad[] = {
		"", "[]", "{", "{\"mr_td\":[]} x", "{\"mrtd\":[]}", "{\"min_tcb_status\":\"UpToDate\"}",
		"{\"xfam\":[1]}", "{\"allow_debug\":null}", "{\"tcb_status\":\"UpToDate\"}",
	};
	struct vf_policy *p = NULL;
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(vf_policy_parse(bad[i], strlen(bad[i]), &p, why, sizeof(why)), -EINVAL);
		assert_true(why[0] != '\0');
	}
	assert_int_equal(vf_policy_parse("{\"mrtd\":[]}", 11, &p, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "unknown key \"mrtd\""));
	/* the length bounds the text: what follows it is never read, white space after the
	 * object is fine, anything else (a NUL included) is not */
	assert_int_equal(vf_policy_parse("{} \n x", 4, &p, why, sizeof(why)), 0);
	vf_policy_free(p);
	assert_int_equal(vf_policy_parse("{} \0 ", 5, &p, why, sizeof(why)), -EINVAL);
	assert_int_equal(vf_policy_parse("{} y", 4, &p, why, sizeof(why)), -EINVAL);
}

/* MRSERVICETD and TEE_TCB_SVN2 exist in TDX 1.5 evidence only: a policy naming them
 * refuses a TDX 1.0 quote (v4, v5 body type 2) even when it lists zeros. */
static void test_tdx15_members(void **state)
{
	struct tdx_td_info td;
	char text[256], why[256];

	(void)state;
	sample_td(&td);
	memset(td.mr_servicetd, 0, 48);
	memset(td.tee_tcb_svn2, 0, 16);
	snprintf(text, sizeof(text), "{\"mr_servicetd\":[\"%096d\"]}", 0);
	assert_true(allows(text, &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
	snprintf(text, sizeof(text), "{\"tee_tcb_svn2\":[\"%032d\"]}", 0);
	assert_true(allows(text, &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
	td.has_tdx15 = false;
	assert_false(allows(text, &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
	assert_non_null(strstr(why, "tee_tcb_svn2"));
	assert_non_null(strstr(why, "TDX 1.5"));
	snprintf(text, sizeof(text), "{\"mr_servicetd\":[\"%096d\"]}", 0);
	assert_false(allows(text, &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
	assert_non_null(strstr(why, "mr_servicetd"));
	/* a policy without them is indifferent to the body version */
	assert_true(allows("{}", &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
}

static bool has_key(json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

static void test_pinned_policy(void **state)
{
	static const char *const always[] = { "mr_td", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mr_config_id",
					      "mr_owner", "mr_owner_config", "xfam", "td_attributes",
					      "allow_debug", "tcb_status" };
	struct tdx_td_info td;
	struct vf_policy *p;
	json_object *o;
	const char *text;
	char why[256];

	(void)state;
	sample_td(&td);
	assert_int_equal(vf_policy_from_td(&td, 0, &o), 0);
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		assert_true(has_key(o, always[i]));
	assert_true(has_key(o, "mr_servicetd"));
	assert_false(has_key(o, "mr_seam"));
	assert_false(has_key(o, "tee_tcb_svn2"));
	text = json_object_to_json_string(o);
	assert_int_equal(vf_policy_parse(text, strlen(text), &p, why, sizeof(why)), 0);
	assert_true(eval_td(p, &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
	/* one bit of any pinned member: refused, and the reason names it */
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		uint8_t *field = (uint8_t *)&td + keys[k].off;

		if (!has_key(o, keys[k].key))
			continue;
		field[keys[k].len - 1] ^= 1;
		assert_false(eval_td(p, &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
		assert_non_null(strstr(why, keys[k].key));
		field[keys[k].len - 1] ^= 1;
	}
	td.mr_seam[0] ^= 1; /* not pinned without VF_PIN_MODULE */
	assert_true(eval_td(p, &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
	td.mr_seam[0] ^= 1;
	td.td_attributes[0] |= 1;
	assert_false(eval_td(p, &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
	td.td_attributes[0] &= (uint8_t)~1;
	vf_policy_free(p);
	json_object_put(o);

	/* the module pins on request */
	assert_int_equal(vf_policy_from_td(&td, VF_PIN_MODULE, &o), 0);
	assert_true(has_key(o, "mr_seam"));
	assert_true(has_key(o, "tee_tcb_svn2"));
	text = json_object_to_json_string(o);
	assert_int_equal(vf_policy_parse(text, strlen(text), &p, why, sizeof(why)), 0);
	assert_true(eval_td(p, &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
	td.tee_tcb_svn2[2] ^= 1;
	assert_false(eval_td(p, &td, VF_TCB_UP_TO_DATE, why, sizeof(why)));
	assert_non_null(strstr(why, "tee_tcb_svn2"));
	vf_policy_free(p);
	json_object_put(o);

	/* a TDX 1.0 TD: no TDX 1.5 members in its policy, even with VF_PIN_MODULE */
	td.has_tdx15 = false;
	assert_int_equal(vf_policy_from_td(&td, VF_PIN_MODULE, &o), 0);
	assert_false(has_key(o, "mr_servicetd"));
	assert_false(has_key(o, "tee_tcb_svn2"));
	assert_true(has_key(o, "mr_seam"));
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_key),
		cmocka_unit_test(test_debug),
		cmocka_unit_test(test_tcb_status),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_tdx15_members),
		cmocka_unit_test(test_pinned_policy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
