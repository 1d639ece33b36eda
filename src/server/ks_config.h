/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-keyserver configuration (JSON). Relative paths are resolved against the directory
 * of the configuration file. */
#pragma once
#include <stddef.h>

struct ks_config {
	char listen_host[64];     /* "127.0.0.1" */
	unsigned listen_port;     /* 8443 */
	char *tls_cert, *tls_key; /* PEM files (required) */
	char *resources_dir;      /* REPO/TYPE/TAG files (required) */
	char *policy_file;        /* {"REPO/TYPE/TAG": {policy}, ...} (required) */
	char *collateral_dir;     /* DCAP collateral (required) */
	char *trust_anchor;       /* NULL = the pinned Intel SGX Root CA; else a PEM file */
	char *audit_log;          /* NULL = stderr */
	char *token_key;          /* ES256 key for tokens; NULL = a fresh key per start */
	unsigned session_lifetime_s; /* 300 */
	unsigned max_sessions;    /* 10000 */
	unsigned max_connections; /* 512 */
	unsigned connection_timeout_s; /* 10: idle connections are closed */
	size_t max_body_bytes;    /* 2 MiB */
	unsigned threads;         /* 2 */
	unsigned collateral_grace_s; /* accept expired collateral this long; 0 */
};

/* Loads and validates path; unknown keys are an error (typos must not silently disable
 * settings). Returns 0 or a negative errno after logging the offending key. */
int ks_config_load(const char *path, struct ks_config *cfg);
void ks_config_free(struct ks_config *cfg);
