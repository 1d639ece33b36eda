/* SPDX-License-Identifier: Apache-2.0 */
/* Connection accounting (conn_guard.c): the per-address cap, and the request deadline that
 * shuts down a connection however slowly it trickles, reset by each finished request.
 * Connections are socketpairs: a shut-down end reads as end of stream on the other. */
#include "testutil.h"
#include "server/conn_guard.h"
#include "common/mono_time.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in addr(const char *ip)
{
	struct sockaddr_in in = { .sin_family = AF_INET };

	assert_int_equal(inet_pton(AF_INET, ip, &in.sin_addr), 1);
	return in;
}

/* true when the server end fd[0] was shut down: the client end fd[1] reads EOF. */
static bool shut_down(const int fd[2])
{
	char c;

	return recv(fd[1], &c, 1, MSG_DONTWAIT) == 0;
}

static void pair(int fd[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0);
}

static void test_per_address_cap(void **state)
{
	struct ks_conn_guard *g;
	struct sockaddr_in a = addr("192.0.2.1"), b = addr("192.0.2.2");
	struct ks_conn *c[4];
	int fd[4][2];
	(void)state;

	assert_int_equal(ks_conn_guard_new(16, 2, 0, &g), 0);
	for (int i = 0; i < 4; i++)
		pair(fd[i]);
	assert_true(ks_conn_guard_admit(g, (struct sockaddr *)&a));
	c[0] = ks_conn_guard_start(g, (struct sockaddr *)&a, fd[0][0]);
	c[1] = ks_conn_guard_start(g, (struct sockaddr *)&a, fd[1][0]);
	assert_non_null(c[0]);
	assert_non_null(c[1]);
	assert_false(ks_conn_guard_admit(g, (struct sockaddr *)&a)); /* at its cap */
	assert_true(ks_conn_guard_admit(g, (struct sockaddr *)&b));  /* another address is not */
	/* Past the cap (two accepted at once before either was counted): shut down at once. */
	c[2] = ks_conn_guard_start(g, (struct sockaddr *)&a, fd[2][0]);
	assert_null(c[2]);
	assert_true(shut_down(fd[2]));
	assert_false(shut_down(fd[0]));
	c[3] = ks_conn_guard_start(g, (struct sockaddr *)&b, fd[3][0]);
	assert_non_null(c[3]);
	ks_conn_guard_end(g, c[2]); /* NULL: nothing */
	ks_conn_guard_end(g, c[0]);
	assert_true(ks_conn_guard_admit(g, (struct sockaddr *)&a)); /* a place again */
	ks_conn_guard_end(g, c[1]);
	ks_conn_guard_end(g, c[3]);
	ks_conn_guard_free(g);
	for (int i = 0; i < 4; i++) {
		close(fd[i][0]);
		close(fd[i][1]);
	}
}

static void test_deadline(void **state)
{
	struct ks_conn_guard *g;
	struct sockaddr_in a = addr("192.0.2.1");
	struct ks_conn *slow, *busy;
	int64_t t0;
	unsigned n;
	int s[2], k[2];
	(void)state;

	assert_int_equal(ks_conn_guard_new(16, 0, 1, &g), 0); /* 1 s per request */
	pair(s);
	pair(k);
	slow = ks_conn_guard_start(g, (struct sockaddr *)&a, s[0]);
	busy = ks_conn_guard_start(g, (struct sockaddr *)&a, k[0]);
	assert_int_equal(ks_conn_guard_sweep(g), 0);
	usleep(700 * 1000);
	ks_conn_guard_request_done(g, busy); /* a request finished: a fresh deadline */
	t0 = mono_ms();
	usleep(500 * 1000);
	n = ks_conn_guard_sweep(g);
	assert_true(shut_down(s));
	/* busy's fresh deadline has not passed, unless this machine stalled for 0.5 s */
	if (mono_ms() - t0 < 900) {
		assert_int_equal(n, 1);
		assert_false(shut_down(k));
		assert_int_equal(ks_conn_guard_sweep(g), 0); /* and slow is shut once only */
	}
	ks_conn_guard_end(g, slow);
	ks_conn_guard_end(g, busy);
	ks_conn_guard_free(g);
	close(s[0]);
	close(s[1]);
	close(k[0]);
	close(k[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_address_cap),
		cmocka_unit_test(test_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
