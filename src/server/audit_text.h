/* SPDX-License-Identifier: Apache-2.0 */
/* Text of audit fields (audit.h): bounded, valid UTF-8, and never a raw cookie. */
#pragma once
#include <iconv.h>
#include <stddef.h>

/* "invalid:" + 16 hex digits, or 32 hex digits */
#define KS_AUDIT_SESSION_SIZE 33

/* Copies s into out (size >= max + 4) as valid UTF-8 of at most max bytes: every byte that
 * is not part of a valid UTF-8 character becomes U+FFFD; a longer value is cut at a
 * character boundary and ends in "...". cd: iconv_open("UTF-8", "UTF-8"), used by one
 * thread at a time. */
void ks_audit_clean(iconv_t cd, const char *s, size_t max, char *out);

/* A cookie value as the audit log shows it: a well-formed session id as its 32 lowercase
 * hex digits, anything else as "invalid:" + the first 8 bytes of its SHA-256 in hex. */
void ks_audit_session(const char *raw, char out[KS_AUDIT_SESSION_SIZE]);
