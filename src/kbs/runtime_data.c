#include "runtime_data.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>

int kbs_hash_from_name(const char *name, enum kbs_hash *out)
{
	if (!name || !strcmp(name, "sha384"))
		*out = KBS_HASH_SHA384;
	else if (!strcmp(name, "sha256"))
		*out = KBS_HASH_SHA256;
	else if (!strcmp(name, "sha512"))
		*out = KBS_HASH_SHA512;
	else
		return log_errno(-ENOTSUP, "selected-hash-algorithm '%.32s': only sha256, sha384, sha512", name);
	return 0;
}

size_t kbs_hash_len(enum kbs_hash h)
{
	return h == KBS_HASH_SHA256 ? 32 : h == KBS_HASH_SHA512 ? 64 : 48;
}

/* Length of the UTF-8 sequence at s (1..4), 0 if it is not well-formed. */
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
			return 0;
		return 4;
	}
	return 0;
}

/* Appends the JCS string literal of s to f (quotes included). */
static int put_jcs_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		size_t n = utf8_len(p);

		if (!n)
			return -EINVAL;
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\b')
			fputs("\\b", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\f')
			fputs("\\f", f);
		else if (*p == '\r')
			fputs("\\r", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
	return 0;
}

int kbs_runtime_data_canon(const char *nonce, const char *x, const char *y,
			   const char *additional_evidence, char **out, size_t *out_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	f = open_memstream(&buf, &len);
	if (!f)
		return log_errno(-ENOMEM, "building the runtime data: out of memory");
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
		return log_errno(r, "building the runtime data: nonce, key or evidence is not valid UTF-8");
	}
	*out = buf;
	*out_len = len;
	return 0;
}

int kbs_report_data(enum kbs_hash h, const char *canon, size_t canon_len, uint8_t out[64])
{
	const unsigned char *in = (const unsigned char *)canon;
	int r;

	memset(out, 0, 64);
	if (h == KBS_HASH_SHA256)
		r = mbedtls_sha256_ret(in, canon_len, out, 0);
	else
		r = mbedtls_sha512_ret(in, canon_len, out, h == KBS_HASH_SHA384);
	if (h == KBS_HASH_SHA384)
		memset(out + 48, 0, 16); /* keep the 16 padding bytes zero whatever the library wrote */
	if (r != 0)
		return log_errno(-EIO, "hashing the runtime data (mbedTLS -0x%04x)", (unsigned)-r);
	return 0;
}
