/* SPDX-License-Identifier: Apache-2.0 */
/* `tdx-unlock inspect` for event logs: every event and the replayed RTMRs as JSON. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "eventlog.h"

/* Builds {"events":[{index, rtmr, type, digest, description, component,
 * digest_matches_event?}], "rtmr":[4 hex], "log_end":N} and, with quote_td,
 * "match":[4 booleans]; *rtmr012_match is false when RTMR0-2 differ from the quote's.
 * Returns 0 or a negative errno after logging one line (-EBADMSG: malformed log). */
int ccel_inspect(const uint8_t *buf, size_t len, const struct tdx_td_info *quote_td,
		 json_object **out, bool *rtmr012_match);

/* One line per event, then rtmr0..3 (with the comparison when "match" is present). */
void ccel_inspect_print_text(json_object *obj, FILE *f);
