/* SPDX-License-Identifier: Apache-2.0 */
/* The append-only audit log: one JSON line per decision (release, refusal, attestation),
 * written with a single write(2) on an O_APPEND descriptor before the response is sent. */
#pragma once

struct ks_audit;

struct ks_audit_event {
	const char *peer;      /* client address */
	const char *session;   /* session id hex, or NULL */
	const char *event;     /* "attest" | "resource" */
	const char *resource;  /* REPO/TYPE/TAG or NULL */
	const char *mr_td;     /* hex or NULL */
	const char *tcb_status;/* or NULL */
	const char *decision;  /* "release" | "refuse" | "attested" | "reject" */
	const char *reason;    /* short code + text, NULL when released */
};

/* path NULL = log to stderr. Returns 0 or negative errno. */
int ks_audit_open(const char *path, struct ks_audit **out);
void ks_audit_close(struct ks_audit *a);
/* Returns 0, or a negative errno when the line could not be written (the caller then
 * refuses the release: no secret leaves without its audit record). */
int ks_audit_log(struct ks_audit *a, const struct ks_audit_event *ev);
