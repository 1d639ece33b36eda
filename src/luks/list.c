/* SPDX-License-Identifier: Apache-2.0 */
/* list: keyslots and tdx-unlock tokens of a device; never secrets. */
#include "luks.h"
#include "luks_util.h"
#include "../common/log.h"

#include <errno.h>
#include <string.h>

static const char *slot_kind(struct crypt_device *cd, int ks)
{
	const char *type;
	int max = crypt_token_max(CRYPT_LUKS2);

	for (int id = 0; id < max; id++)
		if (crypt_token_is_assigned(cd, id, ks) == 0 && crypt_token_status(cd, id, &type) != CRYPT_TOKEN_INACTIVE)
			return type && !strcmp(type, LUKS_TOKEN_TYPE) ? LUKS_TOKEN_TYPE : "token";
	return "passphrase";
}

static void print_token(FILE *out, int id, const struct luks_token *t)
{
	fprintf(out, "token %d: %s\n", id, LUKS_TOKEN_TYPE);
	fputs("  keyslots:", out);
	for (size_t i = 0; i < t->n_keyslots; i++)
		fprintf(out, " %d", t->keyslots[i]);
	fprintf(out, "\n  resource: %s\n", t->resource);
	for (size_t i = 0; i < t->n_urls; i++)
		fprintf(out, "  url: %s\n", t->urls[i]);
	if (t->ca_file[0])
		fprintf(out, "  ca-file: %s\n", t->ca_file);
	if (t->timeout_s)
		fprintf(out, "  timeout-s: %d\n", t->timeout_s);
	else
		fprintf(out, "  timeout-s: %d (default)\n", LUKS_TIMEOUT_DEFAULT);
}

int luks_list(const char *device, FILE *out)
{
	_cleanup_crypt_ struct crypt_device *cd = NULL;
	int r, max_ks = crypt_keyslot_max(CRYPT_LUKS2), max_tok = crypt_token_max(CRYPT_LUKS2), n = 0;

	if ((r = luks_load(device, &cd)) < 0)
		return r;
	fprintf(out, "device: %s\nuuid: %s\nkeyslots:\n", device, crypt_get_uuid(cd));
	for (int ks = 0; ks < max_ks; ks++) {
		crypt_keyslot_info st = crypt_keyslot_status(cd, ks);

		if (st == CRYPT_SLOT_ACTIVE || st == CRYPT_SLOT_ACTIVE_LAST)
			fprintf(out, "  %d: %s\n", ks, slot_kind(cd, ks));
	}
	for (int id = 0; id < max_tok; id++) {
		struct luks_token tok;
		const char *type;

		r = luks_token_read(cd, id, &tok);
		if (r == 0) {
			print_token(out, id, &tok);
			n++;
		} else if (r != -ENOENT) {
			fprintf(out, "token %d: %s (malformed, ignored at unlock)\n", id, LUKS_TOKEN_TYPE);
			n++;
		} else if (crypt_token_status(cd, id, &type) != CRYPT_TOKEN_INACTIVE && type) {
			fprintf(out, "token %d: %s (not a tdx-unlock token)\n", id, type);
		}
	}
	if (!n)
		fprintf(out, "no %s token\n", LUKS_TOKEN_TYPE);
	fflush(out);
	return 0;
}
