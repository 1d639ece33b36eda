/* SPDX-License-Identifier: Apache-2.0 */
/* A bounded, thread-safe cache of reference-counted objects keyed by 32-byte digests:
 * 4-way set associative, the oldest entry of a full set is replaced. */
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define WAYS 4

struct slot {
	uint8_t key[32];
	struct vf_obj *obj;
	uint64_t stamp;
};

struct vf_cache {
	pthread_mutex_t lock;
	unsigned nsets;
	uint64_t clock;
	struct slot *slots; /* nsets * WAYS */
};

void vf_obj_put(struct vf_obj *o)
{
	if (o && atomic_fetch_sub(&o->ref, 1) == 1)
		o->destroy(o);
}

int vf_cache_new(unsigned entries, struct vf_cache **out)
{
	struct vf_cache *c = calloc(1, sizeof(*c));
	unsigned nsets = 1;

	if (!c)
		return -ENOMEM;
	while (nsets * WAYS < entries && nsets < (1u << 20))
		nsets <<= 1;
	c->nsets = nsets;
	c->slots = calloc((size_t)nsets * WAYS, sizeof(*c->slots));
	if (!c->slots) {
		free(c);
		return -ENOMEM;
	}
	pthread_mutex_init(&c->lock, NULL);
	*out = c;
	return 0;
}

void vf_cache_free(struct vf_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < (size_t)c->nsets * WAYS; i++)
		vf_obj_put(c->slots[i].obj);
	pthread_mutex_destroy(&c->lock);
	free(c->slots);
	free(c);
}

static struct slot *set_of(struct vf_cache *c, const uint8_t key[32])
{
	uint32_t h;

	memcpy(&h, key, sizeof(h));
	return &c->slots[(size_t)(h & (c->nsets - 1)) * WAYS];
}

struct vf_obj *vf_cache_get(struct vf_cache *c, const uint8_t key[32])
{
	struct vf_obj *o = NULL;
	struct slot *s;

	pthread_mutex_lock(&c->lock);
	s = set_of(c, key);
	for (int i = 0; i < WAYS; i++)
		if (s[i].obj && memcmp(s[i].key, key, 32) == 0) {
			o = s[i].obj;
			vf_obj_get(o);
			break;
		}
	pthread_mutex_unlock(&c->lock);
	return o;
}

void vf_cache_put(struct vf_cache *c, const uint8_t key[32], struct vf_obj *o)
{
	struct vf_obj *old = NULL;
	struct slot *s, *victim;

	vf_obj_get(o);
	pthread_mutex_lock(&c->lock);
	s = set_of(c, key);
	victim = &s[0];
	for (int i = 0; i < WAYS; i++) {
		if (s[i].obj && memcmp(s[i].key, key, 32) == 0) {
			victim = &s[i];
			break;
		}
		if (!s[i].obj || (victim->obj && s[i].stamp < victim->stamp))
			victim = &s[i];
		if (!s[i].obj)
			break;
	}
	old = victim->obj;
	memcpy(victim->key, key, 32);
	victim->obj = o;
	victim->stamp = ++c->clock;
	pthread_mutex_unlock(&c->lock);
	vf_obj_put(old);
}
