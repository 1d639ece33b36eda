/* SPDX-License-Identifier: Apache-2.0 */
/* Routing of /kbs/v0/... and /healthz, and the reply helpers. */
#include "handler.h"
#include "kbs_error.h"
#include "server.h"
#include "../common/resource_path.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define KBS_PREFIX "/kbs/v0/"

/* Bytes of text[0..len) that are not JSON whitespace: a document must end with them. */
static bool only_space(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r\n", text[i]))
			return false;
	return true;
}

json_object *ks_json_parse_parts(const struct ks_text *parts, size_t n)
{
	struct json_tokener *tok;
	json_object *obj = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (parts[i].len > INT_MAX || memchr(parts[i].text, '\0', parts[i].len))
			return NULL;
	if (!(tok = json_tokener_new()))
		return NULL;
	/* One tokenizer across the parts: json-c resumes anywhere, inside strings too. */
	for (i = 0; i < n && !obj; i++) {
		obj = json_tokener_parse_ex(tok, parts[i].text, (int)parts[i].len);
		if (!obj && json_tokener_get_error(tok) != json_tokener_continue)
			break;
	}
	if (obj && json_tokener_get_error(tok) == json_tokener_success) {
		size_t end = json_tokener_get_parse_end(tok);
		bool rest_blank = only_space(parts[i - 1].text + end, parts[i - 1].len - end);

		for (; i < n && rest_blank; i++)
			rest_blank = only_space(parts[i].text, parts[i].len);
		if (!rest_blank) {
			json_object_put(obj);
			obj = NULL;
		}
	} else {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

json_object *ks_json_parse(const char *text, size_t len)
{
	const struct ks_text whole = { text, len };

	return ks_json_parse_parts(&whole, 1);
}

void ks_reply_json(struct ks_reply *rep, unsigned status, char *body, size_t len)
{
	/* A body that could not be allocated (a caller's strdup() under memory pressure) is a
	 * 500 with nothing in it: never a length without its bytes, which the HTTP layer
	 * would send from wherever body pointed. */
	rep->status = body ? status : 500;
	rep->body = body;
	rep->len = body ? len : 0;
}

void ks_reply_error(struct ks_reply *rep, int e, const char *detail)
{
	size_t len = 0;
	char *body = kbs_error_body((enum kbs_error)e, detail, &len);

	rep->set_cookie[0] = '\0';
	ks_reply_json(rep, body ? kbs_error_status((enum kbs_error)e) : 500, body, body ? len : 0);
}

void ks_handle(struct ks_server *srv, const struct ks_request *req, struct ks_reply *rep)
{
	const char *rest;

	memset(rep, 0, sizeof(*rep));
	if (strcmp(req->path, "/healthz") == 0) {
		char *ok = strdup("{\"status\":\"ok\"}");
		ks_reply_json(rep, 200, ok, ok ? strlen(ok) : 0);
		return;
	}
	if (strncmp(req->path, KBS_PREFIX, strlen(KBS_PREFIX)) != 0) {
		ks_reply_error(rep, KBS_ERR_INVALID_PATH, "Invalid request path");
		return;
	}
	rest = req->path + strlen(KBS_PREFIX);
	if (strcmp(rest, "auth") == 0 && strcmp(req->method, "POST") == 0)
		ks_handle_auth(srv, req, rep);
	else if (strcmp(rest, "attest") == 0 && strcmp(req->method, "POST") == 0)
		ks_handle_attest(srv, req, rep);
	else if (strncmp(rest, "resource/", 9) == 0 && strcmp(req->method, "GET") == 0) {
		if (resource_path_valid(rest + 9))
			ks_handle_resource(srv, req, rest + 9, rep);
		else
			ks_reply_error(rep, KBS_ERR_PLUGIN_INTERNAL, "Plugin internal error");
	} else if (strcmp(rest, "auth") == 0 || strcmp(rest, "attest") == 0 || strncmp(rest, "resource/", 9) == 0)
		ks_reply_error(rep, KBS_ERR_INVALID_PATH, "Invalid request method for this path");
	else
		ks_reply_error(rep, KBS_ERR_PLUGIN_NOT_FOUND, "Plugin not found");
}
