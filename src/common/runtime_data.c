/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime_data.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int runtime_hash_from_name(const char *name, enum runtime_hash *out)
{
	if (!name || !strcmp(name, "sha384"))
		*out = RUNTIME_HASH_SHA384;
	else if (!strcmp(name, "sha256"))
		*out = RUNTIME_HASH_SHA256;
	else if (!strcmp(name, "sha512"))
		*out = RUNTIME_HASH_SHA512;
	else
		return log_fail(-ENOTSUP, "selected-hash-algorithm '%.32s': only sha256, sha384, sha512", name);
	return 0;
}

size_t runtime_hash_len(enum runtime_hash h)
{
	return h == RUNTIME_HASH_SHA256 ? 32 : h == RUNTIME_HASH_SHA512 ? 64 : 48;
}

/* Length of the well-formed UTF-8 sequence at s (1..4), 0 if malformed. Never reads
 * past a NUL: a NUL is not a continuation byte. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0))
			return 0; /* overlong or surrogate */
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
			return 0; /* overlong or above U+10FFFF */
		return 4;
	}
	return 0;
}

/* Appends the JCS (ECMAScript JSON.stringify) string literal of s to f, quotes included. */
static int put_jcs_string(FILE *f, const char *s)
{
	static const char short_esc[] = { ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r' };
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		size_t n = utf8_len(p);

		if (!n)
			return -EINVAL;
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < sizeof(short_esc) && short_esc[*p])
			fprintf(f, "\\%c", short_esc[*p]);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
	return 0;
}

int runtime_data_canon(const char *nonce, const char *x, const char *y,
		       const char *additional_evidence, char **out, size_t *out_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	/* Members in JCS order (UTF-16 code unit order of the names). */
	fputs("{\"additional-evidence\":", f);
	r = put_jcs_string(f, additional_evidence);
	fputs(",\"nonce\":", f);
	r = r ? r : put_jcs_string(f, nonce);
	fputs(",\"tee-pubkey\":{\"alg\":\"ECDH-ES+A256KW\",\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":", f);
	r = r ? r : put_jcs_string(f, x);
	fputs(",\"y\":", f);
	r = r ? r : put_jcs_string(f, y);
	fputs("}}", f);
	if (fclose(f) != 0 && !r)
		r = -ENOMEM;
	if (r < 0) {
		free(buf);
		return r;
	}
	*out = buf;
	*out_len = len;
	return 0;
}
