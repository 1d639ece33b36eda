/* SPDX-License-Identifier: Apache-2.0 */
/* Peers as the per-address limits see them (an IPv4 address, also when it arrives
 * IPv4-mapped on a dual-stack socket; an IPv6 /64) and the exact per-peer counts. */
#include "testutil.h"
#include "server/peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

static struct ks_peer key_of(int family, const char *addr, char *name, size_t len)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	struct ks_peer k;

	if (family == AF_INET) {
		assert_int_equal(inet_pton(AF_INET, addr, &in.sin_addr), 1);
		ks_peer_from_sockaddr((struct sockaddr *)&in, &k, name, len);
	} else {
		assert_int_equal(inet_pton(AF_INET6, addr, &in6.sin6_addr), 1);
		ks_peer_from_sockaddr((struct sockaddr *)&in6, &k, name, len);
	}
	return k;
}

static void test_keys(void **state)
{
	char name[64];
	struct ks_peer a, b;
	(void)state;

	a = key_of(AF_INET, "192.0.2.7", name, sizeof(name));
	assert_string_equal(name, "192.0.2.7");
	b = key_of(AF_INET6, "::ffff:192.0.2.7", name, sizeof(name));
	assert_string_equal(name, "192.0.2.7"); /* printed as IPv4 */
	assert_memory_equal(&a, &b, sizeof(a)); /* and the same peer */
	b = key_of(AF_INET, "192.0.2.8", NULL, 0);
	assert_memory_not_equal(&a, &b, sizeof(a));

	a = key_of(AF_INET6, "2001:db8:1:2::1", name, sizeof(name));
	assert_string_equal(name, "2001:db8:1:2::1"); /* the full address for logs */
	b = key_of(AF_INET6, "2001:db8:1:2:ffff:eeee:dddd:cccc", NULL, 0);
	assert_memory_equal(&a, &b, sizeof(a)); /* one /64, one peer */
	b = key_of(AF_INET6, "2001:db8:1:3::1", NULL, 0);
	assert_memory_not_equal(&a, &b, sizeof(a));

	ks_peer_from_sockaddr(NULL, &a, name, sizeof(name));
	assert_string_equal(name, "?");
}

static void test_counts(void **state)
{
	struct ks_peer_counts *m;
	struct ks_peer p[40];
	(void)state;

	assert_int_equal(ks_peer_counts_new(32, &m), 0);
	for (int i = 0; i < 40; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].b[15] = (uint8_t)i;
		p[i].b[3] = (uint8_t)(i * 7);
	}
	for (int i = 0; i < 32; i++) {
		assert_int_equal(ks_peer_count_add(m, &p[i], 1, 3), 0);
		assert_int_equal(ks_peer_count_add(m, &p[i], 2, 3), 0);
		assert_int_equal(ks_peer_count_add(m, &p[i], 1, 3), -EBUSY);
	}
	assert_int_equal(ks_peer_count_add(m, &p[32], 1, 3), -ENOSPC); /* capacity 32 peers */
	for (int i = 0; i < 32; i += 2) /* remove every other peer: backward shifts */
		ks_peer_count_del(m, &p[i], 3);
	for (int i = 0; i < 32; i++)
		assert_int_equal(ks_peer_count_get(m, &p[i]), i % 2 ? 3 : 0);
	for (int i = 32; i < 40; i++)
		assert_int_equal(ks_peer_count_add(m, &p[i], 1, 3), 0);
	ks_peer_count_del(m, &p[1], 1);
	assert_int_equal(ks_peer_count_get(m, &p[1]), 2);
	assert_int_equal(ks_peer_count_add(m, &p[1], 4, 3), -EBUSY); /* more than the limit at once */
	ks_peer_counts_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
