/* SPDX-License-Identifier: Apache-2.0 */
/* Retry policy of the KBS client (kbs-protocol.md §12.3): bounded exponential backoff with
 * jitter, failover across servers, error classes from the KBS error variant, one log
 * line per attempt, and an overall deadline after which the caller falls back. */
#include "b64.h"
#include "kbs_attempt.h"
#include "kbs_client.h"
#include "net_watch.h"
#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/mono_time.h"
#include "../common/resource_path.h"
#include "../tdx/ccel_read.h"

#include <stdio.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum action { RETRY, RETRY_SOON, RETRY_LONG, DROP_SERVER, GIVE_UP };

struct server_state {
	bool dropped;
	int attest_rejects;
	int bad_responses;
};

static bool is(const struct kbs_attempt_result *res, const char *variant)
{
	return strcmp(res->variant, variant) == 0;
}

/* Decides what a failure means for this server. *why explains drops to the operator. */
static enum action classify(int r, const struct kbs_attempt_result *res, struct server_state *s,
			    const char **why)
{
	*why = NULL;
	if (r == -EKEYREJECTED) {
		*why = "TLS certificate verification failed: check the pinned CA and the TD's clock";
		return DROP_SERVER;
	}
	if (res->step == KBS_STEP_EVIDENCE) {
		/* No TSM provider, no configfs-tsm and no /dev/tdx_guest, or another TEE: no
		 * server and no amount of waiting helps. Anything else (EBUSY, EIO, QGS down)
		 * is the host's quote service, which may come up: retry. */
		if (r == -ENXIO || r == -ENOENT || r == -EPROTO) {
			*why = "this machine cannot produce TDX evidence (not a TD, or the TDX guest driver is not loaded)";
			return GIVE_UP;
		}
		return RETRY;
	}
	/* No route to the server or its name does not resolve: in an initrd the network is most
	 * likely still coming up (DHCP), and such a try costs no server anything. */
	if (r == -ENETUNREACH || r == -EHOSTUNREACH)
		return RETRY_SOON;
	if (res->status == 404 || r == -E2BIG) {
		*why = res->status == 404 ? "the server does not know this path: check the URL and resource"
					  : "the server refused the request size";
		return DROP_SERVER;
	}
	if (res->status == 401 && res->step == KBS_STEP_AUTH) {
		*why = "the server refused the protocol handshake (version 0.4.0, tee tdx)";
		return DROP_SERVER;
	}
	if (res->status == 401 && res->step == KBS_STEP_ATTEST) {
		/* Once may be a session-expiry race; twice means the evidence is not accepted. */
		if (++s->attest_rejects >= 2) {
			*why = "attestation rejected twice: measurements, TCB or policy do not match on the server";
			return DROP_SERVER;
		}
		return RETRY;
	}
	if (res->status == 401 && is(res, "PolicyDeny"))
		return RETRY_LONG; /* an operator may change the policy; do not hammer */
	if (res->step == KBS_STEP_DECRYPT || r == -EFBIG || r == -EBADMSG) {
		if (++s->bad_responses >= 2) {
			*why = "the server sent malformed responses twice";
			return DROP_SERVER;
		}
		return RETRY;
	}
	return RETRY;
}

/* tdx-unlock.service starts once the network service runs, not when the network is online:
 * the first tries without a route come quickly, and the wait after each ends early when an
 * address or route appears (net_watch.h), so the unlock follows the DHCP lease closely.
 * Each is still one console line, and the deadline bounds them like any other. */
#define QUICK_TRIES 8 /* 4 x 0.25 s, then 4 x 0.5 s, then the normal schedule */

/* 1, 2, 4, 8, 16, 30 s with +-20 % jitter; at least 10 s after a policy refusal;
 * 0.25 or 0.5 s for a quick retry (quick = how many came before it). */
static long backoff_ms(int round, int quick, enum action a, unsigned *seed)
{
	long base = round >= 5 ? 30000 : 1000L << round;

	if (a == RETRY_SOON && quick < QUICK_TRIES)
		base = quick < QUICK_TRIES / 2 ? 250 : 500;
	if (a == RETRY_LONG && base < 10000)
		base = 10000;
	return base * (80 + rand_r(seed) % 41) / 100;
}

/* "HTTP 401 PolicyDeny", "HTTP 503", or the transport/protocol problem. */
static void describe(int r, const struct kbs_attempt_result *res, char *buf, size_t size)
{
	if (res->status)
		snprintf(buf, size, "HTTP %ld%s%s%s%s", res->status, res->variant[0] ? " " : "", res->variant,
			 res->detail[0] ? ": " : "", res->detail);
	else
		snprintf(buf, size, "%s", res->detail[0] ? res->detail : strerror(-r));
}

static bool canceled(const struct kbs_client_opts *o)
{
	return o->cancel && o->cancel(o->cancel_arg);
}

#define CANCEL_POLL_MS 100

/* Waits ms before the next try; a no-route wait also ends when an address or route appears.
 * Asks o->cancel every CANCEL_POLL_MS: true when canceled. */
static bool wait_next(const struct kbs_client_opts *o, int watch, long ms, bool no_route)
{
	int64_t end = mono_ms() + ms;

	for (;;) {
		int64_t left = end - mono_ms();
		long slice = left < CANCEL_POLL_MS || !o->cancel ? (long)left : CANCEL_POLL_MS;

		if (left <= 0)
			return false;
		if (net_watch_wait(no_route ? watch : -1, slice) && no_route)
			return canceled(o);
		if (canceled(o))
			return true;
	}
}

/* n == 0 is allowed for attestation only (kbs_attest). */
static int check_resources(const char *const *resources, size_t n, bool attest_only)
{
	if ((n == 0 && !attest_only) || n > KBS_MAX_RESOURCES)
		return log_fail(-EINVAL, "kbs: between 1 and %d resources can be fetched at once", KBS_MAX_RESOURCES);
	for (size_t i = 0; i < n; i++)
		if (!resource_path_valid(resources[i]))
			return log_fail(-EINVAL, "kbs: resource '%s' is not REPO/TYPE/TAG", resources[i]);
	return 0;
}

static int check_opts(const struct kbs_client_opts *o, const char *const *resources, size_t n, bool attest_only)
{
	if (o->n_urls == 0 || o->n_urls > KBS_MAX_URLS)
		return log_fail(-EINVAL, "kbs: between 1 and %d key server URLs are needed", KBS_MAX_URLS);
	for (size_t i = 0; i < o->n_urls; i++)
		if (strncmp(o->urls[i], "https://", 8) != 0 || strlen(o->urls[i]) > KBS_BASE_URL_MAX)
			return log_fail(-EINVAL, "kbs: '%s' is not an https:// URL of at most %d characters", o->urls[i],
					KBS_BASE_URL_MAX);
	return check_resources(resources, n, attest_only);
}

static void set_timeouts(struct kbs_client_opts *o)
{
	o->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms : 5000;
	o->request_timeout_ms = o->request_timeout_ms ? o->request_timeout_ms : 15000;
	o->attest_timeout_ms = o->attest_timeout_ms ? o->attest_timeout_ms : 30000;
}

/* One try against url: attest, then the resources if any. On success with keep, the
 * session is handed over; otherwise it is closed. */
static int attempt(const struct kbs_client_opts *o, const struct kbs_ca *ca, const char *url,
		   const char *const *resources, size_t n, struct secret *secrets, long long deadline,
		   struct kbs_attempt_result *res, struct kbs_session **keep)
{
	struct kbs_session *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	r = kbs_attempt_attest(o, ca, url, deadline, s, res);
	if (r == 0 && n)
		r = kbs_attempt_resources(s, resources, n, secrets, deadline, res);
	if (r == 0 && keep)
		*keep = s;
	else
		kbs_session_free(s);
	return r;
}

/* The event log sent with every quote of this call, base64 (kbs-protocol.md §10); NULL
 * when there is none (ccel_read_evidence said why in one info line): never fatal. */
static char *eventlog_b64(const struct evidence_opts *e)
{
	_cleanup_free_ uint8_t *log = NULL;
	size_t len, blen;
	char *b64;

	if (ccel_read_evidence(e->ccel_path, &log, &len) < 0)
		return NULL;
	blen = kbs_b64_encoded_len(len) + 1;
	b64 = malloc(blen);
	if (!b64 || kbs_b64_encode(log, len, b64, blen) < 0) {
		log_info("sending no event log: out of memory");
		free(b64);
		return NULL;
	}
	return b64;
}

/* The retry loop of kbs_fetch and kbs_attest (n == 0, keep != NULL). */
static int fetch_loop(const struct kbs_client_opts *opts, const char *const *resources, size_t n,
		      struct secret *secrets, struct kbs_session **keep)
{
	struct kbs_client_opts o = *opts;
	_cleanup_(kbs_ca_free) struct kbs_ca ca = { 0 };
	struct server_state servers[KBS_MAX_URLS] = { 0 };
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	long long deadline;
	size_t cur = 0, alive;
	_cleanup_close_ int watch = -1;
	_cleanup_free_ char *evlog = NULL;
	int r, round = 0, quick = 0, tries = 0;

	if ((r = check_opts(&o, resources, n, keep != NULL)) < 0)
		return r;
	set_timeouts(&o);
	o.eventlog_b64 = evlog = eventlog_b64(&o.evidence);
	watch = net_watch_open();
	deadline = mono_ms() + 1000LL * (o.deadline_s > 0 ? o.deadline_s : 120);
	alive = o.n_urls;
	/* Read once, under the deadline, regular files only: no retry makes a bad CA good. */
	if ((r = kbs_ca_load(o.ca_file, deadline, &ca)) < 0)
		return r;

	for (;;) {
		struct kbs_attempt_result res;
		char what[400];
		const char *why;
		enum action a;
		long long left;
		long wait;

		tries++;
		net_watch_drain(watch);
		r = attempt(&o, &ca, o.urls[cur], resources, n, secrets, deadline, &res, keep);
		if (r == 0) {
			if (n)
				log_info("attempt %d: %s: released %zu resource%s", tries, o.urls[cur], n, n == 1 ? "" : "s");
			else
				log_info("attempt %d: %s: attested; the session is kept for the resources", tries, o.urls[cur]);
			return 0;
		}
		for (size_t i = 0; i < n; i++)
			secret_clear(&secrets[i]);
		a = classify(r, &res, &servers[cur], &why);
		if (a == GIVE_UP) {
			log_err("giving up after %d attempt%s: %s", tries, tries == 1 ? "" : "s", why);
			return r;
		}
		if (a == DROP_SERVER) {
			servers[cur].dropped = true;
			alive--;
		}
		left = deadline - mono_ms();
		/* Next server: the following live one; back off only after a full round. */
		size_t next = cur;
		bool wrapped = false;
		for (size_t k = 1; k <= o.n_urls && alive; k++) {
			size_t c = (cur + k) % o.n_urls;
			if (!servers[c].dropped) {
				wrapped = c <= cur;
				next = c;
				break;
			}
		}
		wait = alive && wrapped ? backoff_ms(round, quick, a, &seed) : 0;
		describe(r, &res, what, sizeof(what));
		if (!alive || left - wait <= 0) {
			int secs = o.deadline_s > 0 ? o.deadline_s : 120;
			const char *s = tries == 1 ? "" : "s";

			log_err("attempt %d: %s: %s failed: %s%s%s", tries, o.urls[cur],
				kbs_step_name(res.step), what, why ? "; " : "", why ? why : "");
			/* The last line says why the client stops, with the last failure. */
			if (!alive) {
				log_err("giving up after %d attempt%s: no key server left to try (%zu configured); "
					"last failure at %s: %s%s%s", tries, s, o.n_urls, kbs_step_name(res.step), what,
					why ? "; " : "", why ? why : "");
				return r;
			}
			if (left <= 0)
				log_err("giving up after %d attempt%s: the deadline of %d s has passed; last failure at %s: %s",
					tries, s, secs, kbs_step_name(res.step), what);
			else
				log_err("giving up after %d attempt%s: the next try (in %.1f s) would pass the deadline "
					"of %d s (%.1f s left); last failure at %s: %s", tries, s, (double)wait / 1000,
					secs, (double)left / 1000, kbs_step_name(res.step), what);
			return r == -EACCES || r == -EKEYREJECTED ? r : -ETIMEDOUT;
		}
		if (a == RETRY_SOON) /* expected while the initrd's network comes up: not a warning */
			log_info("attempt %d: %s: no route to the server yet (%s); next try %s %sin %.1f s, %.0f s left",
				 tries, o.urls[cur], what, o.urls[next], watch >= 0 ? "when an address or route appears or " : "",
				 (double)wait / 1000, (double)(left - wait) / 1000);
		else
			log_warn("attempt %d: %s: %s failed: %s%s%s; next try %s in %.1f s, %.0f s left",
				 tries, o.urls[cur], kbs_step_name(res.step), what,
				 why ? "; dropping this server: " : "", why ? why : "", o.urls[next],
				 (double)wait / 1000, (double)(left - wait) / 1000);
		if (wait) {
			if (wait_next(&o, watch, wait, a == RETRY_SOON))
				return -ECANCELED;
			if (a == RETRY_SOON && quick < QUICK_TRIES)
				quick++; /* a quick retry does not advance the normal schedule */
			else
				round++;
		}
		cur = next;
	}
}

int kbs_fetch(const struct kbs_client_opts *opts, const char *const *resources, size_t n,
	      struct secret *secrets)
{
	return fetch_loop(opts, resources, n, secrets, NULL);
}

int kbs_attest(const struct kbs_client_opts *opts, struct kbs_session **out)
{
	*out = NULL;
	return fetch_loop(opts, NULL, 0, NULL, out);
}

int kbs_session_fetch(struct kbs_session *s, const char *const *resources, size_t n,
		      struct secret *secrets, int deadline_s)
{
	struct kbs_attempt_result res;
	char what[400];
	int r;

	if ((r = check_resources(resources, n, false)) < 0)
		return r;
	r = kbs_attempt_resources(s, resources, n, secrets, mono_ms() + 1000LL * deadline_s, &res);
	if (r == 0) {
		log_info("%s: released %zu resource%s to the attested session", s->base_url, n, n == 1 ? "" : "s");
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		secret_clear(&secrets[i]);
	describe(r, &res, what, sizeof(what));
	log_warn("%s: %s failed over the attested session: %s; attesting again", s->base_url,
		 kbs_step_name(res.step), what);
	return r;
}

void kbs_session_free(struct kbs_session *s)
{
	if (!s)
		return;
	kbs_session_close(s);
	free(s);
}
