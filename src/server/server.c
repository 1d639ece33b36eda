/* SPDX-License-Identifier: Apache-2.0 */
#include "server.h"
#include "eventlog_cache.h"
#include "collateral_svc.h"
#include "policies.h"
#include "token.h"
#include "../common/log.h"
#include "../verify/verify.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static int check_dir(const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return log_errno(-errno, "config: %s %s", what, path);
	if (!S_ISDIR(st.st_mode))
		return log_fail(-ENOTDIR, "config: %s %s", what, path);
	return 0;
}

int ks_server_init(struct ks_server *srv, struct ks_config *cfg)
{
	struct vf_options vo = { 0 };
	int r;

	memset(srv, 0, sizeof(*srv));
	pthread_rwlock_init(&srv->policies_lock, NULL);
	srv->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg)); /* the strings now belong to srv */
	if ((r = check_dir("resources_dir", srv->cfg.resources_dir)) < 0 ||
	    (srv->cfg.collateral_dir && (r = check_dir("collateral_dir", srv->cfg.collateral_dir)) < 0))
		goto fail;
	r = ks_sessions_new(srv->cfg.max_sessions, (int64_t)srv->cfg.session_lifetime_s * 1000, &srv->sessions);
	if (r < 0)
		goto fail;
	ks_sessions_set_challenge_limits(srv->sessions, (int64_t)srv->cfg.challenge_lifetime_s * 1000,
					 srv->cfg.max_challenges_per_address);
	vo.anchor_mode = srv->cfg.trust_anchor ? VF_ANCHOR_FILE : VF_ANCHOR_INTEL;
	vo.anchor_file = srv->cfg.trust_anchor;
	if (srv->cfg.collateral_store && mkdir(srv->cfg.collateral_store, 0755) < 0 && errno != EEXIST) {
		r = log_errno(-errno, "config: collateral_store %s", srv->cfg.collateral_store);
		goto fail;
	}
	if ((r = vf_ctx_new(&vo, &srv->verifier)) < 0) {
		log_errno(r, "config: trust anchor %s", srv->cfg.trust_anchor ? srv->cfg.trust_anchor : "(Intel SGX Root CA)");
		goto fail;
	}
	if ((r = ks_audit_open(srv->cfg.audit_log, &srv->audit)) < 0 ||
	    (r = ks_policies_load(srv->cfg.policy_file, &srv->policies)) < 0 ||
	    (r = ks_token_key_load(srv->cfg.token_key, &srv->token_key)) < 0)
		goto fail;
	if ((r = ks_evlog_cache_new(&srv->evlog_cache)) < 0) {
		log_errno(r, "allocating the event log cache");
		goto fail;
	}
	return 0;
fail:
	ks_server_fini(srv);
	return r;
}

int ks_server_start_background(struct ks_server *srv)
{
	return ks_coll_svc_start(srv, &srv->coll);
}

void ks_server_fini(struct ks_server *srv)
{
	ks_coll_svc_stop(srv->coll);
	ks_token_key_free(srv->token_key);
	ks_policies_free(srv->policies);
	ks_audit_close(srv->audit);
	vf_ctx_free(srv->verifier);
	ks_sessions_free(srv->sessions);
	ks_evlog_cache_free(srv->evlog_cache);
	ks_config_free(&srv->cfg);
	pthread_rwlock_destroy(&srv->policies_lock);
	memset(srv, 0, sizeof(*srv));
}

int ks_server_reload_policies(struct ks_server *srv)
{
	struct ks_policies *fresh = NULL, *old;
	int r;

	/* Loaded outside the lock: requests go on with the old policies meanwhile. */
	r = ks_policies_load(srv->cfg.policy_file, &fresh);
	if (r < 0) {
		log_err("reload: keeping the policies in force: %s is not usable (the line above says why)",
			srv->cfg.policy_file);
		return r;
	}
	pthread_rwlock_wrlock(&srv->policies_lock);
	old = srv->policies;
	srv->policies = fresh;
	pthread_rwlock_unlock(&srv->policies_lock);
	ks_policies_free(old); /* no reader holds it: they all took the lock */
	log_info("reload: policies from %s in force", srv->cfg.policy_file);
	return 0;
}

int ks_server_check_policy(struct ks_server *srv, const char *resource, const struct ks_claims *c,
			   char *reason, size_t reason_len)
{
	int r;

	pthread_rwlock_rdlock(&srv->policies_lock);
	r = ks_policies_check(srv->policies, resource, c, reason, reason_len);
	pthread_rwlock_unlock(&srv->policies_lock);
	return r;
}
