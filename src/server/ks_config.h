/* SPDX-License-Identifier: Apache-2.0 */
/* tdx-keyserver configuration (JSON). Relative paths are resolved against the directory
 * of the configuration file. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct ks_config {
	char listen_host[64];     /* "127.0.0.1", or an IPv6 address without brackets */
	bool listen_ipv6;         /* listen_host is IPv6 ("[::1]:8443" in the file) */
	unsigned listen_port;     /* 8443 */
	char *tls_cert, *tls_key; /* PEM files (required) */
	char *resources_dir;      /* REPO/TYPE/TAG files (required) */
	char *policy_file;        /* {"REPO/TYPE/TAG": {policy}, ...} (required) */
	char *collateral_dir;     /* DCAP collateral, one platform (this or collateral_store) */
	char *collateral_store;   /* collateral store (src/verify/store.h); used when set */
	char *pcs_url;            /* Intel PCS or a PCCS: refresh + first-sight fetch; NULL = none */
	char *pcs_ca;             /* TLS CA bundle for pcs_url; NULL = system */
	char *pcs_root_crl_url;   /* root CA CRL URL; NULL = Intel's CDP / the PCCS's */
	char collateral_update[16]; /* "standard" (default) or "early" */
	unsigned collateral_refresh_s; /* 86400: refresh period (+-10 % jitter) */
	unsigned collateral_warn_days; /* 7: warn this long before a document expires */
	unsigned collateral_fetch_wait_s; /* 15: first-sight fetch bound of an attestation */
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
	/* Limits against one hostile client (issue 14); see README's configuration table. */
	unsigned challenge_lifetime_s;        /* 30: unattested sessions expire after this */
	unsigned max_challenges_per_address;  /* 256: unattested sessions per IPv4 address / IPv6 /64 */
	unsigned max_connections_per_address; /* 256: concurrent connections per address / /64 */
	unsigned request_timeout_s;           /* 30: each request complete within this */
	size_t max_body_total_bytes;          /* 64 MiB: request bodies buffered at once, all connections */
};

/* Loads and validates path; unknown keys are an error (typos must not silently disable
 * settings). Returns 0 or a negative errno after logging the offending key. */
int ks_config_load(const char *path, struct ks_config *cfg);
void ks_config_free(struct ks_config *cfg);
