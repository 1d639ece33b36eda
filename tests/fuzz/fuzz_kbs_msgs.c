/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: what the client parses from the key server's answers besides the JWE
 * (src/kbs/kbs_msgs.c). The first byte chooses:
 *   0  one response header line (kbs_parse_cookie_header), given without a NUL
 *   1  the /auth challenge body (kbs_parse_challenge)
 *   2  an error body (kbs_parse_error_variant, kbs_parse_error_detail)
 * and the promises of kbs_msgs.h are checked on every input. */
#include "kbs/kbs_msgs.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cookie_header(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1), cookie[KBS_COOKIE_MAX + 1];
	size_t len;
	int r;

	if (!line)
		abort();
	memcpy(line, data, size);
	memset(cookie, 'Z', sizeof(cookie)); /* sentinel: not NUL-terminated on purpose */
	r = kbs_parse_cookie_header(line, size, cookie);
	if (r <= 0) {
		/* not copied: the sentinel is intact */
		for (size_t i = 0; i < sizeof(cookie); i++)
			if (cookie[i] != 'Z')
				abort();
	} else {
		len = strnlen(cookie, sizeof(cookie));
		if (r != 1 || len == 0 || len > KBS_COOKIE_MAX || !memmem(line, size, cookie, len))
			abort();
		for (size_t i = 0; i < len; i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", cookie[i]))
				abort();
	}
	free(line);
}

static void challenge(const char *body)
{
	char nonce[KBS_NONCE_MAX + 1], detail[128] = "";
	enum kbs_hash hash;
	size_t len;

	if (kbs_parse_challenge(body, nonce, &hash, detail, sizeof(detail)) == 0) {
		len = strnlen(nonce, sizeof(nonce));
		if (len == 0 || len > KBS_NONCE_MAX || kbs_hash_len(hash) == 0)
			abort();
	} else if (!detail[0]) {
		abort(); /* a refusal always says why */
	}
}

static void error_variant(const char *body)
{
	char variant[48];
	size_t len;

	memset(variant, 'Z', sizeof(variant));
	kbs_parse_error_variant(body, variant, sizeof(variant));
	len = strnlen(variant, sizeof(variant));
	if (len == sizeof(variant))
		abort(); /* always terminated */
	{
		char detail[64];

		memset(detail, 'Z', sizeof(detail));
		kbs_parse_error_detail(body, detail, sizeof(detail));
		len = strnlen(detail, sizeof(detail));
		if (len == sizeof(detail))
			abort();
		for (size_t i = 0; i < len; i++)
			if (detail[i] < 0x20 || detail[i] > 0x7e)
				abort(); /* printable only */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (!s)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
		cookie_header(data + 1, size - 1);
		break;
	case 1:
		challenge(s);
		break;
	case 2:
		error_variant(s);
		break;
	}
	free(s);
	return 0;
}
