/* SPDX-License-Identifier: Apache-2.0 */
#include "b64_canon.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#define CHUNK_BYTES (B64_CHUNK / 4 * 3)

size_t b64_encoded_len(size_t len) { return (len + 2) / 3 * 4; }
size_t b64url_encoded_len(size_t len) { return len / 3 * 4 + (len % 3 ? len % 3 + 1 : 0); }
size_t b64_decoded_max(size_t in_len) { return in_len / 4 * 3 + 2; }

/* Sextet value + 1 of every byte (0 = not in the alphabet); [1] is base64url. A table:
 * the quote of an /attest request is ~8,000 characters, checked before decoding. */
#define B64_ROW(m62, m63) { \
	['A'] = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, \
	['a'] = 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, \
	['0'] = 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, [m62] = 63, [m63] = 64 }
static const uint8_t sextet1[2][256] = { B64_ROW('+', '/'), B64_ROW('-', '_') };

static int val(char c, bool url)
{
	return (int)sextet1[url][(unsigned char)c] - 1;
}

int b64_canon_check(const char *in, size_t len, bool url, size_t *dec_len)
{
	size_t pad = 0, data, rem;

	if (!url) {
		if (len % 4)
			return -EINVAL;
		while (pad < 2 && pad < len && in[len - 1 - pad] == '=')
			pad++;
	}
	data = len - pad;
	rem = data % 4;
	if (rem == 1 || (!url && pad && rem != 4 - pad))
		return -EINVAL;
	{
		const uint8_t *t = sextet1[url];
		unsigned bad = 0;

		for (size_t i = 0; i < data; i++)
			bad |= t[(unsigned char)in[i]] == 0;
		if (bad)
			return -EINVAL;
	}
	/* The last character of a partial group carries 2 (rem 3) or 4 (rem 2) unused
	 * bits: they must be 0. */
	if (rem && (val(in[data - 1], url) & (rem == 2 ? 0x0f : 0x03)))
		return -EINVAL;
	*dec_len = data / 4 * 3 + (rem ? rem - 1 : 0);
	return 0;
}

int b64_canon_encode(const uint8_t *in, size_t len, char *out, size_t out_size, bool url,
		     b64_encode_block_fn enc)
{
	unsigned char tmp[B64_CHUNK + 1];
	size_t need, pos = 0, olen;

	if (len > SIZE_MAX / 2)
		return -EOVERFLOW;
	need = url ? b64url_encoded_len(len) : b64_encoded_len(len);
	if (out_size < need + 1)
		return -ENOBUFS;
	for (size_t off = 0; off < len; off += CHUNK_BYTES) {
		size_t n = len - off < CHUNK_BYTES ? len - off : CHUNK_BYTES;

		if (enc(tmp, sizeof(tmp), &olen, in + off, n) < 0)
			return -EINVAL;
		for (size_t i = 0; i < olen; i++) {
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

int b64_canon_decode(const char *in, size_t in_len, uint8_t *out, size_t out_max,
		     size_t *out_len, bool url, b64_decode_block_fn dec)
{
	unsigned char tmp[B64_CHUNK];
	size_t dec_len, pos = 0, olen;
	int r;

	r = b64_canon_check(in, in_len, url, &dec_len);
	if (r < 0)
		return r;
	if (dec_len > out_max)
		return -ENOBUFS;
	for (size_t off = 0; off < in_len; off += B64_CHUNK) {
		size_t n = in_len - off < B64_CHUNK ? in_len - off : B64_CHUNK;

		for (size_t i = 0; i < n; i++) {
			char c = in[off + i];

			if (url)
				c = c == '-' ? '+' : c == '_' ? '/' : c;
			tmp[i] = (unsigned char)c;
		}
		/* Block codecs take whole groups: pad an unpadded final group explicitly. */
		while (n % 4)
			tmp[n++] = '=';
		if (dec(out + pos, out_max - pos, &olen, tmp, n) < 0)
			return -EINVAL;
		pos += olen;
	}
	if (pos != dec_len)
		return -EINVAL;
	*out_len = pos;
	return 0;
}

int b64url_canon_decode_exact(const char *in, size_t in_len, uint8_t *out, size_t n,
			      b64_decode_block_fn dec)
{
	size_t got;
	int r;

	/* Check the length first so a short output buffer is never an error path. */
	if (b64url_encoded_len(n) != in_len)
		return -EINVAL;
	r = b64_canon_decode(in, in_len, out, n, &got, true, dec);
	if (r < 0)
		return r;
	return got == n ? 0 : -EINVAL;
}
