/* SPDX-License-Identifier: Apache-2.0 */
/* The platform of a quote: FMSPC (SGX extension of the PCK leaf) and PCK CA (the leaf's
 * issuer CN, exact match: collateral-service.md §4.6), cached per PCK chain bytes. The
 * leaf must be signed by its CA and the CA by the trust anchor first: a forged chain must
 * not make the server look up, let alone fetch, collateral for an FMSPC of its choice. */
#include "verify_ctx.h"
#include "store.h"
#include "../common/hex.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <openssl/sha.h>

#define CHAIN_MAX 8

struct plat_entry {
	struct vf_obj obj;
	int err;
	const char *why;
	struct vf_platform plat;
};

static void destroy(struct vf_obj *o)
{
	free(o);
}

/* The chain's certificate whose subject is the leaf's issuer, signed by the anchor, has
 * signed the leaf. */
static bool chained_to_anchor(X509 **certs, int n, X509 *leaf, EVP_PKEY *anchor)
{
	if (!anchor) /* the collateral's own root (tests): checked with the collateral */
		return true;
	for (int i = 0; i < n; i++)
		if (certs[i] != leaf &&
		    X509_NAME_cmp(X509_get_subject_name(certs[i]), X509_get_issuer_name(leaf)) == 0 &&
		    vf_cert_signed_by(certs[i], anchor) && vf_cert_signed_by(leaf, X509_get0_pubkey(certs[i])))
			return true;
	return false;
}

static void identify(const struct vf_ctx *ctx, const struct tdx_quote *q, struct plat_entry *e)
{
	X509 *certs[CHAIN_MAX] = { 0 };
	struct sgx_pck_ext ext;
	char cn[128];
	int n = vf_certs_from_pem(q->pck_chain_pem, q->pck_chain_len, certs, CHAIN_MAX);

	e->err = -EBADMSG;
	e->why = "PCK certificate chain in the quote is not PEM";
	for (int i = 0; i < n; i++) {
		int r = vf_sgx_ext_from_cert(certs[i], &ext);

		if (r == -ENOENT)
			continue;
		e->why = "PCK certificate has no valid SGX extension (no FMSPC)";
		if (r < 0)
			break;
		e->why = "PCK certificate issuer is neither Intel SGX PCK Platform CA nor Processor CA";
		if (X509_NAME_get_text_by_NID(X509_get_issuer_name(certs[i]), NID_commonName, cn,
					      sizeof(cn)) <= 0 ||
		    vf_ca_from_issuer_cn(cn, &e->plat.ca) < 0)
			break;
		e->why = "PCK certificate chain does not lead to the trust anchor";
		if (!chained_to_anchor(certs, n, certs[i], ctx->anchor))
			break;
		memcpy(e->plat.fmspc, ext.fmspc, 6);
		hex_encode(ext.fmspc, 6, e->plat.fmspc_hex);
		for (char *c = e->plat.fmspc_hex; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		e->err = 0;
		e->why = NULL;
		break;
	}
	vf_certs_free(certs, n > 0 ? n : 0);
}

int vf_quote_platform(struct vf_ctx *ctx, const struct tdx_quote *q, struct vf_platform *out,
		      const char **why)
{
	struct plat_entry *e;
	uint8_t key[32];
	int r;

	SHA256((const uint8_t *)q->pck_chain_pem, q->pck_chain_len, key);
	e = (struct plat_entry *)vf_cache_get(ctx->plat_cache, key);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		atomic_init(&e->obj.ref, 1);
		e->obj.destroy = destroy;
		identify(ctx, q, e);
		vf_cache_put(ctx->plat_cache, key, &e->obj);
	}
	r = e->err;
	*out = e->plat;
	if (why)
		*why = e->why;
	vf_obj_put(&e->obj);
	return r;
}
