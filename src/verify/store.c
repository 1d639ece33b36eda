/* SPDX-License-Identifier: Apache-2.0 */
/* The collateral store in memory (layout: store.h): one snapshot per generation, holding the
 * sets loaded so far in an open-addressing table keyed by FMSPC and PCK CA, so a lookup costs
 * the same with 1 or 100 platforms. `current` is re-read at most every recheck_ms, and at
 * once when a platform is missing (a fetch may just have installed it). */
#include "verify_ctx.h"
#include "store.h"
#include "../common/log.h"
#include "../common/mono_time.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#define MAX_SETS 4096 /* 2 CAs x 2048 FMSPCs: far beyond any fleet */

struct set_slot {
	uint8_t key[8]; /* FMSPC, CA, update type */
	bool used;
	struct vf_collateral *coll;
};

struct store_snap {
	struct vf_obj obj;
	char gen[PATH_MAX];
	pthread_mutex_t lock;
	unsigned cap, n;
	struct set_slot *slots;
	atomic_llong checked_ms;
};

static void snap_destroy(struct vf_obj *o)
{
	struct store_snap *s = (struct store_snap *)o;

	for (unsigned i = 0; i < s->cap; i++)
		vf_obj_put(s->slots[i].coll ? &s->slots[i].coll->obj : NULL);
	pthread_mutex_destroy(&s->lock);
	free(s->slots);
	free(s);
}

static int snap_new(const char *gen, struct store_snap **out)
{
	struct store_snap *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->cap = 64;
	s->slots = calloc(s->cap, sizeof(*s->slots));
	if (!s->slots) {
		free(s);
		return -ENOMEM;
	}
	atomic_init(&s->obj.ref, 1);
	s->obj.destroy = snap_destroy;
	pthread_mutex_init(&s->lock, NULL);
	snprintf(s->gen, sizeof(s->gen), "%s", gen);
	*out = s;
	return 0;
}

static unsigned slot_hash(const uint8_t key[8], unsigned cap)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 8; i++)
		h = (h ^ key[i]) * 16777619u;
	return h & (cap - 1);
}

/* Caller holds the lock. */
static struct set_slot *slot_find(struct store_snap *s, const uint8_t key[8])
{
	for (unsigned i = slot_hash(key, s->cap), n = 0; n < s->cap; i = (i + 1) & (s->cap - 1), n++) {
		if (!s->slots[i].used || memcmp(s->slots[i].key, key, 8) == 0)
			return &s->slots[i];
	}
	return NULL;
}

static int slot_grow(struct store_snap *s)
{
	struct set_slot *old = s->slots;
	unsigned oldcap = s->cap;

	if (s->cap >= 2 * MAX_SETS)
		return -ENOSPC;
	s->slots = calloc(oldcap * 2, sizeof(*s->slots));
	if (!s->slots) {
		s->slots = old;
		return -ENOMEM;
	}
	s->cap = oldcap * 2;
	for (unsigned i = 0; i < oldcap; i++)
		if (old[i].used)
			*slot_find(s, old[i].key) = old[i];
	free(old);
	return 0;
}

/* The snapshot of the generation `current` points to (new reference). */
static int ctx_snap(struct vf_ctx *ctx, const char *store, bool force, struct store_snap **out)
{
	char gen[PATH_MAX];
	struct store_snap *s;
	uint8_t key[32];
	int64_t now = mono_ms();
	int r;

	SHA256((const uint8_t *)store, strlen(store), key);
	s = (struct store_snap *)vf_cache_get(ctx->store_cache, key);
	if (s) {
		long long last = atomic_load(&s->checked_ms);

		if (!force && (now - last < ctx->recheck_ms ||
			       !atomic_compare_exchange_strong(&s->checked_ms, &last, now))) {
			*out = s;
			return 0;
		}
		atomic_store(&s->checked_ms, now);
	}
	r = vf_store_resolve(store, gen, sizeof(gen));
	if (r < 0) {
		if (s) { /* keep serving what was loaded */
			*out = s;
			return 0;
		}
		if (r == -ENOENT) /* nothing installed yet */
			return r;
		return log_errno(r, "collateral store %s: cannot resolve %s/" VF_STORE_CURRENT, store, store);
	}
	if (s && strcmp(s->gen, gen) == 0) {
		*out = s;
		return 0;
	}
	vf_obj_put(s ? &s->obj : NULL);
	r = snap_new(gen, &s);
	if (r < 0)
		return r;
	atomic_store(&s->checked_ms, now);
	vf_cache_put(ctx->store_cache, key, &s->obj);
	*out = s;
	return 0;
}

static int join(char *dst, const char *gen, const char *name)
{
	size_t g = strlen(gen), n = strlen(name);

	if (g + 1 + n + 1 > sizeof(((struct vf_coll_files *)0)->path[0]))
		return -ENAMETOOLONG;
	memcpy(dst, gen, g);
	dst[g] = '/';
	memcpy(dst + g + 1, name, n + 1);
	return 0;
}

static int set_files(const char *gen, const struct vf_platform *p, const char *update,
		     struct vf_coll_files *f)
{
	char n[VF_COLL_NFILES][96];
	int r = 0;

	snprintf(n[VF_COLL_ROOT_CA], sizeof(n[0]), VF_STORE_ROOT_CA);
	snprintf(n[VF_COLL_ROOT_CRL], sizeof(n[0]), VF_STORE_ROOT_CRL);
	vf_store_name_pck_crl(n[VF_COLL_PCK_CRL], sizeof(n[0]), p->ca, false);
	vf_store_name_pck_crl(n[VF_COLL_PCK_CHAIN], sizeof(n[0]), p->ca, true);
	vf_store_name_tcb(n[VF_COLL_TCB], sizeof(n[0]), p->fmspc_hex, update, false);
	vf_store_name_tcb(n[VF_COLL_TCB_CHAIN], sizeof(n[0]), p->fmspc_hex, update, true);
	vf_store_name_qe(n[VF_COLL_QE], sizeof(n[0]), update, false);
	vf_store_name_qe(n[VF_COLL_QE_CHAIN], sizeof(n[0]), update, true);
	for (int i = 0; i < VF_COLL_NFILES && r == 0; i++)
		r = join(f->path[i], gen, n[i]);
	return r;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* The set of platform p in snapshot s (new reference); -ENOENT when the store lacks it. */
static int snap_set(struct vf_ctx *ctx, struct store_snap *s, const struct vf_platform *p,
		    const char *update, struct vf_collateral **out)
{
	struct vf_coll_files *f;
	struct vf_collateral *c = NULL;
	struct set_slot *slot;
	uint8_t key[8];
	char label[64];
	int r;

	memcpy(key, p->fmspc, 6);
	key[6] = (uint8_t)p->ca;
	key[7] = strcmp(update, VF_UPDATE_STANDARD) == 0 ? 0 : 1;
	pthread_mutex_lock(&s->lock);
	slot = slot_find(s, key);
	if (slot && slot->used) {
		c = slot->coll;
		vf_obj_get(&c->obj);
	}
	pthread_mutex_unlock(&s->lock);
	if (c) {
		*out = c;
		return 0;
	}
	f = malloc(sizeof(*f));
	if (!f)
		return -ENOMEM;
	r = set_files(s->gen, p, update, f);
	if (r < 0) {
		free(f);
		return r;
	}
	if (!exists(f->path[VF_COLL_TCB]) || !exists(f->path[VF_COLL_PCK_CRL])) {
		free(f);
		return -ENOENT;
	}
	snprintf(label, sizeof(label), "FMSPC %s (%s CA)", p->fmspc_hex, vf_ca_name(p->ca));
	r = vf_collateral_load_files(f, ctx->anchor, ctx->mode == VF_ANCHOR_INTEL, label, &c);
	free(f);
	if (r < 0)
		return r;
	pthread_mutex_lock(&s->lock);
	if (s->n * 2 >= s->cap && (r = slot_grow(s)) < 0) {
		pthread_mutex_unlock(&s->lock);
		vf_obj_put(&c->obj);
		return log_errno(r, "collateral store: too many platforms loaded");
	}
	slot = slot_find(s, key);
	if (slot->used) { /* another thread loaded it meanwhile */
		vf_obj_put(&c->obj);
		c = slot->coll;
	} else {
		slot->used = true;
		memcpy(slot->key, key, 8);
		slot->coll = c;
		s->n++;
	}
	vf_obj_get(&c->obj);
	pthread_mutex_unlock(&s->lock);
	*out = c;
	return 0;
}

int vf_verify_store(struct vf_ctx *ctx, const uint8_t *quote, const struct tdx_quote *q,
		    const char *store, const char *tcb_update, int64_t at, struct vf_result *res,
		    struct vf_platform *plat)
{
	struct vf_platform pl;
	struct vf_collateral *c = NULL;
	struct store_snap *s;
	const char *why = NULL;
	int r;

	if (!vf_store_is_store(store)) {
		r = vf_verify_parsed(ctx, quote, q, store, at, res);
		return r == -ENOENT ? -EIO : r; /* -ENOENT means a missing platform here */
	}
	r = vf_quote_platform(ctx, q, &pl, &why);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		vf_result_reject(res, q, VF_PCK_CHAIN_SIGS, why);
		return 0;
	}
	if (plat)
		*plat = pl;
	for (int attempt = 0; attempt < 3; attempt++) {
		/* later rounds re-read `current`: the set may just have been installed,
		 * or an old generation removed under a lazy load */
		r = ctx_snap(ctx, store, attempt > 0, &s);
		if (r < 0)
			return r;
		r = snap_set(ctx, s, &pl, tcb_update ? tcb_update : VF_UPDATE_STANDARD, &c);
		vf_obj_put(&s->obj);
		if (r != -ENOENT)
			break;
	}
	if (r < 0)
		return r;
	r = vf_verify_coll(ctx, quote, q, c, at, res);
	vf_obj_put(&c->obj);
	return r;
}
