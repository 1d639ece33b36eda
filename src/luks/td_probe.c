/* SPDX-License-Identifier: Apache-2.0 */
/* Is this a TD at all? Outside one, unlock gives up at once instead of retrying until the
 * deadline (boot-integration.md R12: no network traffic, the password prompt at once). */
#include "luks.h"
#include "../common/fileio.h"
#include "../common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool cpu_has_tdx_guest(void)
{
	uint8_t *buf = NULL;
	size_t len;
	bool found = false;

	if (file_read_all("/proc/cpuinfo", 4u << 20, &buf, &len) < 0)
		return false;
	/* Flags are space separated: " tdx_guest" followed by a space or a newline. */
	for (char *p = (char *)buf; (p = strstr(p, " tdx_guest")) != NULL; p += 10)
		if (p[10] == ' ' || p[10] == '\n' || p[10] == '\0') {
			found = true;
			break;
		}
	free(buf);
	return found;
}

int luks_td_probe(const char *tsm_dir)
{
	struct stat st;

	if (tsm_dir) {
		if (stat(tsm_dir, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		log_err("configfs-tsm directory %s does not exist: not a TD, or the path is wrong", tsm_dir);
		return -ENXIO;
	}
	if (access("/dev/tdx_guest", F_OK) == 0 || cpu_has_tdx_guest())
		return 0;
	log_err("not running in a TDX trust domain (no tdx_guest CPU flag, no /dev/tdx_guest): "
		"nothing to attest, giving up at once");
	return -ENXIO;
}
