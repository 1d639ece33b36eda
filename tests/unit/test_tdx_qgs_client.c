/* SPDX-License-Identifier: Apache-2.0 */
/* The QGS exchange has one bound for the whole of it: a quote service that stalls is cut
 * off at the attempt's deadline, and one that trickles a byte every 100 ms (each read
 * succeeding long before any per-read timeout) is cut off at the time limit; evidence
 * collection hands its deadline to the exchange. Against an in-process TCP server on
 * 127.0.0.1. */
#include "testutil.h"
#include "common/log.h"
#include "common/mono_time.h"
#include "tdx/evidence.h"
#include "tdx/qgs_client.h"
#include "tdx/tdx_types.h"
#include "tdx/qgs_msg.h"
#include "../sim/sim_quote.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum mode { STALL, TRICKLE };

struct server {
	int listen_fd, stop[2];
	enum mode mode;
	pthread_t thread;
	char addr[64];
};

/* Waits up to ms for the stop pipe; true when asked to stop. */
static bool stopped(struct server *s, int ms)
{
	struct pollfd p = { .fd = s->stop[0], .events = POLLIN };

	return poll(&p, 1, ms) > 0;
}

static void *serve(void *arg)
{
	struct server *s = arg;
	/* A frame length of 4 KiB, then payload bytes: one byte per 100 ms. */
	static const uint8_t hdr[4] = { 0, 0, 0x10, 0 };
	uint8_t req[4 + QGS_REQ_LEN];
	size_t got = 0, sent = 0;
	struct pollfd p[2] = { { .fd = s->listen_fd, .events = POLLIN }, { .fd = s->stop[0], .events = POLLIN } };
	int fd;

	if (poll(p, 2, 30000) <= 0 || !(p[0].revents & POLLIN))
		return NULL;
	fd = accept(s->listen_fd, NULL, NULL);
	if (fd < 0)
		return NULL;
	while (got < sizeof(req)) {
		ssize_t n = read(fd, req + got, sizeof(req) - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	while (!stopped(s, s->mode == STALL ? 10000 : 100)) {
		uint8_t b = sent < sizeof(hdr) ? hdr[sent] : 0;

		if (s->mode == STALL || write(fd, &b, 1) != 1)
			continue;
		sent++;
	}
	close(fd);
	return NULL;
}

static void server_start(struct server *s, enum mode mode)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);

	s->mode = mode;
	s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->listen_fd >= 0);
	assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s->listen_fd, 1), 0);
	assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(s->addr, sizeof(s->addr), "tcp:127.0.0.1:%u", ntohs(sa.sin_port));
	assert_int_equal(pipe(s->stop), 0);
	assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(struct server *s)
{
	assert_int_equal(write(s->stop[1], "x", 1), 1);
	pthread_join(s->thread, NULL);
	close(s->stop[0]);
	close(s->stop[1]);
	close(s->listen_fd);
}

static const uint8_t tdreport[1024];

/* qgs_get_quote against a fresh server in `mode` with the QGS time limit and a deadline
 * (deadline_in ms from now, 0: none) must time out without a quote, within 5 s; returns how
 * long it took (ms). */
static int64_t expect_timeout(enum mode mode, int limit_ms, int64_t deadline_in)
{
	struct server s;
	uint8_t *quote = NULL;
	size_t len = 0;
	int64_t start, ms;

	server_start(&s, mode);
	start = mono_ms();
	assert_int_equal(qgs_get_quote(s.addr, tdreport, limit_ms, deadline_in ? start + deadline_in : 0, &quote, &len),
			 -ETIMEDOUT);
	ms = mono_ms() - start;
	assert_true(ms < 5000);
	assert_null(quote);
	server_stop(&s);
	return ms;
}

/* A QGS that accepts and never answers: the deadline (1 s) ends it, not the 30 s limit. */
static void test_stall_bounded_by_deadline(void **state)
{
	(void)state;
	assert_true(expect_timeout(STALL, 30000, 1000) >= 900);
}

/* A QGS that trickles: every read gets a byte within 100 ms, so only a bound on the whole
 * exchange ends it: the 1.5 s limit without a deadline, the deadline when it is earlier. */
static void test_trickle_bounded(void **state)
{
	(void)state;
	expect_timeout(TRICKLE, 1500, 0);
	expect_timeout(TRICKLE, 30000, 1000);
}

/* A deadline already passed: no connection is waited for. */
static void test_deadline_passed(void **state)
{
	struct server s;
	uint8_t *quote = NULL;
	size_t len = 0;

	(void)state;
	server_start(&s, STALL);
	assert_int_equal(qgs_get_quote(s.addr, tdreport, 30000, mono_ms() - 1, &quote, &len), -ETIMEDOUT);
	server_stop(&s);
}

/* Evidence collection passes its deadline down: TDREPORT from a file, a QGS that stalls, the
 * deadline 1 s away and the QGS limit at its 30 s default. */
static void test_evidence_deadline(void **state)
{
	char path[] = "/tmp/test_tdx_qgs_client.XXXXXX";
	struct tdx_td_info td;
	uint8_t rd[64] = { 7 }, report[1024], *quote = NULL;
	struct evidence_opts eo = { 0 };
	enum evidence_method method;
	struct server s;
	size_t len = 0;
	int64_t start;
	int fd;

	(void)state;
	assert_int_equal(sim_profile_default(&td), 0);
	assert_int_equal(sim_tdreport_build(&td, rd, report), 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, report, sizeof(report)), (ssize_t)sizeof(report));
	close(fd);
	server_start(&s, STALL);
	eo.qgs_addr = s.addr;
	eo.tdreport_file = path;
	start = mono_ms();
	eo.deadline_ms = start + 1000;
	assert_int_equal(evidence_get_quote(&eo, rd, &quote, &len, &method), -ETIMEDOUT);
	assert_true(mono_ms() - start < 5000);
	assert_null(quote);
	server_stop(&s);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stall_bounded_by_deadline),
		cmocka_unit_test(test_trickle_bounded),
		cmocka_unit_test(test_deadline_passed),
		cmocka_unit_test(test_evidence_deadline),
	};

	log_set_level(LOG_LVL_QUIET);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
