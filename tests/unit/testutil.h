/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the cmocka unit tests. */
#pragma once
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Directory of the shared TDX vectors ($TDX_TESTDATA, default ../shared/testdata/tdx),
 * or NULL when absent (tests then skip with a message). */
const char *testdata_tdx_dir(void);
const char *testdata_kbs_dir(void);
/* Real event logs ($CCEL_TESTDATA, default ../shared/testdata/ccel), or NULL. */
const char *testdata_ccel_dir(void);
/* Reads DIR/REL into a malloc'd buffer (NUL appended); fails the test on error. */
uint8_t *test_read(const char *dir, const char *rel, size_t *len);
/* Skips the current test with a message when the shared test data is absent. */
#define SKIP_WITHOUT_TESTDATA(dir) do { if (!(dir)) { print_message("SKIP: ../shared/testdata absent\n"); skip(); } } while (0)
