/* SPDX-License-Identifier: Apache-2.0 */
#include "jwe_parse.h"
#include "b64.h"
#include "json_util.h"
#include "common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* Members a flattened JWE may carry that this client cannot honour. */
static const char *const rejected_members[] = { "aad", "unprotected", "header", "recipients" };
static const char *const rejected_header[] = { "zip", "crit" };

void kbs_jwe_clear(struct kbs_jwe *jwe)
{
	free(jwe->protected_b64);
	free(jwe->ciphertext);
	memset(jwe, 0, sizeof(*jwe));
}

static int get_b64_exact(struct json_object *o, const char *key, uint8_t *out, size_t n)
{
	const char *s;
	size_t len;
	int r;

	r = kbs_json_get_string(o, key, &s, &len);
	if (r < 0)
		return log_fail(-EINVAL, "JWE: member '%s' missing or not a string", key);
	if (kbs_b64url_decode_exact(s, len, out, n) < 0)
		return log_fail(-EINVAL, "JWE: '%s' is not base64url of %zu bytes", key, n);
	return 0;
}

static int get_party_info(struct json_object *hdr, const char *key, uint8_t *out, size_t *out_len)
{
	const char *s;
	size_t len;
	int r;

	r = kbs_json_get_string(hdr, key, &s, &len);
	if (r == -ENOENT) {
		*out_len = 0;
		return 0;
	}
	if (r < 0 || kbs_b64url_decode(s, len, out, KBS_JWE_MAX_PARTY_INFO, out_len) < 0)
		return log_fail(-EINVAL, "JWE header: '%s' is not base64url of at most %d bytes",
				key, KBS_JWE_MAX_PARTY_INFO);
	return 0;
}

static int expect_string(struct json_object *o, const char *key, const char *want, const char *what)
{
	const char *s;
	size_t len;

	if (kbs_json_get_string(o, key, &s, &len) < 0 || strcmp(s, want) != 0)
		return log_fail(-ENOTSUP, "JWE %s: '%s' is not \"%s\"", what, key, want);
	return 0;
}

static int parse_epk(struct json_object *hdr, struct kbs_jwe *out)
{
	struct json_object *epk;
	int r;

	if (!json_object_object_get_ex(hdr, "epk", &epk) || !json_object_is_type(epk, json_type_object))
		return log_fail(-ENOTSUP, "JWE header: no 'epk' object (server used another key type?)");
	r = expect_string(epk, "kty", "EC", "epk");
	if (r == 0)
		r = expect_string(epk, "crv", "P-256", "epk");
	if (r == 0)
		r = get_b64_exact(epk, "x", out->epk_x, sizeof(out->epk_x));
	if (r == 0)
		r = get_b64_exact(epk, "y", out->epk_y, sizeof(out->epk_y));
	return r;
}

static int parse_header(const char *b64, size_t len, const char *expected_alg, struct kbs_jwe *out)
{
	_cleanup_json_ struct json_object *hdr = NULL;
	uint8_t buf[KBS_JWE_MAX_PROTECTED / 4 * 3 + 2];
	size_t n;
	int r;

	if (kbs_b64url_decode(b64, len, buf, sizeof(buf), &n) < 0)
		return log_fail(-EINVAL, "JWE: 'protected' is not base64url");
	if (kbs_json_parse((const char *)buf, n, 4, &hdr) < 0 || !json_object_is_type(hdr, json_type_object))
		return log_fail(-EINVAL, "JWE: the protected header is not a JSON object");
	for (size_t i = 0; i < sizeof(rejected_header) / sizeof(rejected_header[0]); i++)
		if (json_object_object_get_ex(hdr, rejected_header[i], NULL))
			return log_fail(-ENOTSUP, "JWE header: '%s' is not supported", rejected_header[i]);
	r = expect_string(hdr, "alg", expected_alg, "header");
	if (r == 0)
		r = expect_string(hdr, "enc", "A256GCM", "header");
	if (r == 0)
		r = parse_epk(hdr, out);
	if (r == 0)
		r = get_party_info(hdr, "apu", out->apu, &out->apu_len);
	if (r == 0)
		r = get_party_info(hdr, "apv", out->apv, &out->apv_len);
	return r;
}

static int parse_ciphertext(struct json_object *o, struct kbs_jwe *out)
{
	const char *s;
	size_t len;

	if (kbs_json_get_string(o, "ciphertext", &s, &len) < 0)
		return log_fail(-EINVAL, "JWE: member 'ciphertext' missing or not a string");
	if (len > kbs_b64url_encoded_len(KBS_JWE_MAX_CIPHERTEXT))
		return log_fail(-EMSGSIZE, "JWE: ciphertext over %u bytes", KBS_JWE_MAX_CIPHERTEXT);
	out->ciphertext = malloc(kbs_b64_decoded_max(len));
	if (!out->ciphertext)
		return log_fail(-ENOMEM, "JWE: out of memory for the ciphertext");
	if (kbs_b64url_decode(s, len, out->ciphertext, kbs_b64_decoded_max(len), &out->ciphertext_len) < 0)
		return log_fail(-EINVAL, "JWE: 'ciphertext' is not base64url");
	return 0;
}

int kbs_jwe_parse(const char *json, size_t len, const char *expected_alg, struct kbs_jwe *out)
{
	_cleanup_json_ struct json_object *o = NULL;
	const char *prot;
	size_t prot_len;
	int r;

	memset(out, 0, sizeof(*out));
	if (len > KBS_JWE_MAX_LEN)
		return log_fail(-EMSGSIZE, "JWE: response of %zu bytes is over the %u byte limit",
				len, KBS_JWE_MAX_LEN);
	if (kbs_json_parse(json, len, 3, &o) < 0 || !json_object_is_type(o, json_type_object))
		return log_fail(-EINVAL, "JWE: the response is not a JSON object");
	for (size_t i = 0; i < sizeof(rejected_members) / sizeof(rejected_members[0]); i++)
		if (json_object_object_get_ex(o, rejected_members[i], NULL))
			return log_fail(-ENOTSUP, "JWE: member '%s' is not supported", rejected_members[i]);
	if (kbs_json_get_string(o, "protected", &prot, &prot_len) < 0)
		return log_fail(-EINVAL, "JWE: member 'protected' missing or not a string");
	if (prot_len > KBS_JWE_MAX_PROTECTED)
		return log_fail(-EMSGSIZE, "JWE: protected header over %d characters", KBS_JWE_MAX_PROTECTED);
	r = parse_header(prot, prot_len, expected_alg, out);
	if (r == 0)
		r = get_b64_exact(o, "encrypted_key", out->encrypted_key, sizeof(out->encrypted_key));
	if (r == 0)
		r = get_b64_exact(o, "iv", out->iv, sizeof(out->iv));
	if (r == 0)
		r = get_b64_exact(o, "tag", out->tag, sizeof(out->tag));
	if (r == 0)
		r = parse_ciphertext(o, out);
	if (r == 0) {
		out->protected_b64 = strndup(prot, prot_len);
		out->protected_len = prot_len;
		if (!out->protected_b64)
			r = log_fail(-ENOMEM, "JWE: out of memory");
	}
	if (r < 0)
		kbs_jwe_clear(out);
	return r;
}
