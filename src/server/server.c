/* SPDX-License-Identifier: Apache-2.0 */
#include "server.h"
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
		return log_errno(-ENOTDIR, "config: %s %s", what, path);
	return 0;
}

int ks_server_init(struct ks_server *srv, struct ks_config *cfg)
{
	struct vf_options vo = { 0 };
	int r;

	memset(srv, 0, sizeof(*srv));
	srv->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg)); /* the strings now belong to srv */
	if ((r = check_dir("resources_dir", srv->cfg.resources_dir)) < 0 ||
	    (r = check_dir("collateral_dir", srv->cfg.collateral_dir)) < 0)
		goto fail;
	r = ks_sessions_new(srv->cfg.max_sessions, (int64_t)srv->cfg.session_lifetime_s * 1000, &srv->sessions);
	if (r < 0)
		goto fail;
	vo.anchor_mode = srv->cfg.trust_anchor ? VF_ANCHOR_FILE : VF_ANCHOR_INTEL;
	vo.anchor_file = srv->cfg.trust_anchor;
	if ((r = vf_ctx_new(&vo, &srv->verifier)) < 0) {
		log_errno(r, "config: trust anchor %s", srv->cfg.trust_anchor ? srv->cfg.trust_anchor : "(Intel SGX Root CA)");
		goto fail;
	}
	if ((r = ks_audit_open(srv->cfg.audit_log, &srv->audit)) < 0 ||
	    (r = ks_policies_load(srv->cfg.policy_file, &srv->policies)) < 0 ||
	    (r = ks_token_key_load(srv->cfg.token_key, &srv->token_key)) < 0)
		goto fail;
	return 0;
fail:
	ks_server_fini(srv);
	return r;
}

void ks_server_fini(struct ks_server *srv)
{
	ks_token_key_free(srv->token_key);
	ks_policies_free(srv->policies);
	ks_audit_close(srv->audit);
	vf_ctx_free(srv->verifier);
	ks_sessions_free(srv->sessions);
	ks_config_free(&srv->cfg);
	memset(srv, 0, sizeof(*srv));
}
