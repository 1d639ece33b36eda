/* SPDX-License-Identifier: Apache-2.0 */
#include "sim_pcs_fault.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FAULT_FILE_MAX (64u * 1024)

struct sim_pcs_faults {
	pthread_mutex_t lock;
	struct sim_pcs_fault fixed[SIM_PCS_MAX_FAULTS];
	size_t n_fixed;
	const char *file;
	struct sim_pcs_fault loaded[SIM_PCS_MAX_FAULTS];
	size_t n_loaded;
	struct stat seen;      /* of the file when last read (st_ino 0: absent / never read) */
	bool force;
};

static int parse_uint(const char *s, size_t len, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (len == 0 || len > 9)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int parse_kind(const char *k, size_t len, const char *arg, size_t arg_len,
		      struct sim_pcs_fault *f)
{
	static const struct { const char *name; enum sim_pcs_fault_kind kind; unsigned def; } kinds[] = {
		{ "bad-sig", SIM_FAULT_BAD_SIG, 0 }, { "old", SIM_FAULT_OLD, 0 },
		{ "old-eval", SIM_FAULT_OLD, 0 }, { "status", SIM_FAULT_STATUS, 500 },
		{ "429", SIM_FAULT_429, 1 }, { "truncate", SIM_FAULT_TRUNCATE, 0 },
		{ "short", SIM_FAULT_SHORT, 0 }, { "slow", SIM_FAULT_SLOW, 3000 },
		{ "bad-chain", SIM_FAULT_BAD_CHAIN, 0 }, { "no-chain", SIM_FAULT_NO_CHAIN, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (strlen(kinds[i].name) != len || strncmp(kinds[i].name, k, len) != 0)
			continue;
		f->kind = kinds[i].kind;
		f->arg = kinds[i].def;
		if (!arg)
			return 0;
		if (f->kind == SIM_FAULT_STATUS)
			return parse_uint(arg, arg_len, 599, &f->arg) < 0 || f->arg < 400 ? -EINVAL : 0;
		if (f->kind == SIM_FAULT_429 || f->kind == SIM_FAULT_SLOW)
			return parse_uint(arg, arg_len, f->kind == SIM_FAULT_SLOW ? 600000 : 86400, &f->arg);
		return -EINVAL;
	}
	/* a bare status code: 500, 503, 404 ... */
	if (!arg && parse_uint(k, len, 599, &f->arg) == 0 && f->arg >= 400 && len == 3) {
		f->kind = f->arg == 429 ? SIM_FAULT_429 : SIM_FAULT_STATUS;
		if (f->kind == SIM_FAULT_429)
			f->arg = 1;
		return 0;
	}
	return -EINVAL;
}

int sim_pcs_fault_parse(const char *spec, struct sim_pcs_fault *out)
{
	const char *at = strchr(spec, '@'), *hash = strrchr(spec, '#');
	const char *end_kind, *colon;
	size_t match_len;

	memset(out, 0, sizeof(*out));
	if (hash && at && hash < at)
		hash = NULL;
	end_kind = at ? at : hash ? hash : spec + strlen(spec);
	colon = memchr(spec, ':', (size_t)(end_kind - spec));
	if (parse_kind(spec, (size_t)((colon ? colon : end_kind) - spec), colon ? colon + 1 : NULL,
		       colon ? (size_t)(end_kind - colon - 1) : 0, out) < 0)
		goto bad;
	if (hash && parse_uint(hash + 1, strlen(hash + 1), 1000000, &out->count) < 0)
		goto bad;
	if (at) {
		match_len = (size_t)((hash ? hash : spec + strlen(spec)) - at - 1);
		if (match_len == 0 || match_len >= sizeof(out->match))
			goto bad;
		memcpy(out->match, at + 1, match_len);
	}
	return 0;
bad:
	return log_errno(-EINVAL, "fault '%s': expected KIND[:ARG][@MATCH][#COUNT] with KIND bad-sig, old, "
			 "500 (or another status), 429[:SECONDS], truncate, short, slow[:MS], bad-chain, no-chain",
			 spec);
}

int sim_pcs_faults_new(const struct sim_pcs_fault *fixed, size_t n, const char *file,
		       struct sim_pcs_faults **out)
{
	struct sim_pcs_faults *f;

	if (n > SIM_PCS_MAX_FAULTS)
		return log_errno(-E2BIG, "at most %d --fault options", SIM_PCS_MAX_FAULTS);
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	pthread_mutex_init(&f->lock, NULL);
	if (n)
		memcpy(f->fixed, fixed, n * sizeof(*fixed));
	f->n_fixed = n;
	f->file = file;
	*out = f;
	return 0;
}

void sim_pcs_faults_free(struct sim_pcs_faults *f)
{
	if (!f)
		return;
	pthread_mutex_destroy(&f->lock);
	free(f);
}

void sim_pcs_faults_reload(struct sim_pcs_faults *f)
{
	pthread_mutex_lock(&f->lock);
	f->force = true;
	for (size_t i = 0; i < f->n_fixed; i++)
		f->fixed[i].used = 0;
	pthread_mutex_unlock(&f->lock);
}

/* Re-reads the fault file when it changed (called with the lock held). A bad line keeps
 * the previous set and is logged, so a test sees its typo. */
static void refresh(struct sim_pcs_faults *f)
{
	_cleanup_free_ uint8_t *text = NULL;
	struct sim_pcs_fault next[SIM_PCS_MAX_FAULTS];
	struct stat st = { 0 };
	size_t n = 0, len;
	char *save = NULL;

	if (!f->file)
		return;
	if (stat(f->file, &st) < 0)
		memset(&st, 0, sizeof(st));
	if (!f->force && st.st_ino == f->seen.st_ino && st.st_mtim.tv_sec == f->seen.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == f->seen.st_mtim.tv_nsec && st.st_size == f->seen.st_size)
		return;
	f->force = false;
	f->seen = st;
	if (st.st_ino == 0) {
		f->n_loaded = 0;
		return;
	}
	if (file_read_all(f->file, FAULT_FILE_MAX, &text, &len) < 0) {
		log_err("pcs: cannot read the fault file %s: keeping the previous faults", f->file);
		return;
	}
	for (char *line = strtok_r((char *)text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "\r")] = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		if (n == SIM_PCS_MAX_FAULTS || sim_pcs_fault_parse(line, &next[n]) < 0) {
			log_err("pcs: %s: bad or too many faults: keeping the previous ones", f->file);
			return;
		}
		n++;
	}
	memcpy(f->loaded, next, n * sizeof(*next));
	f->n_loaded = n;
	log_info("pcs: %zu fault(s) from %s", n, f->file);
}

static void apply(struct sim_pcs_fault *ft, const char *request, struct sim_pcs_faults_hit *hit)
{
	if (ft->match[0] && !strstr(request, ft->match))
		return;
	if (ft->count && ft->used >= ft->count)
		return;
	ft->used++;
	switch (ft->kind) {
	case SIM_FAULT_BAD_SIG: hit->bad_sig = true; break;
	case SIM_FAULT_OLD: hit->old = true; break;
	case SIM_FAULT_STATUS: if (!hit->status) hit->status = ft->arg; break;
	case SIM_FAULT_429:
		if (!hit->status) {
			hit->status = 429;
			hit->retry_after = ft->arg;
		}
		break;
	case SIM_FAULT_TRUNCATE: hit->truncate = true; break;
	case SIM_FAULT_SHORT: hit->short_body = true; break;
	case SIM_FAULT_SLOW: hit->delay_ms += ft->arg; break;
	case SIM_FAULT_BAD_CHAIN: hit->bad_chain = true; break;
	case SIM_FAULT_NO_CHAIN: hit->no_chain = true; break;
	}
}

void sim_pcs_faults_match(struct sim_pcs_faults *f, const char *request, struct sim_pcs_faults_hit *hit)
{
	memset(hit, 0, sizeof(*hit));
	pthread_mutex_lock(&f->lock);
	refresh(f);
	for (size_t i = 0; i < f->n_fixed; i++)
		apply(&f->fixed[i], request, hit);
	for (size_t i = 0; i < f->n_loaded; i++)
		apply(&f->loaded[i], request, hit);
	pthread_mutex_unlock(&f->lock);
}
