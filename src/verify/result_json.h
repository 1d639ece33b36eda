/* SPDX-License-Identifier: Apache-2.0 */
/* JSON rendering of a verification result (result_json.c). */
#pragma once
#include <json-c/json.h>

#include "verify.h"

/* Keys: result, tcb_status, reason {code,text} | null, reason_code, failed_checks,
 * advisory_ids, qe_tcb_status, collateral_expiry, then td_json_fill()'s TD fields.
 * Returns 0 or -ENOMEM. */
int vf_result_to_json(const struct vf_result *res, json_object **out);
