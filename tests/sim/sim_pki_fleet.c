/* SPDX-License-Identifier: Apache-2.0 */
/* The simulated platforms of a PKI: FMSPC and PCK CA of each, DIR/platforms.json. */
#include "sim_pki_int.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/json_cleanup.h"
#include "common/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define MANIFEST_MAX (256u * 1024)

void sim_pki_platform_nth(unsigned i, struct sim_pki_platform *out)
{
	memcpy(out->fmspc, sim_platform.fmspc, 6);
	out->fmspc[4] = (uint8_t)(i >> 8);
	out->fmspc[5] = (uint8_t)i;
	out->ca = i % 2 ? SIM_CA_PROCESSOR : SIM_CA_PLATFORM;
}

static int parse_fmspc(const char *hex, size_t len, uint8_t out[6])
{
	char buf[13];

	if (len != 12)
		return -EINVAL;
	memcpy(buf, hex, 12);
	buf[12] = '\0';
	return hex_decode(buf, out, 6) == 6 ? 0 : -EINVAL;
}

static int parse_ca(const char *s, enum sim_pck_ca *ca)
{
	if (strcasecmp(s, "platform") == 0)
		*ca = SIM_CA_PLATFORM;
	else if (strcasecmp(s, "processor") == 0)
		*ca = SIM_CA_PROCESSOR;
	else
		return -EINVAL;
	return 0;
}

int sim_pki_platform_parse(const char *s, struct sim_pki_platform *out)
{
	const char *colon = strchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : strlen(s);

	out->ca = SIM_CA_PLATFORM;
	if (parse_fmspc(s, len, out->fmspc) < 0 || (colon && parse_ca(colon + 1, &out->ca) < 0))
		return log_errno(-EINVAL, "--fmspc '%s': expected 12 hex digits, optionally :platform or :processor", s);
	return 0;
}

int pki_platforms_init(struct pki *p, const struct sim_pki_platform *list, size_t n)
{
	static const struct sim_pki_platform def = { .fmspc = { 0x50, 0xc0, 0x6f, 0, 0, 0 } };

	if (n == 0) {
		list = &def;
		n = 1;
	}
	if (n > SIM_PKI_MAX_PLATFORMS)
		return log_errno(-E2BIG, "%zu platforms: at most %d", n, SIM_PKI_MAX_PLATFORMS);
	p->plat = calloc(n, sizeof(*p->plat));
	if (!p->plat)
		return log_errno(-ENOMEM, "cannot allocate %zu platforms", n);
	p->n_plat = n;
	for (size_t i = 0; i < n; i++) {
		struct pki_platform *pl = &p->plat[i];

		pl->values = sim_platform;
		memcpy(pl->values.fmspc, list[i].fmspc, 6);
		/* platform 0 keeps sim_platform's PPID and instance id (byte-compatible leaf) */
		pl->values.ppid[14] ^= (uint8_t)(i >> 8);
		pl->values.ppid[15] ^= (uint8_t)i;
		pl->values.platform_instance_id[15] ^= (uint8_t)i;
		pl->values.processor_ca = list[i].ca == SIM_CA_PROCESSOR;
		pl->ca = list[i].ca;
		pl->serial = i == 0 ? SIM_SERIAL_PCK : SIM_SERIAL_PCK_N + i;
	}
	return 0;
}

int pki_manifest_write(const struct pki *p)
{
	_cleanup_json_put_ json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array();
	char path[PATH_MAX];
	const char *text;
	int r;

	if (!root || !arr || json_object_object_add(root, "platforms", arr) < 0) {
		json_object_put(arr);
		return log_errno(-ENOMEM, "cannot build %s", SIM_PKI_MANIFEST);
	}
	for (size_t i = 0; i < p->n_plat; i++) {
		json_object *o = json_object_new_object();
		char hex[13];

		hex_encode(p->plat[i].values.fmspc, 6, hex);
		for (char *c = hex; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		if (!o || json_object_array_add(arr, o) < 0 ||
		    json_object_object_add(o, "fmspc", json_object_new_string(hex)) < 0 ||
		    json_object_object_add(o, "ca", json_object_new_string(pki_ca_name(p->plat[i].ca))) < 0) {
			return log_errno(-ENOMEM, "cannot build %s", SIM_PKI_MANIFEST);
		}
	}
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);
	r = pki_path(p, SIM_PKI_MANIFEST, path);
	if (r == 0)
		r = file_write_all(path, (const uint8_t *)text, strlen(text), 0644);
	if (r < 0)
		return log_errno(r, "cannot write %s", path);
	return 0;
}

int sim_pki_manifest_read(const char *dir, struct sim_pki_platform **out, size_t *n)
{
	_cleanup_free_ uint8_t *text = NULL;
	_cleanup_json_put_ json_object *root = NULL;
	_cleanup_free_ struct sim_pki_platform *list = NULL;
	json_object *arr;
	char path[PATH_MAX];
	size_t len, count;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s", dir, SIM_PKI_MANIFEST) >= (int)sizeof(path))
		return log_errno(-ENAMETOOLONG, "PKI directory name too long: %s", dir);
	r = file_read_all(path, MANIFEST_MAX, &text, &len);
	if (r == -ENOENT) { /* a PKI of an older tdx-sim: the one default platform */
		*out = calloc(1, sizeof(**out));
		if (!*out)
			return -ENOMEM;
		sim_pki_platform_nth(0, *out);
		*n = 1;
		return 0;
	}
	if (r < 0)
		return log_errno(r, "cannot read %s", path);
	root = json_tokener_parse((const char *)text);
	if (!root || !json_object_object_get_ex(root, "platforms", &arr) ||
	    !json_object_is_type(arr, json_type_array) || json_object_array_length(arr) == 0 ||
	    json_object_array_length(arr) > SIM_PKI_MAX_PLATFORMS)
		return log_errno(-EBADMSG, "%s: expected {\"platforms\":[...]} with 1..%d entries", path,
				 SIM_PKI_MAX_PLATFORMS);
	count = json_object_array_length(arr);
	list = calloc(count, sizeof(*list));
	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		json_object *o = json_object_array_get_idx(arr, i), *f, *c;
		const char *fs;

		if (!json_object_object_get_ex(o, "fmspc", &f) || !json_object_object_get_ex(o, "ca", &c) ||
		    !(fs = json_object_get_string(f)) || parse_fmspc(fs, strlen(fs), list[i].fmspc) < 0 ||
		    parse_ca(json_object_get_string(c), &list[i].ca) < 0)
			return log_errno(-EBADMSG, "%s: platform %zu needs \"fmspc\" (12 hex) and \"ca\"", path, i);
	}
	*out = list;
	*n = count;
	list = NULL;
	return 0;
}

int sim_pki_platform_dir(const char *dir, int index, const char *fmspc, char *out, size_t len)
{
	_cleanup_free_ struct sim_pki_platform *list = NULL;
	size_t n = 0;
	uint8_t want[6];
	int r;

	r = sim_pki_manifest_read(dir, &list, &n);
	if (r < 0)
		return r;
	if (fmspc) {
		if (parse_fmspc(fmspc, strlen(fmspc), want) < 0)
			return log_errno(-EINVAL, "--fmspc '%s' is not 12 hex digits", fmspc);
		for (index = 0; (size_t)index < n && memcmp(list[index].fmspc, want, 6) != 0; index++)
			;
		if ((size_t)index == n)
			return log_errno(-ENOENT, "no platform with FMSPC %s in %s/%s", fmspc, dir, SIM_PKI_MANIFEST);
	}
	if (index < 0 || (size_t)index >= n)
		return log_errno(-ENOENT, "no platform %d in %s (it has %zu: 0..%zu)", index, dir, n, n - 1);
	if (snprintf(out, len, "%s/platforms/%d", dir, index) >= (int)len)
		return log_errno(-ENAMETOOLONG, "PKI directory name too long: %s", dir);
	return 0;
}
