/* SPDX-License-Identifier: Apache-2.0 */
/* HTTPS front end on libmicrohttpd (GnuTLS inside): bounded bodies (each, and all buffered
 * at once), a connection cap (in all, and per address), idle timeouts and a deadline per
 * request, TLS 1.2+ with AEAD suites, IPv4 and IPv6, and a thread pool; requests are
 * handed to ks_handle(). */
#include "body_budget.h"
#include "conn_guard.h"
#include "handler.h"
#include "peer.h"
#include "server.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../common/mono_time.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

struct upload {
	char *buf;
	size_t len, cap;
	size_t reserved;   /* bytes of the body budget this upload holds (its buffer's size) */
	struct ks_peer peer; /* charged for them */
	bool too_big;
	bool over_budget;  /* the budget could not take this body: drain it, answer 503 */
};

/* Request bodies buffered at once (max_body_total_bytes, body_budget.h): without this
 * bound, max_connections bodies of max_body_bytes each let one client pin ~1 GiB. */
struct httpd {
	struct ks_server *srv;
	struct ks_conn_guard *guard;
	struct ks_body_budget *budget;
	_Atomic int64_t last_budget_log_ms;
};

static void peer_of(struct MHD_Connection *c, struct ks_peer *key, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	ks_peer_from_sockaddr(ci ? ci->client_addr : NULL, key, buf, len);
}

/* Grows up's buffer to hold want bytes, within the budget: false when over it. */
static bool reserve(struct httpd *h, struct upload *up, size_t want)
{
	size_t more = want - up->reserved;
	char *nb;

	if (want <= up->cap)
		return true;
	if (ks_body_budget_take(h->budget, &up->peer, more) < 0)
		return false;
	nb = realloc(up->buf, want);
	if (!nb) {
		ks_body_budget_give(h->budget, &up->peer, more);
		return false;
	}
	up->buf = nb;
	up->cap = up->reserved = want;
	return true;
}

static void note_over_budget(struct httpd *h, const char *peer)
{
	int64_t now = mono_ms(), prev = atomic_load(&h->last_budget_log_ms);

	if (now - prev >= 10 * 1000 && atomic_compare_exchange_strong(&h->last_budget_log_ms, &prev, now))
		log_warn("request body from %s refused with 503: over its share (%zu bytes) or the total "
			 "(max_body_total_bytes %zu; %zu buffered now)", peer, ks_body_budget_share(h->budget),
			 h->srv->cfg.max_body_total_bytes, ks_body_budget_used(h->budget));
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct ks_reply *rep)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(rep->len, rep->body ? rep->body : (void *)"",
					       rep->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(rep->body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (rep->set_cookie[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, rep->set_cookie);
	ret = MHD_queue_response(c, rep->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* 413 for a body over max_body_bytes, 503 for one the body budget cannot take now. */
static enum MHD_Result refuse_body(struct MHD_Connection *c, bool busy)
{
	static const char large[] = "request body too large\n", full[] = "server busy, retry later\n";
	const char *msg = busy ? full : large;
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(msg), (void *)msg, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	if (busy)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	ret = MHD_queue_response(c, busy ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_CONTENT_TOO_LARGE, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *data, size_t *data_size, void **con_cls)
{
	struct httpd *h = cls;
	struct ks_server *srv = h->srv;
	struct upload *up = *con_cls;
	struct ks_request req = { 0 };
	struct ks_reply rep;
	struct ks_peer key;
	char peer[INET6_ADDRSTRLEN];

	(void)version;
	if (!up) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		unsigned long long n = cl ? strtoull(cl, NULL, 10) : 0;

		up = calloc(1, sizeof(*up));
		if (!up)
			return MHD_NO;
		*con_cls = up;
		peer_of(c, &up->peer, NULL, 0);
		if (n > srv->cfg.max_body_bytes)
			up->too_big = true;
		else if (n && !reserve(h, up, (size_t)n + 1)) /* the whole body at once, early */
			up->over_budget = true;
		return MHD_YES;
	}
	if (*data_size) {
		if (up->too_big || up->over_budget || *data_size > srv->cfg.max_body_bytes - up->len) {
			up->too_big |= !up->over_budget; /* keep draining, answer 413/503 at the end */
		} else if (up->len + *data_size + 1 > up->cap) {
			size_t cap = up->cap ? up->cap : 8192;

			while (cap < up->len + *data_size + 1)
				cap *= 2;
			if (cap > srv->cfg.max_body_bytes + 1)
				cap = srv->cfg.max_body_bytes + 1;
			if (!reserve(h, up, cap))
				up->over_budget = true;
		}
		if (!up->too_big && !up->over_budget) {
			memcpy(up->buf + up->len, data, *data_size);
			up->len += *data_size;
		}
		*data_size = 0;
		return MHD_YES;
	}
	peer_of(c, &key, peer, sizeof(peer));
	if (up->over_budget)
		note_over_budget(h, peer);
	if (up->too_big || up->over_budget)
		return refuse_body(c, up->over_budget);
	if (up->buf)
		up->buf[up->len] = '\0';
	req.method = method;
	req.path = url;
	req.body = up->buf ? up->buf : "";
	req.body_len = up->len;
	req.cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "kbs-session-id");
	req.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	req.peer = peer;
	req.peer_key = &key;
	ks_handle(srv, &req, &rep);
	return send_reply(c, &rep);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct httpd *h = cls;
	struct upload *up = *con_cls;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	(void)toe;
	if (up) {
		ks_body_budget_give(h->budget, &up->peer, up->reserved);
		free(up->buf);
		free(up);
		*con_cls = NULL;
	}
	if (ci)
		ks_conn_guard_request_done(h->guard, ci->socket_context);
}

static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct httpd *h = cls;

	(void)addrlen;
	return ks_conn_guard_admit(h->guard, addr) ? MHD_YES : MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct httpd *h = cls;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *sa = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

		*socket_context = fd ? ks_conn_guard_start(h->guard, sa ? sa->client_addr : NULL, fd->connect_fd) : NULL;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		ks_conn_guard_end(h->guard, *socket_context);
		*socket_context = NULL;
	}
}

/* GnuTLS priorities: TLS 1.3 and 1.2 only, AEAD suites only, forward-secret key exchange
 * only (ECDHE), no SHA-1 signatures, in the server's order (issue 14: NORMAL accepted
 * TLS 1.0/1.1 and CBC suites with SHA-1 MACs; the client refuses anything below 1.2 too).
 * TLS_AES_128_GCM_SHA256 first: SHA-256 for the transcript and HKDF instead of SHA-384
 * (~5 % less server CPU per new connection, measured). X25519 must stay the first group:
 * clients send one key share, X25519's (OpenSSL, curl), and a server preferring SECP256R1
 * makes them retry the handshake (HelloRetryRequest: one more round trip and ~60-90 µs
 * more server CPU). */
static const char tls_priorities[] =
	"NORMAL:%SERVER_PRECEDENCE:"
	"-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:"
	"-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AES-256-CCM:+AES-128-CCM:"
	"-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:"
	"-SIGN-RSA-SHA1:-SIGN-ECDSA-SHA1:"
	"-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:+GROUP-SECP521R1:+GROUP-X448:"
	"+GROUP-FFDHE2048:+GROUP-FFDHE3072:+GROUP-FFDHE4096:+GROUP-FFDHE6144:+GROUP-FFDHE8192";

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("httpd: %s", line);
}

/* The listening address (checked by ks_config_load): a wildcard (0.0.0.0 or ::) listens
 * on both families through one IPv6 socket (dual stack); *v4_any says to fall back to IPv4
 * alone when the host has no IPv6. */
static int listen_addr(const struct ks_config *cfg, struct sockaddr_in6 *sa6, struct sockaddr_in *sa4,
		       bool *v6, bool *dual, bool *v4_any)
{
	memset(sa6, 0, sizeof(*sa6));
	memset(sa4, 0, sizeof(*sa4));
	sa4->sin_family = AF_INET;
	sa4->sin_port = htons((uint16_t)cfg->listen_port);
	sa6->sin6_family = AF_INET6;
	sa6->sin6_port = sa4->sin_port;
	*v6 = *dual = *v4_any = false;
	if (!cfg->listen_ipv6) {
		if (inet_pton(AF_INET, cfg->listen_host, &sa4->sin_addr) != 1)
			return log_fail(-EINVAL, "listen address %s is not an IPv4 address", cfg->listen_host);
		*v4_any = *dual = *v6 = sa4->sin_addr.s_addr == htonl(INADDR_ANY);
		return 0;
	}
	if (inet_pton(AF_INET6, cfg->listen_host, &sa6->sin6_addr) != 1)
		return log_fail(-EINVAL, "listen address %s is not an IPv6 address", cfg->listen_host);
	*v6 = true;
	*dual = IN6_IS_ADDR_UNSPECIFIED(&sa6->sin6_addr);
	return 0;
}

static struct MHD_Daemon *start(struct httpd *h, const uint8_t *cert, const uint8_t *key, const struct sockaddr *sa,
				unsigned flags)
{
	const struct ks_config *cfg = &h->srv->cfg;

	/* poll(), not epoll: with TLS, libmicrohttpd 0.9.75's epoll mode cost 3.4 ms of server
	 * CPU per connection here against 0.8 ms with poll (200 HTTPS requests, new connection
	 * each); select() is a little cheaper still but limited to FD_SETSIZE descriptors. */
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_TLS | MHD_USE_ERROR_LOG | flags,
				0, on_accept, h, on_request, h,
				MHD_OPTION_SOCK_ADDR, sa,
				MHD_OPTION_HTTPS_MEM_CERT, (const char *)cert,
				MHD_OPTION_HTTPS_MEM_KEY, (const char *)key,
				MHD_OPTION_HTTPS_PRIORITIES, tls_priorities,
				MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout_s,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
				MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
				MHD_OPTION_END);
}

int ks_server_run(struct ks_server *srv)
{
	_cleanup_free_ uint8_t *cert = NULL, *key = NULL;
	struct httpd h = { .srv = srv, .last_budget_log_ms = INT64_MIN / 2 };
	struct sockaddr_in sa4;
	struct sockaddr_in6 sa6;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	const struct timespec tick = { .tv_sec = 1 };
	bool v6, dual, v4_any, bracket;
	sigset_t sigs;
	size_t n;
	int r, sig;

	if ((r = file_read_all(srv->cfg.tls_cert, 1u << 20, &cert, &n)) < 0)
		return log_errno(r, "reading TLS certificate %s", srv->cfg.tls_cert);
	if ((r = file_read_all(srv->cfg.tls_key, 1u << 20, &key, &n)) < 0)
		return log_errno(r, "reading TLS key %s", srv->cfg.tls_key);
	if ((r = listen_addr(&srv->cfg, &sa6, &sa4, &v6, &dual, &v4_any)) < 0)
		return r;
	if ((r = ks_conn_guard_new(srv->cfg.max_connections, srv->cfg.max_connections_per_address,
				   srv->cfg.request_timeout_s, &h.guard)) < 0)
		return log_errno(r, "setting up connection accounting");
	if ((r = ks_body_budget_new(srv->cfg.max_body_total_bytes, srv->cfg.max_body_bytes,
				    2 * (size_t)srv->cfg.max_connections + 64, &h.budget)) < 0) {
		ks_conn_guard_free(h.guard);
		return log_errno(r, "setting up the request body budget");
	}
	/* Block the stop and reload signals before MHD starts its threads (they inherit the
	 * mask), then wait for them synchronously in this thread. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (v6)
		d = start(&h, cert, key, (struct sockaddr *)&sa6, dual ? MHD_USE_DUAL_STACK : MHD_USE_IPv6);
	else
		d = start(&h, cert, key, (struct sockaddr *)&sa4, 0);
	if (!d && v4_any) { /* no IPv6 on this host: the IPv4 wildcard alone */
		log_info("no IPv6 socket here; listening on IPv4 only");
		v6 = dual = false;
		d = start(&h, cert, key, (struct sockaddr *)&sa4, 0);
	}
	if (!d) {
		ks_conn_guard_free(h.guard);
		ks_body_budget_free(h.budget);
		return log_fail(-EADDRINUSE, "cannot listen on %s%s%s:%u with TLS (port in use, or a bad certificate/key pair?)",
				 srv->cfg.listen_ipv6 ? "[" : "", srv->cfg.listen_host, srv->cfg.listen_ipv6 ? "]" : "",
				 srv->cfg.listen_port);
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	bracket = srv->cfg.listen_ipv6;
	log_info("listening on https://%s%s%s:%u%s (%u threads)", bracket ? "[" : "", srv->cfg.listen_host,
		 bracket ? "]" : "", info ? info->port : srv->cfg.listen_port, dual ? " (IPv4 and IPv6)" : "",
		 srv->cfg.threads);
	/* Once a second, between signals: shut connections past their request deadline. */
	for (;;) {
		sig = sigtimedwait(&sigs, NULL, &tick);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		ks_conn_guard_sweep(h.guard);
		if (sig == SIGHUP)
			(void)ks_server_reload_policies(srv);
	}
	log_info("stopping on signal %d", sig);
	MHD_stop_daemon(d);
	ks_conn_guard_free(h.guard);
	ks_body_budget_free(h.budget);
	return 0;
}
