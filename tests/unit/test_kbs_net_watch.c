/* SPDX-License-Identifier: Apache-2.0 */
/* src/kbs/net_watch.c: a wait for "no route" ends when the network changes, and only then.
 * Runs in a network namespace of its own (needs root; skipped otherwise), where the only
 * change is the one the test makes: loopback brought up. */
#include "kbs_testutil.h"
#include "kbs/net_watch.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, "lo");
	r = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return r < 0 ? -errno : 0;
}

static void test_wakes_on_change(void **state)
{
	int fd;

	(void)state;
	if (unshare(CLONE_NEWNET) < 0) {
		print_message("skipped: no network namespace (%s): needs root\n", strerror(errno));
		skip();
	}
	fd = net_watch_open();
	assert_true(fd >= 0);
	assert_false(net_watch_wait(fd, 100)); /* nothing changes in a fresh namespace */
	assert_int_equal(lo_up(), 0);          /* queued while nobody waits: not lost */
	assert_true(net_watch_wait(fd, 10000));
	net_watch_drain(fd);
	assert_false(net_watch_wait(fd, 100));
	close(fd);
	assert_false(net_watch_wait(-1, 10)); /* no socket: a plain sleep */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wakes_on_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
