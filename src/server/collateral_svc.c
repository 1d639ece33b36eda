/* SPDX-License-Identifier: Apache-2.0 */
/* Collateral refresh thread, expiry warnings, coalesced first-sight fetches (collateral_svc.h). */
#include "collateral_svc.h"
#include "collateral_fetch.h"
#include "server.h"
#include "../common/log.h"
#include "../common/mono_time.h"
#include "../verify/store_list.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#define FLIGHTS 64               /* platforms remembered for coalescing / negative caching */
#define NEGATIVE_MS (30 * 1000)  /* a failed first-sight fetch is not retried for this long, */
#define NOT_SERVED_MS (5 * 60 * 1000) /* an FMSPC the PCS does not serve (404) this long */
#define RATE_N 10                /* at most RATE_N first-sight fetches ... */
#define RATE_MS (60 * 1000)      /* ... per minute */
#define REFRESH_MARGIN_S (2 * 86400) /* refresh at the latest this long before a nextUpdate */
#define RETRY_MIN_MS (60 * 1000) /* after a failed refresh: 1 min, doubling ... */
#define RETRY_MAX_MS (3600 * 1000) /* ... up to 1 h */

struct flight {
	bool used, busy;
	uint8_t key[7];
	int err;
	char reason[160];
	int64_t done_ms;
};

struct ks_coll_svc {
	struct ks_server *srv;
	pthread_t thread;
	bool have_thread;
	atomic_bool stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;      /* flights done; stop */
	struct flight flights[FLIGHTS];
	int64_t starts[RATE_N];   /* ring of recent first-sight fetch starts */
	unsigned start_pos;
	unsigned blocked;         /* request threads in a first-sight fetch or wait */
	unsigned max_blocked;     /* threads - 1 (at least 1): one always serves the rest */
};

static int64_t now_s(const struct ks_server *srv)
{
	int64_t t;

	if (srv->test_time && vf_parse_time(srv->test_time, &t) == 0)
		return t;
	return (int64_t)time(NULL);
}

/* A fetch request with the server's settings, cancelled by the service's stop flag; NULL
 * when out of memory. */
static struct coll_fetch_req *req_new(struct ks_coll_svc *svc)
{
	const struct ks_server *srv = svc->srv;
	struct coll_fetch_req *req = calloc(1, sizeof(*req));

	if (!req)
		return NULL;
	req->store = srv->cfg.collateral_store;
	req->pcs_url = srv->cfg.pcs_url;
	req->root_crl_url = srv->cfg.pcs_root_crl_url;
	req->update = srv->cfg.collateral_update;
	req->at = now_s(srv);
	req->http.ca_file = srv->cfg.pcs_ca;
	req->http.cancel = &svc->stop;
	return req;
}

int ks_coll_check_expiry(const char *store, int64_t at, unsigned warn_days)
{
	struct vf_store_entry *e;
	size_t n;
	int bad = 0;

	if (vf_store_list(store, &e, &n) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int64_t left = e[i].expires - at;
		char t[32];

		if (!e[i].readable || left >= (int64_t)warn_days * 86400)
			continue;
		bad++;
		vf_format_time(e[i].expires, t, sizeof(t));
		if (left < 0)
			log_err("collateral: %s EXPIRED at %s: quotes of its platforms are refused until "
				"it is refreshed (check pcs_url; tdx-keyserver collateral status --store %s)",
				e[i].what, t, store);
		else
			log_warn("collateral: %s expires at %s (in %lldd %lldh) and was not refreshed yet "
				 "(check pcs_url; tdx-keyserver collateral status --store %s)", e[i].what, t,
				 (long long)(left / 86400), (long long)(left % 86400 / 3600), store);
	}
	free(e);
	return bad;
}

/* One refresh of everything in the store; 0 when all is installed or unchanged. */
static int refresh(struct ks_coll_svc *svc)
{
	struct ks_server *srv = svc->srv;
	struct coll_fetch_req *req = req_new(svc);
	struct coll_fetch_result res;
	int r;

	if (!req)
		return -ENOMEM;
	req->http.deadline_ms = mono_ms() + 10 * 60 * 1000;
	r = coll_fetch_add_installed(req);
	if (r == 0 && req->n_fmspcs == 0) {
		free(req);
		return 0; /* nothing yet: first sight fills the store */
	}
	if (r == 0)
		r = coll_fetch(srv->verifier, req, &res);
	if (r >= 0)
		log_info("collateral: refresh from %s: %u installed, %u unchanged, %u refused, %u unreachable, %u not served",
			 srv->cfg.pcs_url, res.installed, res.unchanged, res.refused, res.unreachable, res.not_found);
	free(req);
	return r;
}

/* Seconds from now until the refresh must happen at the latest (earliest nextUpdate minus
 * the margin), or INT64_MAX. */
static int64_t due_in_s(const struct ks_server *srv)
{
	struct vf_store_entry *e;
	size_t n;
	int64_t left;

	if (vf_store_list(srv->cfg.collateral_store, &e, &n) < 0)
		return INT64_MAX;
	left = vf_store_time_left(e, n, now_s(srv), NULL);
	free(e);
	return left == INT64_MAX ? left : left - REFRESH_MARGIN_S;
}

static int64_t jittered_ms(unsigned period_s)
{
	uint32_t rnd = 0;
	int64_t p = (int64_t)period_s * 1000;

	RAND_bytes((uint8_t *)&rnd, sizeof(rnd));
	/* +-10 %: a fleet of key servers does not hit the PCS in the same second */
	return p - p / 10 + (int64_t)(rnd % (uint32_t)(p / 5 + 1));
}

static void *refresh_main(void *arg)
{
	struct ks_coll_svc *svc = arg;
	struct ks_server *srv = svc->srv;
	int64_t retry_ms = RETRY_MIN_MS, wait_ms = jittered_ms(srv->cfg.collateral_refresh_s), due;

	due = due_in_s(srv);
	if (due < (int64_t)srv->cfg.collateral_refresh_s)
		wait_ms = 1000; /* something expires before the next period: at once */
	for (;;) {
		struct timespec ts;
		int64_t deadline;
		int r;

		clock_gettime(CLOCK_REALTIME, &ts);
		deadline = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + wait_ms;
		ts.tv_sec = deadline / 1000;
		ts.tv_nsec = (long)(deadline % 1000) * 1000000L;
		pthread_mutex_lock(&svc->lock);
		while (!atomic_load(&svc->stop) &&
		       pthread_cond_timedwait(&svc->cond, &svc->lock, &ts) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&svc->lock);
		if (atomic_load(&svc->stop))
			break;
		r = refresh(svc);
		ks_coll_check_expiry(srv->cfg.collateral_store, now_s(srv), srv->cfg.collateral_warn_days);
		if (r == 0) {
			retry_ms = RETRY_MIN_MS;
			wait_ms = jittered_ms(srv->cfg.collateral_refresh_s);
		} else {
			wait_ms = retry_ms < (int64_t)srv->cfg.collateral_refresh_s * 1000 ? retry_ms
				: jittered_ms(srv->cfg.collateral_refresh_s);
			retry_ms = retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : retry_ms * 2;
		}
		/* a document close to its nextUpdate: sooner than the period, but a source that
		 * keeps serving the same old document is asked at most every 15 min */
		due = due_in_s(srv);
		if (due != INT64_MAX && due * 1000 < wait_ms) {
			int64_t floor_ms = r == 0 ? 15 * 60 * 1000 : retry_ms;

			if (floor_ms > wait_ms)
				floor_ms = wait_ms;
			wait_ms = due * 1000 > floor_ms ? due * 1000 : floor_ms;
		}
	}
	return NULL;
}

int ks_coll_svc_start(struct ks_server *srv, struct ks_coll_svc **out)
{
	struct ks_coll_svc *svc;

	*out = NULL;
	if (!srv->cfg.collateral_store)
		return 0;
	ks_coll_check_expiry(srv->cfg.collateral_store, now_s(srv), srv->cfg.collateral_warn_days);
	if (!srv->cfg.pcs_url)
		return 0;
	svc = calloc(1, sizeof(*svc));
	if (!svc)
		return -ENOMEM;
	svc->srv = srv;
	svc->max_blocked = srv->cfg.threads > 1 ? srv->cfg.threads - 1 : 1;
	pthread_mutex_init(&svc->lock, NULL);
	pthread_cond_init(&svc->cond, NULL);
	if (pthread_create(&svc->thread, NULL, refresh_main, svc) != 0) {
		ks_coll_svc_stop(svc);
		return log_fail(-EAGAIN, "collateral: cannot start the refresh thread");
	}
	svc->have_thread = true;
	*out = svc;
	return 0;
}

void ks_coll_svc_stop(struct ks_coll_svc *svc)
{
	if (!svc)
		return;
	pthread_mutex_lock(&svc->lock);
	atomic_store(&svc->stop, true);
	pthread_cond_broadcast(&svc->cond);
	/* first-sight fetches in flight see `stop` through their cancel flag */
	while (1) {
		bool busy = false;

		for (int i = 0; i < FLIGHTS; i++)
			busy |= svc->flights[i].busy;
		if (!busy)
			break;
		pthread_cond_wait(&svc->cond, &svc->lock);
	}
	pthread_mutex_unlock(&svc->lock);
	if (svc->have_thread)
		pthread_join(svc->thread, NULL);
	pthread_cond_destroy(&svc->cond);
	pthread_mutex_destroy(&svc->lock);
	free(svc);
}

/* The store holds what every platform shares (QE identity of the update type, root CRL). */
static bool have_shared(const struct ks_server *srv)
{
	char gen[PATH_MAX], name[96], path[PATH_MAX + 128];

	if (vf_store_resolve(srv->cfg.collateral_store, gen, sizeof(gen)) < 0)
		return false;
	vf_store_name_qe(name, sizeof(name), srv->cfg.collateral_update, false);
	snprintf(path, sizeof(path), "%s/%s", gen, name);
	if (access(path, F_OK) < 0)
		return false;
	snprintf(path, sizeof(path), "%s/" VF_STORE_ROOT_CRL, gen);
	return access(path, F_OK) == 0;
}

/* The fetch itself, lock not held; reason set on failure. */
static int fetch_platform(struct ks_coll_svc *svc, const struct vf_platform *p, int64_t deadline_ms,
			  char *reason, size_t len)
{
	struct ks_server *srv = svc->srv;
	struct coll_fetch_req *req = req_new(svc);
	struct coll_fetch_result res;
	int r;

	if (!req)
		return -ENOMEM;
	req->http.deadline_ms = deadline_ms;
	req->http.timeout_ms = (unsigned)(deadline_ms - mono_ms() > 0 ? deadline_ms - mono_ms() : 1);
	req->http.backoff_ms = 500;
	req->ca[p->ca] = true;
	req->skip_shared = have_shared(srv);
	coll_fetch_add_fmspc(req, p->fmspc_hex);
	log_info("collateral: first sight of FMSPC %s (%s CA): fetching from %s", p->fmspc_hex,
		 vf_ca_name(p->ca), srv->cfg.pcs_url);
	r = coll_fetch(srv->verifier, req, &res);
	free(req);
	if (r == 0)
		return 0;
	snprintf(reason, len, "collateral_unavailable: FMSPC %s (%s CA) not in the store and %s",
		 p->fmspc_hex, vf_ca_name(p->ca),
		 r < 0 ? "the store cannot be written" :
		 res.refused ? "the PCS documents were refused (see the log)" :
		 res.not_found ? "PCS does not serve it" : "PCS unreachable");
	if (r < 0)
		return r;
	return res.not_found && !res.refused && !res.unreachable ? -ENOENT : -EAGAIN;
}

static struct flight *flight_for(struct ks_coll_svc *svc, const uint8_t key[7])
{
	struct flight *free_slot = NULL, *oldest = NULL;

	for (int i = 0; i < FLIGHTS; i++) {
		struct flight *f = &svc->flights[i];

		if (f->used && memcmp(f->key, key, 7) == 0)
			return f;
		if (!f->used && !free_slot)
			free_slot = f;
		if (f->used && !f->busy && (!oldest || f->done_ms < oldest->done_ms))
			oldest = f;
	}
	free_slot = free_slot ? free_slot : oldest;
	if (free_slot) {
		memset(free_slot, 0, sizeof(*free_slot));
		free_slot->used = true;
		memcpy(free_slot->key, key, 7);
		free_slot->done_ms = INT64_MIN / 2;
	}
	return free_slot;
}

int ks_coll_first_sight(struct ks_coll_svc *svc, const struct vf_platform *p, char *reason, size_t len)
{
	int64_t now = mono_ms(), deadline;
	struct flight *f;
	uint8_t key[7];
	int r;

	if (!svc) {
		snprintf(reason, len, "collateral_unavailable: FMSPC %s (%s CA) not in the store and no pcs_url configured",
			 p->fmspc_hex, vf_ca_name(p->ca));
		return -ENOENT;
	}
	deadline = now + (int64_t)svc->srv->cfg.collateral_fetch_wait_s * 1000;
	memcpy(key, p->fmspc, 6);
	key[6] = (uint8_t)p->ca;
	pthread_mutex_lock(&svc->lock);
	f = flight_for(svc, key);
	if (!f) {
		pthread_mutex_unlock(&svc->lock);
		snprintf(reason, len, "collateral_unavailable: FMSPC %s not in the store; too many first-sight fetches at once",
			 p->fmspc_hex);
		return -EBUSY;
	}
	if (!f->busy && f->err < 0 && now - f->done_ms < (f->err == -ENOENT ? NOT_SERVED_MS : NEGATIVE_MS)) {
		/* failed a moment ago: the same answer, without asking the PCS again */
		snprintf(reason, len, "%s", f->reason);
		r = f->err;
		pthread_mutex_unlock(&svc->lock);
		return r;
	}
	if (svc->blocked >= svc->max_blocked) {
		/* every other worker thread already waits for a fetch: keep this one serving */
		pthread_mutex_unlock(&svc->lock);
		snprintf(reason, len, "collateral_unavailable: FMSPC %s (%s CA) not in the store; first-sight "
			 "fetches in progress, retry later", p->fmspc_hex, vf_ca_name(p->ca));
		return -EBUSY;
	}
	if (f->busy) { /* another attestation fetches it: wait for that one */
		struct timespec ts;

		svc->blocked++;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)svc->srv->cfg.collateral_fetch_wait_s;
		while (f->busy && !atomic_load(&svc->stop) &&
		       pthread_cond_timedwait(&svc->cond, &svc->lock, &ts) != ETIMEDOUT)
			;
		svc->blocked--;
		r = f->busy ? -ETIMEDOUT : f->err;
		snprintf(reason, len, "%s", f->busy ? "collateral_unavailable: first-sight fetch still running" : f->reason);
		pthread_mutex_unlock(&svc->lock);
		return r;
	}
	if (svc->starts[svc->start_pos] && now - svc->starts[svc->start_pos] < RATE_MS) {
		pthread_mutex_unlock(&svc->lock);
		snprintf(reason, len, "collateral_unavailable: FMSPC %s (%s CA) not in the store; first-sight fetches "
			 "rate-limited (%d per minute)", p->fmspc_hex, vf_ca_name(p->ca), RATE_N);
		return -EAGAIN;
	}
	svc->starts[svc->start_pos] = now;
	svc->start_pos = (svc->start_pos + 1) % RATE_N;
	f->busy = true;
	svc->blocked++;
	pthread_mutex_unlock(&svc->lock);

	reason[0] = '\0';
	r = fetch_platform(svc, p, deadline, reason, len);

	pthread_mutex_lock(&svc->lock);
	svc->blocked--;
	f->busy = false;
	f->err = r;
	f->done_ms = mono_ms();
	snprintf(f->reason, sizeof(f->reason), "%s", reason);
	pthread_cond_broadcast(&svc->cond);
	pthread_mutex_unlock(&svc->lock);
	return r;
}
