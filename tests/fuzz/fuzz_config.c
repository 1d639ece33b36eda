/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: what the client and the server read from configuration and from the
 * LUKS2 header, all of it operator- or attacker-written text. The first byte chooses:
 *   0  LUKS2 token JSON (luks_token_parse); a token that parses is written back with
 *      luks_token_to_json and must parse to the same fields
 *   1  kernel command line (luks_cmdline_parse)
 *   2  /etc/tdx-unlock/tdx-unlock.conf (luks_config_parse)
 *   3  resource policy JSON (vf_policy_parse)
 *   4  KBS resource path (resource_path_valid): a valid one has exactly two '/' and no
 *      component starting with '.'
 *   5  the key server's configuration file (ks_config_load)
 *   6  the key server's policy file {"REPO/TYPE/TAG": policy} (ks_policies_load)
 *   7  the initrd's /etc/crypttab (luks_crypttab_parse): every UUID kept is well formed
 * (5 and 6 read a path: the input is handed over as a memfd, /proc/self/fd/N)
 * Length-based parsers get the bytes without a terminating NUL, so reading past the end
 * is caught by AddressSanitizer. */
#include "common/log.h"
#include "common/resource_path.h"
#include "luks/config.h"
#include "luks/token.h"
#include "server/ks_config.h"
#include "server/policies.h"
#include "verify/policy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(enum log_level lvl, const char *line, void *ctx) { (void)lvl; (void)line; (void)ctx; }

static char *cstring(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static void token_round_trip(const char *json)
{
	struct luks_token t, again;
	char *out = NULL;

	memset(&t, 0, sizeof(t));
	if (luks_token_parse(json, &t) < 0)
		return;
	if (luks_token_to_json(&t, &out) < 0)
		abort(); /* a parsed token is valid: writing it back cannot fail */
	memset(&again, 0, sizeof(again));
	if (luks_token_parse(out, &again) < 0 || memcmp(&t, &again, sizeof(t)) != 0)
		abort();
	free(out);
}

static void resource_path(const char *s)
{
	size_t slashes = 0;

	if (!resource_path_valid(s))
		return;
	for (const char *p = s; *p; p++)
		if (*p == '/')
			slashes++;
	if (slashes != 2 || s[0] == '.' || strstr(s, "/.") != NULL)
		abort();
}

/* The server's loaders take a path: the bytes as an in-memory file. */
static void server_file(const uint8_t *data, size_t size, bool policies)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	char path[64];

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (policies) {
		struct ks_policies *p = NULL;

		if (ks_policies_load(path, &p) == 0)
			ks_policies_free(p);
	} else {
		struct ks_config c;

		if (ks_config_load(path, &c) == 0)
			ks_config_free(&c);
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct luks_config c;
	struct vf_policy *pol = NULL;
	char err[256];
	uint8_t *bytes;
	char *s;

	if (!init) {
		log_set_sink(quiet, NULL);
		init = 1;
	}
	if (size < 1)
		return 0;
	/* an exact-size heap copy: no NUL after the input */
	bytes = malloc(size - 1 ? size - 1 : 1);
	if (!bytes)
		abort();
	memcpy(bytes, data + 1, size - 1);
	s = cstring(data + 1, size - 1);
	switch (data[0] % 8) {
	case 0:
		token_round_trip(s);
		break;
	case 1:
		luks_config_init(&c);
		luks_cmdline_parse((const char *)bytes, size - 1, &c);
		break;
	case 2:
		luks_config_init(&c);
		luks_config_parse((const char *)bytes, size - 1, "fuzz.conf", &c);
		break;
	case 3:
		if (vf_policy_parse((const char *)bytes, size - 1, &pol, err, sizeof(err)) == 0)
			vf_policy_free(pol);
		break;
	case 4:
		resource_path(s);
		break;
	case 5:
	case 6:
		server_file(data + 1, size - 1, data[0] % 8 == 6);
		break;
	case 7:
		luks_config_init(&c);
		luks_crypttab_parse((const char *)bytes, size - 1, &c);
		for (size_t i = 0; i < c.n_luks_uuids; i++)
			if (strlen(c.luks_uuids[i]) != LUKS_UUID_LEN || strspn(c.luks_uuids[i], "0123456789abcdefABCDEF-") != LUKS_UUID_LEN)
				abort();
		break;
	}
	free(s);
	free(bytes);
	return 0;
}
