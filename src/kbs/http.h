/* SPDX-License-Identifier: Apache-2.0 */
/* HTTPS transport for the KBS client (libcurl): one handle per attempt so the TLS session
 * is reused across auth/attest/resource, https only, a pinned CA, capped response bodies, the
 * kbs-session-id cookie, and KBS error bodies decoded to their variant. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "kbs_msgs.h" /* KBS_COOKIE_MAX */

#define KBS_RESPONSE_MAX (1u << 20) /* 1 MiB: a JWE of a disk secret is < 1 KiB */

struct kbs_http {
	void *curl;                  /* CURL * */
	const char *ca_file;         /* pinned CA bundle (PEM); NULL = system store */
	long connect_timeout_ms;
	char cookie[KBS_COOKIE_MAX + 1]; /* session id from Set-Cookie, "" if none */
};

struct kbs_response {
	long status;       /* HTTP status; 0 when no response arrived */
	char *body;        /* NUL-terminated, malloc'd; NULL when empty */
	size_t len;
	char variant[48];  /* KBS error variant (suffix of "type"), "" if none */
	char curl_error[256];
};

/* Returns 0 or -ENOMEM/-EIO. */
int kbs_http_open(struct kbs_http *h, const char *ca_file, long connect_timeout_ms);
void kbs_http_close(struct kbs_http *h);
void kbs_response_free(struct kbs_response *r);

/* GET (body NULL) or POST a JSON body to url within timeout_ms. Sends the stored cookie,
 * stores a new one. Returns 0 when an HTTP response arrived (any status), or a negative
 * errno for transport failures: -EKEYREJECTED (TLS certificate verification failed),
 * -ETIMEDOUT, -ECONNREFUSED, -ENETUNREACH (no route to the server: the network is not
 * configured yet), -EHOSTUNREACH (name not resolved), -EFBIG (response over the cap),
 * -EBADMSG (malformed Set-Cookie), -EIO (other). */
int kbs_http_request(struct kbs_http *h, const char *url, const char *body, long timeout_ms,
		     struct kbs_response *resp);
