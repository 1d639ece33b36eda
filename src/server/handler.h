/* SPDX-License-Identifier: Apache-2.0 */
/* Request handling of the key server, independent of the HTTP library so it can be unit
 * tested and fuzzed: a request in, a status + body + optional cookie out. */
#pragma once
#include <stddef.h>

struct ks_server;
struct ks_peer;

struct ks_request {
	const char *method;    /* "GET", "POST", ... */
	const char *path;      /* URL path without the query string */
	const char *body;      /* NUL-terminated (may contain NULs before body_len) */
	size_t body_len;
	const char *cookie;    /* value of the kbs-session-id cookie, or NULL */
	const char *authorization; /* Authorization header, or NULL */
	const char *peer;      /* client address for the audit log */
	const struct ks_peer *peer_key; /* the same for per-peer limits (peer.h), or NULL */
};

struct ks_reply {
	unsigned status;
	char *body;            /* malloc'd; the HTTP layer frees it */
	size_t len;
	char set_cookie[160];  /* full Set-Cookie value, "" for none */
};

/* Always produces a reply (KBS error bodies for every failure). */
void ks_handle(struct ks_server *srv, const struct ks_request *req, struct ks_reply *rep);

/* Handlers, one per endpoint (handle_*.c). */
void ks_handle_auth(struct ks_server *srv, const struct ks_request *req, struct ks_reply *rep);
void ks_handle_attest(struct ks_server *srv, const struct ks_request *req, struct ks_reply *rep);
void ks_handle_resource(struct ks_server *srv, const struct ks_request *req, const char *resource,
			struct ks_reply *rep);

/* Helpers for handlers. */
/* Parses a request body as one complete JSON document: trailing bytes other than
 * whitespace, embedded NULs or nesting deeper than json-c's default make it malformed
 * (NULL), as serde_json in Trustee would. Unlike serde_json, json-c's lenient syntax
 * (comments, single-quoted strings, NaN) is accepted. The caller owns the result. */
struct json_object;
struct json_object *ks_json_parse(const char *text, size_t len);
/* The same for the concatenation of parts[0..n), without copying them together, when
 * the document ends in the last part; a document that ends in an earlier part gives
 * NULL unless only whitespace follows (json-c would also eat a comment there): NULL
 * is never wrong for a caller that falls back to ks_json_parse(). */
struct ks_text {
	const char *text;
	size_t len;
};
struct json_object *ks_json_parse_parts(const struct ks_text *parts, size_t n);
void ks_reply_error(struct ks_reply *rep, int kbs_error, const char *detail);
void ks_reply_json(struct ks_reply *rep, unsigned status, char *body, size_t len);
/* Set-Cookie: kbs-session-id=<32 hex>; Expires=<IMF-fixdate> */
struct ks_session;
void ks_set_cookie(struct ks_reply *rep, const struct ks_session *s);
