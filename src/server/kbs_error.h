/* SPDX-License-Identifier: Apache-2.0 */
/* KBS error bodies (kbs-protocol.md §12): the same variants and statuses as Trustee. */
#pragma once
#include <stddef.h>

enum kbs_error {
	KBS_ERR_ATTESTATION,     /* 401 AttestationError */
	KBS_ERR_TOKEN_NOT_FOUND, /* 401 TokenNotFound */
	KBS_ERR_TOKEN_VERIFIER,  /* 401 TokenVerifierError */
	KBS_ERR_POLICY_DENY,     /* 401 PolicyDeny */
	KBS_ERR_PLUGIN_INTERNAL, /* 401 PluginInternalError */
	KBS_ERR_PLUGIN_NOT_FOUND,/* 404 PluginNotFound */
	KBS_ERR_INVALID_PATH,    /* 404 InvalidRequestPath */
	KBS_ERR_JWE,             /* 401 JweError */
	KBS_ERR_BUSY,            /* 503 ServiceUnavailable: not Trustee's; a transient overload */
};

unsigned kbs_error_status(enum kbs_error e);
const char *kbs_error_variant(enum kbs_error e);
/* Writes {"type":"https://github.com/confidential-containers/kbs/errors/<V>","detail":"..."}
 * into a malloc'd string; detail must not contain secrets or verification internals. */
char *kbs_error_body(enum kbs_error e, const char *detail, size_t *len);
