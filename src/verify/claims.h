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
#include "../tdx/tdx_types.h"
#include "verify.h"

struct vf_claims {
	struct tdx_td_info td;          /* the quote's TD report body, after vf_verify() accepted it */
	enum vf_tcb_status tcb_status;  /* the platform's TCB level status from vf_verify() */
};
