/* SPDX-License-Identifier: Apache-2.0 */
/* The verified facts about one TD: everything resource policy decides on (policy.h).
 *
 * ONE structure, filled once by POST /attest (src/server/handle_attest.c) and stored whole
 * in the server's session (src/server/session.h, struct ks_claims). Both ways of asking for a
 * resource read that very copy: the kbs-session-id cookie names the session, and so does the
 * Bearer token (its "jti", src/server/token.h); the token never carries claims that policy
 * reads. So the two paths cannot decide differently on any member (issue 14 item 1: they
 * did, when the token carried a hand-picked subset).
 *
 * Adding a member (e.g. issue 13's event-log facts: decoded kernel/initrd/cmdline digests,
 * the events policy checks): add it here, fill it in handle_attest.c, evaluate it in
 * src/verify/policy.c (and add it to the both-paths table of
 * tests/unit/test_server_policy_paths.c). Nothing in token.c or handle_resource.c changes.
 * Members must be plain values (fixed-size arrays, no pointers): the structure is copied
 * with "=" into and out of the session table, and copied per request, so keep it bounded
 * (a few KiB per live session). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "../tdx/tdx_types.h"
#include "verify.h"

/* The boot as the TD's event log tells it (issue 13), kept only when the log replayed to
 * the quote's RTMR0-2 (src/verify/boot_facts.c): every measured event of RTMR1 and RTMR2 in
 * log order. The digests are facts (the RTMRs bind them, in order); type and kind come from
 * the unprotected event data and only describe. */
#define VF_BOOT_EVENTS_MAX 64    /* COS grub 27, GKE UKI 21, Ubuntu shim+grub 17; ~3.6 KiB */
#define VF_BOOT_CMDLINE_MAX 256

struct vf_boot_event {
	uint32_t type;                  /* TCG event type (descriptive) */
	uint8_t rtmr;                   /* 1 or 2 */
	uint8_t kind;                   /* enum ccel_kind of src/tdx/eventlog_decode.h (descriptive) */
	uint8_t digest[TDX_MR_LEN];
};

struct vf_boot_facts {
	bool present;                   /* a log came with the quote and replayed to its RTMR0-2 */
	bool overflow;                  /* RTMR1+RTMR2 had more than VF_BOOT_EVENTS_MAX events */
	uint16_t n;
	struct vf_boot_event ev[VF_BOOT_EVENTS_MAX];
	/* grub's "kernel_cmdline:" text when its digest verified (else ""), printable ASCII: a
	 * command line a denial can quote (the EFI stub's LoadOptions event carries only its
	 * digest). It belongs to ev[grub_cmdline_event]; grub_cmdline_cut: the text was longer
	 * and is cut here (quoted with "...", never used as a policy string). */
	char grub_cmdline[VF_BOOT_CMDLINE_MAX];
	int16_t grub_cmdline_event;
	bool grub_cmdline_cut;
};

struct vf_claims {
	struct tdx_td_info td;          /* the quote's TD report body, after vf_verify() accepted it */
	enum vf_tcb_status tcb_status;  /* the platform's TCB level status from vf_verify() */
	struct vf_boot_facts boot;      /* from cc_eventlog; boot.present false without one */
};
