/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime_data_check.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

size_t ks_hash_len(enum ks_hash h)
{
	return runtime_hash_len((enum runtime_hash)h);
}

int ks_runtime_data_canon(const char *nonce, const struct ks_tee_pubkey *key,
			  const char *additional_evidence, char **out, size_t *out_len)
{
	char x[44], y[44];
	int r;

	r = ks_tee_pubkey_xy_b64(key, x, y);
	if (r < 0)
		return r;
	r = runtime_data_canon(nonce, x, y, additional_evidence, out, out_len);
	if (r == -EINVAL)
		return log_errno(r, "runtime data: nonce or additional-evidence is not valid UTF-8");
	if (r < 0)
		return log_errno(r, "runtime data: out of memory");
	return 0;
}

int ks_report_data(enum ks_hash h, const char *canon, size_t canon_len, uint8_t out[64])
{
	const EVP_MD *md = h == KS_HASH_SHA256 ? EVP_sha256() : h == KS_HASH_SHA512 ? EVP_sha512() :
			   EVP_sha384();

	memset(out, 0, 64);
	if (EVP_Digest(canon, canon_len, out, NULL, md, NULL) != 1)
		return log_fail(-EIO, "runtime data: hashing failed");
	return 0;
}

int ks_runtime_data_check(const char *nonce, const struct ks_tee_pubkey *key,
			  const char *additional_evidence, enum ks_hash h,
			  const uint8_t quote_report_data[64])
{
	_cleanup_free_ char *canon = NULL;
	uint8_t want[64];
	size_t len;
	int r;

	r = ks_runtime_data_canon(nonce, key, additional_evidence, &canon, &len);
	if (r < 0)
		return r;
	r = ks_report_data(h, canon, len, want);
	if (r < 0)
		return r;
	if (CRYPTO_memcmp(want, quote_report_data, sizeof(want)) != 0)
		return log_fail(-EPERM, "REPORTDATA does not match hash(nonce, tee-pubkey): "
				 "the quote was made for another nonce or key");
	return 0;
}
