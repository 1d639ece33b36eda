/* SPDX-License-Identifier: Apache-2.0 */
/* The initrd's /etc/crypttab: which LUKS devices this boot opens (crypttab(5)). Only the
 * source field matters here; the volume name, key file and options belong to
 * systemd-cryptsetup. */
#include "config.h"
#include "../common/log.h"

#include <errno.h>
#include <string.h>

#define BY_UUID "/dev/disk/by-uuid/"

/* Copies the n-th (0-based) white-space separated field of line into out; false if absent. */
static bool field(const char *line, int n, char *out, size_t size)
{
	const char *p = line;

	for (int i = 0;; i++) {
		size_t len;

		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		if (!len)
			return false;
		if (i == n) {
			if (len >= size)
				return false;
			memcpy(out, p, len);
			out[len] = '\0';
			return true;
		}
		p += len;
	}
}

int luks_crypttab_parse(const char *text, size_t len, struct luks_config *c)
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char line[LUKS_CRYPTTAB_LINE_MAX + 1], src[LUKS_CRYPTTAB_LINE_MAX + 1];

		if (n > LUKS_CRYPTTAB_LINE_MAX)
			return log_fail(-EINVAL, "crypttab: a line is longer than %d characters", LUKS_CRYPTTAB_LINE_MAX);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (memchr(line, '\0', n))
			continue; /* NUL inside a line: not a text line */
		line[strcspn(line, "\r")] = '\0';
		if (line[strspn(line, " \t")] == '#' || !field(line, 1, src, sizeof(src)))
			continue;
		if (!strncmp(src, "UUID=", 5))
			luks_add_wait_uuid(c, src + 5, "crypttab");
		else if (!strncmp(src, BY_UUID, strlen(BY_UUID)))
			luks_add_wait_uuid(c, src + strlen(BY_UUID), "crypttab");
	}
	return 0;
}
