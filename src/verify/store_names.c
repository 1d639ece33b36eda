/* SPDX-License-Identifier: Apache-2.0 */
/* Collateral store names: PCK CA names, file names inside a generation, `current`. */
#include "store.h"
#include "../common/log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const ca_names[VF_CA_COUNT] = { "processor", "platform" };
static const char *const ca_cns[VF_CA_COUNT] = { "Intel SGX PCK Processor CA", "Intel SGX PCK Platform CA" };

const char *vf_ca_name(enum vf_pck_ca ca)
{
	return (unsigned)ca < VF_CA_COUNT ? ca_names[ca] : "?";
}

int vf_ca_parse(const char *s, enum vf_pck_ca *ca)
{
	for (int i = 0; i < VF_CA_COUNT; i++)
		if (strcmp(s, ca_names[i]) == 0) {
			*ca = (enum vf_pck_ca)i;
			return 0;
		}
	return -EINVAL;
}

int vf_ca_from_issuer_cn(const char *cn, enum vf_pck_ca *ca)
{
	for (int i = 0; i < VF_CA_COUNT; i++)
		if (strcmp(cn, ca_cns[i]) == 0) {
			*ca = (enum vf_pck_ca)i;
			return 0;
		}
	return -EINVAL;
}

void vf_store_name_tcb(char *buf, size_t len, const char *fmspc_hex, const char *update, bool chain)
{
	snprintf(buf, len, "tcb_info-%s-%s.%s", fmspc_hex, update, chain ? "chain.pem" : "json");
}

void vf_store_name_qe(char *buf, size_t len, const char *update, bool chain)
{
	snprintf(buf, len, "qe_identity-%s.%s", update, chain ? "chain.pem" : "json");
}

void vf_store_name_pck_crl(char *buf, size_t len, enum vf_pck_ca ca, bool chain)
{
	snprintf(buf, len, "pck_crl-%s.%s", vf_ca_name(ca), chain ? "chain.pem" : "der");
}

bool vf_store_is_store(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/" VF_STORE_CURRENT, dir);
	if (lstat(path, &st) == 0)
		return true;
	/* a one-directory collateral has its tcb_info.json; anything else (an empty or new
	 * store) is a store nothing was installed in yet */
	snprintf(path, sizeof(path), "%s/tcb_info.json", dir);
	return lstat(path, &st) < 0;
}

int vf_store_resolve(const char *store, char *buf, size_t len)
{
	char link[PATH_MAX], target[256];
	ssize_t n;

	snprintf(link, sizeof(link), "%s/" VF_STORE_CURRENT, store);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	/* only a generation name next to `current`: never follow a link elsewhere */
	if (strncmp(target, "gen-", 4) != 0 || strchr(target, '/'))
		return log_fail(-EBADMSG, "collateral store %s: current points to \"%s\", not a generation",
				 store, target);
	if ((size_t)snprintf(buf, len, "%s/%s", store, target) >= len)
		return -ENAMETOOLONG;
	return 0;
}
