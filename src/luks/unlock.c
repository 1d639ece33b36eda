/* SPDX-License-Identifier: Apache-2.0 */
/* unlock: for every selected device with a tdx-unlock token, attest and fetch the secret
 * (one attestation per group of tokens sharing servers and CA), then open the token's
 * keyslot. The header is only read. */
#include "devices.h"
#include "luks.h"
#include "luks_util.h"
#include "settings.h"
#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/mono_time.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_DEVICES 64
#define MAX_TARGETS 128
#define MAX_GROUPS 16

struct device {
	char path[LUKS_DEV_PATH_MAX];
	char name[128];
	struct crypt_device *cd;
	bool done;
	bool reported; /* its failure is logged already */
};

struct target {
	size_t dev;
	int token_id;
	struct luks_token tok;
	struct luks_settings set;
	size_t group, res;
};

struct group {
	const struct luks_settings *set; /* servers, CA and evidence of every member */
	int timeout_s;                   /* the longest of the members */
	const char *resources[KBS_MAX_RESOURCES];
	size_t n_res;
};

struct unlock_ctx {
	struct luks_sources src;
	struct device devs[MAX_DEVICES];
	size_t n_devs;
	struct target targets[MAX_TARGETS];
	size_t n_targets;
	struct group groups[MAX_GROUPS];
	size_t n_groups;
	/* Attestation made before waiting for the disks (attest_early): its servers and session,
	 * used once by the group with exactly these servers. */
	struct luks_settings early;
	bool early_tried;
	struct kbs_session *session;
	/* Devices read while that attestation still retried (disks_need_none) */
	const struct luks_unlock_opts *opts;
	bool collected;
	int collect_r;
	int64_t first_seen_ms;
};

static void ctx_free(struct unlock_ctx **c)
{
	if (!*c)
		return;
	for (size_t i = 0; i < (*c)->n_devs; i++)
		crypt_free((*c)->devs[i].cd);
	kbs_session_free((*c)->session);
	free(*c);
}

static bool same_servers(const struct luks_settings *a, const struct luks_settings *b)
{
	if (a->n_urls != b->n_urls || strcmp(a->ca_file, b->ca_file) ||
	    (a->tsm_dir == NULL) != (b->tsm_dir == NULL) || (a->tsm_dir && strcmp(a->tsm_dir, b->tsm_dir)))
		return false;
	for (size_t i = 0; i < a->n_urls; i++)
		if (strcmp(a->urls[i], b->urls[i]))
			return false;
	return true;
}

/* Puts target t into a group with the same servers (and room), adding its resource once. */
static int assign_group(struct unlock_ctx *c, struct target *t)
{
	for (size_t g = 0; g <= c->n_groups && g < MAX_GROUPS; g++) {
		struct group *gr = &c->groups[g];

		if (g == c->n_groups) {
			gr->set = &t->set;
			c->n_groups++;
		} else if (!same_servers(gr->set, &t->set)) {
			continue;
		}
		for (size_t i = 0; i < gr->n_res; i++)
			if (!strcmp(gr->resources[i], t->tok.resource)) {
				t->group = g;
				t->res = i;
				return 0;
			}
		if (gr->n_res == KBS_MAX_RESOURCES)
			continue;
		gr->resources[gr->n_res] = t->tok.resource;
		t->group = g;
		t->res = gr->n_res++;
		if (t->set.timeout_s > gr->timeout_s)
			gr->timeout_s = t->set.timeout_s;
		return 0;
	}
	return log_fail(-E2BIG, "unlock: too many different key servers/resources (at most %d groups of %d)",
			MAX_GROUPS, KBS_MAX_RESOURCES);
}

/* Loads one device and adds a target for each of its usable tdx-unlock tokens. */
static int add_device(struct unlock_ctx *c, const struct luks_unlock_opts *o, const char *path)
{
	struct device *d = &c->devs[c->n_devs];
	size_t before = c->n_targets;
	int r, max = crypt_token_max(CRYPT_LUKS2);

	if (c->n_devs == MAX_DEVICES)
		return log_fail(-E2BIG, "unlock: at most %d devices", MAX_DEVICES);
	if (strlen(path) >= sizeof(d->path))
		return log_fail(-ENAMETOOLONG, "unlock: device path %.64s... is too long", path);
	memset(d, 0, sizeof(*d));
	strcpy(d->path, path);
	if ((r = luks_load(path, &d->cd)) < 0)
		return r;
	c->n_devs++;
	for (int id = 0; id < max && c->n_targets < MAX_TARGETS; id++) {
		struct target *t = &c->targets[c->n_targets];

		memset(t, 0, sizeof(*t));
		if (luks_token_read(d->cd, id, &t->tok) < 0)
			continue;
		if (luks_settings_resolve(&c->src, &t->tok, o->timeout_s, &t->set) < 0)
			continue;
		if (o->tsm_dir)
			t->set.tsm_dir = o->tsm_dir;
		if (o->ccel)
			t->set.ccel = o->ccel;
		t->dev = c->n_devs - 1;
		t->token_id = id;
		if ((r = assign_group(c, t)) < 0)
			return r;
		c->n_targets++;
	}
	if (c->n_targets == before) {
		crypt_free(d->cd);
		d->cd = NULL;
		c->n_devs--;
		if (o->all) {
			log_debug("%s: no usable %s token", path, LUKS_TOKEN_TYPE);
			return -ENOENT;
		}
		return log_fail(-ENOENT, "unlock: %s has no usable %s token (see tdx-unlock list)", path, LUKS_TOKEN_TYPE);
	}
	if (o->name)
		snprintf(d->name, sizeof(d->name), "%s", o->name);
	else if (!o->test)
		snprintf(d->name, sizeof(d->name), "luks-%s", crypt_get_uuid(d->cd));
	if (d->name[0] && crypt_status(NULL, d->name) == CRYPT_ACTIVE) {
		log_info("%s: already active as %s", path, d->name);
		d->done = true;
	}
	return 0;
}

static int collect(struct unlock_ctx *c, const struct luks_unlock_opts *o)
{
	char (*paths)[LUKS_DEV_PATH_MAX] = NULL;
	size_t n = 0;
	int r;

	if (!o->all)
		return add_device(c, o, o->device);
	paths = calloc(MAX_DEVICES, sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	r = luks_find_devices(paths, MAX_DEVICES, &n);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (add_device(c, o, paths[i]) == -ENOMEM)
			r = -ENOMEM;
	free(paths);
	if (r == 0 && !c->n_targets)
		r = log_fail(-ENOENT, "unlock --all: no LUKS2 block device with a usable %s token", LUKS_TOKEN_TYPE);
	return r;
}

/* Fetches group g's resources and opens its devices. */
static void run_group(struct unlock_ctx *c, size_t g, const struct luks_unlock_opts *o, long long deadline)
{
	struct group *gr = &c->groups[g];
	struct secret secrets[KBS_MAX_RESOURCES] = { 0 };
	struct kbs_client_opts ko;
	bool early = c->session && same_servers(gr->set, &c->early);
	long long left = deadline - mono_ms();
	int r = 0;

	if (left < 1000) {
		log_err("unlock: deadline reached before fetching from %s", gr->set->urls[0]);
		for (size_t i = 0; i < c->n_targets; i++)
			if (c->targets[i].group == g)
				c->devs[c->targets[i].dev].reported = true;
		return;
	}
	luks_settings_to_kbs(gr->set, &ko);
	ko.deadline_s = (int)(left / 1000) < gr->timeout_s ? (int)(left / 1000) : gr->timeout_s;
	log_debug("fetching %zu resource(s) from %s (+%zu more server(s), URLs from the %s, CA from the %s), %d s%s",
		  gr->n_res, ko.urls[0], ko.n_urls - 1, luks_origin_name(gr->set->url_origin),
		  luks_origin_name(gr->set->ca_origin), ko.deadline_s, early ? ", over the early session" : "");
	if (early) {
		r = kbs_session_fetch(c->session, gr->resources, gr->n_res, secrets, ko.deadline_s);
		kbs_session_free(c->session); /* one use: a retry attests afresh */
		c->session = NULL;
	}
	if (!early || r < 0)
		r = kbs_fetch(&ko, gr->resources, gr->n_res, secrets);
	for (size_t i = 0; i < c->n_targets; i++) {
		struct target *t = &c->targets[i];
		struct device *d = &c->devs[t->dev];
		int ks;

		if (t->group != g || d->done)
			continue;
		if (r < 0) {
			if (!d->reported)
				log_err("%s: not unlocked: no secret from %s (see above; the passphrase still works)",
					d->path, ko.urls[0]);
			d->reported = true;
			continue;
		}
		ks = luks_open_with_secret(d->cd, &t->tok, d->name[0] ? d->name : NULL, &secrets[t->res], 0);
		if (ks >= 0) {
			d->done = true;
			log_info("%s: %s with keyslot %d (token %d)%s%s", d->path, o->test ? "key checked" : "unlocked",
				 ks, t->token_id, d->name[0] ? " as " : "", d->name);
		} else if (ks == -EPERM) {
			d->reported = true;
			log_err("%s: the secret released for %s opens none of the keyslots of token %d: the key "
				"server holds another secret (upload the one bind wrote)", d->path, t->tok.resource, t->token_id);
		} else {
			d->reported = true;
			log_errno(ks, "%s: activating keyslot of token %d as %s", d->path, t->token_id, d->name);
		}
	}
	for (size_t i = 0; i < KBS_MAX_RESOURCES; i++)
		secret_clear(&secrets[i]);
}

/* Asked while the early attestation retries (kbs_client_opts.cancel): once the awaited disks
 * are there (or the grace for the missing ones is over) their tokens are read; when none is
 * usable there is nothing to attest for, and the passphrase prompt must not wait for the
 * key server's deadline. */
static bool disks_need_none(void *arg)
{
	struct unlock_ctx *c = arg;
	const struct luks_config *cl = &c->src.cmdline;

	if (c->collected)
		return c->collect_r < 0;
	if (!luks_uuids_settled(cl->luks_uuids, cl->n_luks_uuids, &c->first_seen_ms))
		return false;
	c->collected = true;
	c->collect_r = collect(c, c->opts);
	return c->collect_r < 0;
}

/* Attesting before the disks are there needs servers and a CA no token can change: measured
 * URLs (command line or configuration file), the configuration's CA, token URLs not allowed
 * (settings.h). Then every token resolves to these servers and the attestation serves them
 * all, and its 0.5-1 s (TLS, /auth, quote, /attest) overlaps udev bringing the disks up. */
static int attest_early(struct unlock_ctx *c, const struct luks_unlock_opts *o)
{
	const struct luks_sources *src = &c->src;
	struct luks_token none = { 0 };
	struct kbs_client_opts ko;
	int r;

	if (!(src->cmdline.n_urls || src->file.n_urls) || !src->file.ca_file[0] || src->file.allow_token_urls == 1)
		return 0;
	if (luks_settings_resolve(src, &none, o->timeout_s, &c->early) < 0)
		return 0;
	if (o->tsm_dir)
		c->early.tsm_dir = o->tsm_dir;
	if (o->ccel)
		c->early.ccel = o->ccel;
	if ((r = luks_td_probe(c->early.tsm_dir)) < 0)
		return r;
	luks_settings_to_kbs(&c->early, &ko);
	c->opts = o;
	ko.cancel = disks_need_none;
	ko.cancel_arg = c;
	log_debug("attesting to %s while the disks come up (URLs from the %s, CA from the %s), %d s",
		  ko.urls[0], luks_origin_name(c->early.url_origin), luks_origin_name(c->early.ca_origin), ko.deadline_s);
	c->early_tried = true;
	if ((r = kbs_attest(&ko, &c->session)) == -ECANCELED)
		return c->collect_r; /* the disks carry no usable token: collect said so */
	if (r < 0)
		return log_fail(r, "unlock: not unlocking: no attestation accepted by %s (see above; the "
				"passphrase still works)", ko.urls[0]);
	return 1;
}

/* The deadline before any token is read: --timeout, rd.tdx_unlock.timeout=, timeout=, 120 s. */
static int first_timeout_s(const struct unlock_ctx *c, const struct luks_unlock_opts *o)
{
	return o->timeout_s > 0 ? o->timeout_s : c->src.cmdline.timeout_s ? c->src.cmdline.timeout_s :
	       c->src.file.timeout_s ? c->src.file.timeout_s : LUKS_TIMEOUT_DEFAULT;
}

int luks_unlock(const struct luks_unlock_opts *o)
{
	_cleanup_(ctx_free) struct unlock_ctx *c = calloc(1, sizeof(*c));
	long long start = mono_ms(), deadline;
	int r, max_timeout;
	size_t failed = 0;

	if (!c)
		return log_errno(-ENOMEM, "unlock: allocating");
	if ((r = luks_sources_load(&c->src)) < 0)
		return r;
	if (c->src.cmdline.enabled == 0)
		return log_fail(-ENOENT, "unlock: disabled by rd.tdx_unlock=0 on the kernel command line");
	if (c->src.cmdline.debug == 1 || (c->src.cmdline.debug == LUKS_UNSET && c->src.file.debug == 1))
		log_set_level(LOG_LVL_DEBUG);
	max_timeout = first_timeout_s(c, o);
	if (o->all && c->src.cmdline.n_luks_uuids) {
		/* In the initrd the helper starts with the network, not with the disks it opens. */
		if ((r = attest_early(c, o)) < 0)
			return r;
		if (c->early_tried)
			max_timeout = c->early.timeout_s;
		luks_wait_uuids(c->src.cmdline.luks_uuids, c->src.cmdline.n_luks_uuids, start + 1000LL * max_timeout);
	}
	if (!c->collected && (r = collect(c, o)) < 0)
		return r;
	for (size_t g = 0; g < c->n_groups; g++)
		if (c->groups[g].timeout_s > max_timeout)
			max_timeout = c->groups[g].timeout_s;
	if (!c->early_tried && c->n_targets && (r = luks_td_probe(c->targets[0].set.tsm_dir)) < 0)
		return r;
	deadline = start + 1000LL * max_timeout;
	for (size_t g = 0; g < c->n_groups; g++) {
		bool pending = false;

		for (size_t i = 0; i < c->n_targets; i++)
			if (c->targets[i].group == g && !c->devs[c->targets[i].dev].done)
				pending = true;
		if (pending)
			run_group(c, g, o, deadline);
	}
	for (size_t i = 0; i < c->n_devs; i++)
		if (!c->devs[i].done) {
			failed++;
			if (!c->devs[i].reported)
				log_err("%s: not unlocked (see the lines above; the passphrase still works)", c->devs[i].path);
		}
	return failed ? -EPERM : 0;
}
