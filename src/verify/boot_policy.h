/* SPDX-License-Identifier: Apache-2.0 */
/* The boot-component members of a TD policy (issue 13; policy.h documents them): which
 * kernels, initrds and command lines a TD may have booted, and the layout of RTMR1/RTMR2
 * events that must account for every measured event (measured-boot.md §10). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "claims.h"

struct vf_boot_policy;

/* A policy parse error, for policy.c and the boot members alike: formats fmt into err (when
 * err and len) and returns -EINVAL. Defined in policy.c. */
int vf_perr(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Parses one member if key is a boot-component member (kernel, initrd, cmdline,
 * cmdline_digest, boot_events) into *bp (allocated on first use). Returns 1 handled,
 * 0 not a boot member, -EINVAL (err says what) or -ENOMEM. */
int vf_boot_policy_member(struct vf_boot_policy **bp, const char *key, json_object *v, char *err, size_t elen);
/* After all members: checks the combination and fills the default layouts. rtmr1_pinned:
 * the policy lists rtmr1 values (then the kernel is pinned without `kernel`). */
int vf_boot_policy_finish(struct vf_boot_policy *bp, bool rtmr1_pinned, char *err, size_t elen);
void vf_boot_policy_free(struct vf_boot_policy *bp);

/* true = the TD's boot is one the policy accounts for. On deny, reason names the
 * component (or event) and what was seen. */
bool vf_boot_policy_eval(const struct vf_boot_policy *bp, const struct vf_boot_facts *f, char *reason, size_t len);

/* Adds to policy object o the members that describe facts f: boot_events (one layout:
 * component names at the kernel/initrd/cmdline events, digests for every other RTMR1/RTMR2
 * event), kernel, initrd, and cmdline (grub's verified text) or cmdline_digest. Returns 0,
 * -ENOMEM, or -E2BIG when the log had more events than the facts keep. */
int vf_boot_policy_from_facts(const struct vf_boot_facts *f, json_object *o);
