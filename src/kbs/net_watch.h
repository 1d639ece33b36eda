/* SPDX-License-Identifier: Apache-2.0 */
/* Waking a client that waits out "no route to the server" as soon as the network changes.
 *
 * In the initrd the helper starts before DHCP has configured the interface: its first tries
 * fail with ENETUNREACH. Sleeping a fixed time after each would add up to that time to every
 * boot; a rtnetlink socket subscribed to address and route changes ends the wait when the
 * lease is applied. Opened before a try, it also holds changes that happen during the try. */
#pragma once
#include <stdbool.h>

/* A non-blocking NETLINK_ROUTE socket subscribed to address and route changes, or a
 * negative errno (callers then just sleep). */
int net_watch_open(void);
/* Discards the changes queued so far. */
void net_watch_drain(int fd);
/* Waits up to ms milliseconds; returns early, once changes have stopped arriving for a
 * moment, when something changed (true). fd < 0 sleeps the whole time (false). */
bool net_watch_wait(int fd, long ms);
