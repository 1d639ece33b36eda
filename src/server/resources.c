#include "resources.h"
#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/resource_path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int ks_resource_read(const char *dir, const char *path, struct secret *out)
{
	char full[PATH_MAX];
	_cleanup_close_ int fd = -1;
	struct stat st;
	size_t got = 0;

	if (!resource_path_valid(path))
		return -EINVAL;
	if (snprintf(full, sizeof(full), "%s/%s", dir, path) >= (int)sizeof(full))
		return -ENAMETOOLONG;
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ELOOP ? -EPERM : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		log_err("resource %s: refusing a %s; make it a regular file with chmod 600", full,
			S_ISREG(st.st_mode) ? "file readable by group or others" : "non-regular file");
		return -EPERM;
	}
	if (st.st_size > KS_RESOURCE_MAX)
		return -EFBIG;
	out->len = (size_t)st.st_size;
	out->data = secmem_alloc(out->len);
	if (!out->data)
		return -ENOMEM;
	while (got < out->len) {
		ssize_t n = read(fd, out->data + got, out->len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			secret_clear(out);
			return n < 0 ? -errno : -EIO;
		}
		got += (size_t)n;
	}
	return 0;
}
