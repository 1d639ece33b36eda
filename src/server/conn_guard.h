/* SPDX-License-Identifier: Apache-2.0 */
/* Connection accounting against one client holding the server (issue 14, slowloris):
 * at most per_peer concurrent connections per address (peer.h: IPv4 address or IPv6 /64)
 * and a deadline for each request, counted from the connection's start or the end of its
 * previous request, however slowly the bytes trickle in (libmicrohttpd's own timeout is an
 * idle timeout that every byte resets). Overdue or over-quota connections are shut down
 * (shutdown(2)); libmicrohttpd then sees the end of the stream and closes them itself.
 * Thread-safe. */
#pragma once
#include <stdbool.h>

struct sockaddr;
struct ks_conn_guard;
struct ks_conn;

/* max_connections bounds the connections tracked at once; per_peer 0 = no per-address
 * bound; deadline_s 0 = none. */
int ks_conn_guard_new(unsigned max_connections, unsigned per_peer, unsigned deadline_s, struct ks_conn_guard **out);
void ks_conn_guard_free(struct ks_conn_guard *g);
/* Cheap check before a connection is set up (accept policy): false when sa's address
 * already holds its quota. */
bool ks_conn_guard_admit(struct ks_conn_guard *g, const struct sockaddr *sa);
/* A connection on socket fd from sa begins: counts it, or shuts it down when over the
 * address's quota (or out of memory). The result (NULL after a shutdown) goes to
 * ks_conn_guard_end() and ks_conn_guard_request_done(). */
struct ks_conn *ks_conn_guard_start(struct ks_conn_guard *g, const struct sockaddr *sa, int fd);
void ks_conn_guard_end(struct ks_conn_guard *g, struct ks_conn *c);
/* The connection finished a request: its next one gets a fresh deadline. */
void ks_conn_guard_request_done(struct ks_conn_guard *g, struct ks_conn *c);
/* Shuts down every connection past its deadline; call about once a second. Returns how
 * many it shut down. */
unsigned ks_conn_guard_sweep(struct ks_conn_guard *g);
