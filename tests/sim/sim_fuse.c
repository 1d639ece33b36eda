/* SPDX-License-Identifier: Apache-2.0 */
#define FUSE_USE_VERSION 312
#include "sim_fuse.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ENTRIES 64
#define INBLOB_MAX 64
#define PROVIDER "tdx_guest\n"

enum attr { A_NONE = -1, A_INBLOB, A_OUTBLOB, A_GENERATION, A_PROVIDER };
static const char *const attr_names[] = { "inblob", "outblob", "generation", "provider" };

struct entry {
	char name[NAME_MAX + 1];
	uint8_t inblob[INBLOB_MAX];
	size_t inblob_len;
	bool written;
	uint64_t write_gen, read_gen;
	uint8_t *quote; /* cached outblob for read_gen */
	size_t quote_len;
};

struct fs {
	pthread_mutex_t lock;
	const struct sim_fuse_config *cfg;
	struct entry *entries[MAX_ENTRIES];
	unsigned busy_left;
	bool race_pending;
	time_t started;
};

/* A parsed path: "/" (root), "/NAME" (entry) or "/NAME/ATTR". */
struct node {
	int depth;          /* 0, 1 or 2 */
	char name[NAME_MAX + 1];
	enum attr attr;
};

static struct fs *fs_get(void) { return fuse_get_context()->private_data; }

static int parse_path(const char *path, struct node *n)
{
	const char *slash;
	size_t len;

	memset(n, 0, sizeof(*n));
	n->attr = A_NONE;
	if (path[0] != '/')
		return -ENOENT;
	path++;
	if (!*path)
		return 0;
	slash = strchr(path, '/');
	len = slash ? (size_t)(slash - path) : strlen(path);
	if (len == 0 || len > NAME_MAX)
		return len ? -ENAMETOOLONG : -ENOENT;
	memcpy(n->name, path, len);
	n->depth = 1;
	if (!slash)
		return 0;
	for (size_t i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++)
		if (strcmp(slash + 1, attr_names[i]) == 0)
			n->attr = (enum attr)i;
	if (n->attr == A_NONE)
		return -ENOENT;
	n->depth = 2;
	return 0;
}

static struct entry **find(struct fs *fs, const char *name)
{
	for (size_t i = 0; i < MAX_ENTRIES; i++)
		if (fs->entries[i] && strcmp(fs->entries[i]->name, name) == 0)
			return &fs->entries[i];
	return NULL;
}

static void entry_free(struct entry *e)
{
	if (!e)
		return;
	free(e->quote);
	free(e);
}

/* Resolves path under the lock; *e is the entry for depth >= 1. */
static int lookup(struct fs *fs, const char *path, struct node *n, struct entry **e)
{
	struct entry **slot;
	int r = parse_path(path, n);

	*e = NULL;
	if (r < 0 || n->depth == 0)
		return r;
	slot = find(fs, n->name);
	if (!slot)
		return -ENOENT;
	*e = *slot;
	return 0;
}

static int sim_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	static const mode_t modes[] = { S_IFREG | 0200, S_IFREG | 0444, S_IFREG | 0444, S_IFREG | 0444 };
	struct fs *fs = fs_get();
	struct node n;
	struct entry *e;
	int r;

	(void)fi;
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&fs->lock);
	r = lookup(fs, path, &n, &e);
	pthread_mutex_unlock(&fs->lock);
	if (r < 0)
		return r;
	st->st_mode = n.depth < 2 ? S_IFDIR | 0755 : modes[n.attr];
	st->st_nlink = n.depth < 2 ? 2 : 1;
	/* configfs: binary attributes report 0 bytes, text attributes a page */
	st->st_size = n.attr == A_GENERATION || n.attr == A_PROVIDER ? 4096 : 0;
	st->st_mtime = st->st_atime = st->st_ctime = fs->started;
	return 0;
}

static int sim_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
		       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct fs *fs = fs_get();
	struct node n;
	struct entry *e;
	int r;

	(void)off; (void)fi; (void)flags;
	pthread_mutex_lock(&fs->lock);
	r = lookup(fs, path, &n, &e);
	if (r == 0 && n.depth == 2)
		r = -ENOTDIR;
	if (r == 0) {
		filler(buf, ".", NULL, 0, 0);
		filler(buf, "..", NULL, 0, 0);
		for (size_t i = 0; i < MAX_ENTRIES && n.depth == 0; i++)
			if (fs->entries[i])
				filler(buf, fs->entries[i]->name, NULL, 0, 0);
		for (size_t i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]) && n.depth == 1; i++)
			filler(buf, attr_names[i], NULL, 0, 0);
	}
	pthread_mutex_unlock(&fs->lock);
	return r;
}

static int sim_mkdir(const char *path, mode_t mode)
{
	struct fs *fs = fs_get();
	struct node n;
	struct entry **free_slot = NULL;
	int r = parse_path(path, &n);

	(void)mode;
	if (r < 0)
		return r;
	if (n.depth != 1)
		return n.depth == 0 ? -EEXIST : -EPERM;
	if (fs->cfg->no_provider)
		return -ENXIO;
	pthread_mutex_lock(&fs->lock);
	for (size_t i = 0; i < MAX_ENTRIES && !free_slot; i++)
		if (!fs->entries[i])
			free_slot = &fs->entries[i];
	if (find(fs, n.name))
		r = -EEXIST;
	else if (!free_slot)
		r = -ENOSPC;
	else if (!(*free_slot = calloc(1, sizeof(**free_slot))))
		r = -ENOMEM;
	else
		memcpy((*free_slot)->name, n.name, sizeof(n.name));
	pthread_mutex_unlock(&fs->lock);
	return r;
}

static int sim_rmdir(const char *path)
{
	struct fs *fs = fs_get();
	struct entry **slot;
	struct node n;
	int r = parse_path(path, &n);

	if (r < 0)
		return r;
	if (n.depth != 1)
		return n.depth == 0 ? -EBUSY : -ENOTDIR;
	pthread_mutex_lock(&fs->lock);
	slot = find(fs, n.name);
	if (slot) {
		entry_free(*slot);
		*slot = NULL;
	}
	pthread_mutex_unlock(&fs->lock);
	return slot ? 0 : -ENOENT;
}

static int sim_open(const char *path, struct fuse_file_info *fi)
{
	struct fs *fs = fs_get();
	int acc = fi->flags & O_ACCMODE;
	struct node n;
	struct entry *e;
	int r;

	pthread_mutex_lock(&fs->lock);
	r = lookup(fs, path, &n, &e);
	pthread_mutex_unlock(&fs->lock);
	if (r < 0)
		return r;
	if (n.depth < 2)
		return -EISDIR;
	if ((n.attr == A_INBLOB) != (acc == O_WRONLY))
		return -EACCES;
	fi->direct_io = 1; /* every read reaches us: generation and outblob change */
	return 0;
}

static int sim_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct node n;
	int r = parse_path(path, &n);

	(void)size; (void)fi;
	if (r < 0)
		return r;
	return n.depth == 2 && n.attr == A_INBLOB ? 0 : -EACCES; /* O_TRUNC of inblob: no-op */
}

static int sim_write(const char *path, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct fs *fs = fs_get();
	struct node n;
	struct entry *e;
	int r;

	(void)fi;
	pthread_mutex_lock(&fs->lock);
	r = lookup(fs, path, &n, &e);
	if (r == 0 && n.attr != A_INBLOB)
		r = -EACCES;
	else if (r == 0 && (off < 0 || (uint64_t)off + size > INBLOB_MAX))
		r = -EFBIG;
	if (r == 0) {
		memcpy(e->inblob + off, buf, size);
		e->inblob_len = (size_t)off + size;
		e->written = true;
		e->write_gen++;
	}
	pthread_mutex_unlock(&fs->lock);
	return r < 0 ? r : (int)size;
}

static int copy_out(char *buf, size_t size, off_t off, const void *data, size_t len)
{
	if (off < 0)
		return -EINVAL;
	if ((uint64_t)off >= len)
		return 0;
	if (size > len - (size_t)off)
		size = len - (size_t)off;
	memcpy(buf, (const uint8_t *)data + off, size);
	return (int)size;
}

/* outblob: the quote over inblob, generated lazily and cached per write generation. */
static int read_outblob(struct fs *fs, struct entry *e, char *buf, size_t size, off_t off)
{
	const struct sim_fuse_config *c = fs->cfg;
	int r;

	if (!e->written || e->inblob_len != INBLOB_MAX)
		return -EINVAL;
	if (off == 0 && fs->busy_left > 0) {
		fs->busy_left--;
		return -EBUSY;
	}
	if (!e->quote || e->read_gen != e->write_gen) {
		uint8_t *q;
		size_t len;

		r = sim_quote_build(c->pki, &c->td, e->inblob, c->version, c->corrupt, &q, &len);
		if (r < 0)
			return -EIO;
		free(e->quote);
		e->quote = q;
		e->quote_len = len;
		e->read_gen = e->write_gen;
	}
	if (fs->race_pending) {
		fs->race_pending = false;
		for (size_t i = 0; i < MAX_ENTRIES; i++)
			if (fs->entries[i])
				fs->entries[i]->write_gen++;
	}
	return copy_out(buf, size, off, e->quote, e->quote_len);
}

static int sim_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct fs *fs = fs_get();
	struct node n;
	struct entry *e;
	char text[32];
	int r;

	(void)fi;
	pthread_mutex_lock(&fs->lock);
	r = lookup(fs, path, &n, &e);
	if (r == 0) {
		switch (n.attr) {
		case A_OUTBLOB:
			r = read_outblob(fs, e, buf, size, off);
			break;
		case A_GENERATION:
			snprintf(text, sizeof(text), "%" PRIu64 "\n", e->write_gen);
			r = copy_out(buf, size, off, text, strlen(text));
			break;
		case A_PROVIDER:
			r = copy_out(buf, size, off, PROVIDER, strlen(PROVIDER));
			break;
		default:
			r = n.depth < 2 ? -EISDIR : -EACCES;
		}
	}
	pthread_mutex_unlock(&fs->lock);
	return r;
}

static void *sim_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->direct_io = 1;
	return fuse_get_context()->private_data;
}

static const struct fuse_operations ops = {
	.init = sim_init,
	.getattr = sim_getattr,
	.readdir = sim_readdir,
	.mkdir = sim_mkdir,
	.rmdir = sim_rmdir,
	.open = sim_open,
	.truncate = sim_truncate,
	.read = sim_read,
	.write = sim_write,
};

/* fuse_main() without its option parsing: mount, daemonise (the parent exits once the
 * mount is ready), serve multithreaded, unmount. A SIGTERM/SIGINT/SIGHUP exit is clean. */
static int serve(struct fs *fs, const struct sim_fuse_config *cfg)
{
	char *argv[] = { (char *)"tdx-sim", (char *)"-o", (char *)"fsname=tdx-sim,subtype=tsm", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct fuse_loop_config *loop = NULL;
	struct fuse *f;
	int r;

	f = fuse_new(&args, &ops, sizeof(ops), fs);
	fuse_opt_free_args(&args); /* fuse_new may have copied argv */
	if (!f)
		return log_errno(-EINVAL, "cannot create the FUSE file system");
	if (fuse_mount(f, cfg->mountpoint) != 0) {
		fuse_destroy(f);
		return log_errno(-EIO, "cannot mount on %s: check that it is an empty directory and "
				 "/dev/fuse is usable", cfg->mountpoint);
	}
	r = fuse_daemonize(cfg->foreground) == 0 ? 0 : -EIO;
	if (r == 0 && fuse_set_signal_handlers(fuse_get_session(f)) != 0)
		r = -EIO;
	if (r == 0) {
		loop = fuse_loop_cfg_create();
		if (!loop)
			r = -ENOMEM;
	}
	if (r == 0) {
		fuse_loop_cfg_set_max_threads(loop, 16);
		r = fuse_loop_mt(f, loop);
		if (r == SIGTERM || r == SIGINT || r == SIGHUP)
			r = 0;
		r = r > 0 ? -r : r;
		fuse_loop_cfg_destroy(loop);
		fuse_remove_signal_handlers(fuse_get_session(f));
	}
	fuse_unmount(f);
	fuse_destroy(f);
	if (r < 0)
		return log_errno(r, "serving the FUSE file system on %s failed", cfg->mountpoint);
	return 0;
}

int sim_fuse_run(const struct sim_fuse_config *cfg)
{
	struct fs fs = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cfg = cfg,
		.busy_left = cfg->busy,
		.race_pending = cfg->race,
		.started = time(NULL),
	};
	int r = serve(&fs, cfg);

	for (size_t i = 0; i < MAX_ENTRIES; i++)
		entry_free(fs.entries[i]);
	return r;
}
