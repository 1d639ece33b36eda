/* SPDX-License-Identifier: Apache-2.0 */
#include "sha384.h"

#include <errno.h>

#include <openssl/evp.h>

int vf_sha384(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[48])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	if (!md)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(md, EVP_sha384(), NULL) && EVP_DigestUpdate(md, a, alen) &&
	     (!blen || EVP_DigestUpdate(md, b, blen)) && EVP_DigestFinal_ex(md, out, NULL);
	EVP_MD_CTX_free(md);
	return ok ? 0 : -EIO;
}
