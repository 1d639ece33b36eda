/* SPDX-License-Identifier: Apache-2.0 */
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
 * values are load-time errors.
 *
 * Boot components (issue 13; src/verify/boot_policy.c), decided on the TD's event log
 * (cc_eventlog), which must replay to the quote's RTMR0-2; a TD without one is refused:
 *   "kernel":  ["<96 hex>"]  SHA-384 digests of kernels as measured (Authenticode of the PE
 *                            image for firmware loads; the file's SHA-384 when grub reads it)
 *   "initrd":  ["<96 hex>"]  SHA-384 of initrd files as loaded
 *   "cmdline": ["text"]      exact command lines as measured (printable ASCII): the EFI stub's
 *                            LoadOptions (UTF-16LE with or without the NUL, so OVMF's
 *                            "initrd=initrd" part included) or grub's kernel_cmdline text
 *   "cmdline_digest": ["<96 hex>"]  command lines known by their measured digest only (what
 *                            policy-from-quote --eventlog gives for a direct boot)
 *   "boot_events": [{"rtmr1": [E...], "rtmr2": [E...]}, ...]  accepted layouts: every
 *                            measured RTMR1/RTMR2 event of the log in order, E = "kernel",
 *                            "initrd", "cmdline" (digest in that member) or the 96-hex digest
 *                            of a fixed firmware/boot-loader event (pinned from a reference
 *                            log by policy-from-quote --eventlog). Without boot_events: the
 *                            QEMU direct-boot layouts of TDVF (measured-boot.md §3.2, §4):
 *                            RTMR1 = kernel, "Calling EFI Application...", [separator],
 *                            "Exit Boot Services..." x2; RTMR2 = cmdline and initrd, each
 *                            when the policy names it.
 * Each member is a list: lists merge by union (old and new values during an update). Every
 * RTMR1/RTMR2 event must be accounted for by one layout (an event appended by a kernel is a
 * denial, measured-boot.md §10). cmdline/initrd need kernel (or rtmr1, or boot_events). A
 * denial names the component and what the TD has: `kernel <hex> not allowed`,
 * `cmdline "<text>" not allowed` (grub), `RTMR2 event 3 (...) is not accounted for`. */
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
