/* SPDX-License-Identifier: Apache-2.0 */
/* The boot facts of a TD (claims.h struct vf_boot_facts) from the event log it sent with
 * its quote (kbs-protocol.md §4.1 cc_eventlog). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "claims.h"

/* Parses and replays log (SHA-384 by OpenSSL), compares RTMR0-2 with td's (RTMR3 may be
 * extended at run time: not compared), decodes the events and fills *out. Returns 0,
 * -EBADMSG (malformed log), -EKEYREJECTED (RTMR mismatch) with reason set to
 * "eventlog_malformed: ..." / "eventlog_mismatch: RTMR1 replays to ..., the quote has ...",
 * or -ENOMEM. */
int vf_boot_facts_from_log(const uint8_t *log, size_t len, const struct tdx_td_info *td,
			   struct vf_boot_facts *out, char *reason, size_t rlen);
/* Its two halves: what the log alone says (*out and the replayed RTMR0-3; -EBADMSG,
 * -ENOMEM), and whether a quote's RTMR0-2 are that replay (-EKEYREJECTED). The facts of
 * one log are the same for every TD that sends it, so they can be kept (server/
 * eventlog_cache.c); the match is per quote. */
int vf_boot_facts_decode(const uint8_t *log, size_t len, struct vf_boot_facts *out, uint8_t rtmr[4][TDX_MR_LEN],
			 char *reason, size_t rlen);
int vf_boot_facts_match(const uint8_t rtmr[4][TDX_MR_LEN], const struct tdx_td_info *td, char *reason, size_t rlen);

/* "kernel=<digest> initrd=<digest> cmdline=<\"text\" or digest>" for audit lines, each
 * "-" when the log names none; "" when there is no log. */
void vf_boot_facts_summary(const struct vf_boot_facts *f, char *buf, size_t len);

/* grub's verified command line when it is the text of event e (one of f->ev), else NULL;
 * *cut: only its start (the facts keep VF_BOOT_CMDLINE_MAX - 1 characters). */
const char *vf_boot_facts_grub_text(const struct vf_boot_facts *f, const struct vf_boot_event *e, bool *cut);
