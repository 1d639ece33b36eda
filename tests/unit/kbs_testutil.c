/* SPDX-License-Identifier: Apache-2.0 */
#include "kbs_testutil.h"
#include "common/cleanup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

struct json_object *kbs_vectors;

int kbs_vectors_load(void **state)
{
	const char *dir = testdata_kbs_dir();
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	(void)state;

	if (!dir)
		return 0;
	buf = test_read(dir, "vectors.json", &len);
	kbs_vectors = json_tokener_parse((const char *)buf);
	return kbs_vectors ? 0 : -1;
}

int kbs_vectors_free(void **state)
{
	(void)state;
	json_object_put(kbs_vectors);
	kbs_vectors = NULL;
	return 0;
}

struct json_object *kbs_vget(const char *path)
{
	struct json_object *o = kbs_vectors;
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, "/", &save); k; k = strtok_r(NULL, "/", &save))
		if (!json_object_object_get_ex(o, k, &o))
			fail_msg("vectors.json has no %s", path);
	return o;
}

const char *kbs_vstr(const char *path) { return json_object_get_string(kbs_vget(path)); }

void kbs_test_quiet(enum log_level lvl, const char *line, void *ctx) { (void)lvl; (void)line; (void)ctx; }
