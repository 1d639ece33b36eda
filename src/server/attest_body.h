/* SPDX-License-Identifier: Apache-2.0 */
/* The /attest body parsed without json-c tokenizing a large cc_eventlog (attest_body.c). */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct json_object;

struct ks_attest_body {
	struct json_object *root; /* NULL: not one complete JSON document (ks_json_parse) */
	const char *eventlog_b64; /* cc_eventlog's text in the body when the fast path took it
				   * (canonical base64; the tree's member is then null); NULL:
				   * read the member from the tree */
	size_t eventlog_b64_len;
};

/* Optional: when text[0..avail) begins with a cc_eventlog text already known to be
 * canonical base64 and followed by '"', its length; else 0. Saves finding the string's
 * end and checking it (a log seen lately: eventlog_cache.h). */
typedef size_t (*ks_known_log_fn)(void *ctx, const char *text, size_t avail);

/* Parses body[0..len) into *out: the same tree and cc_eventlog text as ks_json_parse()
 * whichever path is taken (out->eventlog_b64 points into body). known may be NULL.
 * Release with ks_attest_body_clear(). */
void ks_attest_body_parse(const char *body, size_t len, ks_known_log_fn known, void *ctx,
			  struct ks_attest_body *out);
void ks_attest_body_clear(struct ks_attest_body *b);
