/* Secrets served from a directory laid out REPO/TYPE/TAG (files mode 0600). */
#pragma once
#include <stddef.h>

#include "../common/secmem.h"

#define KS_RESOURCE_MAX (64u * 1024)

/* Reads dir/path into secure memory. path must satisfy resource_path_valid().
 * Returns 0, -ENOENT (no such resource), -EPERM (file accessible by group/others, or not
 * a regular file), -EFBIG (over 64 KiB), or another negative errno. */
int ks_resource_read(const char *dir, const char *path, struct secret *out);
