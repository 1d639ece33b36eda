/* SPDX-License-Identifier: Apache-2.0 */
/* Secrets served from a directory laid out REPO/TYPE/TAG (files mode 0600). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "../common/secmem.h"

#define KS_RESOURCE_MAX (64u * 1024)

/* Reads dir/path (opened beneath dir: no symbolic link anywhere on the path, by openat2 or
 * a component walk where openat2 is missing; never blocking on a FIFO) into the calling
 * thread's locked buffer (mlock'ed once per thread, wiped on release and at thread exit): out->data stays valid until ks_resource_release() or the
 * thread's next ks_resource_read(). path must satisfy resource_path_valid().
 * Returns 0, -ENOENT (no such resource), -EPERM (file accessible by group/others, not
 * a regular file, more than one hard link, a symbolic link on the path), -EFBIG (over
 * 64 KiB), or another negative errno. */
int ks_resource_read(const char *dir, const char *path, struct secret *out);
/* Wipes what ks_resource_read() put in *s (never free()s it: not secret_clear()). */
void ks_resource_release(struct secret *s);
#define _cleanup_resource_ __attribute__((cleanup(ks_resource_release)))
/* Tests only: use the component walk even where openat2 works. */
void ks_resources_test_force_walk(bool on);
