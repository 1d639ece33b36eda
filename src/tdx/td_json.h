/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON rendering of TD evidence shared by `tdx-unlock inspect --json` and
 * `tdx-keyserver verify --json` (keys as in the shared expected.json files). */
#pragma once
#include <json-c/json.h>

#include "quote.h"
#include "pck_ext.h"

/* Adds the TD fields. For a TDREPORT pass q = NULL (version/body_type/tee_type null).
 * fmspc may be NULL (no PCK extension available). Returns 0 or -ENOMEM. */
int td_json_fill(json_object *obj, const struct tdx_quote *q, const struct tdx_td_info *td,
		 const struct sgx_pck_ext *pck);

json_object *json_hex(const uint8_t *p, size_t len);
