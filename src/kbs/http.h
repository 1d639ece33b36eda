/* SPDX-License-Identifier: Apache-2.0 */
/* HTTPS transport for the KBS client (libcurl): one handle per attempt so the TLS session
 * is reused across auth/attest/resource, https only, a pinned CA, capped response bodies, the
 * kbs-session-id cookie, and KBS error bodies decoded to their variant. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kbs_msgs.h" /* KBS_COOKIE_MAX */

#define KBS_RESPONSE_MAX (1u << 20) /* 1 MiB: a JWE of a disk secret is < 1 KiB */

#define KBS_CA_MAX (4u << 20) /* a CA bundle; the system's is ~200 KiB */

/* The pinned CA bundle (PEM), read once per fetch by kbs_ca_load: curl never opens the file
 * itself, so a FIFO or a slow file named by a token cannot block a TLS handshake. */
struct kbs_ca {
	uint8_t *pem;      /* NULL = the system store */
	size_t len;
};

struct kbs_http {
	void *curl;                  /* CURL * */
	uint8_t *ca_pem;             /* the handle's copy of the pinned CA; NULL = system store */
	size_t ca_len;
	long connect_timeout_ms;
	char cookie[KBS_COOKIE_MAX + 1]; /* session id from Set-Cookie, "" if none */
};

struct kbs_response {
	long status;       /* HTTP status; 0 when no response arrived */
	char *body;        /* NUL-terminated, malloc'd; NULL when empty */
	size_t len;
	char variant[48];  /* KBS error variant (suffix of "type"), "" if none */
	char detail[256];  /* its "detail" (printable ASCII, cut), "" if none */
	char curl_error[256];
};

/* Reads path (NULL: the system store, nothing read) with file_read_regular() before
 * deadline_ms: a regular file of at most KBS_CA_MAX bytes. Logs one line on failure
 * (-EINVAL not a regular file, -EFBIG, -ETIMEDOUT, the OS's errors). */
int kbs_ca_load(const char *path, long long deadline_ms, struct kbs_ca *ca);
void kbs_ca_free(struct kbs_ca *ca);

/* Copies ca (NULL = the system store): an attested session outlives the fetch that loaded it.
 * Returns 0 or -ENOMEM/-EIO. */
int kbs_http_open(struct kbs_http *h, const struct kbs_ca *ca, long connect_timeout_ms);
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
