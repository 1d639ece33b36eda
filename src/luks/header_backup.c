/* SPDX-License-Identifier: Apache-2.0 */
/* Header backup/restore around bind and unbind: a failure leaves the header as it was. */
#include "header_backup.h"
#include "../common/fileio.h"
#include "../common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <libcryptsetup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int header_backup_create(struct crypt_device *cd, struct header_backup *b)
{
	const char *tmp = getenv("TMPDIR");
	int r;

	memset(b, 0, sizeof(*b));
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (strlen(tmp) > sizeof(b->dir) - 64 ||
	    (size_t)snprintf(b->dir, sizeof(b->dir), "%s/tdx-unlock-hdr.XXXXXX", tmp) >= sizeof(b->dir))
		return log_fail(-ENAMETOOLONG, "header backup: TMPDIR %s is too long", tmp);
	if (!mkdtemp(b->dir)) {
		r = -errno;
		b->dir[0] = '\0';
		return log_errno(r, "header backup: creating a private directory in %s (check TMPDIR)", tmp);
	}
	memcpy(b->file, b->dir, strlen(b->dir));
	memcpy(b->file + strlen(b->dir), "/header", sizeof("/header"));
	r = crypt_header_backup(cd, CRYPT_LUKS2, b->file);
	if (r < 0)
		return log_errno(r, "header backup: crypt_header_backup to %s failed (check free space in %s)",
				 b->file, tmp);
	return 0;
}

int header_backup_restore(struct crypt_device *cd, struct header_backup *b)
{
	int r = crypt_header_restore(cd, CRYPT_LUKS2, b->file);

	if (r < 0) {
		b->keep = true;
		return log_errno(r, "RESTORING THE LUKS2 HEADER FAILED: the backup is kept at %s; restore it with "
				 "cryptsetup luksHeaderRestore --header-backup-file %s DEVICE", b->file, b->file);
	}
	log_info("LUKS2 header restored from the backup: the device is unchanged");
	return 0;
}

/* Overwrites the file's bytes before unlinking it: it holds keyslot material. */
static void wipe_file(const char *path)
{
	static const char zeros[65536];
	struct stat st;
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0)
		for (off_t done = 0; done < st.st_size;) {
			size_t n = st.st_size - done < (off_t)sizeof(zeros) ? (size_t)(st.st_size - done) : sizeof(zeros);

			if (write_full(fd, zeros, n) < 0)
				break;
			done += (off_t)n;
		}
	(void)fsync(fd);
	close(fd);
}

void header_backup_discard(struct header_backup *b)
{
	if (!b->dir[0] || b->keep)
		return;
	wipe_file(b->file);
	(void)unlink(b->file);
	if (rmdir(b->dir) < 0)
		log_warn("header backup: could not remove %s: %s", b->dir, strerror(errno));
	b->dir[0] = '\0';
}
