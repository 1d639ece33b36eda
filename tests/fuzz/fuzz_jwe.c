/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the client's JWE parser and decryption (kbs_jwe_decrypt) with a
 * fixed recipient key, the Appendix A key, so the seed corpus decrypts fully. */
#include "common/log.h"
#include "common/secmem.h"
#include "kbs/ec_key.h"
#include "kbs/jwe_decrypt.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static const uint8_t scalar[32] = {
	0x0a, 0xd0, 0x3a, 0xc9, 0xcd, 0xae, 0xe7, 0x75, 0x23, 0x03, 0x87, 0x75, 0xca, 0xa5, 0x11, 0xca,
	0xf7, 0xe8, 0x9d, 0x44, 0xfe, 0xa3, 0x36, 0x39, 0x46, 0xf0, 0xa1, 0xc4, 0xe4, 0xe4, 0x01, 0xcf,
};

static void quiet(enum log_level lvl, const char *line, void *ctx) { (void)lvl; (void)line; (void)ctx; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kbs_ec_key *key;
	struct secret pt = { 0 };

	if (!key) {
		log_set_sink(quiet, NULL);
		if (kbs_ec_key_from_scalar(scalar, &key) < 0)
			abort();
	}
	if (kbs_jwe_decrypt(key, (const char *)data, size, &pt) == 0) {
		if (!pt.data)
			abort();
		secret_clear(&pt);
	} else if (pt.data) {
		abort(); /* nothing may be returned on failure */
	}
	return 0;
}
