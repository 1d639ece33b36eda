/* SPDX-License-Identifier: Apache-2.0 */
#include "tsm.h"
#include "quote.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"
#include "../common/mono_time.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TSM_ATTEMPTS 5
#define CONFIGFS_DIR "/sys/kernel/config"

static int read_attr(const char *entry, const char *attr, size_t max, uint8_t **buf, size_t *len)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", entry, attr) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return file_read_regular(path, max, 0, buf, len); /* configfs attributes are regular files */
}

static int read_generation(const char *entry, uint64_t *gen)
{
	_cleanup_free_ uint8_t *buf = NULL;
	char *end;
	size_t len;
	int r;

	r = read_attr(entry, "generation", 64, &buf, &len);
	if (r < 0)
		return r;
	errno = 0;
	*gen = strtoull((char *)buf, &end, 10);
	if (errno || end == (char *)buf || (*end && *end != '\n'))
		return -EBADMSG;
	return 0;
}

static int write_inblob(const char *entry, const uint8_t rd[64])
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	ssize_t w;

	if (snprintf(path, sizeof(path), "%s/inblob", entry) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* One write() of exactly 64 bytes: each write bumps the generation. */
	w = write(fd, rd, 64);
	if (w < 0)
		return -errno;
	return w == 64 ? 0 : -EIO;
}

/* The kernel procedure of tdx-formats.md §4.4 on one private entry. */
static int tsm_once(const char *entry, const uint8_t rd[64], uint8_t **quote, size_t *len)
{
	_cleanup_free_ uint8_t *provider = NULL;
	uint64_t g0, g1, g2;
	size_t plen;
	int r;

	r = read_attr(entry, "provider", 256, &provider, &plen);
	if (r < 0)
		return log_errno(r, "configfs-tsm: reading %s/provider", entry);
	if (strncmp((char *)provider, "tdx_guest", 9) != 0) {
		log_err("configfs-tsm: provider is '%.*s', not tdx_guest: this is not a TDX guest",
			(int)strcspn((char *)provider, "\n"), (char *)provider);
		return -EPROTO;
	}
	if ((r = read_generation(entry, &g0)) < 0)
		return log_errno(r, "configfs-tsm: reading %s/generation", entry);
	if ((r = write_inblob(entry, rd)) < 0)
		return log_errno(r, "configfs-tsm: writing 64 bytes to %s/inblob", entry);
	if ((r = read_generation(entry, &g1)) < 0)
		return log_errno(r, "configfs-tsm: reading %s/generation", entry);
	if (g1 != g0 + 1) {
		log_warn("configfs-tsm: generation went %" PRIu64 " -> %" PRIu64 " around our write: another writer interfered; retrying", g0, g1);
		return -EAGAIN;
	}
	r = read_attr(entry, "outblob", TDX_QUOTE_MAX, quote, len);
	if (r == -EBUSY || r == -EIO || r == -ETIMEDOUT || r == -EINTR)
		return r; /* retried by the caller */
	if (r < 0)
		return log_errno(r, "configfs-tsm: reading %s/outblob", entry);
	if ((r = read_generation(entry, &g2)) < 0 || g2 != g1) {
		free(*quote);
		*quote = NULL;
		if (r < 0)
			return log_errno(r, "configfs-tsm: reading %s/generation", entry);
		log_warn("configfs-tsm: generation moved to %" PRIu64 " while reading the quote: another writer interfered; retrying", g2);
		return -EAGAIN;
	}
	return 0;
}

static bool is_configfs_mounted(void)
{
	struct stat st;

	return stat(CONFIGFS_DIR "/tsm", &st) == 0;
}

/* The initramfs case: configfs exists as a directory but nothing is mounted on it. */
static void ensure_configfs(void)
{
	if (is_configfs_mounted())
		return;
	if (mount("none", CONFIGFS_DIR, "configfs", 0, NULL) < 0 && errno != EBUSY)
		log_debug("configfs-tsm: mounting configfs on %s failed: %s", CONFIGFS_DIR, strerror(errno));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int tsm_get_quote(const char *dir, const uint8_t rd[64], long long deadline_ms, uint8_t **quote, size_t *len)
{
	static unsigned counter;
	char entry[PATH_MAX];
	int r = -EAGAIN;

	if (!dir) {
		dir = TSM_REPORT_DIR_DEFAULT;
		ensure_configfs();
	}
	for (int attempt = 0; attempt < TSM_ATTEMPTS; attempt++) {
		if (attempt) {
			long wait = 100L << attempt;

			if (deadline_ms && mono_ms() + wait >= deadline_ms)
				return log_fail(-ETIMEDOUT, "configfs-tsm: no quote after %d attempt%s before the deadline",
						attempt, attempt == 1 ? "" : "s");
			sleep_ms(wait);
		}
		/* A private entry per request avoids races with other users of configfs-tsm. */
		if (snprintf(entry, sizeof(entry), "%s/tdx-unlock.%ld.%u", dir, (long)getpid(), counter++) >= (int)sizeof(entry))
			return log_fail(-ENAMETOOLONG, "configfs-tsm: report directory path too long");
		if (mkdir(entry, 0700) < 0) {
			r = -errno;
			if (r == -ENXIO || r == -ENOENT)
				return r; /* not logged: the caller may fall back (tsm_strerror) */
			return log_errno(r, "configfs-tsm: creating %s", entry);
		}
		r = tsm_once(entry, rd, quote, len);
		if (r == -ENOENT || r == -ENXIO)
			r = -EPROTO; /* logged already; not "configfs-tsm absent", which only mkdir says */
		if (rmdir(entry) < 0)
			log_warn("configfs-tsm: removing %s: %s", entry, strerror(errno));
		if (r == 0)
			return 0;
		if (r == -EBUSY || r == -EIO || r == -ETIMEDOUT || r == -EINTR)
			log_warn("configfs-tsm: reading the quote failed (%s)%s; attempt %d of %d",
				 strerror(-r), r == -EIO ? ": host quote service unavailable" : "",
				 attempt + 1, TSM_ATTEMPTS);
		else if (r != -EAGAIN)
			return r;
	}
	if (r == -EAGAIN) /* our verdict on the generation counter, not the kernel's error */
		return log_fail(r, "configfs-tsm: no quote after %d attempts: another writer kept interfering",
				TSM_ATTEMPTS);
	return log_errno(r, "configfs-tsm: no quote after %d attempts", TSM_ATTEMPTS);
}

const char *tsm_strerror(int err)
{
	if (err == -ENXIO)
		return "no TSM provider: not a TDX guest, or tdx_guest not loaded";
	if (err == -ENOENT)
		return "no configfs-tsm report directory (kernel < 6.7, or configfs/tsm not loaded)";
	return strerror(-err);
}
