/* SPDX-License-Identifier: Apache-2.0 */
#include "tee_pubkey.h"
#include "b64_ossl.h"
#include "../verify/p256.h"
#include "common/log.h"

#include <errno.h>
#include <string.h>

#include <json-c/json.h>

/* Member key of obj as a NUL-free string, or NULL. */
static const char *get_str(struct json_object *obj, const char *key, size_t *len)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	return strlen(s) == *len ? s : NULL;
}

static int expect(struct json_object *jwk, const char *key, const char *want)
{
	size_t len;
	const char *s = get_str(jwk, key, &len);

	if (!s || strcmp(s, want) != 0)
		return log_fail(-ENOTSUP, "tee-pubkey: '%s' is not \"%s\" (only EC P-256 ECDH-ES+A256KW keys)",
				 key, want);
	return 0;
}

int ks_tee_pubkey_to_evp(const struct ks_tee_pubkey *k, EVP_PKEY **out)
{
	uint8_t pt[65];

	pt[0] = 0x04;
	memcpy(pt + 1, k->x, 32);
	memcpy(pt + 33, k->y, 32);
	*out = vf_p256_key_from_point(pt);
	if (!*out)
		return log_fail(-EINVAL, "tee-pubkey: the point is not on P-256");
	return 0;
}

int ks_tee_pubkey_from_json(struct json_object *jwk, struct ks_tee_pubkey *out)
{
	const char *x, *y;
	size_t xl, yl;
	int r;

	if (!json_object_is_type(jwk, json_type_object))
		return log_fail(-EINVAL, "tee-pubkey: not a JSON object");
	r = expect(jwk, "kty", "EC");
	if (r == 0)
		r = expect(jwk, "crv", "P-256");
	if (r == 0)
		r = expect(jwk, "alg", "ECDH-ES+A256KW");
	if (r < 0)
		return r;
	x = get_str(jwk, "x", &xl);
	y = get_str(jwk, "y", &yl);
	if (!x || !y || ks_b64url_decode_exact(x, xl, out->x, 32) < 0 ||
	    ks_b64url_decode_exact(y, yl, out->y, 32) < 0)
		return log_fail(-EINVAL, "tee-pubkey: x and y must be base64url of exactly 32 bytes");
	return ks_tee_pubkey_check(out);
}

int ks_tee_pubkey_check(const struct ks_tee_pubkey *k)
{
	uint8_t pt[65];

	pt[0] = 0x04;
	memcpy(pt + 1, k->x, 32);
	memcpy(pt + 33, k->y, 32);
	if (!vf_p256_point_valid(pt))
		return log_fail(-EINVAL, "tee-pubkey: the point is not on P-256");
	return 0;
}

int ks_tee_pubkey_xy_b64(const struct ks_tee_pubkey *k, char x[44], char y[44])
{
	if (ks_b64url_encode(k->x, 32, x, 44) < 0 || ks_b64url_encode(k->y, 32, y, 44) < 0)
		return log_fail(-EINVAL, "tee-pubkey: encoding the coordinates");
	return 0;
}
