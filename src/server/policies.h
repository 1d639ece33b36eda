/* SPDX-License-Identifier: Apache-2.0 */
/* The policy file of the key server: {"REPO/TYPE/TAG": {policy}, ...}, one TD policy
 * (src/verify/policy.h) per resource. A resource without a policy is never released. */
#pragma once
#include <stddef.h>

#include "session.h"

struct ks_policies;

int ks_policies_load(const char *path, struct ks_policies **out);
void ks_policies_free(struct ks_policies *p);
/* Returns 0 (allow), -EACCES (deny; reason says which field) or -ENOENT (no policy for
 * this resource; reason says so). */
int ks_policies_check(const struct ks_policies *p, const char *resource, const struct ks_claims *c,
		      char *reason, size_t reason_len);
