/* SPDX-License-Identifier: Apache-2.0 */
#include "http.h"
#include "kbs_msgs.h"
#include "../common/curl_body.h"
#include "../common/fileio.h"
#include "../common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

struct header_ctx {
	struct kbs_http *h;
	bool bad_cookie;
};

/* Set-Cookie: kbs-session-id=VALUE[; attributes] (kbs-protocol.md §2.3). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct header_ctx *c = userdata;
	size_t n = size * nmemb;

	if (kbs_parse_cookie_header(data, n, c->h->cookie) < 0)
		c->bad_cookie = true;
	return n;
}

int kbs_ca_load(const char *path, long long deadline_ms, struct kbs_ca *ca)
{
	int r;

	memset(ca, 0, sizeof(*ca));
	if (!path)
		return 0;
	r = file_read_regular(path, KBS_CA_MAX, deadline_ms, &ca->pem, &ca->len);
	if (r < 0)
		return log_fail(r, "CA file %s: %s: not contacting the key server", path, file_read_strerror(r));
	return 0;
}

void kbs_ca_free(struct kbs_ca *ca)
{
	free(ca->pem);
	memset(ca, 0, sizeof(*ca));
}

int kbs_http_open(struct kbs_http *h, const struct kbs_ca *ca, long connect_timeout_ms)
{
	static bool global_done;

	memset(h, 0, sizeof(*h));
	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return log_fail(-EIO, "libcurl initialisation failed");
		global_done = true;
	}
	h->curl = curl_easy_init();
	if (!h->curl)
		return -ENOMEM;
	if (ca && ca->pem) {
		h->ca_pem = malloc(ca->len ? ca->len : 1);
		if (!h->ca_pem) {
			kbs_http_close(h);
			return -ENOMEM;
		}
		memcpy(h->ca_pem, ca->pem, ca->len);
		h->ca_len = ca->len;
	}
	h->connect_timeout_ms = connect_timeout_ms;
	return 0;
}

void kbs_http_close(struct kbs_http *h)
{
	if (h->curl)
		curl_easy_cleanup(h->curl);
	h->curl = NULL;
	free(h->ca_pem);
	h->ca_pem = NULL;
	h->ca_len = 0;
}

void kbs_response_free(struct kbs_response *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static void decode_error_variant(struct kbs_response *r)
{
	if (r->status != 200 && r->body) {
		kbs_parse_error_variant(r->body, r->variant, sizeof(r->variant));
		kbs_parse_error_detail(r->body, r->detail, sizeof(r->detail));
	}
}

static int map_curl_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return -EKEYREJECTED;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
		return -EHOSTUNREACH;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

int kbs_http_request(struct kbs_http *h, const char *url, const char *body, long timeout_ms,
		     struct kbs_response *resp)
{
	struct curl_body b = { .max = KBS_RESPONSE_MAX };
	struct header_ctx hc = { .h = h };
	struct curl_slist *headers = NULL;
	char cookie[sizeof("kbs-session-id=") + KBS_COOKIE_MAX];
	CURL *c = h->curl;
	CURLcode rc;

	memset(resp, 0, sizeof(*resp));
	curl_easy_reset(c);
	headers = curl_slist_append(headers, "Accept: application/json");
	if (body)
		headers = curl_slist_append(headers, "Content-Type: application/json");
	if (!headers)
		return -ENOMEM;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https"); /* never plain http */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_pem) {
		struct curl_blob blob = { .data = h->ca_pem, .len = h->ca_len, .flags = CURL_BLOB_NOCOPY };

		/* Only this bundle: no default file or directory, no fallback store. */
		curl_easy_setopt(c, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
	}
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_body_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hc);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, resp->curl_error);
	if (h->cookie[0]) {
		snprintf(cookie, sizeof(cookie), "kbs-session-id=%s", h->cookie);
		curl_easy_setopt(c, CURLOPT_COOKIE, cookie);
	}
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	rc = curl_easy_perform(c);
	curl_slist_free_all(headers);
	resp->body = b.data;
	resp->len = b.len;
	if (b.too_big)
		return -EFBIG;
	if (rc != CURLE_OK) {
		long os_errno = 0;

		if (!resp->curl_error[0])
			snprintf(resp->curl_error, sizeof(resp->curl_error), "%s", curl_easy_strerror(rc));
		if (rc == CURLE_COULDNT_CONNECT && curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK &&
		    os_errno > 0) {
			/* curl does not say why: no route (the network is not up yet) or refused */
			size_t len = strlen(resp->curl_error);

			snprintf(resp->curl_error + len, sizeof(resp->curl_error) - len, " (%s)", strerror((int)os_errno));
			if (os_errno == ENETUNREACH || os_errno == EHOSTUNREACH || os_errno == EADDRNOTAVAIL)
				return -ENETUNREACH;
		}
		return map_curl_error(rc);
	}
	if (hc.bad_cookie)
		return -EBADMSG;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	decode_error_variant(resp);
	return 0;
}
