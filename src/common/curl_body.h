/* SPDX-License-Identifier: Apache-2.0 */
/* A response body as libcurl delivers it: grown as it arrives, NUL-terminated, refused past a
 * size cap. Plain C, no libcurl types: the client (src/kbs/http.c) and the key server
 * (src/server/pcs_client.c) both hand curl_body_write to CURLOPT_WRITEFUNCTION. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct curl_body {
	char *data;   /* malloc'd, NUL-terminated (not counted in len); NULL until the first byte */
	size_t len;
	size_t cap;   /* bytes allocated; 0 before the first byte */
	size_t max;   /* the cap on len, set by the caller */
	bool too_big; /* a write was refused because the body would pass max */
};

/* CURLOPT_WRITEFUNCTION with CURLOPT_WRITEDATA = a struct curl_body (max set, the rest
 * zeroed). Returns nmemb * size, or 0 (libcurl then aborts the transfer) when the body would
 * pass max (too_big set) or memory runs out. The caller owns data afterwards, also after a
 * failed transfer. */
size_t curl_body_write(char *data, size_t size, size_t nmemb, void *userdata);
