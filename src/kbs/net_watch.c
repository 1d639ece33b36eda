/* SPDX-License-Identifier: Apache-2.0 */
#include "net_watch.h"
#include "../common/mono_time.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A lease arrives as a burst (address, prefix route, default route): wait until it has been
 * quiet this long so the retry sees the routes, not just the address. */
#define QUIET_MS 30

int net_watch_open(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		/* not RTMGRP_LINK: renames and carrier changes come before any route */
		.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_ROUTE,
	};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

void net_watch_drain(int fd)
{
	char buf[8192];

	/* Bounded: a socket that never empties must not hold the caller. */
	for (int i = 0; fd >= 0 && i < 64; i++)
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0)
			break; /* EAGAIN: empty; ENOBUFS (overrun) also means "changed" but drained */
}

bool net_watch_wait(int fd, long ms)
{
	long long end = mono_ms() + ms;
	bool changed = false;

	for (;;) {
		long long left = end - mono_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n;

		if (left <= 0)
			return changed;
		if (fd < 0) {
			struct timespec ts = { (time_t)(left / 1000), (long)(left % 1000) * 1000000L };

			nanosleep(&ts, NULL);
			continue;
		}
		n = poll(&p, 1, (int)(changed && left > QUIET_MS ? QUIET_MS : left));
		if (n < 0 && errno != EINTR)
			fd = -1; /* cannot poll: sleep the rest */
		else if (n == 0 && changed)
			return true; /* quiet after a burst */
		else if (n > 0) {
			changed = true;
			net_watch_drain(fd);
		}
	}
}
