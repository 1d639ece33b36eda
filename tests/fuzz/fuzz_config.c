/* libFuzzer target: what the client and the server read from configuration and from the
 * LUKS2 header, all of it operator- or attacker-written text. The first byte chooses:
 *   0  LUKS2 token JSON (luks_token_parse); a token that parses is written back with
 *      luks_token_to_json and must parse to the same fields
 *   1  kernel command line (luks_cmdline_parse)
 *   2  /etc/tdx-unlock/tdx-unlock.conf (luks_config_parse)
 *   3  resource policy JSON (vf_policy_parse)
 *   4  KBS resource path (resource_path_valid): a valid one has exactly two '/' and no
 *      component starting with '.'
 * Length-based parsers get the bytes without a terminating NUL, so reading past the end
 * is caught by AddressSanitizer. */
#include "common/log.h"
#include "common/resource_path.h"
#include "luks/config.h"
#include "luks/token.h"
#include "verify/policy.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	switch (data[0] % 5) {
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
	}
	free(s);
	free(bytes);
	return 0;
}
