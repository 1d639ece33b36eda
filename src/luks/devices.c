/* Finding LUKS2 block devices (unlock --all): /sys/class/block + the LUKS2 magic. */
#include "devices.h"
#include "../common/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
