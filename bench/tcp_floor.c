/* SPDX-License-Identifier: Apache-2.0 */
/* The kernel's share of one KBS flow, as a lower bound: a server process and a client
 * process (fork) on 127.0.0.1 replay the bytes that tdx-keyserver and kbs_load exchange in
 * one flow, with plain TCP: no TLS, no HTTP, only writes and reads of opaque bytes in the
 * same order and sizes, a new connection per flow. It prints the server process's CPU time
 * per flow (user and system, getrusage): what the kernel's TCP work costs the server for
 * that exchange, to set next to the crypto floor (bench/kbs_flow.sh).
 *
 * The pattern is the server's side of a flow as `strace -f` of tdx-keyserver under kbs_load
 * showed it (BENCHMARKS.md, "Session 3"): the sizes of its sendmsg calls and, for reads, of
 * the client's sendto calls; TCP_CORK / TCP_NODELAY where libmicrohttpd sets them. The
 * server works like libmicrohttpd's poll mode with a thread pool: T threads, each polling
 * the listening socket (non-blocking accept4, the losers get EAGAIN) and its own
 * connections, non-blocking I/O. Each read takes all that has arrived of the client's
 * message, except in "records" mode.
 *
 * Modes: "flow" the KBS flow as the server does it; "records" the same, but reading every TLS
 * record in two calls, its 5-byte header and then its body, as GnuTLS does; "turns" the same
 * bytes with one send per server turn and TCP_NODELAY from the start (what any server must at
 * least do for this exchange); "min" connect, 100 bytes each way, close.
 *
 * --work-us N: before each of its answers the server computes for ~N µs (walking a 1 MiB
 * buffer), as the real server does between its turns: the kernel's share then grows (more
 * context switches, colder caches), which the plain replay leaves out.
 *
 * usage: tcp_floor [--mode flow|records|turns|min] [--flows K] [--clients C] [--server-threads T]
 *                  [--work-us N] [--name PREFIX]   prints "PREFIX_key value" lines (PREFIX: tcp_floor) */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* One step as the server sees it: 'r' receive n bytes (one read of at most n in "records"
 * mode, else a read takes what has come of all consecutive 'r'), 's' send n bytes, 'c'
 * TCP_CORK on, 'p' TCP_NODELAY on (libmicrohttpd's push; it never turns the cork off), 'd' the
 * client closes here (after its last send, without reading what the server still sends). */
struct step {
	char op;
	bool more;       /* 'r': the client sends the next step's bytes with these ("records") */
	unsigned n;
	unsigned rec[2]; /* 'r': the bodies of the TLS records in those n bytes (5-byte headers) */
};

#define MAX_STEPS 32

#define R(bytes, ...) { .op = 'r', .n = (bytes), .rec = { __VA_ARGS__ } }
#define S(bytes)      { .op = 's', .n = (bytes) }
#define CORK          { .op = 'c' }
#define PUSH          { .op = 'p' }
#define CLIENT_CLOSE  { .op = 'd' }

static const struct step kbs_flow[] = {
	R(517, 512),                  /* ClientHello */
	S(133), S(779),               /* ServerHello + CCS; EncryptedExtensions..Finished */
	R(64, 1, 53), R(206, 201),    /* CCS + Finished; POST /auth (two client sends) */
	CORK, S(230), S(96), PUSH,    /* auth reply: headers, body */
	R(6992, 6987),                /* POST /attest with the quote */
	S(232), PUSH, S(1540), PUSH,  /* attest reply: headers (pushed: reply >= 1400 B), token */
	R(166, 161),                  /* GET /resource */
	S(131), S(456), PUSH,         /* resource reply: headers, JWE */
	R(24, 19), CLIENT_CLOSE,      /* the client's close_notify, then its close */
	S(24),                        /* the server's close_notify (still corked) */
};
static const struct step min_flow[] = { R(100, 0), S(100) };

static struct step plan[MAX_STEPS];
static size_t nplan;
static bool nodelay_at_accept, record_reads;
static long total_flows;
static atomic_long flows_done, server_errors;
static int stop_pipe[2];
static long work_iters; /* per server turn, from --work-us */

#define WORK_BYTES (1u << 20)

static void plan_set(const char *mode)
{
	const struct step *src = strcmp(mode, "min") == 0 ? min_flow : kbs_flow;
	size_t n = src == min_flow ? sizeof(min_flow) / sizeof(*src) : sizeof(kbs_flow) / sizeof(*src);
	bool turns = strcmp(mode, "turns") == 0;

	nodelay_at_accept = turns;
	record_reads = strcmp(mode, "records") == 0;
	for (size_t i = 0; i < n; i++) {
		if (record_reads && src[i].op == 'r') {
			for (size_t k = 0; k < 2 && src[i].rec[k]; k++) {
				plan[nplan++] = (struct step){ .op = 'r', .more = true, .n = 5 };
				plan[nplan++] = (struct step){ .op = 'r', .more = true, .n = src[i].rec[k] };
			}
			plan[nplan - 1].more = false; /* the end of one client send */
			continue;
		}
		if (turns && (src[i].op == 'c' || src[i].op == 'p'))
			continue;
		if (turns && src[i].op == 's' && nplan && plan[nplan - 1].op == 's')
			plan[nplan - 1].n += src[i].n; /* one send per turn */
		else
			plan[nplan++] = src[i];
	}
}

/* ---- server: T threads, each a poll loop over the listening socket and its connections */

struct conn {
	int fd;
	short events; /* what it waits for */
	size_t step;
	unsigned done; /* bytes of plan[step] already moved */
};

struct worker {
	pthread_t th;
	int ls;
	struct conn *c;
	size_t nc, cap;
	struct pollfd *pfd; /* stop pipe, listening socket, then c[0..nc) */
	char buf[65536];    /* payload bytes, never looked at */
	unsigned char *work;
	size_t work_pos;
};

/* Stands in for the server's own computing between two of its turns (--work-us): walks a
 * buffer of WORK_BYTES, as handlers and TLS do with their data. */
static void work(struct worker *w)
{
	for (long i = 0; i < work_iters; i++) {
		w->work[w->work_pos]++;
		w->work_pos = (w->work_pos + 64) & (WORK_BYTES - 1);
	}
}

/* Moves c as far as the socket allows: 1 when its flow is over, 0 when it waits for the
 * socket (c->events says for what), negative errno on failure. */
static int conn_advance(struct worker *w, struct conn *c)
{
	static const int one = 1;

	while (c->step < nplan) {
		const struct step *st = &plan[c->step];
		size_t want = st->n - c->done;
		ssize_t r;

		if (st->op == 'c' || st->op == 'p' || st->op == 'd') {
			if (st->op != 'd' &&
			    setsockopt(c->fd, IPPROTO_TCP, st->op == 'c' ? TCP_CORK : TCP_NODELAY, &one, sizeof(one)) < 0)
				return -errno;
			c->step++;
			continue;
		}
		if (st->op == 'r' && !record_reads) /* all that has come of the client's message */
			for (size_t i = c->step + 1; i < nplan && plan[i].op == 'r'; i++)
				want += plan[i].n;
		if (want > sizeof(w->buf))
			want = sizeof(w->buf);
		r = st->op == 's' ? send(c->fd, w->buf, want, MSG_NOSIGNAL | MSG_DONTWAIT)
				  : recv(c->fd, w->buf, want, MSG_DONTWAIT);
		if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
			c->events = st->op == 's' ? POLLOUT : POLLIN;
			return 0;
		}
		if (r <= 0)
			return r < 0 ? -errno : -ECONNRESET;
		/* r bytes of this step and, for receives, of the following receive steps */
		for (size_t got = (size_t)r; got;) {
			size_t take = plan[c->step].n - c->done < got ? plan[c->step].n - c->done : got;

			got -= take;
			c->done += (unsigned)take;
			if (c->done == plan[c->step].n) {
				c->step++;
				c->done = 0;
			}
		}
		/* the client's message is in: the server's work before it answers */
		if (st->op == 'r' && !c->done && c->step < nplan && strchr("cs", plan[c->step].op))
			work(w);
	}
	return 1;
}

static void flow_over(void)
{
	if (atomic_fetch_add(&flows_done, 1) + 1 == total_flows && write(stop_pipe[1], "x", 1) < 0)
		fprintf(stderr, "tcp_floor: waking the server threads: %s\n", strerror(errno));
}

static int worker_accept(struct worker *w)
{
	static const int one = 1;
	int fd = accept4(w->ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), r;

	if (fd < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno; /* another thread took it */
	if (w->nc == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		struct conn *nc = realloc(w->c, cap * sizeof(*nc));
		struct pollfd *np;

		if (nc)
			w->c = nc;
		np = nc ? realloc(w->pfd, (cap + 2) * sizeof(*np)) : NULL;
		if (!np) {
			close(fd);
			return -ENOMEM;
		}
		w->pfd = np;
		w->cap = cap;
	}
	if (nodelay_at_accept && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	w->c[w->nc++] = (struct conn){ .fd = fd, .events = POLLIN };
	return 0;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	int r;

	for (;;) {
		size_t n = 2;

		w->pfd[0] = (struct pollfd){ .fd = stop_pipe[0], .events = POLLIN };
		w->pfd[1] = (struct pollfd){ .fd = w->ls, .events = POLLIN };
		for (size_t i = 0; i < w->nc; i++)
			w->pfd[n++] = (struct pollfd){ .fd = w->c[i].fd, .events = w->c[i].events };
		if (poll(w->pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "tcp_floor: poll: %s\n", strerror(errno));
			break;
		}
		if (w->pfd[0].revents)
			return NULL;
		/* backwards, so that moving the last connection into a closed one's slot keeps
		 * every unvisited connection next to its poll entry */
		for (size_t i = w->nc; i-- > 0;) {
			if (!w->pfd[i + 2].revents)
				continue;
			r = conn_advance(w, &w->c[i]);
			if (r == 0)
				continue;
			if (r < 0) {
				fprintf(stderr, "tcp_floor: server, step %zu: %s\n", w->c[i].step, strerror(-r));
				atomic_fetch_add(&server_errors, 1);
			}
			close(w->c[i].fd);
			w->c[i] = w->c[--w->nc];
			flow_over();
		}
		if (w->pfd[1].revents && (r = worker_accept(w)) < 0) {
			fprintf(stderr, "tcp_floor: accept: %s\n", strerror(-r));
			break;
		}
	}
	atomic_fetch_add(&server_errors, 1);
	return NULL;
}

/* ---- client: C threads, blocking sockets, each its share of the flows in turn */

struct client {
	pthread_t th;
	const struct sockaddr_in *addr;
	long flows;
	int err;
	char buf[65536];
};

static int client_flow(struct client *cl)
{
	static const int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r = 0;

	if (fd < 0)
		return -errno;
	/* as libcurl: TCP_NODELAY before connect */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
	    connect(fd, (const struct sockaddr *)cl->addr, sizeof(*cl->addr)) < 0)
		r = -errno;
	for (size_t i = 0; i < nplan && !r && plan[i].op != 'd'; i++) {
		size_t left = plan[i].n;

		if (plan[i].op == 's') /* the server's consecutive sends: one message to read */
			for (; i + 1 < nplan && strchr("scp", plan[i + 1].op); i++)
				left += plan[i + 1].op == 's' ? plan[i + 1].n : 0;
		else if (plan[i].op == 'r') /* one send of the client's */
			for (; plan[i].more; i++)
				left += plan[i + 1].n;
		else
			continue;
		while (left && !r) {
			size_t want = left < sizeof(cl->buf) ? left : sizeof(cl->buf);
			ssize_t k = plan[i].op == 'r' ? send(fd, cl->buf, want, MSG_NOSIGNAL) : recv(fd, cl->buf, want, 0);

			if (k < 0 && errno == EINTR)
				continue;
			r = k < 0 ? -errno : k == 0 ? -ECONNRESET : 0;
			left -= k > 0 ? (size_t)k : 0;
		}
	}
	close(fd);
	return r;
}

static void *client_run(void *arg)
{
	struct client *cl = arg;

	for (long i = 0; i < cl->flows && !cl->err; i++)
		cl->err = client_flow(cl);
	return NULL;
}

static int clients_run(const struct sockaddr_in *addr, int nclients)
{
	struct client *cl = calloc((size_t)nclients, sizeof(*cl));
	int err = 0, started = 0;

	if (!cl)
		return -ENOMEM;
	for (; started < nclients; started++) {
		cl[started] = (struct client){ .addr = addr, .flows = total_flows / nclients + (started < total_flows % nclients) };
		if ((err = -pthread_create(&cl[started].th, NULL, client_run, &cl[started])) < 0)
			break;
	}
	for (int i = 0; i < started; i++) {
		pthread_join(cl[i].th, NULL);
		if (cl[i].err && !err)
			err = cl[i].err;
	}
	free(cl);
	return err;
}

static double us(const struct timeval *t)
{
	return (double)t->tv_sec * 1e6 + (double)t->tv_usec;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "mode", required_argument, NULL, 'm' }, { "flows", required_argument, NULL, 'f' },
		{ "clients", required_argument, NULL, 'c' }, { "server-threads", required_argument, NULL, 't' },
		{ "work-us", required_argument, NULL, 'w' }, { "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	const char *mode = "flow", *name = "tcp_floor";
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(addr);
	int nclients = 1, nthreads = 2, one = 1, status, ls, o, r;
	long work_us = 0;
	struct worker *w;
	struct rusage r0, r1;
	pid_t pid;

	total_flows = 3000;
	while ((o = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (o) {
		case 'm': mode = optarg; break;
		case 'f': total_flows = strtol(optarg, NULL, 10); break;
		case 'c': nclients = atoi(optarg); break;
		case 't': nthreads = atoi(optarg); break;
		case 'w': work_us = strtol(optarg, NULL, 10); break;
		case 'n': name = optarg; break;
		default: goto usage;
		}
	}
	if (optind != argc || total_flows < 1 || total_flows > 10000000 || nclients < 1 || nclients > 1024 ||
	    nthreads < 1 || nthreads > 64 || work_us < 0 || work_us > 100000 || (strcmp(mode, "flow") && strcmp(mode, "records") && strcmp(mode, "turns") &&
	     strcmp(mode, "min")))
		goto usage;
	plan_set(mode);
	w = calloc((size_t)nthreads, sizeof(*w));
	for (int i = 0; w && i < nthreads; i++) {
		w[i].pfd = malloc(2 * sizeof(*w[i].pfd));
		w[i].work = calloc(1, work_us ? WORK_BYTES : 1);
		if (!w[i].pfd || !w[i].work) {
			fprintf(stderr, "tcp_floor: %s\n", strerror(ENOMEM));
			return 1;
		}
		memset(w[i].work, 1, work_us ? WORK_BYTES : 1); /* its page faults before the measurement */
	}
	if (!w) {
		fprintf(stderr, "tcp_floor: %s\n", strerror(ENOMEM));
		return 1;
	}
	if (work_us) { /* loop iterations per µs of this thread's CPU time */
		struct timespec t0, t1;

		work_iters = 1 << 22;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		work(&w[0]);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
		work_iters = (long)((double)work_iters * (double)work_us /
				    ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3));
	}
	ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(ls, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(ls, 4096) < 0 ||
	    getsockname(ls, (struct sockaddr *)&addr, &alen) < 0 || pipe2(stop_pipe, O_CLOEXEC) < 0) {
		fprintf(stderr, "tcp_floor: listening on 127.0.0.1: %s\n", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "tcp_floor: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		close(ls);
		r = clients_run(&addr, nclients);
		if (r < 0)
			fprintf(stderr, "tcp_floor: client: %s\n", strerror(-r));
		_exit(r < 0);
	}
	getrusage(RUSAGE_SELF, &r0);
	for (int i = 0; i < nthreads; i++) {
		w[i].ls = ls;
		if ((r = pthread_create(&w[i].th, NULL, worker_run, &w[i])) != 0) {
			fprintf(stderr, "tcp_floor: server thread: %s\n", strerror(r));
			kill(pid, SIGTERM);
			return 1;
		}
	}
	r = waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status);
	if (r && write(stop_pipe[1], "x", 1) < 0) /* the client failed: stop the server too */
		fprintf(stderr, "tcp_floor: stopping the server threads: %s\n", strerror(errno));
	for (int i = 0; i < nthreads; i++)
		pthread_join(w[i].th, NULL);
	getrusage(RUSAGE_SELF, &r1);
	for (int i = 0; i < nthreads; i++) {
		for (size_t k = 0; k < w[i].nc; k++)
			close(w[i].c[k].fd);
		free(w[i].c);
		free(w[i].pfd);
		free(w[i].work);
	}
	free(w);
	close(ls);
	if (r || atomic_load(&server_errors)) {
		fprintf(stderr, "tcp_floor: the replay failed (%s)\n", r ? "client" : "server");
		return 1;
	}
	printf("%s_mode %s\n", name, mode);
	printf("%s_flows %ld\n", name, total_flows);
	printf("%s_clients %d\n", name, nclients);
	printf("%s_server_threads %d\n", name, nthreads);
	if (work_us)
		printf("%s_work_us_per_turn %ld\n", name, work_us);
	printf("%s_server_user_us_per_flow %.1f\n", name, (us(&r1.ru_utime) - us(&r0.ru_utime)) / (double)total_flows);
	printf("%s_server_sys_us_per_flow %.1f\n", name, (us(&r1.ru_stime) - us(&r0.ru_stime)) / (double)total_flows);
	printf("%s_server_ctxsw_per_flow %.2f\n", name,
	       (double)(r1.ru_nvcsw + r1.ru_nivcsw - r0.ru_nvcsw - r0.ru_nivcsw) / (double)total_flows);
	printf("%s_us_per_flow %.1f\n", name,
	       (us(&r1.ru_utime) + us(&r1.ru_stime) - us(&r0.ru_utime) - us(&r0.ru_stime)) / (double)total_flows);
	return 0;
usage:
	fprintf(stderr, "usage: tcp_floor [--mode flow|records|turns|min] [--flows 1..10000000] [--clients 1..1024]\n"
			"                 [--server-threads 1..64] [--work-us 0..100000] [--name PREFIX]\n");
	return 2;
}
