#include "b64_ossl.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

/* Work in chunks of CHUNK characters (CHUNK / 4 * 3 bytes): no temporary allocation
 * for the alphabet translation, and int-sized OpenSSL calls whatever the input size. */
#define CHUNK 64

size_t ks_b64_encoded_len(size_t len) { return (len + 2) / 3 * 4; }
size_t ks_b64url_encoded_len(size_t len) { return len / 3 * 4 + (len % 3 ? len % 3 + 1 : 0); }
size_t ks_b64_decoded_max(size_t in_len) { return in_len / 4 * 3 + 2; }

static int val(char c, bool url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

/* Validates canonical form; *dec_len = decoded length, *pad = number of '='. */
static int check(const char *in, size_t len, bool url, size_t *dec_len, size_t *pad)
{
	size_t data, rem;

	*pad = 0;
	if (!url) {
		if (len % 4)
			return -EINVAL;
		while (*pad < 2 && *pad < len && in[len - 1 - *pad] == '=')
			(*pad)++;
	}
	data = len - *pad;
	rem = data % 4;
	if (rem == 1 || (!url && *pad && rem != 4 - *pad))
		return -EINVAL;
	for (size_t i = 0; i < data; i++)
		if (val(in[i], url) < 0)
			return -EINVAL;
	/* The last character of a partial group carries unused low bits that must be 0. */
	if (rem && (val(in[data - 1], url) & (rem == 2 ? 0x0f : 0x03)))
		return -EINVAL;
	*dec_len = data / 4 * 3 + (rem ? rem - 1 : 0);
	return 0;
}

static int encode(const uint8_t *in, size_t len, char *out, size_t out_size, bool url)
{
	unsigned char tmp[CHUNK + 1];
	size_t need, pos = 0;

	if (len > SIZE_MAX / 2)
		return -EOVERFLOW;
	need = url ? ks_b64url_encoded_len(len) : ks_b64_encoded_len(len);
	if (out_size < need + 1)
		return -ENOBUFS;
	for (size_t off = 0; off < len; off += CHUNK / 4 * 3) {
		size_t n = len - off < CHUNK / 4 * 3 ? len - off : CHUNK / 4 * 3;
		int olen = EVP_EncodeBlock(tmp, in + off, (int)n);

		for (int i = 0; i < olen; i++) {
			char c = (char)tmp[i];

			if (url && c == '=')
				break;
			if (url)
				c = c == '+' ? '-' : c == '/' ? '_' : c;
			out[pos++] = c;
		}
	}
	out[pos] = '\0';
	return pos == need ? 0 : -EINVAL;
}

int ks_b64_encode(const uint8_t *in, size_t len, char *out, size_t out_size)
{
	return encode(in, len, out, out_size, false);
}

int ks_b64url_encode(const uint8_t *in, size_t len, char *out, size_t out_size)
{
	return encode(in, len, out, out_size, true);
}

static int decode(const char *in, size_t in_len, uint8_t *out, size_t out_max, size_t *out_len,
		  bool url)
{
	unsigned char tmp[CHUNK], dec[CHUNK / 4 * 3];
	size_t dec_len, pad, pos = 0;
	int r;

	r = check(in, in_len, url, &dec_len, &pad);
	if (r < 0)
		return r;
	if (dec_len > out_max)
		return -ENOBUFS;
	for (size_t off = 0; off < in_len; off += CHUNK) {
		size_t n = in_len - off < CHUNK ? in_len - off : CHUNK, take;
		int olen;

		for (size_t i = 0; i < n; i++) {
			char c = in[off + i];

			if (url)
				c = c == '-' ? '+' : c == '_' ? '/' : c;
			tmp[i] = (unsigned char)c;
		}
		while (n % 4) {
			tmp[n++] = '=';
			pad++;
		}
		/* EVP_DecodeBlock counts '=' positions as zero bytes: drop them. */
		olen = EVP_DecodeBlock(dec, tmp, (int)n);
		if (olen < 0)
			break;
		take = (size_t)olen;
		if (off + CHUNK >= in_len)
			take -= pad;
		memcpy(out + pos, dec, take);
		pos += take;
	}
	OPENSSL_cleanse(dec, sizeof(dec)); /* decoded data may be key material */
	if (pos != dec_len)
		return -EINVAL;
	*out_len = pos;
	return 0;
}

int ks_b64_decode(const char *in, size_t in_len, uint8_t *out, size_t out_max, size_t *out_len)
{
	return decode(in, in_len, out, out_max, out_len, false);
}

int ks_b64url_decode(const char *in, size_t in_len, uint8_t *out, size_t out_max, size_t *out_len)
{
	return decode(in, in_len, out, out_max, out_len, true);
}

int ks_b64url_decode_exact(const char *in, size_t in_len, uint8_t *out, size_t n)
{
	size_t got;
	int r;

	if (ks_b64url_encoded_len(n) != in_len)
		return -EINVAL;
	r = ks_b64url_decode(in, in_len, out, n, &got);
	if (r < 0)
		return r;
	return got == n ? 0 : -EINVAL;
}
