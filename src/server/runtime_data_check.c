#include "runtime_data_check.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

size_t ks_hash_len(enum ks_hash h)
{
	return h == KS_HASH_SHA256 ? 32 : h == KS_HASH_SHA512 ? 64 : 48;
}

/* Length of the well-formed UTF-8 sequence at s (1..4), 0 if malformed. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 :
		   c >= 0xf0 && c <= 0xf4 ? 4 : 0;

	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && n == 3 && s[1] >= 0xa0) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
		return 0; /* overlong, surrogate or above U+10FFFF */
	return n;
}

/* Writes the JCS (ECMAScript JSON.stringify) string literal of s. */
static int put_string(FILE *f, const char *s)
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

int ks_runtime_data_canon(const char *nonce, const struct ks_tee_pubkey *key,
			  const char *additional_evidence, char **out, size_t *out_len)
{
	char x[44], y[44];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	r = ks_tee_pubkey_xy_b64(key, x, y);
	if (r < 0)
		return r;
	f = open_memstream(&buf, &len);
	if (!f)
		return log_errno(-ENOMEM, "runtime data: out of memory");
	fputs("{\"additional-evidence\":", f);
	r = put_string(f, additional_evidence);
	fputs(",\"nonce\":", f);
	if (r == 0)
		r = put_string(f, nonce);
	fprintf(f, ",\"tee-pubkey\":{\"alg\":\"ECDH-ES+A256KW\",\"crv\":\"P-256\",\"kty\":\"EC\","
		"\"x\":\"%s\",\"y\":\"%s\"}}", x, y);
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0) {
		free(buf);
		return log_errno(r, "runtime data: nonce or additional-evidence is not valid UTF-8");
	}
	*out = buf;
	*out_len = len;
	return 0;
}

int ks_report_data(enum ks_hash h, const char *canon, size_t canon_len, uint8_t out[64])
{
	const EVP_MD *md = h == KS_HASH_SHA256 ? EVP_sha256() : h == KS_HASH_SHA512 ? EVP_sha512() :
			   EVP_sha384();

	memset(out, 0, 64);
	if (EVP_Digest(canon, canon_len, out, NULL, md, NULL) != 1)
		return log_errno(-EIO, "runtime data: hashing failed");
	return 0;
}

int ks_runtime_data_check(const char *nonce, const struct ks_tee_pubkey *key,
			  const char *additional_evidence, enum ks_hash h,
			  const uint8_t quote_report_data[64])
{
	_cleanup_free_ char *canon = NULL;
	uint8_t want[64];
	size_t len;
	int r;

	r = ks_runtime_data_canon(nonce, key, additional_evidence, &canon, &len);
	if (r < 0)
		return r;
	r = ks_report_data(h, canon, len, want);
	if (r < 0)
		return r;
	if (CRYPTO_memcmp(want, quote_report_data, sizeof(want)) != 0)
		return log_errno(-EPERM, "REPORTDATA does not match hash(nonce, tee-pubkey): "
				 "the quote was made for another nonce or key");
	return 0;
}
