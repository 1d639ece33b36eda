/* The kernel's share of one KBS flow, as a lower bound: a client process and a server
 * process on 127.0.0.1 replay the byte pattern that tdx-keyserver and kbs_load exchange in
 * one flow (sizes taken from `strace -f` of the server: TLS 1.3 records carrying the
 * handshake, POST /auth, POST /attest, GET /resource, close_notify), with plain TCP: no TLS,
 * no HTTP, blocking I/O, a new connection per flow. It prints the server process's CPU time
 * per flow (user + system, from getrusage): what the kernel's TCP work alone costs the
 * server, to set next to the crypto floor in bench/kbs_flow.sh.
 *
 * usage: tcp_floor [FLOWS]        (default 3000; prints "key value" lines) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* One step of the flow as the server sees it: 'r' = receive n bytes, 's' = send n bytes,
 * 'c' / 'u' = TCP_CORK on / off (libmicrohttpd corks around a response it sends in pieces). */
struct step {
	char op;
	size_t n;
};

static const struct step flow[] = {
	{ 'r', 517 },                 /* ClientHello */
	{ 's', 133 }, { 's', 780 },   /* ServerHello; EncryptedExtensions..Finished */
	{ 'r', 64 }, { 'r', 206 },    /* ChangeCipherSpec + Finished; POST /auth */
	{ 'c', 0 }, { 's', 230 }, { 's', 96 }, { 'u', 0 }, /* auth reply: headers, body */
	{ 'r', 6992 },                /* POST /attest (the quote) */
	{ 's', 232 }, { 's', 1540 },  /* attest reply: headers, token */
	{ 'r', 166 },                 /* GET /resource */
	{ 's', 131 }, { 's', 456 },   /* resource reply: headers, JWE */
	{ 'r', 24 }, { 's', 24 },     /* close_notify both ways */
};

static char buf[8192];

static int xfer(int fd, char op, size_t n)
{
	int on = op == 'c';

	if (op == 'c' || op == 'u')
		return setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on)) < 0 ? -errno : 0;
	while (n) {
		size_t chunk = n < sizeof(buf) ? n : sizeof(buf);
		ssize_t r = op == 'r' ? recv(fd, buf, chunk, 0) : send(fd, buf, chunk, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -ECONNRESET;
		n -= (size_t)r;
	}
	return 0;
}

/* Replays the flow from one side: the client mirrors the server (receive <-> send). */
static int replay(int fd, bool server)
{
	for (size_t i = 0; i < sizeof(flow) / sizeof(flow[0]); i++) {
		char op = flow[i].op;
		int r;

		if (!server && (op == 'c' || op == 'u'))
			continue;
		if (!server)
			op = op == 'r' ? 's' : 'r';
		if ((r = xfer(fd, op, flow[i].n)) < 0)
			return r;
	}
	return 0;
}

static int client(const struct sockaddr_in *addr, long flows)
{
	int one = 1;

	for (long i = 0; i < flows; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

		if (fd < 0)
			return -errno;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		r = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) < 0 ? -errno : replay(fd, false);
		close(fd);
		if (r < 0)
			return r;
	}
	return 0;
}

static double cpu_us(const struct rusage *r, bool sys)
{
	const struct timeval *t = sys ? &r->ru_stime : &r->ru_utime;

	return t->tv_sec * 1e6 + t->tv_usec;
}

int main(int argc, char **argv)
{
	long flows = argc > 1 ? strtol(argv[1], NULL, 10) : 3000;
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(addr);
	struct rusage r0, r1;
	int ls, one = 1, status, err = 0;
	pid_t pid;

	if (flows < 1 || flows > 1000000) {
		fprintf(stderr, "usage: tcp_floor [FLOWS 1..1000000]\n");
		return 2;
	}
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(ls, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(ls, 128) < 0 ||
	    getsockname(ls, (struct sockaddr *)&addr, &alen) < 0) {
		fprintf(stderr, "tcp_floor: listening on 127.0.0.1: %s\n", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "tcp_floor: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		int r = client(&addr, flows);

		if (r < 0)
			fprintf(stderr, "tcp_floor: client: %s\n", strerror(-r));
		_exit(r < 0);
	}
	getrusage(RUSAGE_SELF, &r0);
	for (long i = 0; i < flows && !err; i++) {
		int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			err = -errno;
			break;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		err = replay(fd, true);
		close(fd);
	}
	getrusage(RUSAGE_SELF, &r1);
	if (err)
		kill(pid, SIGTERM);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) || err) {
		fprintf(stderr, "tcp_floor: the replay failed (%s)\n", err ? strerror(-err) : "client");
		return 1;
	}
	printf("tcp_floor_flows %ld\n", flows);
	printf("tcp_floor_server_user_us_per_flow %.1f\n", (cpu_us(&r1, false) - cpu_us(&r0, false)) / flows);
	printf("tcp_floor_server_sys_us_per_flow %.1f\n", (cpu_us(&r1, true) - cpu_us(&r0, true)) / flows);
	printf("tcp_floor_us_per_flow %.1f\n",
	       (cpu_us(&r1, false) + cpu_us(&r1, true) - cpu_us(&r0, false) - cpu_us(&r0, true)) / flows);
	return 0;
}
