/* SPDX-License-Identifier: Apache-2.0 */
/* The /attest body without json-c tokenizing a large cc_eventlog (server/attest_body.c),
 * the event log's base64 decoded in time that follows the log (server/eventlog_b64.c) and
 * the cache of recent logs (server/eventlog_cache.c): each gives exactly what the plain way
 * gives, falls back to it whenever its shortcut does not apply, and changes nothing on
 * bad input. */
#include "testutil.h"
#include "common/b64_canon.h"
#include "server/attest_body.h"
#include "server/eventlog_b64.h"
#include "server/eventlog_cache.h"
#include "server/handler.h"
#include "tdx/eventlog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

static char *b64_of(const uint8_t *p, size_t n)
{
	char *t = malloc(n / 3 * 4 + 8);

	assert_non_null(t);
	EVP_EncodeBlock((unsigned char *)t, p, (int)n);
	return t;
}

/* ks_eventlog_b64_decode() against b64_canon_check() + one OpenSSL decode. */
static void assert_decodes_as_plain(const char *t, size_t n)
{
	uint8_t *got = NULL, *want = malloc(n / 4 * 3 + 3);
	size_t got_len = 0, want_len = 0;
	bool ok = n > 0 && b64_canon_check(t, n, false, &want_len) == 0;
	int r = ks_eventlog_b64_decode(t, n, &got, &got_len);

	assert_non_null(want);
	assert_int_equal(r == 0, ok);
	assert_int_equal(ks_eventlog_b64_check(t, n) == 0, ok);
	if (ok) {
		assert_true(EVP_DecodeBlock(want, (const unsigned char *)t, (int)n) >= 0);
		assert_int_equal(got_len, want_len);
		assert_memory_equal(got, want, want_len);
	} else {
		assert_null(got);
	}
	free(got);
	free(want);
}

/* Logs of every shape around the repeated tail: a head of h random bytes, then f bytes of
 * a fill (0x00, 0xFF, or a 3-byte pattern), then t more random bytes; and each with one
 * character changed to one outside the alphabet, '=' or another letter. */
static void test_b64_equals_plain(void **state)
{
	static const uint8_t fills[][3] = { { 0, 0, 0 }, { 0xff, 0xff, 0xff }, { 'a', 'b', 'c' } };
	static const char swaps[] = "=!\"\\ A/+";
	uint8_t buf[2048];
	(void)state;

	srand(13);
	for (size_t h = 0; h < 40; h += 7)
		for (size_t f = 0; f < 1200; f = f * 2 + 1)
			for (size_t fi = 0; fi < 3; fi++)
				for (size_t t = 0; t < 5; t += 2) {
					size_t n = h + f + t;
					char *s;

					for (size_t i = 0; i < h; i++)
						buf[i] = (uint8_t)rand();
					for (size_t i = 0; i < f; i++)
						buf[h + i] = fills[fi][i % 3];
					for (size_t i = 0; i < t; i++)
						buf[h + f + i] = (uint8_t)rand();
					if (n == 0)
						continue;
					s = b64_of(buf, n);
					assert_decodes_as_plain(s, strlen(s));
					for (size_t k = 0; k < 4; k++) {
						size_t at = (size_t)rand() % strlen(s);
						char keep = s[at];

						s[at] = swaps[(size_t)rand() % (sizeof(swaps) - 1)];
						assert_decodes_as_plain(s, strlen(s));
						s[at] = keep;
					}
					assert_decodes_as_plain(s, strlen(s) - 1); /* not a multiple of 4 */
					free(s);
				}
}

static void test_b64_limits(void **state)
{
	size_t big = b64_encoded_len(CCEL_LOG_MAX) + 4;
	char *t = malloc(big);
	uint8_t *out = NULL;
	size_t n;
	(void)state;

	assert_non_null(t);
	memset(t, 'A', big);
	assert_int_equal(ks_eventlog_b64_decode(t, big, &out, &n), -E2BIG);
	assert_int_equal(ks_eventlog_b64_decode(t, b64_encoded_len(CCEL_LOG_MAX), &out, &n), 0);
	assert_int_equal(n, CCEL_LOG_MAX + 2); /* whole groups: the bound is a text length */
	free(out);
	assert_int_equal(ks_eventlog_b64_decode(t, 0, &out, &n), -EINVAL);
	assert_int_equal(ks_eventlog_b64_decode("AAA=AAAA", 8, &out, &n), -EINVAL); /* padding inside */
	assert_int_equal(ks_eventlog_b64_decode("AAAAAAAAAAAAAAB=", 16, &out, &n), -EINVAL); /* bits set */
	free(t);
}

/* The whole CCEL area of a real boot decodes to the file, byte for byte. */
static void test_b64_real_area(void **state)
{
	const char *dir = testdata_ccel_dir();
	char *t;
	uint8_t *file, *out = NULL;
	size_t len, n;
	(void)state;

	SKIP_WITHOUT_TESTDATA(dir);
	file = test_read(dir, "logs/trustee_CCEL_data_ovmf.bin", &len);
	t = b64_of(file, len);
	assert_int_equal(ks_eventlog_b64_decode(t, strlen(t), &out, &n), 0);
	assert_int_equal(n, len);
	assert_memory_equal(out, file, len);
	free(out);
	free(t);
	free(file);
}

static json_object *member_of(json_object *root)
{
	json_object *ev, *prim, *v;

	if (!json_object_object_get_ex(root, "tee-evidence", &ev) ||
	    !json_object_object_get_ex(ev, "primary_evidence", &prim) ||
	    !json_object_object_get_ex(prim, "cc_eventlog", &v))
		return NULL;
	return v;
}

/* body must take the fast path: its text is the member's, the rest of the tree equal. */
static void assert_fast(const char *body, const char *log_text)
{
	json_object *ref = ks_json_parse(body, strlen(body)), *ev, *prim;
	struct ks_attest_body b;

	ks_attest_body_parse(body, strlen(body), NULL, NULL, &b);
	assert_non_null(b.root);
	assert_non_null(b.eventlog_b64);
	assert_int_equal(b.eventlog_b64_len, strlen(log_text));
	assert_memory_equal(b.eventlog_b64, log_text, strlen(log_text));
	assert_null(member_of(b.root));
	assert_true(json_object_object_get_ex(ref, "tee-evidence", &ev));
	assert_true(json_object_object_get_ex(ev, "primary_evidence", &prim));
	json_object_object_add(prim, "cc_eventlog", NULL);
	assert_true(json_object_equal(ref, b.root));
	json_object_put(ref);
	ks_attest_body_clear(&b);
}

/* body must take the plain path: the tree is ks_json_parse()'s (NULL for bad JSON). */
static void assert_plain(const char *body, size_t len)
{
	json_object *ref = ks_json_parse(body, len);
	struct ks_attest_body b;

	ks_attest_body_parse(body, len, NULL, NULL, &b);
	assert_null(b.eventlog_b64);
	assert_int_equal(b.root == NULL, ref == NULL);
	if (ref)
		assert_true(json_object_equal(ref, b.root));
	json_object_put(ref);
	ks_attest_body_clear(&b);
}

#define PRE "{\"runtime-data\":{\"nonce\":\"n\"},\"tee-evidence\":{\"primary_evidence\":{"
#define POST ",\"quote\":\"AAAA\"},\"additional_evidence\":\"\"}}"

static void test_body_paths(void **state)
{
	static const struct {
		const char *body;
	} plain[] = {
		{ PRE "\"cc_eventlog\":\"QUJD\\/A==\"" POST },                    /* json-c's "\/" */
		{ PRE "\"cc_eventlog\": \"QUJD\"" POST },                         /* other spacing */
		{ PRE "\"cc_eventlog\":\"QUJD\",\"cc_eventlog\":\"QUJE\"" POST }, /* duplicate: the last counts */
		{ PRE "\"cc_eventlog\":\"QUJ\"" POST },                           /* not base64 */
		{ PRE "\"cc_eventlog\":\"\"" POST },                              /* no log */
		{ PRE "\"cc_eventlog\":null" POST },
		{ "{\"a\\\"cc_eventlog\":\"QUJD\",\"tee-evidence\":{\"primary_evidence\":{\"cc_eventlog\":\"QUJE\"}}}" },
		{ "{\"cc_eventlog\":\"QUJD\",\"tee-evidence\":{}}" },              /* another object's member */
		{ PRE "\"cc_eventlog\":\"QUJD\"" POST "x" },                      /* trailing bytes */
		{ PRE "\"cc_eventlog\":\"QUJD\"" },                               /* cut short */
		{ PRE "\"cc_eventlog\":\"QUJD" },
	};
	char body[256];
	(void)state;

	assert_fast(PRE "\"cc_eventlog\":\"QUJD\"" POST, "QUJD");
	assert_fast(PRE "\"quote\":\"AAAA\",\"cc_eventlog\":\"QUJDRA==\"}}}  \n", "QUJDRA==");
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		assert_plain(plain[i].body, strlen(plain[i].body));
	/* a NUL in the body (the HTTP layer passes its length) */
	snprintf(body, sizeof(body), PRE "\"cc_eventlog\":\"QUJD\"" POST);
	body[3] = '\0';
	assert_plain(body, strlen(PRE "\"cc_eventlog\":\"QUJD\"" POST));
}

/* ks_json_parse_parts() is ks_json_parse() of the concatenation when the parts meet inside
 * the document, and NULL (never another tree) when the document ends in an earlier part:
 * json-c then stops there and what follows is only checked for whitespace, so a trailing
 * comment json-c would eat in one piece refuses the parts. attest_body.c's parts meet
 * inside a string and fall back to ks_json_parse() on NULL. */
static void test_parts_contract(void **state)
{
	static const char doc[] = "{\"a\":\"bc\"} /* c */";
	const struct ks_text inside[] = { { doc, 7 }, { doc + 7, sizeof(doc) - 1 - 7 } };
	const struct ks_text after[] = { { doc, 11 }, { doc + 11, sizeof(doc) - 1 - 11 } };
	const struct ks_text blank[] = { { doc, 11 }, { " \n", 2 } };
	json_object *whole = ks_json_parse(doc, sizeof(doc) - 1), *p;
	(void)state;

	assert_non_null(whole); /* json-c eats a trailing comment */
	p = ks_json_parse_parts(inside, 2);
	assert_non_null(p);
	assert_true(json_object_equal(whole, p));
	json_object_put(p);
	assert_null(ks_json_parse_parts(after, 2));
	p = ks_json_parse_parts(blank, 2);
	assert_non_null(p);
	assert_true(json_object_equal(whole, p));
	json_object_put(p);
	json_object_put(whole);
	/* the same body with a trailing comment: the fast path takes it, as one piece */
	assert_fast(PRE "\"cc_eventlog\":\"QUJD\"" POST " /* \"cc_eventlog\":\"QUJE\" */", "QUJD");
}

/* A text seen before is found at the start of the body's string without searching its end;
 * a kept text that is only the start of the string is not it. */
static void test_body_known(void **state)
{
	struct ks_evlog_cache *c;
	struct vf_boot_facts f = { .present = true, .n = 3 }, got;
	uint8_t rtmr[4][TDX_MR_LEN] = { { 7 } }, r2[4][TDX_MR_LEN];
	const char *body = PRE "\"cc_eventlog\":\"QUJDRA==\"" POST, *longer = PRE "\"cc_eventlog\":\"QUJDQUJD\"" POST;
	(void)state;

	assert_int_equal(ks_evlog_cache_new(&c), 0);
	ks_evlog_cache_put(c, "QUJDRA==", 8, &f, rtmr);
	ks_evlog_cache_put(c, "QUJD", 4, &f, rtmr);
	assert_int_equal(ks_evlog_cache_get_prefix(c, strstr(body, "QUJDRA=="), 20, &got, r2), 8);
	assert_int_equal(got.n, 3);
	assert_memory_equal(r2, rtmr, sizeof(rtmr));
	/* "QUJD" is kept, but the string goes on: no match */
	assert_int_equal(ks_evlog_cache_get_prefix(c, strstr(longer, "QUJDQUJD"), 20, &got, r2), 0);
	/* the end of the body: no character after the text to be '"' */
	assert_int_equal(ks_evlog_cache_get_prefix(c, "QUJDRA==", 8, &got, r2), 0);
	ks_evlog_cache_free(c);
}

static size_t cache_prefix(void *ctx, const char *text, size_t avail)
{
	struct vf_boot_facts f;
	uint8_t rtmr[4][TDX_MR_LEN];

	return ks_evlog_cache_get_prefix(ctx, text, avail, &f, rtmr);
}

/* Through ks_attest_body_parse: a known text gives the same result as an unknown one. */
static void test_body_known_parse(void **state)
{
	struct ks_evlog_cache *c;
	struct vf_boot_facts f = { 0 };
	uint8_t rtmr[4][TDX_MR_LEN] = { { 0 } };
	const char *bodies[] = { PRE "\"cc_eventlog\":\"QUJDRA==\"" POST, PRE "\"cc_eventlog\":\"QUJDQUJD\"" POST,
				 PRE "\"cc_eventlog\":\"QUJD\",\"cc_eventlog\":\"QUJE\"" POST };
	(void)state;

	assert_int_equal(ks_evlog_cache_new(&c), 0);
	ks_evlog_cache_put(c, "QUJDRA==", 8, &f, rtmr);
	ks_evlog_cache_put(c, "QUJD", 4, &f, rtmr);
	for (size_t i = 0; i < 3; i++) {
		struct ks_attest_body a, b;

		ks_attest_body_parse(bodies[i], strlen(bodies[i]), NULL, NULL, &a);
		ks_attest_body_parse(bodies[i], strlen(bodies[i]), cache_prefix, c, &b);
		assert_int_equal(a.eventlog_b64 == NULL, b.eventlog_b64 == NULL);
		assert_int_equal(a.eventlog_b64_len, b.eventlog_b64_len);
		assert_true(json_object_equal(a.root, b.root));
		ks_attest_body_clear(&a);
		ks_attest_body_clear(&b);
	}
	ks_evlog_cache_free(c);
}

/* A kept text ending in '\\' followed by '"' is not the string's end (the quote is
 * escaped): were it kept, the cut would end inside the string and the body below, which
 * is not JSON, would parse in parts with the placeholder at cc_eventlog. */
static void test_cache_no_backslash(void **state)
{
	static const char body[] = PRE "\"cc_eventlog\":\"QUJ\\\",\"x\":\"\"" POST;
	struct ks_evlog_cache *c;
	struct vf_boot_facts f = { 0 };
	uint8_t rtmr[4][TDX_MR_LEN] = { { 0 } };
	struct ks_attest_body b;
	(void)state;

	assert_null(ks_json_parse(body, sizeof(body) - 1));
	assert_int_equal(ks_evlog_cache_new(&c), 0);
	ks_evlog_cache_put(c, "QUJ\\", 4, &f, rtmr);
	ks_attest_body_parse(body, sizeof(body) - 1, cache_prefix, c, &b);
	assert_null(b.root);
	assert_null(b.eventlog_b64);
	ks_attest_body_clear(&b);
	ks_evlog_cache_free(c);
}

/* Bounded: the oldest of KS_EVLOG_CACHE_SLOTS goes first; texts with '"' or '\\', empty or over
 * KS_EVLOG_CACHE_TEXT_MAX are not kept; a NULL cache keeps nothing. */
static void test_cache_bounds(void **state)
{
	struct ks_evlog_cache *c;
	struct vf_boot_facts f = { 0 }, got;
	uint8_t rtmr[4][TDX_MR_LEN] = { { 0 } };
	char text[16];
	char *big = malloc(KS_EVLOG_CACHE_TEXT_MAX + 4);
	(void)state;

	assert_non_null(big);
	assert_int_equal(ks_evlog_cache_new(&c), 0);
	for (int i = 0; i <= KS_EVLOG_CACHE_SLOTS; i++) {
		snprintf(text, sizeof(text), "T%03dAAAA", i);
		f.n = (size_t)i;
		ks_evlog_cache_put(c, text, strlen(text), &f, rtmr);
	}
	assert_false(ks_evlog_cache_get(c, "T000AAAA", 8, &got, rtmr));
	for (int i = 1; i <= KS_EVLOG_CACHE_SLOTS; i++) {
		snprintf(text, sizeof(text), "T%03dAAAA", i);
		assert_true(ks_evlog_cache_get(c, text, strlen(text), &got, rtmr));
		assert_int_equal(got.n, i);
	}
	ks_evlog_cache_put(c, "AB\"C", 4, &f, rtmr);
	assert_false(ks_evlog_cache_get(c, "AB\"C", 4, &got, rtmr));
	ks_evlog_cache_put(c, "AB\\C", 4, &f, rtmr);
	assert_false(ks_evlog_cache_get(c, "AB\\C", 4, &got, rtmr));
	memset(big, 'A', KS_EVLOG_CACHE_TEXT_MAX + 4);
	ks_evlog_cache_put(c, big, KS_EVLOG_CACHE_TEXT_MAX + 4, &f, rtmr);
	assert_false(ks_evlog_cache_get(c, big, KS_EVLOG_CACHE_TEXT_MAX + 4, &got, rtmr));
	ks_evlog_cache_put(c, big, KS_EVLOG_CACHE_TEXT_MAX, &f, rtmr);
	assert_true(ks_evlog_cache_get(c, big, KS_EVLOG_CACHE_TEXT_MAX, &got, rtmr));
	ks_evlog_cache_put(NULL, "QUJD", 4, &f, rtmr);
	assert_false(ks_evlog_cache_get(NULL, "QUJD", 4, &got, rtmr));
	ks_evlog_cache_free(c);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64_equals_plain),
		cmocka_unit_test(test_b64_limits),
		cmocka_unit_test(test_b64_real_area),
		cmocka_unit_test(test_body_paths),
		cmocka_unit_test(test_parts_contract),
		cmocka_unit_test(test_body_known),
		cmocka_unit_test(test_body_known_parse),
		cmocka_unit_test(test_cache_bounds),
		cmocka_unit_test(test_cache_no_backslash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
