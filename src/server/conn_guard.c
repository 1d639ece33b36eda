/* SPDX-License-Identifier: Apache-2.0 */
#include "conn_guard.h"
#include "peer.h"
#include "../common/log.h"
#include "../common/mono_time.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

struct ks_conn {
	struct ks_conn *prev, *next;
	struct ks_peer peer;
	char name[INET6_ADDRSTRLEN];
	int fd;
	int64_t since_ms;  /* start of the current request (connection start or last end) */
	bool shut;
};

struct ks_conn_guard {
	pthread_mutex_t lock;
	struct ks_conn *head;
	struct ks_peer_counts *counts;
	unsigned per_peer;
	int64_t deadline_ms;
	int64_t last_quota_log_ms, last_deadline_log_ms;
	unsigned quota_refused, deadline_closed; /* since the last log line */
};

int ks_conn_guard_new(unsigned max_connections, unsigned per_peer, unsigned deadline_s, struct ks_conn_guard **out)
{
	struct ks_conn_guard *g = calloc(1, sizeof(*g));
	int r;

	if (!g)
		return -ENOMEM;
	/* Room for more than the connection limit: closed connections are counted until
	 * libmicrohttpd has cleaned them up, new ones may be counted before that. */
	if ((r = ks_peer_counts_new(2 * (size_t)max_connections + 64, &g->counts)) < 0) {
		free(g);
		return r;
	}
	pthread_mutex_init(&g->lock, NULL);
	g->per_peer = per_peer ? per_peer : UINT_MAX;
	g->deadline_ms = (int64_t)deadline_s * 1000;
	g->last_quota_log_ms = g->last_deadline_log_ms = INT64_MIN / 2;
	*out = g;
	return 0;
}

void ks_conn_guard_free(struct ks_conn_guard *g)
{
	if (!g)
		return;
	while (g->head) {
		struct ks_conn *c = g->head;

		g->head = c->next;
		free(c);
	}
	ks_peer_counts_free(g->counts);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

/* Called with the lock held: one line per 10 s at most, with the count since the last. */
static void note_quota(struct ks_conn_guard *g, const char *name)
{
	int64_t now = mono_ms();

	g->quota_refused++;
	if (now - g->last_quota_log_ms < 10 * 1000)
		return;
	log_warn("connection from %s refused: it holds %u connections (max_connections_per_address); "
		 "%u refused in the last 10 s", name, g->per_peer, g->quota_refused);
	g->last_quota_log_ms = now;
	g->quota_refused = 0;
}

bool ks_conn_guard_admit(struct ks_conn_guard *g, const struct sockaddr *sa)
{
	struct ks_peer peer;
	char name[INET6_ADDRSTRLEN];
	bool ok;

	ks_peer_from_sockaddr(sa, &peer, name, sizeof(name));
	pthread_mutex_lock(&g->lock);
	ok = ks_peer_count_get(g->counts, &peer) < g->per_peer;
	if (!ok)
		note_quota(g, name);
	pthread_mutex_unlock(&g->lock);
	return ok;
}

struct ks_conn *ks_conn_guard_start(struct ks_conn_guard *g, const struct sockaddr *sa, int fd)
{
	struct ks_conn *c = calloc(1, sizeof(*c));
	int r;

	if (!c) {
		shutdown(fd, SHUT_RDWR);
		return NULL;
	}
	ks_peer_from_sockaddr(sa, &c->peer, c->name, sizeof(c->name));
	c->fd = fd;
	c->since_ms = mono_ms();
	pthread_mutex_lock(&g->lock);
	r = ks_peer_count_add(g->counts, &c->peer, 1, g->per_peer);
	if (r < 0) {
		if (r == -EBUSY)
			note_quota(g, c->name);
		pthread_mutex_unlock(&g->lock);
		shutdown(fd, SHUT_RDWR);
		free(c);
		return NULL;
	}
	c->next = g->head;
	if (g->head)
		g->head->prev = c;
	g->head = c;
	pthread_mutex_unlock(&g->lock);
	return c;
}

void ks_conn_guard_end(struct ks_conn_guard *g, struct ks_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	ks_peer_count_del(g->counts, &c->peer, 1);
	if (c->prev)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&g->lock);
	free(c);
}

void ks_conn_guard_request_done(struct ks_conn_guard *g, struct ks_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	c->since_ms = mono_ms();
	pthread_mutex_unlock(&g->lock);
}

unsigned ks_conn_guard_sweep(struct ks_conn_guard *g)
{
	int64_t now = mono_ms();
	unsigned n = 0;

	if (!g->deadline_ms)
		return 0;
	pthread_mutex_lock(&g->lock);
	/* The fd stays valid while its entry is listed: libmicrohttpd reports the close
	 * (ks_conn_guard_end, under this lock) before it closes the socket. */
	for (struct ks_conn *c = g->head; c; c = c->next) {
		if (c->shut || now - c->since_ms < g->deadline_ms)
			continue;
		shutdown(c->fd, SHUT_RDWR);
		c->shut = true;
		n++;
		g->deadline_closed++;
		if (now - g->last_deadline_log_ms >= 10 * 1000) {
			log_warn("connection from %s closed: request not complete after %lld s (request_timeout_s); "
				 "%u closed so in the last 10 s", c->name, (long long)(g->deadline_ms / 1000),
				 g->deadline_closed);
			g->last_deadline_log_ms = now;
			g->deadline_closed = 0;
		}
	}
	pthread_mutex_unlock(&g->lock);
	return n;
}
