/* LUKS2 block devices of this system. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#define LUKS_DEV_PATH_MAX 256

/* Whether path starts with a LUKS2 binary header. */
bool luks_is_luks2(const char *path);
/* Fills paths[0..*n) with /dev/NAME of every LUKS2 block device (at most max). */
int luks_find_devices(char (*paths)[LUKS_DEV_PATH_MAX], size_t max, size_t *n);
