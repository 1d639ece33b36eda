/* SPDX-License-Identifier: Apache-2.0 */
/* The key server: configuration, shared state, and its lifecycle. */
#pragma once
#include <pthread.h>
#include <stddef.h>

#include "audit.h"
#include "ks_config.h"
#include "session.h"

struct vf_ctx;
struct ks_policies;
struct ks_token_key;
struct ks_coll_svc;

struct ks_server {
	struct ks_config cfg;
	struct ks_sessions *sessions;
	struct vf_ctx *verifier;
	struct ks_audit *audit;
	struct ks_policies *policies;   /* read under policies_lock (SIGHUP swaps it) */
	pthread_rwlock_t policies_lock;
	struct ks_token_key *token_key;
	const char *test_time;   /* RFC 3339 verification time for tests; NULL = now */
	struct ks_coll_svc *coll; /* collateral refresh / first-sight fetch; NULL = none */
	struct ks_evlog_cache *evlog_cache; /* boot facts of recent event logs (eventlog_cache.h) */
};

/* Builds the server state from a loaded configuration (takes ownership of cfg's strings).
 * Returns 0 or a negative errno after logging what is wrong. */
int ks_server_init(struct ks_server *srv, struct ks_config *cfg);
void ks_server_fini(struct ks_server *srv);
/* Starts the background work (collateral refresh) once test_time is set. */
int ks_server_start_background(struct ks_server *srv);

/* Re-reads the policy file (SIGHUP, the unit's ExecReload=): requests after the swap see
 * the new policies, none sees a mix; an unreadable or invalid file keeps the old ones and
 * logs why. Returns 0 or the load error. */
int ks_server_reload_policies(struct ks_server *srv);
/* ks_policies_check() on the current policies. */
int ks_server_check_policy(struct ks_server *srv, const char *resource, const struct ks_claims *c,
			   char *reason, size_t reason_len);

/* Serves HTTPS until SIGINT/SIGTERM; SIGHUP reloads the policies. Returns 0 on a clean stop. */
int ks_server_run(struct ks_server *srv);
