/* SPDX-License-Identifier: Apache-2.0 */
/* A TD may send its whole 64 KiB CCEL area as cc_eventlog: 87 KB of base64 that json-c
 * tokenizes at ~1 ns per byte, about the 10 % the log may add to a whole flow (issue 13).
 * Trustee's attester and ours write the member as "cc_eventlog":"<base64>". The fast path
 * finds that text, hands json-c the body around the string with a random placeholder as
 * its content, and keeps the cut only when the parsed tree holds the placeholder at
 * tee-evidence.primary_evidence.cc_eventlog (random per request: no client can write it
 * anywhere, so it is the cut that landed there) and the cut is canonical base64 (checked
 * in about memcmp time, eventlog_b64.c). Otherwise (other spacing, escapes, a cut
 * elsewhere, a duplicate member, bad base64) the body is parsed as it is: both paths give
 * the same tree and log text, which tests/fuzz/fuzz_attest_body.c checks on any body. */
#include "attest_body.h"
#include "eventlog_b64.h"
#include "handler.h"
#include "../common/hex.h"

#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/rand.h>

#define PLACEHOLDER_BYTES 16

static const char member_text[] = "\"cc_eventlog\":\"";

static json_object *child(json_object *o, const char *key)
{
	json_object *v;

	return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* True when the tree holds the string placeholder[0..n) as the member the log travels in;
 * the member is then set to null. */
static bool take_placeholder(json_object *root, const char *placeholder, size_t n)
{
	json_object *prim = child(child(root, "tee-evidence"), "primary_evidence");
	json_object *v = child(prim, "cc_eventlog");

	if (!v || !json_object_is_type(v, json_type_string) || (size_t)json_object_get_string_len(v) != n ||
	    memcmp(json_object_get_string(v), placeholder, n) != 0)
		return false;
	return json_object_object_add(prim, "cc_eventlog", NULL) == 0;
}

static bool parse_fast(const char *body, size_t len, ks_known_log_fn known, void *ctx, struct ks_attest_body *out)
{
	uint8_t rnd[PLACEHOLDER_BYTES];
	char placeholder[2 * PLACEHOLDER_BYTES + 1];
	const char *m = memmem(body, len, member_text, sizeof(member_text) - 1), *start, *end;
	struct ks_text parts[3];
	json_object *root;
	size_t avail, k;

	if (!m)
		return false;
	start = m + sizeof(member_text) - 1;
	avail = len - (size_t)(start - body);
	k = known ? known(ctx, start, avail) : 0;
	if (k >= avail || start[k] != '"')
		k = 0;
	end = k ? start + k : memchr(start, '"', avail);
	if (!end || end == start || RAND_bytes(rnd, sizeof(rnd)) != 1)
		return false;
	hex_encode(rnd, sizeof(rnd), placeholder);
	parts[0] = (struct ks_text){ body, (size_t)(start - body) };
	parts[1] = (struct ks_text){ placeholder, sizeof(placeholder) - 1 };
	parts[2] = (struct ks_text){ end, len - (size_t)(end - body) };
	root = ks_json_parse_parts(parts, 3);
	if (!root)
		return false;
	/* The cut has no quote; base64 has no backslash or control character either, so
	 * it is the whole string the member held. */
	if (!take_placeholder(root, placeholder, sizeof(placeholder) - 1) ||
	    (!k && ks_eventlog_b64_check(start, (size_t)(end - start)) < 0)) {
		json_object_put(root);
		return false;
	}
	out->root = root;
	out->eventlog_b64 = start;
	out->eventlog_b64_len = (size_t)(end - start);
	return true;
}

void ks_attest_body_parse(const char *body, size_t len, ks_known_log_fn known, void *ctx,
			  struct ks_attest_body *out)
{
	*out = (struct ks_attest_body){ 0 };
	if (!parse_fast(body, len, known, ctx, out))
		out->root = ks_json_parse(body, len);
}

void ks_attest_body_clear(struct ks_attest_body *b)
{
	json_object_put(b->root);
	*b = (struct ks_attest_body){ 0 };
}
