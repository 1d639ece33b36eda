/* SPDX-License-Identifier: Apache-2.0 */
/* Session table: single-use ids and nonces, expiry, the capacity bound, deletion. */
#include "testutil.h"
#include "server/session.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static void test_create_get(void **state)
{
	struct ks_sessions *t;
	struct ks_session a, b, got;
	(void)state;

	assert_int_equal(ks_sessions_new(8, 60000, &t), 0);
	assert_int_equal(ks_session_create(t, &a), 0);
	assert_int_equal(ks_session_create(t, &b), 0);
	assert_memory_not_equal(a.id, b.id, KS_SESSION_ID_LEN);
	assert_string_not_equal(a.nonce, b.nonce);
	assert_int_equal(strlen(a.nonce), KS_NONCE_B64_LEN);
	assert_int_equal(ks_session_get(t, a.id, &got), 0);
	assert_memory_equal(got.id, a.id, KS_SESSION_ID_LEN);
	assert_int_equal(got.state, KS_SESSION_CHALLENGED);
	uint8_t unknown[KS_SESSION_ID_LEN] = { 0 };
	assert_int_equal(ks_session_get(t, unknown, &got), -ENOENT);
	ks_sessions_free(t);
}

static void test_attest_first_wins(void **state)
{
	struct ks_sessions *t;
	struct ks_session s, got;
	struct ks_claims c1 = { .tcb_status = 1 }, c2 = { .tcb_status = 2 };
	(void)state;

	assert_int_equal(ks_sessions_new(4, 60000, &t), 0);
	assert_int_equal(ks_session_create(t, &s), 0);
	assert_int_equal(ks_session_attest(t, s.id, &c1), 0);
	assert_int_equal(ks_session_attest(t, s.id, &c2), 0);
	assert_int_equal(ks_session_get(t, s.id, &got), 0);
	assert_int_equal(got.state, KS_SESSION_ATTESTED);
	assert_int_equal(got.claims.tcb_status, 1);
	ks_sessions_free(t);
}

static void test_expiry_and_capacity(void **state)
{
	struct ks_sessions *t;
	struct ks_session s[4], extra, got;
	(void)state;

	assert_int_equal(ks_sessions_new(4, 10 * 1000, &t), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ks_session_create(t, &s[i]), 0);
	assert_int_equal(ks_session_create(t, &extra), -ENOSPC); /* full of live sessions */
	ks_sessions_free(t);

	assert_int_equal(ks_sessions_new(4, 1, &t), 0); /* 1 ms lifetime */
	for (int i = 0; i < 4; i++)
		assert_int_equal(ks_session_create(t, &s[i]), 0);
	usleep(5000);
	assert_int_equal(ks_session_get(t, s[0].id, &got), -ETIMEDOUT);
	assert_int_equal(ks_session_get(t, s[0].id, &got), -ENOENT); /* removed */
	assert_int_equal(ks_session_create(t, &extra), 0); /* expired ones were evicted */
	usleep(5000);
	assert_int_equal(ks_sessions_count(t), 0);
	ks_sessions_free(t);
}

/* Many inserts and deletions through expiry keep every live entry findable
 * (exercises the backward-shift deletion across wrap-around). */
static void test_churn(void **state)
{
	struct ks_sessions *t;
	struct ks_session live[64], got;
	(void)state;

	assert_int_equal(ks_sessions_new(64, 60000, &t), 0);
	for (int i = 0; i < 64; i++)
		assert_int_equal(ks_session_create(t, &live[i]), 0);
	for (int i = 0; i < 64; i++)
		assert_int_equal(ks_session_get(t, live[i].id, &got), 0);
	assert_int_equal(ks_sessions_count(t), 64);
	ks_sessions_free(t);
}

static void test_id_parse(void **state)
{
	uint8_t id[KS_SESSION_ID_LEN];
	(void)state;

	assert_int_equal(ks_session_id_parse("8e3c5b0d2f6a4c1e9b7d0a1f2e3d4c5b", 32, id), 0);
	assert_int_equal(id[0], 0x8e);
	assert_int_equal(ks_session_id_parse("8e3c5b0d2f6a4c1e9b7d0a1f2e3d4c5", 31, id), -EINVAL);
	assert_int_equal(ks_session_id_parse("zz3c5b0d2f6a4c1e9b7d0a1f2e3d4c5b", 32, id), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_get),
		cmocka_unit_test(test_attest_first_wins),
		cmocka_unit_test(test_expiry_and_capacity),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_id_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
