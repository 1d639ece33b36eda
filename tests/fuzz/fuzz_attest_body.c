/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the /attest body's fast path (server/attest_body.c) and the event
 * log's base64 (server/eventlog_b64.c) against the plain ways they shortcut. First byte:
 * 0: the input is cc_eventlog text: ks_eventlog_b64_decode() must accept exactly what
 *    b64_canon_check() accepts and give the bytes a plain OpenSSL decode gives;
 * 1: the input is a whole body; 2: the input is the member's text inside a fixed body.
 * For bodies: whichever path ks_attest_body_parse() takes, the tree and the log text are
 * those of ks_json_parse(), also when the log is already known (eventlog_cache.c). */
#include "common/b64_canon.h"
#include "server/attest_body.h"
#include "server/eventlog_b64.h"
#include "server/eventlog_cache.h"
#include "server/handler.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_decode(const char *t, size_t n)
{
	uint8_t *got = NULL, *want;
	size_t got_len = 0, want_len;
	int r = ks_eventlog_b64_decode(t, n, &got, &got_len);
	bool ok = n > 0 && b64_canon_check(t, n, false, &want_len) == 0;

	if ((r == 0) != ok || (r < 0 && r != -EINVAL && r != -E2BIG))
		abort();
	if ((ks_eventlog_b64_check(t, n) == 0) != ok)
		abort();
	if (ok) {
		want = malloc(n / 4 * 3 + 3);
		if (!want || EVP_DecodeBlock(want, (const unsigned char *)t, (int)n) < 0 || got_len != want_len ||
		    memcmp(got, want, want_len) != 0)
			abort();
		free(want);
	}
	free(got);
}

static json_object *log_member(json_object *root, json_object **prim)
{
	json_object *ev, *v;

	if (!root || !json_object_object_get_ex(root, "tee-evidence", &ev) ||
	    !json_object_object_get_ex(ev, "primary_evidence", prim) || !json_object_is_type(*prim, json_type_object) ||
	    !json_object_object_get_ex(*prim, "cc_eventlog", &v))
		return NULL;
	return v;
}

static size_t known_from(void *ctx, const char *text, size_t avail)
{
	struct vf_boot_facts f;
	uint8_t rtmr[4][TDX_MR_LEN];

	return ks_evlog_cache_get_prefix(ctx, text, avail, &f, rtmr);
}

/* json_object_equal(), except that NaN equals NaN: json-c parses NaN (not strict) and
 * compares doubles with ==, so a tree holding one is never equal even to itself. */
static bool same_tree(json_object *a, json_object *b)
{
	size_t n;

	if (json_object_is_type(a, json_type_double) && json_object_is_type(b, json_type_double))
		return json_object_equal(a, b) || (isnan(json_object_get_double(a)) && isnan(json_object_get_double(b)));
	if (!a || !b || json_object_get_type(a) != json_object_get_type(b))
		return a == b;
	if (json_object_is_type(a, json_type_array)) {
		n = json_object_array_length(a);
		if (n != json_object_array_length(b))
			return false;
		for (size_t i = 0; i < n; i++)
			if (!same_tree(json_object_array_get_idx(a, i), json_object_array_get_idx(b, i)))
				return false;
		return true;
	}
	if (json_object_is_type(a, json_type_object)) {
		json_object *w;

		if (json_object_object_length(a) != json_object_object_length(b))
			return false;
		json_object_object_foreach(a, key, v) {
			if (!json_object_object_get_ex(b, key, &w) || !same_tree(v, w))
				return false;
		}
		return true;
	}
	return json_object_equal(a, b);
}

/* out must be what ks_json_parse() gives for body. */
static void compare(const char *body, size_t len, const struct ks_attest_body *out)
{
	json_object *ref = ks_json_parse(body, len), *prim = NULL, *v;

	if (!out->eventlog_b64) {
		if ((ref == NULL) != (out->root == NULL) || (ref && !same_tree(ref, out->root)))
			abort();
	} else {
		v = log_member(ref, &prim);
		if (!v || !json_object_is_type(v, json_type_string) ||
		    (size_t)json_object_get_string_len(v) != out->eventlog_b64_len ||
		    memcmp(json_object_get_string(v), out->eventlog_b64, out->eventlog_b64_len) != 0 ||
		    ks_eventlog_b64_check(out->eventlog_b64, out->eventlog_b64_len) < 0)
			abort();
		json_object_object_add(prim, "cc_eventlog", NULL);
		if (!same_tree(ref, out->root))
			abort();
	}
	json_object_put(ref);
}

static void check_body(const char *body, size_t len)
{
	static struct ks_evlog_cache *cache;
	struct ks_attest_body out, again;
	struct vf_boot_facts f = { 0 };
	uint8_t rtmr[4][TDX_MR_LEN] = { { 0 } };

	if (!cache && ks_evlog_cache_new(&cache) < 0)
		abort();
	ks_attest_body_parse(body, len, NULL, NULL, &out);
	compare(body, len, &out);
	if (out.eventlog_b64) /* known from now on, as after a decode that succeeded */
		ks_evlog_cache_put(cache, out.eventlog_b64, out.eventlog_b64_len, &f, rtmr);
	ks_attest_body_parse(body, len, known_from, cache, &again);
	compare(body, len, &again);
	if ((out.eventlog_b64 == NULL) != (again.eventlog_b64 == NULL))
		abort();
	ks_attest_body_clear(&out);
	ks_attest_body_clear(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pre[] = "{\"runtime-data\":{\"nonce\":\"n\"},\"tee-evidence\":{\"primary_evidence\":"
				  "{\"cc_eventlog\":\"", post[] = "\",\"quote\":\"AAAA\"},\"additional_evidence\":\"\"}}";
	char *body;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		check_decode((const char *)data + 1, size - 1);
		break;
	case 1:
		/* NUL-terminated, as the HTTP layer hands bodies over */
		if (!(body = malloc(size)))
			return 0;
		memcpy(body, data + 1, size - 1);
		body[size - 1] = '\0';
		check_body(body, size - 1);
		free(body);
		break;
	default:
		if (!(body = malloc(sizeof(pre) + size + sizeof(post))))
			return 0;
		memcpy(body, pre, sizeof(pre) - 1);
		memcpy(body + sizeof(pre) - 1, data + 1, size - 1);
		memcpy(body + sizeof(pre) - 1 + size - 1, post, sizeof(post));
		check_body(body, sizeof(pre) - 1 + size - 1 + sizeof(post) - 1);
		free(body);
	}
	return 0;
}
