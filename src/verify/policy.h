/* TD policy per resource (tdx-formats.md §11): allow-lists of TD measurements, the debug
 * switch and accepted TCB statuses. Example:
 *   {"mr_td":["<96 hex>"],"rtmr0":[...],"rtmr1":[...],"rtmr2":[...],"rtmr3":[...],
 *    "mr_config_id":[...],"mr_owner":[...],"mr_owner_config":[...],"mr_seam":[...],
 *    "xfam":["<16 hex>"],"td_attributes":["<16 hex>"],
 *    "mr_servicetd":["<96 hex>"],"tee_tcb_svn2":["<32 hex>"],
 *    "allow_debug":false,"tcb_status":["UpToDate"]}
 * An absent key is not checked, except allow_debug (default false) and tcb_status (default
 * ["UpToDate"]). mr_servicetd and tee_tcb_svn2 exist in TDX 1.5 evidence only (quote v5
 * body type 3): a policy listing them refuses a TDX 1.0 quote. Unknown keys and malformed
 * values are load-time errors. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "../tdx/tdx_types.h"
#include "claims.h"
#include "verify.h"

struct vf_policy;

/* Parses a policy document. Returns 0, -EINVAL (err names the key and the problem) or
 * -ENOMEM. err may be NULL. */
int vf_policy_parse(const char *text, size_t len, struct vf_policy **out, char *err, size_t errlen);
/* Reads and parses a file; logs one line on failure. */
int vf_policy_load(const char *path, struct vf_policy **out);
void vf_policy_free(struct vf_policy *p);

/* Evaluates the claims of a verified TD: true = allow. On deny, reason says which member
 * and value. */
bool vf_policy_eval(const struct vf_policy *p, const struct vf_claims *c, char *reason, size_t len);

/* vf_policy_from_td() flags: also pin the TDX module (mr_seam, and tee_tcb_svn2 for TDX
 * 1.5), which changes with every module update of the host. */
#define VF_PIN_MODULE 1u

/* A policy pinned to this TD: mr_td, rtmr0-3, mr_config_id, mr_owner, mr_owner_config,
 * xfam, td_attributes, mr_servicetd (TDX 1.5 evidence only), allow_debug false, tcb_status
 * ["UpToDate"]; with VF_PIN_MODULE also mr_seam and tee_tcb_svn2. Returns 0 or -ENOMEM. */
int vf_policy_from_td(const struct tdx_td_info *td, unsigned flags, json_object **out);
