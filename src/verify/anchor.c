/* SPDX-License-Identifier: Apache-2.0 */
/* The trust anchor: Intel's SGX Root CA key pinned in code (tdx-formats.md §8.1), or an
 * operator-supplied PEM certificate, or (tests) each collateral directory's root_ca.pem. */
#include "verify_ctx.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"

#include <errno.h>

#include <openssl/err.h>
#include <openssl/pem.h>

const uint8_t vf_intel_root_pubkey[65] = {
	0x04,
	0x0b, 0xa9, 0xc4, 0xc0, 0xc0, 0xc8, 0x61, 0x93, 0xa3, 0xfe, 0x23, 0xd6, 0xb0, 0x2c, 0xda, 0x10,
	0xa8, 0xbb, 0xd4, 0xe8, 0x8e, 0x48, 0xb4, 0x45, 0x85, 0x61, 0xa3, 0x6e, 0x70, 0x55, 0x25, 0xf5,
	0x67, 0x91, 0x8e, 0x2e, 0xdc, 0x88, 0xe4, 0x0d, 0x86, 0x0b, 0xd0, 0xcc, 0x4e, 0xe2, 0x6a, 0xac,
	0xc9, 0x88, 0xe5, 0x05, 0xa9, 0x53, 0x55, 0x8c, 0x45, 0x3f, 0x6b, 0x09, 0x04, 0xae, 0x73, 0x94,
};

static int anchor_from_file(const char *path, EVP_PKEY **out)
{
	_cleanup_free_ uint8_t *buf = NULL;
	X509 *cert[1] = { NULL };
	size_t len;
	int r;

	r = file_read_all(path, 1u << 20, &buf, &len);
	if (r < 0)
		return log_errno(r, "cannot read trust anchor %s", path);
	if (vf_certs_from_pem((const char *)buf, len, cert, 1) < 0)
		return log_fail(-EBADMSG, "trust anchor %s is not one PEM certificate", path);
	*out = X509_get_pubkey(cert[0]);
	X509_free(cert[0]);
	if (!vf_key_is_p256(*out)) {
		EVP_PKEY_free(*out);
		*out = NULL;
		return log_fail(-EBADMSG, "trust anchor %s does not have a P-256 key", path);
	}
	return 0;
}

int vf_anchor_load(struct vf_ctx *ctx, const struct vf_options *opt)
{
	switch (opt->anchor_mode) {
	case VF_ANCHOR_INTEL:
		ctx->anchor = vf_p256_key_from_point(vf_intel_root_pubkey);
		return ctx->anchor ? 0 : log_errno(-ENOMEM, "pinned Intel root key");
	case VF_ANCHOR_FILE:
		if (!opt->anchor_file)
			return log_fail(-EINVAL, "anchor mode FILE without a file");
		return anchor_from_file(opt->anchor_file, &ctx->anchor);
	case VF_ANCHOR_COLLATERAL:
		return 0;
	}
	return log_fail(-EINVAL, "unknown anchor mode %d", opt->anchor_mode);
}
