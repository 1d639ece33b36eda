/* SPDX-License-Identifier: Apache-2.0 */
/* Resource reads stay beneath resources_dir (issue 14 item 5): no symbolic link on the
 * way or at the end, one hard link, a regular file, and a FIFO never blocks; with openat2
 * and with the component walk used where openat2 is missing. */
#include "testutil.h"
#include "server/resources.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[PATH_MAX], res[PATH_MAX + 8];

static void put(const char *rel, const char *text, unsigned mode)
{
	char p[PATH_MAX + 64];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
}

static void at(const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", root, rel);
}

static int setup(void **state)
{
	char a[PATH_MAX + 64], b[PATH_MAX + 64];
	(void)state;

	snprintf(root, sizeof(root), "/tmp/test_server_resources.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(res, sizeof(res), "%s/res", root);
	at("res", a, sizeof(a)); mkdir(a, 0700);
	at("res/default", a, sizeof(a)); mkdir(a, 0700);
	at("res/default/luks", a, sizeof(a)); mkdir(a, 0700);
	at("outside", a, sizeof(a)); mkdir(a, 0700);
	put("res/default/luks/good", "inside", 0600);
	put("outside/secret", "outside", 0600);
	put("outside/linked", "hardlinked", 0600);
	/* A directory link out of the tree, a link as the last component, a hard link to a
	 * file elsewhere, a FIFO. */
	at("res/evil", a, sizeof(a));
	if (symlink("../outside", a) < 0)
		return -1;
	at("res/default/luks/final", a, sizeof(a));
	if (symlink("../../../outside/secret", a) < 0)
		return -1;
	at("outside/linked", a, sizeof(a));
	at("res/default/luks/hard", b, sizeof(b));
	if (link(a, b) < 0)
		return -1;
	at("res/default/luks/fifo", a, sizeof(a));
	if (mkfifo(a, 0600) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];
	(void)state;

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void check_all(void)
{
	struct secret s = { 0 };

	assert_int_equal(ks_resource_read(res, "default/luks/good", &s), 0);
	assert_int_equal(s.len, 6);
	assert_memory_equal(s.data, "inside", 6);
	ks_resource_release(&s);
	/* The path through the directory link exists; it must not be followed. */
	assert_int_equal(ks_resource_read(root, "res/evil/secret", &s), -EPERM);
	assert_int_equal(ks_resource_read(res, "default/luks/final", &s), -EPERM);
	assert_int_equal(ks_resource_read(res, "default/luks/hard", &s), -EPERM);
	assert_int_equal(ks_resource_read(res, "default/luks/fifo", &s), -EPERM); /* at once */
	assert_int_equal(ks_resource_read(res, "default/luks/none", &s), -ENOENT);
	assert_null(s.data);
}

static void test_openat2(void **state)
{
	(void)state;
	ks_resources_test_force_walk(false);
	check_all();
}

static void test_walk(void **state)
{
	(void)state;
	ks_resources_test_force_walk(true);
	check_all();
	ks_resources_test_force_walk(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openat2),
		cmocka_unit_test(test_walk),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
