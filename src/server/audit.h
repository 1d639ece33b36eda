/* SPDX-License-Identifier: Apache-2.0 */
/* The append-only audit log: one JSON line per decision (release, refusal, attestation),
 * written with a single write(2) on an O_APPEND descriptor before the response is sent.
 *
 * A hostile client must not be able to grow it faster than the server can tolerate (a
 * full disk refuses every release), so:
 * - every field is bounded (KS_AUDIT_FIELD_MAX bytes, reason KS_AUDIT_REASON_MAX, boot
 *   KS_AUDIT_BOOT_MAX; a longer
 *   value is cut at a character boundary and ends in "..."), and made valid UTF-8
 *   (invalid bytes become U+FFFD; json-c escapes quotes and control characters): every line
 *   is valid JSON;
 * - `session` is never the raw cookie: a well-formed session id is logged as its 32 hex
 *   digits, anything else as "invalid:" + the first 16 hex digits of its SHA-256;
 * - refusals (every decision but "release" and "attested") are rate-limited: one line per
 *   second for identical ones (peer, event, decision, resource, reason), at most
 *   KS_AUDIT_REFUSALS_PER_S refusal lines per second in all. Every dropped line is
 *   counted, in count lines {"event":"audit","decision":"suppressed","suppressed":N,
 *   "peer","resource","reason":"EVENT DECISION: REASON"} (without peer and resource for
 *   those dropped by the overall limit), written with the first audit line of a later
 *   second and at exit. Successes are never dropped.
 * At most 2 * KS_AUDIT_REFUSALS_PER_S + 1 refusal and count lines per second, of at most
 * a few KB each, whatever the clients send. */
#pragma once
#include <stdbool.h>

#define KS_AUDIT_FIELD_MAX 400
#define KS_AUDIT_REASON_MAX 512
#define KS_AUDIT_BOOT_MAX 2048
#define KS_AUDIT_REFUSALS_PER_S 50

struct ks_audit;

struct ks_audit_event {
	const char *peer;      /* client address */
	const char *session;   /* session id hex (or the raw cookie: logged as a hash), or NULL */
	const char *event;     /* "attest" | "resource" */
	const char *resource;  /* REPO/TYPE/TAG or NULL */
	const char *mr_td;     /* hex or NULL */
	const char *tcb_status;/* or NULL */
	const char *decision;  /* "release" | "refuse" | "attested" | "reject" */
	const char *reason;    /* short code + text, NULL when released */
	const char *boot;      /* the TD's kernel/initrd/cmdline from its event log (issue 13);
				* NULL or "" = no "boot" member */
};

/* path NULL = log to stderr. Returns 0 or negative errno. */
int ks_audit_open(const char *path, struct ks_audit **out);
/* The refusal rate limit is on from ks_audit_open(); tests that count the lines of
 * individual refusals turn it off. */
void ks_audit_set_rate_limit(struct ks_audit *a, bool on);
/* Writes the counts of suppressed lines still pending, then closes. */
void ks_audit_close(struct ks_audit *a);
/* Returns 0 (written, or suppressed by the rate limit), or a negative errno when the line
 * could not be written (the caller then refuses the release: no secret leaves without its
 * audit record). */
int ks_audit_log(struct ks_audit *a, const struct ks_audit_event *ev);
