/* One attempt of the KBS flow against one server: auth -> evidence -> attest -> resources. */
#pragma once
#include "http.h"
#include "kbs_client.h"

enum kbs_step { KBS_STEP_AUTH, KBS_STEP_EVIDENCE, KBS_STEP_ATTEST, KBS_STEP_RESOURCE, KBS_STEP_DECRYPT };
const char *kbs_step_name(enum kbs_step s);

/* What went wrong, for the retry policy and the per-attempt log line. */
struct kbs_attempt_result {
	enum kbs_step step;
	long status;        /* HTTP status, 0 if none */
	char variant[48];   /* KBS error variant, "" if none */
	char detail[256];   /* transport error text or protocol problem; never secret */
};

/* Runs the flow against base_url (no trailing slash needed) within deadline_ms (absolute,
 * CLOCK_MONOTONIC milliseconds). Returns 0 with every secret filled, or a negative errno
 * with *res describing the failing step. */
int kbs_attempt(const struct kbs_client_opts *o, const char *base_url, const char *const *resources,
		size_t n, struct secret *secrets, long long deadline_ms, struct kbs_attempt_result *res);

long long kbs_now_ms(void);
