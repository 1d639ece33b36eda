/* SPDX-License-Identifier: Apache-2.0 */
/* Boot-component policy (boot_policy.h). Soundness rests on two facts: the RTMRs bind the
 * sequence of event digests (the log replayed to the quote before any of this runs), and
 * the firmware measures the kernel before the kernel runs. So a layout that accounts for
 * every RTMR1/RTMR2 event in order, with the kernel at the position only the firmware
 * writes, cannot be satisfied by a kernel that is not allowed, whatever it appends. Event
 * types and data are not bound and are used for messages only. */
#include "boot_policy.h"
#include "boot_facts.h"
#include "sha384.h"
#include "../common/hex.h"
#include "../tdx/eventlog.h"
#include "../tdx/eventlog_decode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 256
#define MAX_LAYOUTS 16
#define CMDLINE_MAX 4096

enum slot_kind { SLOT_DIGEST, SLOT_KERNEL, SLOT_INITRD, SLOT_CMDLINE };
static const char *const slot_names[] = { [SLOT_DIGEST] = "event", [SLOT_KERNEL] = "kernel",
					  [SLOT_INITRD] = "initrd", [SLOT_CMDLINE] = "cmdline" };

struct digests {
	bool present;
	unsigned n;
	uint8_t (*v)[TDX_MR_LEN];
};

struct slot {
	uint8_t kind;
	uint8_t digest[TDX_MR_LEN];
};

struct layout {
	unsigned n[2];     /* [0] RTMR1, [1] RTMR2 */
	struct slot *s[2];
};

struct vf_boot_policy {
	struct digests kernel, initrd, cmdline; /* cmdline: every encoding of every string + cmdline_digest */
	bool rtmr1_pinned;
	unsigned n_layouts;
	struct layout layouts[MAX_LAYOUTS];
	bool explicit_layouts;
};

void vf_boot_policy_free(struct vf_boot_policy *bp)
{
	if (!bp)
		return;
	free(bp->kernel.v);
	free(bp->initrd.v);
	free(bp->cmdline.v);
	for (unsigned i = 0; i < bp->n_layouts; i++)
		free(bp->layouts[i].s[0]), free(bp->layouts[i].s[1]);
	free(bp);
}

static int add_digest(struct digests *d, const uint8_t v[TDX_MR_LEN])
{
	uint8_t (*nv)[TDX_MR_LEN];

	if (d->n >= 4 * MAX_VALUES)
		return -E2BIG;
	nv = realloc(d->v, (d->n + 1) * sizeof(*d->v));
	if (!nv)
		return -ENOMEM;
	d->v = nv;
	memcpy(d->v[d->n++], v, TDX_MR_LEN);
	d->present = true;
	return 0;
}

static bool has_digest(const struct digests *d, const uint8_t v[TDX_MR_LEN])
{
	for (unsigned i = 0; i < d->n; i++)
		if (memcmp(d->v[i], v, TDX_MR_LEN) == 0)
			return true;
	return false;
}

static bool hex48(json_object *s, uint8_t out[TDX_MR_LEN])
{
	return json_object_is_type(s, json_type_string) && json_object_get_string_len(s) == 2 * TDX_MR_LEN &&
	       hex_decode(json_object_get_string(s), out, TDX_MR_LEN) == TDX_MR_LEN;
}

static int parse_digests(struct digests *d, const char *key, json_object *v, char *err, size_t elen)
{
	uint8_t md[TDX_MR_LEN];
	int r;

	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) > MAX_VALUES)
		return vf_perr(err, elen, "policy key \"%s\": expected an array of at most %d hex strings", key, MAX_VALUES);
	d->present = true;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		if (!hex48(json_object_array_get_idx(v, i), md))
			return vf_perr(err, elen, "policy key \"%s\"[%zu]: expected 96 hex digits (SHA-384)", key, i);
		if ((r = add_digest(d, md)) < 0)
			return r;
	}
	return 0;
}

/* A command line as the boot measures it (measured-boot.md §4.2, §5.2-§5.3): the EFI stub
 * hashes LoadOptions as UTF-16LE with the NUL (OVMF direct boot) or without it (grub);
 * grub's kernel_cmdline event hashes the ASCII text. The event type does not say which (it
 * is not measured), so all three are accepted at a cmdline position; the only other reading
 * of those bytes is LoadOptions holding the ASCII bytes, i.e. a command line of CJK
 * characters the kernel does not understand, not a way to pass other parameters. */
static int add_cmdline(struct digests *d, const char *s, size_t n)
{
	uint8_t *u16 = calloc(n + 1, 2), md[TDX_MR_LEN];
	int r;

	if (!u16)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		u16[2 * i] = (uint8_t)s[i];
	r = vf_sha384(s, n, NULL, 0, md);
	if (r == 0)
		r = add_digest(d, md);
	if (r == 0)
		r = vf_sha384(u16, 2 * n, NULL, 0, md);
	if (r == 0)
		r = add_digest(d, md);
	if (r == 0)
		r = vf_sha384(u16, 2 * n + 2, NULL, 0, md);
	if (r == 0)
		r = add_digest(d, md);
	free(u16);
	return r;
}

static int parse_cmdlines(struct digests *d, json_object *v, char *err, size_t elen)
{
	int r;

	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) > MAX_VALUES)
		return vf_perr(err, elen, "policy key \"cmdline\": expected an array of at most %d strings", MAX_VALUES);
	d->present = true;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *s = json_object_array_get_idx(v, i);
		const char *t = json_object_get_string(s);
		size_t n = (size_t)json_object_get_string_len(s);

		if (!json_object_is_type(s, json_type_string) || n > CMDLINE_MAX)
			return vf_perr(err, elen, "policy key \"cmdline\"[%zu]: expected a string of at most %d characters",
				       i, CMDLINE_MAX);
		for (size_t j = 0; j < n; j++)
			if (t[j] < 0x20 || t[j] > 0x7e)
				return vf_perr(err, elen, "policy key \"cmdline\"[%zu]: printable ASCII only (character %zu)", i, j);
		if ((r = add_cmdline(d, t, n)) < 0)
			return r;
	}
	return 0;
}

static int parse_slots(struct layout *l, int k, json_object *v, size_t li, char *err, size_t elen)
{
	size_t n;

	if (!v || !json_object_is_type(v, json_type_array) || (n = json_object_array_length(v)) > VF_BOOT_EVENTS_MAX)
		return vf_perr(err, elen, "policy key \"boot_events\"[%zu].rtmr%d: expected an array of at most %d entries "
			       "(\"kernel\", \"initrd\", \"cmdline\" or 96 hex digits)", li, k + 1, VF_BOOT_EVENTS_MAX);
	l->s[k] = calloc(n ? n : 1, sizeof(*l->s[k]));
	if (!l->s[k])
		return -ENOMEM;
	l->n[k] = (unsigned)n;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		const char *s = json_object_get_string(e);
		struct slot *sl = &l->s[k][i];

		if (json_object_is_type(e, json_type_string) && !strcmp(s, "kernel"))
			sl->kind = SLOT_KERNEL;
		else if (json_object_is_type(e, json_type_string) && !strcmp(s, "initrd"))
			sl->kind = SLOT_INITRD;
		else if (json_object_is_type(e, json_type_string) && !strcmp(s, "cmdline"))
			sl->kind = SLOT_CMDLINE;
		else if (!hex48(e, sl->digest))
			return vf_perr(err, elen, "policy key \"boot_events\"[%zu].rtmr%d[%zu]: expected \"kernel\", "
				       "\"initrd\", \"cmdline\" or 96 hex digits", li, k + 1, i);
	}
	return 0;
}

static int parse_layouts(struct vf_boot_policy *bp, json_object *v, char *err, size_t elen)
{
	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0 ||
	    json_object_array_length(v) > MAX_LAYOUTS)
		return vf_perr(err, elen, "policy key \"boot_events\": expected an array of 1..%d objects "
			       "{\"rtmr1\": [...], \"rtmr2\": [...]}", MAX_LAYOUTS);
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *o = json_object_array_get_idx(v, i), *r1 = NULL, *r2 = NULL;
		int r;

		if (!json_object_is_type(o, json_type_object) || json_object_object_length(o) != 2 ||
		    !json_object_object_get_ex(o, "rtmr1", &r1) || !json_object_object_get_ex(o, "rtmr2", &r2))
			return vf_perr(err, elen, "policy key \"boot_events\"[%zu]: expected exactly {\"rtmr1\": [...], "
				       "\"rtmr2\": [...]}", i);
		bp->n_layouts++;
		if ((r = parse_slots(&bp->layouts[i], 0, r1, i, err, elen)) < 0 ||
		    (r = parse_slots(&bp->layouts[i], 1, r2, i, err, elen)) < 0)
			return r;
	}
	bp->explicit_layouts = true;
	return 0;
}

int vf_boot_policy_member(struct vf_boot_policy **bpp, const char *key, json_object *v, char *err, size_t elen)
{
	struct vf_boot_policy *bp = *bpp;
	int r;

	if (strcmp(key, "kernel") && strcmp(key, "initrd") && strcmp(key, "cmdline") &&
	    strcmp(key, "cmdline_digest") && strcmp(key, "boot_events"))
		return 0;
	if (!bp && !(bp = *bpp = calloc(1, sizeof(*bp))))
		return -ENOMEM;
	if (!strcmp(key, "kernel"))
		r = parse_digests(&bp->kernel, key, v, err, elen);
	else if (!strcmp(key, "initrd"))
		r = parse_digests(&bp->initrd, key, v, err, elen);
	else if (!strcmp(key, "cmdline_digest"))
		r = parse_digests(&bp->cmdline, key, v, err, elen);
	else if (!strcmp(key, "cmdline"))
		r = parse_cmdlines(&bp->cmdline, v, err, elen);
	else
		r = parse_layouts(bp, v, err, elen);
	if (r == -E2BIG)
		r = vf_perr(err, elen, "policy key \"%s\": too many values", key);
	return r < 0 ? r : 1;
}

/* QEMU direct boot under TDVF (measured-boot.md §3.2, §4): RTMR1 = kernel, "Calling EFI
 * Application from Boot Option", [separator: edk2 >= stable202411], "Exit Boot Services
 * Invocation", "Exit Boot Services Returned with Success"; RTMR2 = the stub's command line
 * and initrd, each only when the policy names it. */
static int default_layouts(struct vf_boot_policy *bp)
{
	static const char *const actions[] = { "Calling EFI Application from Boot Option",
					       "Exit Boot Services Invocation",
					       "Exit Boot Services Returned with Success" };
	uint8_t md[3][TDX_MR_LEN], sep[TDX_MR_LEN];
	static const uint8_t zero4[4];
	int r = vf_sha384(zero4, 4, NULL, 0, sep);

	for (int i = 0; r == 0 && i < 3; i++)
		r = vf_sha384(actions[i], strlen(actions[i]), NULL, 0, md[i]);
	if (r < 0)
		return r;
	for (int v = 0; v < 2; v++) {
		struct layout *l = &bp->layouts[bp->n_layouts++];
		unsigned n = 0;

		l->s[0] = calloc(5, sizeof(struct slot));
		l->s[1] = calloc(2, sizeof(struct slot));
		if (!l->s[0] || !l->s[1])
			return -ENOMEM;
		l->s[0][n++].kind = SLOT_KERNEL;
		memcpy(l->s[0][n++].digest, md[0], TDX_MR_LEN);
		if (v == 0)
			memcpy(l->s[0][n++].digest, sep, TDX_MR_LEN);
		memcpy(l->s[0][n++].digest, md[1], TDX_MR_LEN);
		memcpy(l->s[0][n++].digest, md[2], TDX_MR_LEN);
		l->n[0] = n;
		n = 0;
		if (bp->cmdline.present)
			l->s[1][n++].kind = SLOT_CMDLINE;
		if (bp->initrd.present)
			l->s[1][n++].kind = SLOT_INITRD;
		l->n[1] = n;
	}
	return 0;
}

int vf_boot_policy_finish(struct vf_boot_policy *bp, bool rtmr1_pinned, char *err, size_t elen)
{
	const struct digests *member[4];

	if (!bp)
		return 0;
	member[SLOT_KERNEL] = &bp->kernel;
	member[SLOT_INITRD] = &bp->initrd;
	member[SLOT_CMDLINE] = &bp->cmdline;
	bp->rtmr1_pinned = rtmr1_pinned;
	if (!bp->explicit_layouts) {
		/* The stub measures command line and initrd: without the kernel they prove nothing. */
		if (!bp->kernel.present && !rtmr1_pinned)
			return vf_perr(err, elen, "policy: \"initrd\" and \"cmdline\" are measured by the kernel itself; "
				       "name the kernel too (\"kernel\", or \"boot_events\" from a reference log)");
		return default_layouts(bp);
	}
	for (unsigned i = 0; i < bp->n_layouts; i++)
		for (int k = 0; k < 2; k++)
			for (unsigned j = 0; j < bp->layouts[i].n[k]; j++) {
				uint8_t kind = bp->layouts[i].s[k][j].kind;

				/* a kernel in RTMR1 is pinned by rtmr1 too; in RTMR2 (grub, UKI) it is not */
				if (kind != SLOT_DIGEST && !member[kind]->present &&
				    !(kind == SLOT_KERNEL && k == 0 && rtmr1_pinned))
					return vf_perr(err, elen, "policy key \"boot_events\"[%u].rtmr%d names \"%s\" but the "
						       "policy has no \"%s\" list", i, k + 1, slot_names[kind],
						       kind == SLOT_CMDLINE ? "cmdline\" or \"cmdline_digest" : slot_names[kind]);
			}
	return 0;
}

static void describe(const struct vf_boot_event *e, char *buf, size_t len)
{
	const char *t = ccel_type_name(e->type);
	char hex[2 * TDX_MR_LEN + 1];

	hex_encode(e->digest, TDX_MR_LEN, hex);
	snprintf(buf, len, "%s %s, digest %s", t ? t : "event", ccel_kind_name((enum ccel_kind)e->kind), hex);
}

/* Matches the facts against one layout. Returns the number of events accounted for before
 * the first problem (reason says it), or -1 when everything is accounted for. */
static int match_layout(const struct vf_boot_policy *bp, const struct layout *l, const struct vf_boot_facts *f,
			char *reason, size_t len)
{
	unsigned idx[2] = { 0, 0 };
	char hex[2 * TDX_MR_LEN + 1], what[160];
	int matched = 0;

	for (unsigned i = 0; i < f->n; i++) {
		const struct vf_boot_event *e = &f->ev[i];
		int k = e->rtmr - 1;
		const struct slot *s;

		if (k < 0 || k > 1)
			continue;
		hex_encode(e->digest, TDX_MR_LEN, hex);
		if (idx[k] >= l->n[k]) {
			describe(e, what, sizeof(what));
			snprintf(reason, len, "RTMR%d event %u (%s) is not accounted for by the policy: the boot it "
				 "allows has %u event%s there", k + 1, idx[k], what, l->n[k], l->n[k] == 1 ? "" : "s");
			return matched;
		}
		s = &l->s[k][idx[k]];
		switch (s->kind) {
		case SLOT_KERNEL:
			if (!has_digest(&bp->kernel, e->digest) && !(!bp->kernel.present && k == 0 && bp->rtmr1_pinned)) {
				snprintf(reason, len, "kernel %s not allowed", hex);
				return matched;
			}
			break;
		case SLOT_INITRD:
			if (!has_digest(&bp->initrd, e->digest)) {
				snprintf(reason, len, "initrd %s not allowed", hex);
				return matched;
			}
			break;
		case SLOT_CMDLINE:
			if (!has_digest(&bp->cmdline, e->digest)) {
				bool cut = false;
				const char *text = vf_boot_facts_grub_text(f, e, &cut);

				if (text) /* long ones cut so that the verdict stays in the line */
					snprintf(reason, len, "cmdline \"%.200s%s\" not allowed", text,
						 cut || strlen(text) > 200 ? "..." : "");
				else
					snprintf(reason, len, "cmdline not allowed: the measured command line (SHA-384 %s; "
						 "the EFI stub logs no text) is none of the policy's", hex);
				return matched;
			}
			break;
		default:
			if (memcmp(s->digest, e->digest, TDX_MR_LEN) != 0) {
				describe(e, what, sizeof(what));
				snprintf(reason, len, "RTMR%d event %u (%s) is not the policy's (boot_events): another "
					 "firmware, boot loader or boot path", k + 1, idx[k], what);
				return matched;
			}
		}
		idx[k]++;
		matched++;
	}
	for (int k = 0; k < 2; k++)
		if (idx[k] < l->n[k]) {
			snprintf(reason, len, "RTMR%d ends after %u event%s; the policy expects %s next "
				 "(not measured: a kernel without TDX measurement support, or another boot path)",
				 k + 1, idx[k], idx[k] == 1 ? "" : "s", slot_names[l->s[k][idx[k]].kind]);
			return matched;
		}
	return -1;
}

bool vf_boot_policy_eval(const struct vf_boot_policy *bp, const struct vf_boot_facts *f, char *reason, size_t len)
{
	char why[320];
	int best = -2;

	if (!bp)
		return true;
	if (!f->present) {
		snprintf(reason, len, "no event log: the policy names boot components (kernel, initrd, cmdline, "
			 "boot_events) and the TD sent no cc_eventlog that replays");
		return false;
	}
	if (f->overflow) {
		snprintf(reason, len, "the event log has more than %d RTMR1/RTMR2 events: too many to check",
			 VF_BOOT_EVENTS_MAX);
		return false;
	}
	/* Any layout may account for the boot; a denial explains the closest one. */
	for (unsigned i = 0; i < bp->n_layouts; i++) {
		int m = match_layout(bp, &bp->layouts[i], f, why, sizeof(why));

		if (m < 0) {
			if (len)
				reason[0] = '\0';
			return true;
		}
		if (m > best) {
			best = m;
			snprintf(reason, len, "%s", why);
		}
	}
	return false;
}
