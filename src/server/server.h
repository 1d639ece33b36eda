/* SPDX-License-Identifier: Apache-2.0 */
/* The key server: configuration, shared state, and its lifecycle. */
#pragma once
#include "audit.h"
#include "ks_config.h"
#include "session.h"

struct vf_ctx;
struct ks_policies;
struct ks_token_key;

struct ks_server {
	struct ks_config cfg;
	struct ks_sessions *sessions;
	struct vf_ctx *verifier;
	struct ks_audit *audit;
	struct ks_policies *policies;
	struct ks_token_key *token_key;
	const char *test_time;   /* RFC 3339 verification time for tests; NULL = now */
};

/* Builds the server state from a loaded configuration (takes ownership of cfg's strings).
 * Returns 0 or a negative errno after logging what is wrong. */
int ks_server_init(struct ks_server *srv, struct ks_config *cfg);
void ks_server_fini(struct ks_server *srv);

/* Serves HTTPS until SIGINT/SIGTERM. Returns 0 on a clean stop. */
int ks_server_run(struct ks_server *srv);
