/* SPDX-License-Identifier: Apache-2.0 */
#include "qgs_client.h"
#include "qgs_msg.h"
#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/mono_time.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/vm_sockets.h>

/* Milliseconds left until end (absolute CLOCK_MONOTONIC ms), at least 0. */
static int left_ms(long long end)
{
	long long left = end - mono_ms();

	return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

/* Waits until fd is ready for events or end passes (-ETIMEDOUT). */
static int wait_ready(int fd, short events, long long end)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		int n = poll(&pfd, 1, left_ms(end));

		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* connect() bounded by end (a blocking connect to a dead vsock CID can hang). The socket
 * stays non-blocking: every later read and write waits with poll() until end. */
static int connect_until(int fd, const struct sockaddr *sa, socklen_t salen, long long end)
{
	int flags = fcntl(fd, F_GETFL), err = 0, r;
	socklen_t errlen = sizeof(err);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	if (connect(fd, sa, salen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	if ((r = wait_ready(fd, POLLOUT, end)) < 0)
		return r;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0)
		return -errno;
	return err ? -err : 0;
}

static int open_vsock(const char *spec, long long end)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK };
	unsigned cid, port;
	char tail;
	int fd, r;

	if (sscanf(spec, "%u:%u%c", &cid, &port, &tail) != 2)
		return -EINVAL;
	sa.svm_cid = cid;
	sa.svm_port = port;
	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect_until(fd, (struct sockaddr *)&sa, sizeof(sa), end);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

static int open_tcp(const char *spec, long long end)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	char host[256];
	const char *colon = strrchr(spec, ':');
	int fd = -EINVAL;

	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(host))
		return -EINVAL;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
		return -EHOSTUNREACH;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			fd = -errno;
			continue;
		}
		int r = connect_until(fd, ai->ai_addr, ai->ai_addrlen, end);
		if (r == 0)
			break;
		close(fd);
		fd = r;
	}
	freeaddrinfo(res);
	return fd;
}

/* Reads exactly len bytes before end, however the peer spaces them out. */
static int read_until(int fd, uint8_t *buf, size_t len, long long end)
{
	while (len) {
		ssize_t n = read(fd, buf, len);
		int r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if ((r = wait_ready(fd, POLLIN, end)) < 0)
				return r;
			continue;
		}
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_until(int fd, const uint8_t *buf, size_t len, long long end)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		int r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if ((r = wait_ready(fd, POLLOUT, end)) < 0)
				return r;
			continue;
		}
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One line for a failed exchange; a timeout names the bound that ended it. */
static int io_failed(int r, const char *what, const char *addr, const char *bound)
{
	if (r == -ETIMEDOUT)
		return log_fail(r, "QGS: %s %s did not finish within %s (a stalled or trickling quote service)",
				what, addr, bound);
	return log_errno(r, "QGS: %s %s", what, addr);
}

int qgs_get_quote(const char *addr, const uint8_t tdreport[1024], int timeout_ms, long long deadline_ms,
		  uint8_t **quote, size_t *len)
{
	long long end = mono_ms() + timeout_ms;
	const char *bound = "its time limit";
	uint8_t req[4 + QGS_REQ_LEN], hdr[4];
	_cleanup_free_ uint8_t *msg = NULL;
	_cleanup_close_ int fd = -1;
	const uint8_t *q;
	uint32_t mlen, code = 0;
	size_t qlen;
	int r;

	if (deadline_ms && deadline_ms < end) {
		end = deadline_ms;
		bound = "the attempt's deadline";
	}
	if (!addr)
		addr = QGS_ADDR_DEFAULT;
	if (strncmp(addr, "vsock:", 6) == 0)
		fd = open_vsock(addr + 6, end);
	else if (strncmp(addr, "tcp:", 4) == 0)
		fd = open_tcp(addr + 4, end);
	else
		return log_fail(-EINVAL, "QGS address '%s' is not vsock:CID:PORT or tcp:HOST:PORT", addr);
	if (fd == -EINVAL)
		return log_fail(fd, "QGS address '%s' is not vsock:CID:PORT or tcp:HOST:PORT", addr);
	if (fd == -ETIMEDOUT)
		return io_failed(fd, "connecting to", addr, bound);
	if (fd < 0)
		return log_errno(fd, "QGS: connecting to %s (is the host's QGS running and reachable?)", addr);
	qgs_encode_quote_req(tdreport, req);
	if ((r = write_until(fd, req, sizeof(req), end)) < 0)
		return io_failed(r, "sending the request to", addr, bound);
	if ((r = read_until(fd, hdr, 4, end)) < 0)
		return io_failed(r, "reading the response length from", addr, bound);
	mlen = qgs_frame_len(hdr);
	if (mlen < QGS_HEADER_LEN || mlen > QGS_MSG_MAX)
		return log_fail(-EBADMSG, "QGS: response length %u from %s is out of bounds", mlen, addr);
	msg = malloc(mlen);
	if (!msg)
		return -ENOMEM;
	if ((r = read_until(fd, msg, mlen, end)) < 0)
		return io_failed(r, "reading the response from", addr, bound);
	r = qgs_decode_quote_resp(msg, mlen, &q, &qlen, &code);
	if (r == -EREMOTEIO)
		return log_fail(r, "QGS at %s reported error 0x%08x", addr, code);
	if (r < 0)
		return log_fail(r, "QGS: malformed GET_QUOTE response from %s", addr);
	*quote = malloc(qlen);
	if (!*quote)
		return -ENOMEM;
	memcpy(*quote, q, qlen);
	*len = qlen;
	return 0;
}
