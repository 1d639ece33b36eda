/* SPDX-License-Identifier: Apache-2.0 */
/* Finding LUKS2 block devices (unlock --all): /sys/class/block + the LUKS2 magic. */
#include "devices.h"
#include "../common/log.h"
#include "../common/mono_time.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* udev gives no cheaper "tell me when" to a process without libudev; 50 ms polls of a few
 * stat() calls cost nothing next to the boot they wait in. */
#define POLL_MS 50

bool luks_is_luks2(const char *path)
{
	static const unsigned char magic[8] = { 'L', 'U', 'K', 'S', 0xba, 0xbe, 0x00, 0x02 };
	unsigned char buf[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t n;

	if (fd < 0)
		return false;
	n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	return n == (ssize_t)sizeof(buf) && memcmp(buf, magic, sizeof(magic)) == 0;
}

int luks_find_devices(char (*paths)[LUKS_DEV_PATH_MAX], size_t max, size_t *n)
{
	DIR *d = opendir("/sys/class/block");
	struct dirent *e;

	*n = 0;
	if (!d)
		return log_errno(-errno, "listing /sys/class/block (is sysfs mounted?)");
	while ((e = readdir(d)) != NULL) {
		char path[LUKS_DEV_PATH_MAX];
		struct stat st;

		if (e->d_name[0] == '.' || strlen(e->d_name) > 200)
			continue;
		snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		if (stat(path, &st) < 0 || !S_ISBLK(st.st_mode) || !luks_is_luks2(path))
			continue;
		if (*n == max) {
			log_warn("more than %zu LUKS2 devices: ignoring %s and the rest", max, path);
			break;
		}
		memcpy(paths[(*n)++], path, sizeof(path));
	}
	closedir(d);
	return 0;
}

static bool uuid_present(const char *dir, const char *uuid)
{
	char path[LUKS_DEV_PATH_MAX];
	size_t len = (size_t)snprintf(path, sizeof(path), "%s/%s", dir, uuid);

	if (len >= sizeof(path))
		return false;
	for (size_t i = len - strlen(uuid); i < len; i++)
		path[i] = (char)tolower((unsigned char)path[i]); /* udev writes UUIDs in lower case */
	return access(path, F_OK) == 0;
}

static const char *by_uuid_dir(void)
{
	const char *dir = getenv(LUKS_ENV_BY_UUID_DIR);

	return dir && *dir ? dir : "/dev/disk/by-uuid";
}

size_t luks_uuids_present(const char (*uuids)[LUKS_UUID_LEN + 1], size_t n)
{
	const char *dir = by_uuid_dir();
	size_t found = 0;

	for (size_t i = 0; i < n; i++)
		found += uuid_present(dir, uuids[i]);
	return found;
}

bool luks_uuids_settled(const char (*uuids)[LUKS_UUID_LEN + 1], size_t n, int64_t *first_seen_ms)
{
	size_t found = luks_uuids_present(uuids, n);

	if (found == n)
		return true;
	if (!found)
		return false;
	if (!*first_seen_ms)
		*first_seen_ms = mono_ms();
	return mono_ms() - *first_seen_ms >= LUKS_WAIT_GRACE_MS;
}

size_t luks_wait_uuids(const char (*uuids)[LUKS_UUID_LEN + 1], size_t n, long long deadline_ms)
{
	const char *dir = by_uuid_dir();
	int64_t first_seen = 0;
	bool logged = false;
	size_t found;

	while (!luks_uuids_settled(uuids, n, &first_seen) && mono_ms() < deadline_ms) {
		if (!logged) {
			long long end = first_seen && first_seen + LUKS_WAIT_GRACE_MS < deadline_ms ?
						first_seen + LUKS_WAIT_GRACE_MS : deadline_ms;

			log_info("waiting for %zu of %zu device(s) named by rd.luks.uuid= (%.0f s left)",
				 n - luks_uuids_present(uuids, n), n, (double)(end - mono_ms()) / 1000);
			logged = true;
		}
		struct timespec ts = { 0, POLL_MS * 1000000L };
		nanosleep(&ts, NULL);
	}
	found = luks_uuids_present(uuids, n);
	for (size_t i = 0; found < n && i < n; i++)
		if (!uuid_present(dir, uuids[i]))
			log_warn("%s/%s did not appear: not waiting longer (check rd.luks.uuid= and the disk)", dir, uuids[i]);
	return found;
}
