/* SPDX-License-Identifier: Apache-2.0 */
#include "kbs_error.h"

#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

static const struct {
	unsigned status;
	const char *variant;
} errors[] = {
	[KBS_ERR_ATTESTATION] = { 401, "AttestationError" },
	[KBS_ERR_TOKEN_NOT_FOUND] = { 401, "TokenNotFound" },
	[KBS_ERR_TOKEN_VERIFIER] = { 401, "TokenVerifierError" },
	[KBS_ERR_POLICY_DENY] = { 401, "PolicyDeny" },
	[KBS_ERR_PLUGIN_INTERNAL] = { 401, "PluginInternalError" },
	[KBS_ERR_PLUGIN_NOT_FOUND] = { 404, "PluginNotFound" },
	[KBS_ERR_INVALID_PATH] = { 404, "InvalidRequestPath" },
	[KBS_ERR_JWE] = { 401, "JweError" },
	[KBS_ERR_BUSY] = { 503, "ServiceUnavailable" },
};

unsigned kbs_error_status(enum kbs_error e) { return errors[e].status; }
const char *kbs_error_variant(enum kbs_error e) { return errors[e].variant; }

char *kbs_error_body(enum kbs_error e, const char *detail, size_t *len)
{
	json_object *obj = json_object_new_object();
	char type[128];
	char *out = NULL;

	if (!obj)
		return NULL;
	snprintf(type, sizeof(type), "https://github.com/confidential-containers/kbs/errors/%s", errors[e].variant);
	json_object_object_add(obj, "type", json_object_new_string(type));
	json_object_object_add(obj, "detail", json_object_new_string(detail));
	const char *s = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);
	if (s) {
		out = malloc(*len + 1);
		if (out)
			snprintf(out, *len + 1, "%s", s);
	}
	json_object_put(obj);
	return out;
}
