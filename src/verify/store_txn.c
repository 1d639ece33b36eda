/* SPDX-License-Identifier: Apache-2.0 */
/* Collateral store transactions (store_txn.h): flock'ed writers, a staging directory that
 * becomes the next generation (unchanged files hard-linked from the current one), the
 * `current` symlink swapped with rename(2), old generations pruned. */
#include "store_txn.h"
#include "verify_ctx.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEEP_OLD_GENERATIONS 2
#define DOC_MAX (4u << 20)

struct vf_store_txn {
	struct vf_ctx *ctx;
	char store[PATH_MAX - 64];
	char cur[PATH_MAX];   /* current generation path, "" when none */
	char stage[PATH_MAX]; /* staging directory, "" until the first accepted document */
	int lock_fd;
	int64_t at;
	unsigned staged;
};

static int path_join(char *out, size_t len, const char *a, const char *b)
{
	return (size_t)snprintf(out, len, "%s/%s", a, b) >= len ? -ENAMETOOLONG : 0;
}

static void remove_tree(const char *dir);

/* Under the lock no other writer runs: a staging directory left is a crashed writer's. */
static void remove_stale_staging(const char *store)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(store);

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, ".staging-", 9) == 0 && path_join(path, sizeof(path), store, e->d_name) == 0)
			remove_tree(path);
	closedir(d);
}

int vf_store_begin(struct vf_ctx *ctx, const char *store, int64_t at, struct vf_store_txn **out)
{
	struct vf_store_txn *t = calloc(1, sizeof(*t));
	char path[PATH_MAX];
	int r;

	if (!t)
		return -ENOMEM;
	t->ctx = ctx;
	t->at = at;
	t->lock_fd = -1;
	if ((size_t)snprintf(t->store, sizeof(t->store), "%s", store) >= sizeof(t->store)) {
		free(t);
		return log_fail(-ENAMETOOLONG, "collateral store path %s too long", store);
	}
	if (mkdir(store, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		free(t);
		return log_errno(r, "cannot create collateral store %s", store);
	}
	snprintf(path, sizeof(path), "%s/.lock", store);
	t->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (t->lock_fd < 0 || flock(t->lock_fd, LOCK_EX) < 0) {
		r = -errno;
		if (t->lock_fd >= 0)
			close(t->lock_fd);
		free(t);
		return log_errno(r, "cannot lock collateral store %s (%s)", store, path);
	}
	remove_stale_staging(store);
	r = vf_store_resolve(store, t->cur, sizeof(t->cur));
	if (r == -ENOENT) {
		t->cur[0] = '\0';
	} else if (r < 0) {
		vf_store_abort(t);
		return log_errno(r, "collateral store %s: cannot resolve current generation", store);
	}
	*out = t;
	return 0;
}

static int read_installed(const struct vf_store_txn *t, const char *name, uint8_t **buf, size_t *len)
{
	char path[PATH_MAX];

	/* a document staged earlier in this transaction counts as installed */
	if (t->stage[0] && path_join(path, sizeof(path), t->stage, name) == 0 &&
	    file_read_all(path, DOC_MAX, buf, len) == 0)
		return 0;
	if (!t->cur[0] || path_join(path, sizeof(path), t->cur, name) < 0)
		return -ENOENT;
	return file_read_all(path, DOC_MAX, buf, len);
}

static int stage_dir(struct vf_store_txn *t)
{
	if (t->stage[0])
		return 0;
	snprintf(t->stage, sizeof(t->stage), "%s/.staging-%ld", t->store, (long)getpid());
	if (mkdir(t->stage, 0755) < 0 && errno != EEXIST) {
		int r = -errno;

		t->stage[0] = '\0';
		return log_errno(r, "cannot create %s/.staging-*", t->store);
	}
	return 0;
}

static int write_doc(struct vf_store_txn *t, const char *name, const uint8_t *buf, size_t len)
{
	char path[PATH_MAX];
	int r = path_join(path, sizeof(path), t->stage, name);

	if (r == 0)
		r = file_write_all(path, buf, len, 0644);
	return r < 0 ? log_errno(r, "cannot write %s", path) : 0;
}

/* -ESTALE when the candidate would roll the installed one back; 1 when it is no newer. */
static int compare(const struct vf_doc *d, const struct vf_doc_summary *cand, const uint8_t *old,
		   size_t old_len, char *why, size_t wl)
{
	struct vf_doc_summary inst;

	if (vf_doc_summarize(d->kind, old, old_len, &inst) < 0)
		return 0; /* unreadable installed copy: replace it */
	if (cand->eval_num < inst.eval_num) {
		snprintf(why, wl, "tcbEvaluationDataNumber %d is lower than the installed %d",
			 cand->eval_num, inst.eval_num);
		return -ESTALE;
	}
	if (cand->eval_num > inst.eval_num)
		return 0;
	if (cand->issued < inst.issued) {
		snprintf(why, wl, "%s is older than the installed document's",
			 d->kind == VF_DOC_PCK_CRL || d->kind == VF_DOC_ROOT_CRL ? "thisUpdate" : "issueDate");
		return -ESTALE;
	}
	return cand->issued == inst.issued ? 1 : 0;
}

int vf_store_put(struct vf_store_txn *t, const struct vf_doc *d, char *why, size_t wl)
{
	_cleanup_free_ uint8_t *der = NULL, *old = NULL;
	char body_name[96], chain_name[96];
	struct vf_doc_summary s;
	size_t der_len, old_len;
	int r;

	r = vf_doc_check(t->ctx, d, t->at, &s, &der, &der_len, why, wl);
	if (r < 0)
		return r;
	vf_doc_names(d, body_name, chain_name, sizeof(body_name));
	if (read_installed(t, body_name, &old, &old_len) == 0) {
		r = compare(d, &s, old, old_len, why, wl);
		if (r != 0)
			return r < 0 ? r : VF_PUT_UNCHANGED;
	}
	r = stage_dir(t);
	if (r == 0)
		r = der ? write_doc(t, body_name, der, der_len) : write_doc(t, body_name, d->body, d->body_len);
	if (r == 0 && chain_name[0])
		r = write_doc(t, chain_name, (const uint8_t *)d->chain, d->chain_len);
	if (r < 0)
		return r;
	t->staged++;
	return VF_PUT_INSTALLED;
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && path_join(path, sizeof(path), dir, e->d_name) == 0)
			unlink(path);
	closedir(d);
	rmdir(dir);
}

/* Unchanged files of the current generation are hard-linked into the staging directory. */
static int link_unchanged(struct vf_store_txn *t)
{
	char from[PATH_MAX], to[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (!t->cur[0])
		return 0;
	d = opendir(t->cur);
	if (!d)
		return log_errno(-errno, "cannot read collateral generation %s", t->cur);
	while (r == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (path_join(from, sizeof(from), t->cur, e->d_name) < 0 ||
		    path_join(to, sizeof(to), t->stage, e->d_name) < 0)
			continue;
		if (link(from, to) < 0 && errno != EEXIST)
			r = log_errno(-errno, "cannot link %s into the new generation", from);
	}
	closedir(d);
	return r;
}

/* Generation numbers present; *max receives the highest (0 when none). */
static void scan_generations(const char *store, unsigned long *max, unsigned long *gens, size_t *n, size_t cap)
{
	DIR *d = opendir(store);
	struct dirent *e;

	*max = 0;
	*n = 0;
	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		unsigned long g;

		if (strncmp(e->d_name, "gen-", 4) != 0)
			continue;
		g = strtoul(e->d_name + 4, &end, 10);
		if (*end)
			continue;
		if (g > *max)
			*max = g;
		if (*n < cap)
			gens[(*n)++] = g;
	}
	closedir(d);
}

static void prune(const char *store, unsigned long newest)
{
	unsigned long gens[256];
	char path[PATH_MAX];
	unsigned long max;
	size_t n;

	scan_generations(store, &max, gens, &n, 256);
	for (size_t i = 0; i < n; i++)
		if (gens[i] + KEEP_OLD_GENERATIONS < newest) {
			snprintf(path, sizeof(path), "%s/gen-%06lu", store, gens[i]);
			remove_tree(path);
		}
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int publish(struct vf_store_txn *t)
{
	char gen_name[32], gen[PATH_MAX], tmp_link[PATH_MAX], cur_link[PATH_MAX];
	unsigned long max, gens[1];
	size_t n;
	int r;

	r = link_unchanged(t);
	if (r < 0)
		return r;
	fsync_path(t->stage);
	scan_generations(t->store, &max, gens, &n, 0);
	snprintf(gen_name, sizeof(gen_name), "gen-%06lu", max + 1);
	snprintf(gen, sizeof(gen), "%s/%s", t->store, gen_name);
	snprintf(tmp_link, sizeof(tmp_link), "%s/.current.tmp", t->store);
	snprintf(cur_link, sizeof(cur_link), "%s/" VF_STORE_CURRENT, t->store);
	if (rename(t->stage, gen) < 0)
		return log_errno(-errno, "cannot rename %s to %s", t->stage, gen);
	t->stage[0] = '\0';
	unlink(tmp_link);
	if (symlink(gen_name, tmp_link) < 0 || rename(tmp_link, cur_link) < 0) {
		r = log_errno(-errno, "cannot point %s at %s", cur_link, gen_name);
		remove_tree(gen);
		return r;
	}
	fsync_path(t->store);
	prune(t->store, max + 1);
	return 0;
}

int vf_store_commit(struct vf_store_txn *t)
{
	int r = 0;

	if (t->staged)
		r = publish(t);
	vf_store_abort(t);
	return r;
}

void vf_store_abort(struct vf_store_txn *t)
{
	if (!t)
		return;
	if (t->stage[0])
		remove_tree(t->stage);
	if (t->lock_fd >= 0)
		close(t->lock_fd);
	free(t);
}
