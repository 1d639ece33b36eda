/* SPDX-License-Identifier: Apache-2.0 */
/* Reads the configuration file and the kernel command line (paths overridable for tests). */
#include "config.h"
#include "../common/fileio.h"
#include "../common/log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

int luks_sources_load(struct luks_sources *s)
{
	const char *conf = env_or(LUKS_ENV_CONFIG, LUKS_CONFIG_PATH);
	const char *cmdline = env_or(LUKS_ENV_CMDLINE, NULL);
	uint8_t *buf = NULL;
	size_t len;
	int r;

	luks_config_init(&s->cmdline);
	luks_config_init(&s->file);

	/* Regular files only (file_read_regular): a FIFO here must not hold the boot. */
	r = file_read_regular(conf, LUKS_CONFIG_FILE_MAX, 0, &buf, &len);
	if (r == -ENOENT) {
		log_debug("no configuration file %s", conf);
	} else if (r < 0) {
		return log_fail(r, "reading %s: %s (check its permissions; at most 64 KiB)", conf, file_read_strerror(r));
	} else {
		r = luks_config_parse((const char *)buf, len, conf, &s->file);
		free(buf);
		buf = NULL;
		if (r < 0)
			return r;
	}

	/* rd.* options belong to the initrd (dracut.cmdline(7)). */
	bool initrd = access(LUKS_INITRD_RELEASE, F_OK) == 0;

	if (!cmdline && !initrd)
		return 0;
	r = file_read_regular(cmdline ? cmdline : LUKS_CMDLINE_PATH, LUKS_CMDLINE_MAX, 0, &buf, &len);
	if (r < 0)
		return log_fail(r, "reading the kernel command line %s: %s", cmdline ? cmdline : LUKS_CMDLINE_PATH,
				file_read_strerror(r));
	r = luks_cmdline_parse((const char *)buf, len, &s->cmdline);
	free(buf);
	buf = NULL;
	if (r < 0 || s->cmdline.n_luks_uuids)
		return r;

	/* Host-only images carry the volumes in the initrd's crypttab, not on the command line. */
	const char *tab = env_or(LUKS_ENV_CRYPTTAB, initrd ? LUKS_CRYPTTAB_PATH : NULL);

	if (!tab)
		return 0;

	/* Only what to wait for comes from it: a problem there costs the wait, not the unlock. */
	r = file_read_regular(tab, LUKS_CRYPTTAB_MAX, 0, &buf, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		log_warn("reading %s: %s: not waiting for its volumes (at most 64 KiB)", tab, file_read_strerror(r));
		return 0;
	}
	if (luks_crypttab_parse((const char *)buf, len, &s->cmdline) < 0)
		s->cmdline.n_luks_uuids = 0;
	free(buf);
	return 0;
}
