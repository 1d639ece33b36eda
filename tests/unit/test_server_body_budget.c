/* SPDX-License-Identifier: Apache-2.0 */
/* The request body budget (body_budget.c): a total over all connections, an eighth of it
 * per address (at least one max_body_bytes body), nothing charged on a refusal. */
#include "testutil.h"
#include "server/body_budget.h"

#include <errno.h>
#include <string.h>

static struct ks_peer peer(uint8_t n)
{
	struct ks_peer p = { .b = { [10] = 0xff, [11] = 0xff, [15] = n } };

	return p;
}

static void test_budget(void **state)
{
	struct ks_body_budget *b;
	struct ks_peer p[9];
	(void)state;

	for (int i = 0; i < 9; i++)
		p[i] = peer((uint8_t)i);
	assert_int_equal(ks_body_budget_new(800, 50, 64, &b), 0);
	assert_int_equal(ks_body_budget_share(b), 100);
	assert_int_equal(ks_body_budget_take(b, &p[0], 60), 0);
	assert_int_equal(ks_body_budget_take(b, &p[0], 41), -EBUSY); /* over its share */
	assert_int_equal(ks_body_budget_take(b, &p[0], 40), 0);
	for (int i = 1; i < 8; i++)
		assert_int_equal(ks_body_budget_take(b, &p[i], 100), 0);
	assert_int_equal(ks_body_budget_used(b), 800);
	assert_int_equal(ks_body_budget_take(b, &p[8], 1), -EBUSY); /* over the total */
	ks_body_budget_give(b, &p[3], 100);
	assert_int_equal(ks_body_budget_take(b, &p[8], 100), 0);
	assert_int_equal(ks_body_budget_used(b), 800);
	ks_body_budget_free(b);

	/* A share never below one whole body. */
	assert_int_equal(ks_body_budget_new(800, 300, 64, &b), 0);
	assert_int_equal(ks_body_budget_share(b), 301);
	assert_int_equal(ks_body_budget_take(b, &p[0], 301), 0);
	ks_body_budget_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
