/* SPDX-License-Identifier: Apache-2.0 */
/* LUKS2 header backup to a private temporary file and restore, for bind/unbind. */
#pragma once
#include <limits.h>
#include <stdbool.h>

struct crypt_device;

struct header_backup {
	char dir[PATH_MAX];   /* mkdtemp, 0700 */
	char file[PATH_MAX];  /* dir + "/header" */
	bool keep;            /* restore failed: leave the file for the operator */
};

/* Backs the loaded LUKS2 header of cd up into a new private directory under $TMPDIR
 * (default /tmp). Returns 0 or a negative errno (logged). */
int header_backup_create(struct crypt_device *cd, struct header_backup *b);
/* Writes the backup back over the device's header. On failure the backup is kept (and
 * its path logged) so the operator can run cryptsetup luksHeaderRestore. */
int header_backup_restore(struct crypt_device *cd, struct header_backup *b);
/* Overwrites the backup with zeros and removes it (unless keep); safe to call twice. */
void header_backup_discard(struct header_backup *b);
#define _cleanup_header_backup_ __attribute__((cleanup(header_backup_discard)))
