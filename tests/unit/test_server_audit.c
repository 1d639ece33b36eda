/* SPDX-License-Identifier: Apache-2.0 */
/* Issue 14 item 4: the audit log cannot be amplified. Fields are bounded and valid UTF-8
 * (every line parses as strict JSON with UTF-8 validation), a cookie is never written (a
 * session id or a short hash of the value), identical refusals are rate-limited and every
 * dropped line is counted; successes are never dropped. */
#include "testutil.h"
#include "common/mono_time.h"
#include "server/audit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

static char path[] = "/tmp/test_server_audit.XXXXXX";

struct totals {
	unsigned lines;
	unsigned long events; /* lines + their suppressed counts */
	size_t longest;
};

/* Every line: strict JSON, valid UTF-8, an object; f(line) for each. */
static struct totals read_log(void (*f)(json_object *line, void *arg), void *arg)
{
	FILE *fp = fopen(path, "re");
	struct totals t = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	assert_non_null(fp);
	while ((n = getline(&line, &cap, fp)) > 0) {
		json_tokener *tok = json_tokener_new();
		json_object *o, *v;

		assert_int_equal(line[n - 1], '\n');
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
		o = json_tokener_parse_ex(tok, line, (int)n - 1);
		if (!o)
			print_message("not valid JSON: %s", line);
		assert_non_null(o);
		assert_int_equal(json_tokener_get_parse_end(tok), (size_t)n - 1);
		json_tokener_free(tok);
		t.lines++;
		t.longest = (size_t)n > t.longest ? (size_t)n : t.longest;
		if (json_object_object_get_ex(o, "event", &v) && strcmp(json_object_get_string(v), "audit") == 0)
			t.events += (unsigned long)json_object_get_int64(json_object_object_get(o, "suppressed"));
		else
			t.events += 1 + (unsigned long)json_object_get_int64(json_object_object_get(o, "suppressed"));
		if (f)
			f(o, arg);
		json_object_put(o);
	}
	free(line);
	fclose(fp);
	return t;
}

static struct ks_audit *fresh(void)
{
	struct ks_audit *a;

	assert_int_equal(truncate(path, 0), 0);
	assert_int_equal(ks_audit_open(path, &a), 0);
	return a;
}

static void check_hostile(json_object *o, void *arg)
{
	json_object *v;
	(void)arg;

	assert_true(json_object_object_get_ex(o, "session", &v));
	assert_int_equal(strncmp(json_object_get_string(v), "invalid:", 8), 0);
	assert_int_equal(json_object_get_string_len(v), 24);
	assert_true(json_object_object_get_ex(o, "reason", &v));
	assert_non_null(strstr(json_object_get_string(v), "\xef\xbf\xbd")); /* U+FFFD */
	assert_true(json_object_get_string_len(v) <= KS_AUDIT_REASON_MAX + 3);
	assert_true(json_object_object_get_ex(o, "resource", &v));
	assert_true(json_object_get_string_len(v) <= KS_AUDIT_FIELD_MAX + 3);
	assert_non_null(strstr(json_object_get_string(v), "...")); /* marked as cut */
}

static void test_hostile_fields(void **state)
{
	struct ks_audit *a = fresh();
	char *cookie = malloc(16384 + 1), resource[2000], reason[3000];
	struct totals t;

	(void)state;
	assert_non_null(cookie);
	for (size_t i = 0; i < 16384; i++)
		cookie[i] = (char)("A\xff\"\\\x01\xc3"[i % 6]);
	cookie[16384] = '\0';
	memset(resource, 'r', sizeof(resource) - 1);
	resource[sizeof(resource) - 1] = '\0';
	for (size_t i = 0; i < sizeof(reason) - 1; i++)
		reason[i] = (char)("bad \xff\xfe\xc0\xaf\xed\xa0\x80\xe2\x82"[i % 13]);
	reason[sizeof(reason) - 1] = '\0';
	assert_int_equal(ks_audit_log(a, &(struct ks_audit_event){ .peer = "192.0.2.1", .session = cookie,
		.event = "resource", .resource = resource, .decision = "refuse", .reason = reason }), 0);
	ks_audit_close(a);
	t = read_log(check_hostile, NULL);
	assert_int_equal(t.lines, 1);
	assert_true(t.longest < 2048);
	free(cookie);
}

static void check_session(json_object *o, void *arg)
{
	assert_string_equal(json_object_get_string(json_object_object_get(o, "session")), arg);
}

static void test_session_id(void **state)
{
	struct ks_audit *a = fresh();

	(void)state;
	assert_int_equal(ks_audit_log(a, &(struct ks_audit_event){ .peer = "192.0.2.1",
		.session = "0123456789ABCDEF0123456789abcdef", .event = "attest", .decision = "attested" }), 0);
	ks_audit_close(a);
	read_log(check_session, "0123456789abcdef0123456789abcdef");
}

static void check_boot(json_object *o, void *arg)
{
	json_object *v;
	bool want = *(bool *)arg;

	assert_int_equal(json_object_object_get_ex(o, "boot", &v), want);
	if (want) {
		assert_true(json_object_get_string_len(v) <= KS_AUDIT_BOOT_MAX + 3);
		assert_non_null(strstr(json_object_get_string(v), "\xef\xbf\xbd"));
	}
}

/* The event log's boot summary (issue 13, a TD-chosen command line): bounded, valid UTF-8,
 * absent when empty. */
static void test_boot_field(void **state)
{
	struct ks_audit_event ev = { .peer = "192.0.2.1", .event = "attest", .decision = "attested" };
	char boot[5000];
	bool want;

	(void)state;
	for (size_t i = 0; i < sizeof(boot) - 1; i++)
		boot[i] = (char)("cmdline=\"console=ttyS0 \xff\xc3\" "[i % 27]);
	boot[sizeof(boot) - 1] = '\0';
	for (int k = 0; k < 3; k++) {
		struct ks_audit *a = fresh();

		ev.boot = k == 0 ? boot : k == 1 ? "" : NULL;
		want = k == 0;
		assert_int_equal(ks_audit_log(a, &ev), 0);
		ks_audit_close(a);
		assert_int_equal(read_log(check_boot, &want).lines, 1);
	}
}

/* 1000 identical refusals: a line per second at most, every one counted. */
static void test_identical_refusals(void **state)
{
	struct ks_audit *a = fresh();
	int64_t start = mono_ms();
	struct totals t;

	(void)state;
	for (int i = 0; i < 1000; i++)
		assert_int_equal(ks_audit_log(a, &(struct ks_audit_event){ .peer = "192.0.2.1", .session = "x",
			.event = "resource", .resource = "default/luks/demo", .decision = "refuse",
			.reason = "no attested session and no bearer token" }), 0);
	ks_audit_close(a);
	t = read_log(NULL, NULL);
	assert_int_equal(t.events, 1000);
	/* per second value it ran in (at most whole seconds + 2): a line and a count line */
	assert_true(t.lines <= 2 * (unsigned)((mono_ms() - start) / 1000 + 2));
}

/* Distinct refusals (another resource each): the overall limit, every one counted. */
static void test_distinct_refusals(void **state)
{
	struct ks_audit *a = fresh();
	int64_t start = mono_ms();
	struct totals t;
	char res[64];

	(void)state;
	for (int i = 0; i < 3000; i++) {
		snprintf(res, sizeof(res), "default/luks/r%d", i);
		assert_int_equal(ks_audit_log(a, &(struct ks_audit_event){ .peer = "192.0.2.1", .event = "resource",
			.resource = res, .decision = "refuse", .reason = "no policy" }), 0);
	}
	ks_audit_close(a);
	t = read_log(NULL, NULL);
	assert_int_equal(t.events, 3000);
	/* per second value it ran in (at most whole seconds + 2): the limit and a count line */
	if (t.lines > (2 * KS_AUDIT_REFUSALS_PER_S + 1) * (unsigned)((mono_ms() - start) / 1000 + 2))
		print_message("%u lines in %lld ms\n", t.lines, (long long)(mono_ms() - start));
	assert_true(t.lines <= (2 * KS_AUDIT_REFUSALS_PER_S + 1) * (unsigned)((mono_ms() - start) / 1000 + 2));
}

/* Successes are never dropped. */
static void test_releases_all_written(void **state)
{
	struct ks_audit *a = fresh();
	struct totals t;

	(void)state;
	for (int i = 0; i < 300; i++)
		assert_int_equal(ks_audit_log(a, &(struct ks_audit_event){ .peer = "192.0.2.1", .event = "resource",
			.resource = "default/luks/demo", .decision = "release" }), 0);
	ks_audit_close(a);
	t = read_log(NULL, NULL);
	assert_int_equal(t.lines, 300);
	assert_int_equal(t.events, 300);
}

static void check_suppressed(json_object *o, void *arg)
{
	unsigned *n = arg;
	json_object *v;

	if (json_object_object_get_ex(o, "suppressed", &v)) {
		assert_string_equal(json_object_get_string(json_object_object_get(o, "event")), "audit");
		assert_string_equal(json_object_get_string(json_object_object_get(o, "decision")), "suppressed");
		assert_string_equal(json_object_get_string(json_object_object_get(o, "peer")), "192.0.2.1");
		assert_string_equal(json_object_get_string(json_object_object_get(o, "reason")),
				    "attest reject: nonce mismatch");
		*n = (unsigned)json_object_get_int(v);
	}
}

/* The count of identical refusals dropped in one second is written in the next second
 * that has an audit line. */
static void test_count_line(void **state)
{
	struct ks_audit *a;
	struct ks_audit_event ev = { .peer = "192.0.2.1", .event = "attest", .decision = "reject",
				     .reason = "nonce mismatch" };
	int64_t s0;
	unsigned n = 0;
	struct totals t;

	(void)state;
	/* start right after a second begins, so the first ten share it */
	s0 = mono_ms() / 1000;
	for (int i = 0; i < 120 && mono_ms() / 1000 == s0; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	a = fresh();
	s0 = mono_ms() / 1000;
	for (int i = 0; i < 10; i++)
		assert_int_equal(ks_audit_log(a, &ev), 0);
	assert_int_equal(mono_ms() / 1000, s0);
	t = read_log(NULL, NULL);
	assert_int_equal(t.lines, 1);
	for (int i = 0; i < 120 && mono_ms() / 1000 == s0; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	assert_int_equal(ks_audit_log(a, &ev), 0);
	t = read_log(check_suppressed, &n);
	assert_int_equal(t.lines, 3); /* the first, the count of 9, the one of this second */
	assert_int_equal(n, 9);
	assert_int_equal(t.events, 11);
	ks_audit_close(a);
}

static int setup(void **state)
{
	int fd = mkstemp(path);

	(void)state;
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_fields),
		cmocka_unit_test(test_session_id),
		cmocka_unit_test(test_boot_field),
		cmocka_unit_test(test_identical_refusals),
		cmocka_unit_test(test_distinct_refusals),
		cmocka_unit_test(test_releases_all_written),
		cmocka_unit_test(test_count_line),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
