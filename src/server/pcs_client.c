/* SPDX-License-Identifier: Apache-2.0 */
/* libcurl GET for PCS / PCCS collateral (pcs_client.h). */
#include "pcs_client.h"
#include "pcs_header.h"
#include "../common/curl_body.h"
#include "../common/log.h"
#include "../common/mono_time.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#define CHAIN_HEADER_MAX (64u << 10)

struct xfer {
	const struct pcs_opts *o;
	const char *const *chain_headers;
	struct pcs_response *r;
	struct curl_body body;     /* moved to r->body after each attempt */
	size_t max_body;
	bool bad_chain;
	int chain_rank;            /* index of the header the chain came from */
	long retry_after_s;
	char warning[200];
};

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb, vlen;
	const char *v;

	/* a new response (redirect, 100-continue): forget the previous one's headers */
	if (n > 5 && strncmp(data, "HTTP/", 5) == 0) {
		free(x->r->chain);
		x->r->chain = NULL;
		x->r->chain_len = 0;
		x->chain_rank = -1;
		x->bad_chain = false;
		x->retry_after_s = -1;
		return n;
	}
	for (int i = 0; x->chain_headers && x->chain_headers[i]; i++) {
		if (!pcs_header_match(data, n, x->chain_headers[i], &v, &vlen))
			continue;
		if (x->chain_rank >= 0 && x->chain_rank <= i)
			break;
		free(x->r->chain);
		x->r->chain = NULL;
		x->bad_chain = vlen > CHAIN_HEADER_MAX;
		if (!x->bad_chain && (x->r->chain = malloc(vlen + 1)))
			x->bad_chain = pcs_url_decode(v, vlen, x->r->chain, &x->r->chain_len) < 0;
		x->chain_rank = i;
		return n;
	}
	if (pcs_header_match(data, n, "Request-ID", &v, &vlen))
		snprintf(x->r->request_id, sizeof(x->r->request_id), "%.*s", (int)vlen, v);
	else if (pcs_header_match(data, n, "Retry-After", &v, &vlen))
		x->retry_after_s = vlen > 0 && vlen < 10 ? strtol(v, NULL, 10) : -1;
	else if (pcs_header_match(data, n, "Warning", &v, &vlen))
		snprintf(x->warning, sizeof(x->warning), "%.*s", (int)vlen, v);
	return n;
}

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static bool global_ok;

static void global_init(void)
{
	global_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

void pcs_response_free(struct pcs_response *r)
{
	free(r->body);
	free(r->chain);
	memset(r, 0, sizeof(*r));
}

/* One attempt: 0 with r->status set, or a negative errno for a transport failure. */
static int attempt(CURL *c, struct xfer *x, const char *url, long timeout_ms, char *err, size_t el)
{
	const struct pcs_opts *o = x->o;
	CURLcode cc;

	pcs_response_free(x->r);
	x->body = (struct curl_body){ .max = x->max_body };
	x->bad_chain = false;
	x->chain_rank = -1;
	x->retry_after_s = -1;
	x->warning[0] = '\0';
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(o->connect_timeout_ms ? o->connect_timeout_ms : 10000));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_body_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &x->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "tdx-keyserver-collateral/1");
	if (o->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	cc = curl_easy_perform(c);
	x->r->body = (uint8_t *)x->body.data;
	x->r->body_len = x->body.len;
	if (x->body.too_big) {
		snprintf(err, el, "body larger than %zu bytes", x->max_body);
		return -EFBIG;
	}
	if (cc != CURLE_OK) {
		snprintf(err, el, "%s", curl_easy_strerror(cc));
		return cc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EAGAIN;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->r->status);
	if (x->warning[0])
		log_warn("collateral: %s answered with Warning: %s", url, x->warning);
	return 0;
}

/* Sleeps ms unless the deadline or cancel comes first; false when it does. */
static bool pause_ms(const struct pcs_opts *o, int64_t ms)
{
	int64_t end = mono_ms() + ms;

	if (o->deadline_ms && end > o->deadline_ms)
		return false;
	while (mono_ms() < end) {
		int64_t left = end - mono_ms();
		struct timespec ts = { 0, (long)(left > 100 ? 100 : left) * 1000000L };

		if (o->cancel && atomic_load(o->cancel))
			return false;
		nanosleep(&ts, NULL);
	}
	return !(o->cancel && atomic_load(o->cancel));
}

int pcs_get(const struct pcs_opts *o, const char *url, const char *const *chain_headers,
	    struct pcs_response *out, char *err, size_t el)
{
	unsigned tries = o->no_retry ? 1 : (o->retries ? o->retries : 3) + 1;
	int64_t backoff = o->backoff_ms ? o->backoff_ms : 1000;
	unsigned cap_s = o->retry_after_cap_s ? o->retry_after_cap_s : 60;
	struct xfer x = { .o = o, .chain_headers = chain_headers, .r = out,
			  .max_body = o->max_body ? o->max_body : (4u << 20) };
	CURL *c;
	int r = -EAGAIN;

	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	pthread_once(&global_once, global_init);
	if (!global_ok || !(c = curl_easy_init())) {
		snprintf(err, el, "libcurl initialisation failed");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < tries; i++) {
		long timeout = o->timeout_ms ? o->timeout_ms : 30000;
		int64_t wait = backoff;

		if (o->deadline_ms) {
			int64_t left = o->deadline_ms - mono_ms();

			if (left <= 0) {
				r = -ETIMEDOUT;
				snprintf(err, el, "deadline passed before the request");
				break;
			}
			if (left < timeout)
				timeout = (long)left;
		}
		r = attempt(c, &x, url, timeout, err, el);
		if (r == -EFBIG)
			break;
		if (r == 0) {
			long st = out->status;

			if (st == 200 && !x.bad_chain)
				break;
			if (st == 200) {
				snprintf(err, el, "issuer-chain header is not valid %%XX-encoded text");
				r = -EBADMSG;
				break;
			}
			snprintf(err, el, "HTTP %ld%s%s", st, out->request_id[0] ? ", Request-ID " : "",
				 out->request_id);
			if (st == 404 || st == 410) {
				r = -ENOENT;
				break;
			}
			if (st != 429 && st < 500) {
				r = -EIO;
				break;
			}
			if (st == 429 && x.retry_after_s >= 0)
				wait = (x.retry_after_s > (long)cap_s ? (long)cap_s : x.retry_after_s) * 1000;
			r = -EAGAIN;
		}
		if (i + 1 < tries && !pause_ms(o, wait)) {
			r = o->cancel && atomic_load(o->cancel) ? -ECANCELED : r;
			break;
		}
		backoff *= 2;
	}
	curl_easy_cleanup(c);
	if (r < 0) {
		free(out->body);
		free(out->chain);
		out->body = NULL;
		out->chain = NULL;
	}
	return r;
}
