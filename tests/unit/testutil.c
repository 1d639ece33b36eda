/* SPDX-License-Identifier: Apache-2.0 */
#include "testutil.h"
#include "common/fileio.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static const char *dir_or_null(const char *env, const char *fallback)
{
	const char *d = getenv(env);
	struct stat st;

	if (!d || !*d)
		d = fallback;
	return stat(d, &st) == 0 && S_ISDIR(st.st_mode) ? d : NULL;
}

const char *testdata_tdx_dir(void) { return dir_or_null("TDX_TESTDATA", "../shared/testdata/tdx"); }
const char *testdata_kbs_dir(void) { return dir_or_null("KBS_TESTDATA", "../shared/testdata/kbs"); }
const char *testdata_ccel_dir(void) { return dir_or_null("CCEL_TESTDATA", "../shared/testdata/ccel"); }

uint8_t *test_read(const char *dir, const char *rel, size_t *len)
{
	char path[PATH_MAX];
	uint8_t *buf = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (file_read_all(path, 1u << 24, &buf, len) < 0)
		fail_msg("cannot read %s", path);
	return buf;
}
