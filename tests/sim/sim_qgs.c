/* SPDX-License-Identifier: Apache-2.0 */
#include "sim_qgs.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "tdx/qgs_msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define QGS_ERR_INVALID_PARAMETER 0x00012003u
#define IO_TIMEOUT_S 10

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Reads exactly len bytes. Returns len, 0 on EOF before the first byte, or -errno
 * (-EPROTO on EOF in the middle). */
static ssize_t read_full(int fd, uint8_t *buf, size_t len)
{
	size_t n = 0;

	while (n < len) {
		ssize_t r = read(fd, buf + n, len - n);

		if (r < 0 && errno == EINTR && !stop_requested)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return n == 0 ? 0 : -EPROTO;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

static int send_frame(int fd, const uint8_t *msg, size_t len)
{
	uint8_t hdr[4];
	int r;

	qgs_put_frame_len(hdr, (uint32_t)len);
	r = write_full(fd, hdr, sizeof(hdr));
	return r < 0 ? r : write_full(fd, msg, len);
}

static int send_response(int fd, uint32_t error_code, const uint8_t *quote, size_t quote_len)
{
	_cleanup_free_ uint8_t *resp = NULL;
	size_t resp_len;
	int r = qgs_encode_quote_resp(error_code, quote, quote_len, &resp, &resp_len);

	return r < 0 ? r : send_frame(fd, resp, resp_len);
}

/* Raw mode: the first 4 bytes were the start of a bare TDREPORT. */
static int serve_raw(int fd, const struct sim_qgs_config *cfg, const uint8_t first[4])
{
	uint8_t report[TDX_TDREPORT_LEN];
	_cleanup_free_ uint8_t *q = NULL;
	size_t len;
	ssize_t n;
	int r;

	memcpy(report, first, 4);
	n = read_full(fd, report + 4, sizeof(report) - 4);
	if (n != (ssize_t)sizeof(report) - 4)
		return log_errno(n < 0 ? (int)n : -EPROTO, "qgs: raw TDREPORT truncated");
	r = sim_quote_from_tdreport(cfg->pki, report, sizeof(report), cfg->version, cfg->corrupt, &q, &len);
	if (r < 0)
		return r;
	return write_full(fd, q, len);
}

/* One framed GET_QUOTE request. Returns 1 to keep the connection, 0 to close it. */
static int serve_framed(int fd, const struct sim_qgs_config *cfg, uint32_t frame_len)
{
	_cleanup_free_ uint8_t *msg = NULL;
	_cleanup_free_ uint8_t *q = NULL;
	const uint8_t *report;
	size_t len;
	ssize_t n;
	int r;

	if (frame_len < QGS_HEADER_LEN || frame_len > QGS_MSG_MAX) {
		log_err("qgs: frame length %u out of range (%u..%u): closing", frame_len,
			QGS_HEADER_LEN, QGS_MSG_MAX);
		return 0;
	}
	msg = malloc(frame_len);
	if (!msg)
		return 0;
	n = read_full(fd, msg, frame_len);
	if (n != (ssize_t)frame_len) {
		log_errno(n < 0 ? (int)n : -EPROTO, "qgs: message truncated");
		return 0;
	}
	if (qgs_decode_quote_req(msg, frame_len, &report) < 0) {
		log_err("qgs: malformed GET_QUOTE request: answering INVALID_PARAMETER");
		return send_response(fd, QGS_ERR_INVALID_PARAMETER, NULL, 0) == 0;
	}
	r = sim_quote_from_tdreport(cfg->pki, report, TDX_TDREPORT_LEN, cfg->version, cfg->corrupt, &q, &len);
	if (r < 0)
		return send_response(fd, QGS_ERR_UNEXPECTED, NULL, 0) == 0;
	log_debug("qgs: quote of %zu bytes", len);
	return send_response(fd, 0, q, len) == 0;
}

static void serve_conn(int fd, const struct sim_qgs_config *cfg)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	uint8_t hdr[4];

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (!stop_requested) {
		ssize_t n = read_full(fd, hdr, sizeof(hdr));

		if (n != (ssize_t)sizeof(hdr)) {
			if (n < 0 && n != -EINTR)
				log_errno((int)n, "qgs: reading a request failed");
			return;
		}
		if (hdr[0] == 0x81) { /* TDREPORT type byte: no frame can be this long */
			serve_raw(fd, cfg, hdr);
			return;
		}
		if (!serve_framed(fd, cfg, qgs_frame_len(hdr)))
			return;
	}
}

static int open_listener(const char *spec, int *out)
{
	_cleanup_free_ char *host = NULL;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	_cleanup_close_ int fd = -1;
	const char *port;
	int one = 1, r;

	if (strncmp(spec, "tcp:", 4) != 0 || !(port = strrchr(spec + 4, ':')) || port == spec + 4 ||
	    !port[1])
		return log_errno(-EINVAL, "--listen '%s' is not tcp:HOST:PORT", spec);
	host = strndup(spec + 4, (size_t)(port - spec - 4));
	if (!host)
		return -ENOMEM;
	r = getaddrinfo(host, port + 1, &hints, &ai);
	if (r != 0)
		return log_errno(-EINVAL, "--listen '%s': %s (use a numeric address and port)", spec, gai_strerror(r));
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 8) < 0) {
		r = -errno;
		freeaddrinfo(ai);
		return log_errno(r, "cannot listen on %s: is the port in use?", spec);
	}
	freeaddrinfo(ai);
	*out = fd;
	fd = -1;
	return 0;
}

static int announce(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[NI_MAXHOST], port[NI_MAXSERV];
	int r;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return log_errno(-errno, "getsockname failed");
	r = getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV);
	if (r != 0)
		return log_errno(-EINVAL, "getnameinfo failed: %s", gai_strerror(r));
	printf(ss.ss_family == AF_INET6 ? "listening on [%s]:%s\n" : "listening on %s:%s\n", host, port);
	fflush(stdout);
	return 0;
}

static int write_pid_file(const char *path)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	int r = file_write_all(path, (const uint8_t *)buf, (size_t)n, 0644);

	if (r < 0)
		return log_errno(r, "cannot write the pid file %s", path);
	return 0;
}

int sim_qgs_run(const struct sim_qgs_config *cfg)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: accept() returns */
	_cleanup_close_ int lfd = -1;
	int r;

	r = open_listener(cfg->listen, &lfd);
	if (r < 0)
		return r;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (cfg->pid_file && (r = write_pid_file(cfg->pid_file)) < 0)
		return r;
	r = announce(lfd);
	while (r == 0 && !stop_requested) {
		_cleanup_close_ int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			r = log_errno(-errno, "accept failed");
			break;
		}
		serve_conn(cfd, cfg);
	}
	if (cfg->pid_file)
		unlink(cfg->pid_file);
	return r;
}
