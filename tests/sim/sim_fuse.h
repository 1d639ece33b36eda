/* SPDX-License-Identifier: Apache-2.0 */
/* `tdx-sim mount`: a FUSE file system behaving like /sys/kernel/config/tsm/report with the
 * tdx_guest provider (tdx-formats.md §4): mkdir/rmdir entries; in each entry inblob,
 * outblob, generation and provider. */
#pragma once
#include <stdbool.h>

#include "sim_quote.h"

struct sim_fuse_config {
	const char *mountpoint;
	const struct sim_pki *pki;
	struct tdx_td_info td;  /* profile; REPORTDATA comes from inblob */
	int version;            /* 4 or 5 */
	unsigned corrupt;       /* SIM_CORRUPT_* for every quote */
	bool foreground;
	bool no_provider;       /* mkdir fails with ENXIO */
	unsigned busy;          /* the first `busy` outblob reads fail with EBUSY */
	bool race;              /* the first outblob read bumps every generation once more */
};

/* Mounts and serves until unmounted (fusermount3 -u) or signalled; daemonises unless
 * foreground (the parent returns once the mount is ready). Returns 0 or a negative errno. */
int sim_fuse_run(const struct sim_fuse_config *cfg);
