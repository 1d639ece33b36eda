/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the test_kbs_* unit tests: ../shared/testdata/kbs/vectors.json as a
 * cmocka group fixture, path lookups into it, and a log sink that drops everything. */
#pragma once
#include "testutil.h"
#include "common/log.h"

struct json_object;

/* The parsed vectors.json, or NULL when the test data is absent. */
extern struct json_object *kbs_vectors;

/* cmocka group setup/teardown: load (or leave NULL) and free kbs_vectors. */
int kbs_vectors_load(void **state);
int kbs_vectors_free(void **state);
/* The member at "a/b/c" of kbs_vectors; fails the test if there is none. */
struct json_object *kbs_vget(const char *path);
/* Its string value. */
const char *kbs_vstr(const char *path);

/* A log sink for log_set_sink() that keeps the expected failures quiet. */
void kbs_test_quiet(enum log_level lvl, const char *line, void *ctx);

#define SKIP_WITHOUT_VECTORS() do { if (!kbs_vectors) { print_message("SKIP: ../shared/testdata/kbs absent\n"); skip(); } } while (0)
