/* SPDX-License-Identifier: Apache-2.0 */
#include "qgs_client.h"
#include "qgs_msg.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/vm_sockets.h>

static int set_timeouts(int fd, int timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}

/* connect() bounded by timeout_ms (a blocking connect to a dead vsock CID can hang). */
static int connect_timeout(int fd, const struct sockaddr *sa, socklen_t salen, int timeout_ms)
{
	int flags = fcntl(fd, F_GETFL), err = 0;
	socklen_t errlen = sizeof(err);
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	if (connect(fd, sa, salen) < 0) {
		if (errno != EINPROGRESS)
			return -errno;
		int n = poll(&pfd, 1, timeout_ms);
		if (n == 0)
			return -ETIMEDOUT;
		if (n < 0)
			return -errno;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0)
			return -errno;
		if (err)
			return -err;
	}
	return fcntl(fd, F_SETFL, flags) < 0 ? -errno : 0;
}

static int open_vsock(const char *spec, int timeout_ms)
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
	r = connect_timeout(fd, (struct sockaddr *)&sa, sizeof(sa), timeout_ms);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

static int open_tcp(const char *spec, int timeout_ms)
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
		int r = connect_timeout(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms);
		if (r == 0)
			break;
		close(fd);
		fd = r;
	}
	freeaddrinfo(res);
	return fd;
}

static int read_full(int fd, uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = read(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (n == 0)
			return -ECONNRESET;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int qgs_get_quote(const char *addr, const uint8_t tdreport[1024], int timeout_ms,
		  uint8_t **quote, size_t *len)
{
	uint8_t req[4 + QGS_REQ_LEN], hdr[4];
	_cleanup_free_ uint8_t *msg = NULL;
	_cleanup_close_ int fd = -1;
	const uint8_t *q;
	uint32_t mlen, code = 0;
	size_t qlen;
	int r;

	if (!addr)
		addr = QGS_ADDR_DEFAULT;
	if (strncmp(addr, "vsock:", 6) == 0)
		fd = open_vsock(addr + 6, timeout_ms);
	else if (strncmp(addr, "tcp:", 4) == 0)
		fd = open_tcp(addr + 4, timeout_ms);
	else
		return log_errno(-EINVAL, "QGS address '%s' is not vsock:CID:PORT or tcp:HOST:PORT", addr);
	if (fd == -EINVAL)
		return log_errno(fd, "QGS address '%s' is not vsock:CID:PORT or tcp:HOST:PORT", addr);
	if (fd < 0)
		return log_errno(fd, "QGS: connecting to %s (is the host's QGS running and reachable?)", addr);
	if ((r = set_timeouts(fd, timeout_ms)) < 0)
		return log_errno(r, "QGS: setting socket timeouts");
	qgs_encode_quote_req(tdreport, req);
	if ((r = write_full(fd, req, sizeof(req))) < 0)
		return log_errno(r, "QGS: sending the request to %s", addr);
	if ((r = read_full(fd, hdr, 4)) < 0)
		return log_errno(r, "QGS: reading the response length from %s", addr);
	mlen = qgs_frame_len(hdr);
	if (mlen < QGS_HEADER_LEN || mlen > QGS_MSG_MAX)
		return log_errno(-EBADMSG, "QGS: response length %u from %s is out of bounds", mlen, addr);
	msg = malloc(mlen);
	if (!msg)
		return -ENOMEM;
	if ((r = read_full(fd, msg, mlen)) < 0)
		return log_errno(r, "QGS: reading the %u-byte response from %s", mlen, addr);
	r = qgs_decode_quote_resp(msg, mlen, &q, &qlen, &code);
	if (r == -EREMOTEIO)
		return log_errno(r, "QGS at %s reported error 0x%08x", addr, code);
	if (r < 0)
		return log_errno(r, "QGS: malformed GET_QUOTE response from %s", addr);
	*quote = malloc(qlen);
	if (!*quote)
		return -ENOMEM;
	memcpy(*quote, q, qlen);
	*len = qlen;
	return 0;
}
