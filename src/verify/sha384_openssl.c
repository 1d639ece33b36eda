/* SPDX-License-Identifier: Apache-2.0 */
#include "sha384.h"

#include <errno.h>
#include <pthread.h>

#include <openssl/evp.h>

/* Fetched once: EVP_sha384() makes OpenSSL 3 look the implementation up in its provider
 * store at every EVP_DigestInit_ex, which cost more than hashing a replay's 96 bytes
 * (an event log's replay and decoding make ~40 calls per attestation). */
static EVP_MD *sha384_md;
static pthread_once_t sha384_once = PTHREAD_ONCE_INIT;

static void fetch_sha384(void)
{
	sha384_md = EVP_MD_fetch(NULL, "SHA384", NULL);
}

int vf_sha384(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[48])
{
	EVP_MD_CTX *ctx;
	int ok;

	pthread_once(&sha384_once, fetch_sha384);
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(ctx, sha384_md ? sha384_md : EVP_sha384(), NULL) && EVP_DigestUpdate(ctx, a, alen) &&
	     (!blen || EVP_DigestUpdate(ctx, b, blen)) && EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -EIO;
}
