/* SPDX-License-Identifier: Apache-2.0 */
/* What the client reads from the key server besides the JWE (kbs_jwe_decrypt): the
 * session cookie, the challenge of /auth and the error type of a refusal
 * (kbs-protocol.md §2.3, §4, §8). All of it is untrusted input; tests/fuzz/fuzz_kbs_msgs.c. */
#pragma once
#include <stddef.h>

#include "runtime_data.h"

#define KBS_COOKIE_MAX 128
#define KBS_NONCE_MAX 512

/* One response header line (not NUL-terminated, n bytes). A "Set-Cookie: kbs-session-id=V"
 * header with V of 1..KBS_COOKIE_MAX characters [A-Za-z0-9-] copies V into cookie and
 * returns 1; the same header with any other value returns -EBADMSG and leaves cookie
 * alone; any other header returns 0. */
int kbs_parse_cookie_header(const char *data, size_t n, char cookie[KBS_COOKIE_MAX + 1]);

/* The challenge {"nonce": "...", "extra-params": "" | {"selected-hash-algorithm": ...}}:
 * the nonce (1..KBS_NONCE_MAX characters) into nonce, the hash (SHA-384 unless selected)
 * into *hash. -EBADMSG with a reason in detail otherwise. */
int kbs_parse_challenge(const char *body, char nonce[KBS_NONCE_MAX + 1], enum kbs_hash *hash, char *detail,
			size_t dlen);

/* The KBS error variant of an error body {"type": "https://github.com/confidential-
 * containers/kbs/errors/VARIANT", ...} into variant (truncated to size), "" when the body
 * is not such an error. */
void kbs_parse_error_variant(const char *body, char *variant, size_t size);
/* Its "detail" text (the key server's reason, e.g. which boot component a policy refused),
 * printable ASCII only (others as '?'), truncated to size; "" when there is none. */
void kbs_parse_error_detail(const char *body, char *detail, size_t size);
