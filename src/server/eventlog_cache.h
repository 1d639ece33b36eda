/* SPDX-License-Identifier: Apache-2.0 */
/* The boot facts of the event logs TDs sent lately, by the log's exact base64 text. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../verify/claims.h"

#define KS_EVLOG_CACHE_SLOTS 16
#define KS_EVLOG_CACHE_TEXT_MAX (128u << 10) /* characters: a 64 KiB CCEL area sent whole */

struct ks_evlog_cache;

int ks_evlog_cache_new(struct ks_evlog_cache **out);
void ks_evlog_cache_free(struct ks_evlog_cache *c);

/* True when text[0..len) is kept: *facts and rtmr are what vf_boot_facts_decode() gave
 * for it. NULL c: never. */
bool ks_evlog_cache_get(struct ks_evlog_cache *c, const char *text, size_t len, struct vf_boot_facts *facts,
			uint8_t rtmr[4][TDX_MR_LEN]);
/* The same for the kept text that text[0..avail) begins with, followed by '"' (the end
 * of the JSON string it is in): its length, or 0 (ks_known_log_fn, attest_body.h). */
size_t ks_evlog_cache_get_prefix(struct ks_evlog_cache *c, const char *text, size_t avail,
				 struct vf_boot_facts *facts, uint8_t rtmr[4][TDX_MR_LEN]);
/* Keeps a log that decoded (a text over KS_EVLOG_CACHE_TEXT_MAX or holding '"' or '\\' is
 * not kept), in place of the oldest entry. Out of memory keeps nothing: the cache only
 * saves work. */
void ks_evlog_cache_put(struct ks_evlog_cache *c, const char *text, size_t len, const struct vf_boot_facts *facts,
			const uint8_t rtmr[4][TDX_MR_LEN]);
