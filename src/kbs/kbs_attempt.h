/* SPDX-License-Identifier: Apache-2.0 */
/* One attempt of the KBS flow against one server: auth -> evidence -> attest -> resources. */
#pragma once
#include "http.h"
#include "ec_key.h"
#include "kbs_client.h"

#define KBS_BASE_URL_MAX 512

enum kbs_step { KBS_STEP_AUTH, KBS_STEP_EVIDENCE, KBS_STEP_ATTEST, KBS_STEP_RESOURCE, KBS_STEP_DECRYPT };
const char *kbs_step_name(enum kbs_step s);

/* What went wrong, for the retry policy and the per-attempt log line. */
struct kbs_attempt_result {
	enum kbs_step step;
	long status;        /* HTTP status, 0 if none */
	char variant[48];   /* KBS error variant, "" if none */
	char detail[256];   /* transport error text or protocol problem; never secret */
};

/* What a successful attestation leaves: the HTTPS handle holding the kbs-session-id cookie
 * (and the TLS connection, reused while the server keeps it), and the ephemeral key the
 * server encrypts resources to. */
struct kbs_session {
	struct kbs_http h;
	struct kbs_ec_key *key;
	char base_url[KBS_BASE_URL_MAX + 1]; /* without trailing '/' */
	long request_timeout_ms;
};

/* auth -> evidence -> attest against base_url, trusting ca (kbs_ca_load), within deadline_ms (absolute, CLOCK_MONOTONIC
 * milliseconds), filling *s (zeroed by the caller; release with kbs_session_close even on
 * failure). Returns 0, or a negative errno with *res describing the failing step. */
int kbs_attempt_attest(const struct kbs_client_opts *o, const struct kbs_ca *ca, const char *base_url,
		       long long deadline_ms, struct kbs_session *s, struct kbs_attempt_result *res);
/* GET and decrypt resources[i] into secrets[i] over an attested session. Returns 0 with every
 * secret filled, or a negative errno with *res describing the failing step. */
int kbs_attempt_resources(struct kbs_session *s, const char *const *resources, size_t n,
			  struct secret *secrets, long long deadline_ms, struct kbs_attempt_result *res);
/* Frees what *s holds (the key is wiped); s itself stays. */
void kbs_session_close(struct kbs_session *s);

