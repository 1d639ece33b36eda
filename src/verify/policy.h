/* SPDX-License-Identifier: Apache-2.0 */
/* TD policy per resource (tdx-formats.md §11): allow-lists of TD measurements, the debug
 * switch and accepted TCB statuses. Example:
 *   {"mr_td":["<96 hex>"],"rtmr0":[...],"rtmr1":[...],"rtmr2":[...],"rtmr3":[...],
 *    "mr_config_id":[...],"xfam":["<16 hex>"],"td_attributes":["<16 hex>"],
 *    "allow_debug":false,"tcb_status":["UpToDate"]}
 * An absent key is not checked, except allow_debug (default false) and tcb_status (default
 * ["UpToDate"]). Unknown keys and malformed values are load-time errors. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "../tdx/tdx_types.h"
#include "verify.h"

struct vf_policy;

/* Parses a policy document. Returns 0, -EINVAL (err names the key and the problem) or
 * -ENOMEM. err may be NULL. */
int vf_policy_parse(const char *text, size_t len, struct vf_policy **out, char *err, size_t errlen);
/* Reads and parses a file; logs one line on failure. */
int vf_policy_load(const char *path, struct vf_policy **out);
void vf_policy_free(struct vf_policy *p);

/* Evaluates a verified TD: true = allow. On deny, reason says which field and value. */
bool vf_policy_eval(const struct vf_policy *p, const struct tdx_td_info *td,
		    enum vf_tcb_status tcb_status, char *reason, size_t len);

/* A policy pinned to this TD: mr_td, rtmr0-3, xfam, td_attributes, mr_config_id,
 * allow_debug false, tcb_status ["UpToDate"]. Returns 0 or -ENOMEM. */
int vf_policy_from_td(const struct tdx_td_info *td, json_object **out);
