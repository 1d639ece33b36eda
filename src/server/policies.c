/* SPDX-License-Identifier: Apache-2.0 */
#include "policies.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/json_cleanup.h"
#include "../common/log.h"
#include "../common/resource_path.h"
#include "../verify/policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLICY_FILE_MAX (1u << 20)
#define POLICIES_MAX 4096

struct entry {
	char *resource;
	struct vf_policy *policy;
};

struct ks_policies {
	struct entry *v;
	size_t n;
};

void ks_policies_free(struct ks_policies *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].resource);
		vf_policy_free(p->v[i].policy);
	}
	free(p->v);
	free(p);
}

static int add(struct ks_policies *p, const char *path, const char *resource, json_object *val)
{
	char err[256];
	const char *text;
	size_t len;
	struct entry *e = &p->v[p->n];
	int r;

	if (!resource_path_valid(resource))
		return log_fail(-EINVAL, "policy file %s: \"%s\" is not REPO/TYPE/TAG", path, resource);
	if (!json_object_is_type(val, json_type_object))
		return log_fail(-EINVAL, "policy file %s: the policy of %s is not an object", path, resource);
	text = json_object_to_json_string_length(val, JSON_C_TO_STRING_PLAIN, &len);
	r = vf_policy_parse(text, len, &e->policy, err, sizeof(err));
	if (r < 0)
		return log_errno(r, "policy file %s: %s: %s", path, resource, err);
	e->resource = strdup(resource);
	if (!e->resource) {
		vf_policy_free(e->policy);
		return -ENOMEM;
	}
	p->n++;
	return 0;
}

int ks_policies_load(const char *path, struct ks_policies **out)
{
	_cleanup_free_ uint8_t *buf = NULL;
	_cleanup_json_put_ json_object *root = NULL;
	struct ks_policies *p;
	size_t len;
	int r;

	r = file_read_all(path, POLICY_FILE_MAX, &buf, &len);
	if (r < 0)
		return log_errno(r, "policy file %s", path);
	root = json_tokener_parse((char *)buf);
	if (!root || !json_object_is_type(root, json_type_object))
		return log_fail(-EINVAL, "policy file %s: not a JSON object {\"REPO/TYPE/TAG\": {policy}}", path);
	if (json_object_object_length(root) > POLICIES_MAX)
		return log_fail(-E2BIG, "policy file %s: more than %d resources", path, POLICIES_MAX);
	p = calloc(1, sizeof(*p));
	if (!p || !(p->v = calloc((size_t)json_object_object_length(root) + 1, sizeof(*p->v)))) {
		free(p);
		return -ENOMEM;
	}
	json_object_object_foreach(root, key, val) {
		if ((r = add(p, path, key, val)) < 0) {
			ks_policies_free(p);
			return r;
		}
	}
	if (p->n == 0)
		log_warn("policy file %s lists no resources: nothing will be released", path);
	*out = p;
	return 0;
}

int ks_policies_check(const struct ks_policies *p, const char *resource, const struct ks_claims *c,
		      char *reason, size_t reason_len)
{
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->v[i].resource, resource) != 0)
			continue;
		if (vf_policy_eval(p->v[i].policy, &c->verified, reason, reason_len))
			return 0;
		return -EACCES;
	}
	snprintf(reason, reason_len, "no policy for %s", resource);
	return -ENOENT;
}
