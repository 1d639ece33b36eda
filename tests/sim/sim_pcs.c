/* SPDX-License-Identifier: Apache-2.0 */
/* `tdx-sim pcs`: libmicrohttpd daemon, response headers and transport faults. */
#include "sim_pcs.h"
#include "sim_pcs_route.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/rand.h>

#define REQUEST_MAX 2048

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

struct server {
	const struct sim_pcs_config *cfg;
	FILE *access;
};

struct request_line {
	char buf[REQUEST_MAX];
	size_t len;
};

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct request_line *l = cls;
	int n;

	(void)kind;
	n = snprintf(l->buf + l->len, sizeof(l->buf) - l->len, "%c%s=%s", strchr(l->buf, '?') ? '&' : '?',
		     key, value ? value : "");
	if (n < 0 || (size_t)n >= sizeof(l->buf) - l->len)
		return MHD_NO;
	l->len += (size_t)n;
	return MHD_YES;
}

/* Request-ID: the client's (PCCS echoes it) or 32 random hex digits. */
static void request_id(struct MHD_Connection *c, bool echo, char out[65])
{
	const char *given = echo ? MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Request-ID") : NULL;
	uint8_t rnd[16] = { 0 };

	if (given && strlen(given) <= 64 && strspn(given, "0123456789abcdefABCDEF-") == strlen(given)) {
		strcpy(out, given);
		return;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		memset(rnd, 0x5a, sizeof(rnd));
	hex_encode(rnd, sizeof(rnd), out);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A body that announces its whole length and is cut after `cut` bytes (connection closed). */
struct cut_body {
	uint8_t *body;
	size_t cut;
};

static ssize_t cut_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct cut_body *b = cls;
	size_t n;

	if (pos >= b->cut)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = b->cut - (size_t)pos < max ? b->cut - (size_t)pos : max;
	memcpy(buf, b->body + pos, n);
	return (ssize_t)n;
}

static void cut_free(void *cls)
{
	struct cut_body *b = cls;

	free(b->body);
	free(b);
}

static struct MHD_Response *make_response(struct sim_pcs_answer *a, const struct sim_pcs_faults_hit *hit)
{
	uint8_t *body = a->status == 200 ? a->doc.body : (uint8_t *)a->text;
	size_t len = a->status == 200 ? a->doc.len : strlen(a->text ? a->text : "");
	struct cut_body *cb;
	struct MHD_Response *resp;

	if (!body)
		return MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (hit->short_body && len > 1)
		len /= 2;
	if (hit->truncate && len > 1) {
		cb = malloc(sizeof(*cb));
		if (!cb)
			return NULL;
		cb->body = malloc(len);
		if (!cb->body) {
			free(cb);
			return NULL;
		}
		memcpy(cb->body, body, len);
		cb->cut = len / 2;
		resp = MHD_create_response_from_callback(len, 4096, cut_reader, cb, cut_free);
		if (!resp)
			cut_free(cb);
		return resp;
	}
	return MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_COPY);
}

static void log_access(struct server *s, const char *method, const struct request_line *l,
		       unsigned status, const struct sim_pcs_faults_hit *hit, const char *rid, bool api_key)
{
	if (!s->access)
		return;
	pthread_mutex_lock(&log_lock);
	fprintf(s->access, "%s %s %u request-id=%s%s%s%s%s%s%s%s%s\n", method, l->buf, status, rid,
		hit->bad_sig ? " bad-sig" : "", hit->old ? " old" : "", hit->truncate ? " truncate" : "",
		hit->short_body ? " short" : "", hit->delay_ms ? " slow" : "",
		hit->bad_chain ? " bad-chain" : "", hit->no_chain ? " no-chain" : "",
		api_key ? " api-key-sent" : "");
	fflush(s->access);
	pthread_mutex_unlock(&log_lock);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct request_line line = { .len = 0 };
	struct sim_pcs_faults_hit hit;
	struct sim_pcs_answer a = { 0 };
	struct sim_pcs_ctx x = { s->cfg, &hit };
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char rid[65], retry[16];

	(void)version;
	(void)upload;
	(void)con_cls;
	if (*upload_size) { /* no request bodies here: drop them */
		*upload_size = 0;
		return MHD_YES;
	}
	snprintf(line.buf, sizeof(line.buf), "%s", url);
	line.len = strlen(line.buf);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, &line);
	sim_pcs_faults_match(s->cfg->faults, line.buf, &hit);
	request_id(c, s->cfg->pccs, rid);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		a.status = 405;
		a.text = "Method not allowed.";
	} else if (hit.status) {
		a.status = hit.status;
		a.text = hit.status == 429 ? "Too many requests." : "Simulated server failure.";
	} else if (sim_pcs_route(c, url, &x, &a) < 0) {
		sim_pcs_doc_free(&a.doc);
		a.status = 500;
		a.text = "Internal server error.";
	}
	if (hit.delay_ms)
		sleep_ms(hit.delay_ms);
	resp = make_response(&a, &hit);
	if (!resp) {
		sim_pcs_doc_free(&a.doc);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Request-ID", rid);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				a.status == 200 && a.doc.content_type ? a.doc.content_type : "text/plain");
	if (a.status == 200 && a.doc.chain_header && a.doc.chain && !hit.no_chain)
		MHD_add_response_header(resp, a.doc.chain_header, a.doc.chain);
	if (a.status == 429) {
		snprintf(retry, sizeof(retry), "%u", hit.retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, retry);
	}
	ret = MHD_queue_response(c, a.status, resp);
	MHD_destroy_response(resp);
	log_access(s, method, &line, a.status, &hit, rid,
		   MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Ocp-Apim-Subscription-Key") != NULL);
	sim_pcs_doc_free(&a.doc);
	return ret;
}

static int parse_listen(const char *spec, struct sockaddr_in *sa, char *host, size_t host_len)
{
	const char *p = spec, *colon;
	char *end;
	unsigned long port;

	if (strncmp(p, "tcp:", 4) != 0)
		goto bad;
	p += 4;
	colon = strrchr(p, ':');
	if (!colon || (size_t)(colon - p) >= host_len)
		goto bad;
	memcpy(host, p, (size_t)(colon - p));
	host[colon - p] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port > 65535 || inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		goto bad;
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return 0;
bad:
	return log_errno(-EINVAL, "--listen '%s': expected tcp:IPV4:PORT (e.g. tcp:127.0.0.1:0)", spec);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("pcs: httpd: %s", line);
}

static int write_pid(const char *path)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	int r = file_write_all(path, (const uint8_t *)buf, (size_t)n, 0644);

	return r < 0 ? log_errno(r, "cannot write the pid file %s", path) : 0;
}

static struct MHD_Daemon *start(struct server *s, struct sockaddr_in *sa, const char *cert, const char *key)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_POLL | MHD_USE_ERROR_LOG;

	if (!cert)
		return MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
					MHD_OPTION_SOCK_ADDR, (struct sockaddr *)sa,
					MHD_OPTION_CONNECTION_TIMEOUT, 60u,
					MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_END);
	return MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, on_request, s,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)sa,
				MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
				MHD_OPTION_CONNECTION_TIMEOUT, 60u,
				MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_END);
}

int sim_pcs_run(const struct sim_pcs_config *cfg)
{
	_cleanup_free_ uint8_t *cert = NULL, *key = NULL;
	struct server s = { .cfg = cfg };
	struct sockaddr_in sa = { 0 };
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	char host[64];
	sigset_t sigs;
	size_t n;
	int r, sig;

	r = parse_listen(cfg->listen, &sa, host, sizeof(host));
	if (r < 0)
		return r;
	if (cfg->tls_cert && ((r = file_read_all(cfg->tls_cert, 1u << 20, &cert, &n)) < 0 ||
			      (r = file_read_all(cfg->tls_key, 1u << 20, &key, &n)) < 0))
		return log_errno(r, "cannot read --tls-cert %s / --tls-key %s", cfg->tls_cert, cfg->tls_key);
	if (cfg->access_log) {
		s.access = fopen(cfg->access_log, "ae");
		if (!s.access)
			return log_errno(-errno, "cannot open the access log %s", cfg->access_log);
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	d = start(&s, &sa, (const char *)cert, (const char *)key);
	if (!d) {
		r = log_errno(-EADDRINUSE, "pcs: cannot listen on %s (port in use%s?)", cfg->listen,
			      cert ? ", or a bad certificate/key pair" : "");
		goto out;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (cfg->pid_file && (r = write_pid(cfg->pid_file)) < 0)
		goto stop;
	printf("listening on %s://%s:%u\n", cert ? "https" : "http", host,
	       info ? info->port : ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
		sim_pcs_faults_reload(cfg->faults);
		log_info("pcs: SIGHUP: fault file re-read, fault counts reset");
	}
	r = 0;
stop:
	MHD_stop_daemon(d);
out:
	if (s.access)
		fclose(s.access);
	return r;
}
