/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-384 for the event log replay on the client side (mbedTLS, as the rest of the
 * client); the server passes OpenSSL's (src/verify/sha384_openssl.c). */
#include "eventlog.h"

#include <errno.h>
#include <string.h>

#include <mbedtls/sha512.h>

int tdx_sha384_mbedtls(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[48])
{
	mbedtls_sha512_context ctx;
	unsigned char md[64];
	int r;

	mbedtls_sha512_init(&ctx);
	r = mbedtls_sha512_starts_ret(&ctx, 1);
	if (!r)
		r = mbedtls_sha512_update_ret(&ctx, a, alen);
	if (!r && blen)
		r = mbedtls_sha512_update_ret(&ctx, b, blen);
	if (!r)
		r = mbedtls_sha512_finish_ret(&ctx, md);
	mbedtls_sha512_free(&ctx);
	if (!r)
		memcpy(out, md, 48); /* out may alias a: written last */
	return r ? -EIO : 0;
}
