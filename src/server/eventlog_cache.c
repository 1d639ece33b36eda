/* SPDX-License-Identifier: Apache-2.0 */
/* A fleet boots few images, so thousands of TDs send the same few event logs. Decoding,
 * parsing, replaying and checking one costs ~25 us of an attestation (20 SHA-384 for the
 * replay, more to check decoded events); what comes out depends on the log's bytes alone,
 * so it is kept by the exact text and a repeat costs one memcmp. The comparison with the
 * quote's RTMRs stays per attestation (vf_boot_facts_match). Nothing a client sends can
 * make an entry hold facts other than its text's own: entries are keyed by the whole text,
 * not a digest of it. Bounded: KS_EVLOG_CACHE_SLOTS texts of at most
 * KS_EVLOG_CACHE_TEXT_MAX characters (~2 MiB), the oldest replaced first. */
#include "eventlog_cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char *text; /* NULL: empty slot */
	size_t len;
	struct vf_boot_facts facts;
	uint8_t rtmr[4][TDX_MR_LEN];
};

struct ks_evlog_cache {
	pthread_rwlock_t lock;
	struct entry slot[KS_EVLOG_CACHE_SLOTS];
	size_t next; /* the slot the next new text replaces */
};

int ks_evlog_cache_new(struct ks_evlog_cache **out)
{
	struct ks_evlog_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	if (pthread_rwlock_init(&c->lock, NULL) != 0) {
		free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void ks_evlog_cache_free(struct ks_evlog_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < KS_EVLOG_CACHE_SLOTS; i++)
		free(c->slot[i].text);
	pthread_rwlock_destroy(&c->lock);
	free(c);
}

/* The slot holding text[0..len), or with prefix set the one text[0..len) begins with
 * followed by '"'; NULL if none. Under the lock. */
static struct entry *find(struct ks_evlog_cache *c, const char *text, size_t len, bool prefix)
{
	for (size_t i = 0; i < KS_EVLOG_CACHE_SLOTS; i++) {
		struct entry *e = &c->slot[i];

		if (!e->text || (prefix ? e->len >= len || text[e->len] != '"' : e->len != len))
			continue;
		if (memcmp(e->text, text, e->len) == 0)
			return e;
	}
	return NULL;
}

static size_t get(struct ks_evlog_cache *c, const char *text, size_t len, bool prefix,
		  struct vf_boot_facts *facts, uint8_t rtmr[4][TDX_MR_LEN])
{
	struct entry *e;
	size_t found = 0;

	if (!c)
		return 0;
	pthread_rwlock_rdlock(&c->lock);
	e = find(c, text, len, prefix);
	if (e) {
		*facts = e->facts;
		memcpy(rtmr, e->rtmr, sizeof(e->rtmr));
		found = e->len;
	}
	pthread_rwlock_unlock(&c->lock);
	return found;
}

bool ks_evlog_cache_get(struct ks_evlog_cache *c, const char *text, size_t len, struct vf_boot_facts *facts,
			uint8_t rtmr[4][TDX_MR_LEN])
{
	return len > 0 && len <= KS_EVLOG_CACHE_TEXT_MAX && get(c, text, len, false, facts, rtmr) == len;
}

size_t ks_evlog_cache_get_prefix(struct ks_evlog_cache *c, const char *text, size_t avail,
				 struct vf_boot_facts *facts, uint8_t rtmr[4][TDX_MR_LEN])
{
	return get(c, text, avail, true, facts, rtmr);
}

void ks_evlog_cache_put(struct ks_evlog_cache *c, const char *text, size_t len, const struct vf_boot_facts *facts,
			const uint8_t rtmr[4][TDX_MR_LEN])
{
	struct entry *e;
	char *copy;

	/* Only texts without '"' or '\\' are kept: get_prefix takes the '"' after one for the
	 * end of the JSON string, which an escape before it would deny. Callers put logs that
	 * decoded, so canonical base64. */
	if (!c || len == 0 || len > KS_EVLOG_CACHE_TEXT_MAX || memchr(text, '"', len) || memchr(text, '\\', len) ||
	    !(copy = malloc(len)))
		return;
	memcpy(copy, text, len);
	pthread_rwlock_wrlock(&c->lock);
	if (find(c, text, len, false)) { /* another thread kept it meanwhile */
		pthread_rwlock_unlock(&c->lock);
		free(copy);
		return;
	}
	e = &c->slot[c->next];
	c->next = (c->next + 1) % KS_EVLOG_CACHE_SLOTS;
	free(e->text);
	e->text = copy;
	e->len = len;
	e->facts = *facts;
	memcpy(e->rtmr, rtmr, sizeof(e->rtmr));
	pthread_rwlock_unlock(&c->lock);
}
