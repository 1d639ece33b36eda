/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime_data.h"
#include "common/log.h"

#include <errno.h>
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>

int kbs_hash_from_name(const char *name, enum kbs_hash *out)
{
	enum runtime_hash h;
	int r;

	r = runtime_hash_from_name(name, &h);
	if (r < 0)
		return r;
	*out = (enum kbs_hash)h;
	return 0;
}

size_t kbs_hash_len(enum kbs_hash h)
{
	return runtime_hash_len((enum runtime_hash)h);
}

int kbs_runtime_data_canon(const char *nonce, const char *x, const char *y,
			   const char *additional_evidence, char **out, size_t *out_len)
{
	int r;

	r = runtime_data_canon(nonce, x, y, additional_evidence, out, out_len);
	if (r == -EINVAL)
		return log_fail(r, "building the runtime data: nonce, key or evidence is not valid UTF-8");
	if (r < 0)
		return log_fail(r, "building the runtime data: out of memory");
	return 0;
}

int kbs_report_data(enum kbs_hash h, const char *canon, size_t canon_len, uint8_t out[64])
{
	const unsigned char *in = (const unsigned char *)canon;
	int r;

	memset(out, 0, 64);
	if (h == KBS_HASH_SHA256)
		r = mbedtls_sha256_ret(in, canon_len, out, 0);
	else
		r = mbedtls_sha512_ret(in, canon_len, out, h == KBS_HASH_SHA384);
	if (h == KBS_HASH_SHA384)
		memset(out + 48, 0, 16); /* keep the 16 padding bytes zero whatever the library wrote */
	if (r != 0)
		return log_fail(-EIO, "hashing the runtime data (mbedTLS -0x%04x)", (unsigned)-r);
	return 0;
}
