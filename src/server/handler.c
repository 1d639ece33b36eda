/* SPDX-License-Identifier: Apache-2.0 */
/* Routing of /kbs/v0/... and /healthz, and the reply helpers. */
#include "handler.h"
#include "kbs_error.h"
#include "server.h"
#include "../common/resource_path.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define KBS_PREFIX "/kbs/v0/"

json_object *ks_json_parse(const char *text, size_t len)
{
	struct json_tokener *tok;
	json_object *obj;
	size_t end;

	if (len > INT_MAX || memchr(text, '\0', len) || !(tok = json_tokener_new()))
		return NULL;
	obj = json_tokener_parse_ex(tok, text, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (obj && json_tokener_get_error(tok) == json_tokener_success) {
		while (end < len && strchr(" \t\r\n", text[end]))
			end++;
		if (end != len) {
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
