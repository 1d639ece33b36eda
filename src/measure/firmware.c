/* SPDX-License-Identifier: Apache-2.0 */
/* Names of the TDVF classes (measure.h) and the SHA-384 helper of this module. */
#include "measure.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

static const char *const names[] = {
	[MEASURE_FW_PRE202411] = "pre202411",
	[MEASURE_FW_202411] = "edk2-stable202411",
	[MEASURE_FW_202505] = "edk2-stable202505",
	[MEASURE_FW_202508] = "edk2-stable202508",
};

const char measure_fw_names[] = "pre202411, edk2-stable202411, edk2-stable202505, edk2-stable202508";

int measure_fw_parse(const char *name, enum measure_fw *out)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *short_name = strncmp(names[i], "edk2-stable", 11) == 0 ? names[i] + 11 : names[i];

		if (strcmp(name, names[i]) == 0 || strcmp(name, short_name) == 0) {
			*out = (enum measure_fw)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *measure_fw_name(enum measure_fw fw)
{
	return (unsigned)fw < sizeof(names) / sizeof(names[0]) ? names[fw] : "?";
}

int measure_sha384(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[48])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok;

	if (!md)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(md, EVP_sha384(), NULL) == 1 && EVP_DigestUpdate(md, a, alen) == 1 &&
	     (blen == 0 || EVP_DigestUpdate(md, b, blen) == 1) && EVP_DigestFinal_ex(md, out, NULL) == 1;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -EIO;
}
