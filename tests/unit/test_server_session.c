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
	assert_int_equal(ks_session_create(t, NULL, &a), 0);
	assert_int_equal(ks_session_create(t, NULL, &b), 0);
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
	struct ks_claims c1 = { .verified.tcb_status = 1 }, c2 = { .verified.tcb_status = 2 };
	(void)state;

	assert_int_equal(ks_sessions_new(4, 60000, &t), 0);
	assert_int_equal(ks_session_create(t, NULL, &s), 0);
	assert_int_equal(ks_session_attest(t, s.id, &c1), 0);
	assert_int_equal(ks_session_attest(t, s.id, &c2), 0);
	assert_int_equal(ks_session_get(t, s.id, &got), 0);
	assert_int_equal(got.state, KS_SESSION_ATTESTED);
	assert_int_equal(got.claims.verified.tcb_status, 1);
	ks_sessions_free(t);
}

static void test_expiry_and_capacity(void **state)
{
	struct ks_sessions *t;
	struct ks_session s[4], extra, got;
	struct ks_claims c = { 0 };
	(void)state;

	/* Full of attested sessions: the one attested first goes (not the one created first). */
	assert_int_equal(ks_sessions_new(4, 10 * 1000, &t), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ks_session_create(t, NULL, &s[i]), 0);
	for (int i = 3; i >= 0; i--)
		assert_int_equal(ks_session_attest(t, s[i].id, &c), 0);
	assert_int_equal(ks_session_create(t, NULL, &extra), 0);
	assert_int_equal(ks_session_get(t, s[3].id, &got), -ENOENT);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ks_session_get(t, s[i].id, &got), 0);
	assert_int_equal(ks_session_attest(t, extra.id, &c), 0);
	assert_int_equal(ks_session_create(t, NULL, &extra), 0);
	assert_int_equal(ks_session_get(t, s[2].id, &got), -ENOENT);
	assert_int_equal(ks_sessions_count(t), 4);
	ks_sessions_free(t);

	assert_int_equal(ks_sessions_new(4, 1, &t), 0); /* 1 ms lifetime */
	for (int i = 0; i < 4; i++)
		assert_int_equal(ks_session_create(t, NULL, &s[i]), 0);
	usleep(5000);
	assert_int_equal(ks_session_get(t, s[0].id, &got), -ETIMEDOUT);
	assert_int_equal(ks_session_get(t, s[0].id, &got), -ENOENT); /* removed */
	assert_int_equal(ks_session_create(t, NULL, &extra), 0); /* expired ones were evicted */
	usleep(5000);
	assert_int_equal(ks_sessions_count(t), 0);
	ks_sessions_free(t);
}

static struct ks_peer peer(uint8_t last)
{
	struct ks_peer p = { .b = { [10] = 0xff, [11] = 0xff, [12] = 10, [15] = last } };

	return p;
}

/* Issue 14: one client flooding /auth neither fills the table nor holds challenges long.
 * A full table evicts the oldest challenged session (never an attested one); one peer
 * holds at most its quota of challenges; challenges expire before attested sessions. */
static void test_challenge_flood(void **state)
{
	struct ks_sessions *t;
	struct ks_session att, first, s, got;
	struct ks_claims c = { .tee_x = { 3 } };
	struct ks_peer a = peer(1), b = peer(2);
	(void)state;

	assert_int_equal(ks_sessions_new(8, 60000, &t), 0);
	ks_sessions_set_challenge_limits(t, 60000, 0);
	assert_int_equal(ks_session_create(t, &b, &att), 0);
	assert_int_equal(ks_session_attest(t, att.id, &c), 0);
	assert_int_equal(ks_session_create(t, &a, &first), 0);
	for (int i = 0; i < 1000; i++) /* many times the table: the oldest challenge goes */
		assert_int_equal(ks_session_create(t, &a, &s), 0);
	assert_int_equal(ks_session_get(t, first.id, &got), -ENOENT);
	assert_int_equal(ks_session_get(t, s.id, &got), 0);
	assert_int_equal(ks_session_get(t, att.id, &got), 0); /* the attested one stays */
	assert_int_equal(got.state, KS_SESSION_ATTESTED);
	assert_int_equal(ks_sessions_count(t), 8);
	ks_sessions_free(t);

	assert_int_equal(ks_sessions_new(64, 60000, &t), 0);
	ks_sessions_set_challenge_limits(t, 60000, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ks_session_create(t, &a, &s), 0);
	assert_int_equal(ks_session_create(t, &a, &got), -EBUSY);
	assert_int_equal(ks_session_create(t, &b, &got), 0); /* another peer is not affected */
	assert_int_equal(ks_session_attest(t, s.id, &c), 0); /* an answered one frees a place */
	assert_int_equal(ks_session_create(t, &a, &got), 0);
	assert_int_equal(ks_session_create(t, &a, &got), -EBUSY);
	ks_sessions_free(t);

	assert_int_equal(ks_sessions_new(64, 60000, &t), 0);
	ks_sessions_set_challenge_limits(t, 60000, 2); /* attested in time, however busy the machine */
	assert_int_equal(ks_session_create(t, &a, &att), 0);
	assert_int_equal(ks_session_attest(t, att.id, &c), 0);
	ks_sessions_set_challenge_limits(t, 1, 2); /* from now on 1 ms to answer */
	assert_int_equal(ks_session_create(t, &a, &s), 0);
	usleep(5000);
	assert_int_equal(ks_session_get(t, s.id, &got), -ETIMEDOUT);
	assert_int_equal(ks_session_get(t, att.id, &got), 0); /* attested: the full lifetime */
	for (int i = 0; i < 2; i++) /* expired challenges no longer count against the quota */
		assert_int_equal(ks_session_create(t, &a, &s), 0);
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
		assert_int_equal(ks_session_create(t, NULL, &live[i]), 0);
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
		cmocka_unit_test(test_challenge_flood),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_id_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
