/* SPDX-License-Identifier: Apache-2.0 */
/* The raw signed member of a JSON collateral document ({"tcbInfo":{...},"signature":"..."}):
 * located by a small string-aware scanner so the bytes hashed are exactly the bytes served. */
#include "internal.h"
#include "../common/hex.h"

#include <errno.h>
#include <string.h>

#define MAX_DEPTH 64

struct scan {
	const char *s;
	size_t len, i;
};

static void ws(struct scan *sc)
{
	while (sc->i < sc->len && strchr(" \t\r\n", sc->s[sc->i]) && sc->s[sc->i])
		sc->i++;
}

/* A string starting at sc->i ('"'); on return sc->i is past the closing quote and
 * [*start, *start + *slen) are the raw contents. */
static int string(struct scan *sc, const char **start, size_t *slen)
{
	if (sc->i >= sc->len || sc->s[sc->i] != '"')
		return -EBADMSG;
	sc->i++;
	*start = sc->s + sc->i;
	while (sc->i < sc->len) {
		char c = sc->s[sc->i];

		if (c == '"') {
			*slen = (size_t)(sc->s + sc->i - *start);
			sc->i++;
			return 0;
		}
		if ((unsigned char)c < 0x20)
			return -EBADMSG;
		sc->i += c == '\\' ? 2 : 1;
	}
	return -EBADMSG;
}

/* Skips any value; containers by bracket matching that ignores brackets inside strings. */
static int value(struct scan *sc)
{
	char stack[MAX_DEPTH];
	int depth = 0;
	const char *s;
	size_t l;

	ws(sc);
	if (sc->i >= sc->len)
		return -EBADMSG;
	if (sc->s[sc->i] == '"')
		return string(sc, &s, &l);
	if (sc->s[sc->i] != '{' && sc->s[sc->i] != '[') {
		size_t st = sc->i;

		while (sc->i < sc->len && !strchr(",}] \t\r\n", sc->s[sc->i]) && sc->s[sc->i])
			sc->i++;
		return sc->i > st ? 0 : -EBADMSG;
	}
	while (sc->i < sc->len) {
		char c = sc->s[sc->i];

		if (c == '"') {
			if (string(sc, &s, &l) < 0)
				return -EBADMSG;
			continue;
		}
		if (c == '{' || c == '[') {
			if (depth == MAX_DEPTH)
				return -EBADMSG;
			stack[depth++] = c == '{' ? '}' : ']';
		} else if (c == '}' || c == ']') {
			if (depth == 0 || stack[depth - 1] != c)
				return -EBADMSG;
			if (--depth == 0) {
				sc->i++;
				return 0;
			}
		}
		sc->i++;
	}
	return -EBADMSG;
}

/* Calls back for each top-level member: key, and value span. */
static int members(const char *doc, size_t len, const char *want, const char **vstart, size_t *vlen)
{
	struct scan sc = { doc, len, 0 };
	bool found = false;

	ws(&sc);
	if (sc.i >= len || doc[sc.i] != '{')
		return -EBADMSG;
	sc.i++;
	ws(&sc);
	if (sc.i < len && doc[sc.i] == '}')
		return -ENOENT;
	for (;;) {
		const char *k;
		size_t kl, vs;

		ws(&sc);
		if (string(&sc, &k, &kl) < 0)
			return -EBADMSG;
		ws(&sc);
		if (sc.i >= len || doc[sc.i] != ':')
			return -EBADMSG;
		sc.i++;
		ws(&sc);
		vs = sc.i;
		if (value(&sc) < 0)
			return -EBADMSG;
		if (kl == strlen(want) && memcmp(k, want, kl) == 0) {
			if (found)
				return -EBADMSG; /* duplicate: which one would a parser use? */
			found = true;
			*vstart = doc + vs;
			*vlen = sc.i - vs;
		}
		ws(&sc);
		if (sc.i < len && doc[sc.i] == ',') {
			sc.i++;
			continue;
		}
		if (sc.i < len && doc[sc.i] == '}')
			break;
		return -EBADMSG;
	}
	sc.i++;
	ws(&sc);
	if (sc.i != len && !(sc.i + 1 == len && doc[sc.i] == '\0'))
		return -EBADMSG;
	return found ? 0 : -ENOENT;
}

int vf_json_member_slice(const char *doc, size_t len, const char *key, const char **start,
			 size_t *slen)
{
	int r = members(doc, len, key, start, slen);

	if (r < 0)
		return r;
	return **start == '{' ? 0 : -EBADMSG;
}

int vf_json_signature(const char *doc, size_t len, uint8_t sig[64])
{
	char hex[129];
	const char *v;
	size_t vl;

	if (members(doc, len, "signature", &v, &vl) < 0 || vl != 130 || v[0] != '"')
		return -EBADMSG;
	memcpy(hex, v + 1, 128);
	hex[128] = '\0';
	return hex_decode(hex, sig, 64) == 64 ? 0 : -EBADMSG;
}
