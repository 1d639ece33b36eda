/* SPDX-License-Identifier: Apache-2.0 */
/* PCS response headers: matching header lines, strict %XX decoding of issuer chains. */
#include "pcs_header.h"
#include "../common/hex.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int pcs_url_decode(const char *in, size_t len, char *out, size_t *out_len)
{
	size_t o = 0;

	while (len > 0 && is_space(in[0])) {
		in++;
		len--;
	}
	while (len > 0 && is_space(in[len - 1]))
		len--;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				return -EBADMSG;
			hi = hex_nibble(in[i + 1]);
			lo = hex_nibble(in[i + 2]);
			if (hi < 0 || lo < 0)
				return -EBADMSG;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if ((c < 0x20 && c != '\n' && c != '\r') || c == 0x7f)
			return -EBADMSG;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	*out_len = o;
	return 0;
}

int pcs_header_match(const char *line, size_t len, const char *name, const char **value, size_t *vlen)
{
	size_t n = strlen(name);
	const char *v;
	size_t l;

	if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0)
		return 0;
	v = line + n + 1;
	l = len - n - 1;
	while (l > 0 && (v[0] == ' ' || v[0] == '\t')) {
		v++;
		l--;
	}
	while (l > 0 && is_space(v[l - 1]))
		l--;
	*value = v;
	*vlen = l;
	return 1;
}
