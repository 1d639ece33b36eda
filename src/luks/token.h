/* SPDX-License-Identifier: Apache-2.0 */
/* The LUKS2 token of type "tdx-unlock" (boot-integration.md §4.2):
 *
 *   {"type":"tdx-unlock","keyslots":["1"],"version":1,
 *    "kbs-urls":["https://kbs.example:8443"],"resource":"default/luks/root",
 *    "ca-file":"/etc/tdx-unlock/kbs-ca.pem","timeout-s":120}
 *
 * "ca-file" and "timeout-s" are optional; no other member is accepted. The token lives in
 * the unauthenticated LUKS2 header, so nothing in it is trusted beyond what the measured
 * configuration allows (settings.h). Fixed-size fields: a parsed token owns no memory. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "../common/resource_path.h"

#define LUKS_TOKEN_TYPE "tdx-unlock"
#define LUKS_TOKEN_VERSION 1
#define LUKS_TOKEN_MAX_URLS 8
#define LUKS_TOKEN_URL_MAX 512        /* characters */
#define LUKS_TOKEN_PATH_MAX 255       /* ca-file characters */
#define LUKS_TOKEN_MAX_KEYSLOTS 8
#define LUKS_TOKEN_JSON_MAX 8192      /* refuse larger token JSON before parsing */
#define LUKS_TIMEOUT_MIN 5
#define LUKS_TIMEOUT_MAX 3600
#define LUKS_TIMEOUT_DEFAULT 120
#define LUKS_RESOURCE_MAX (3 * RESOURCE_COMPONENT_MAX + 2)

struct luks_token {
	int keyslots[LUKS_TOKEN_MAX_KEYSLOTS];
	size_t n_keyslots;
	char urls[LUKS_TOKEN_MAX_URLS][LUKS_TOKEN_URL_MAX + 1];
	size_t n_urls;
	char resource[LUKS_RESOURCE_MAX + 1];
	char ca_file[LUKS_TOKEN_PATH_MAX + 1]; /* "" = none */
	int timeout_s;                         /* 0 = not set (default applies) */
};

/* Field checks shared by the parser, bind and the configuration. */
bool luks_url_valid(const char *url);
bool luks_abs_path_valid(const char *path);
bool luks_timeout_valid(long s);

/* Checks every field; logs one line naming the first bad field. Returns 0 or -EINVAL. */
int luks_token_validate(const struct luks_token *t);
/* Parses and validates token JSON (at most LUKS_TOKEN_JSON_MAX bytes). Unknown members,
 * a wrong type or version, and malformed fields are -EINVAL with one log line naming the
 * field. */
int luks_token_parse(const char *json, struct luks_token *t);
/* Builds the token JSON (validated first) into a malloc'd string. */
int luks_token_to_json(const struct luks_token *t, char **json);
