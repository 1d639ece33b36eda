/* SPDX-License-Identifier: Apache-2.0 */
/* The PCK certificate chain carried in a quote, checked against the anchor and the CRLs of
 * one collateral directory (tdx-formats.md §9 steps 2-3). The outcome is cached per
 * (collateral, chain bytes); only the validity windows are evaluated per verification. */
#include "crl.h"

#include <errno.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define CHAIN_MAX 8

static void destroy(struct vf_obj *o)
{
	struct vf_pck_entry *e = (struct vf_pck_entry *)o;

	EVP_PKEY_free(e->leaf_key);
	free(e);
}

static bool self_issued(X509 *c)
{
	return X509_NAME_cmp(X509_get_subject_name(c), X509_get_issuer_name(c)) == 0;
}

/* leaf = the certificate with the SGX extension; intermediate = its issuer; root = the
 * intermediate's issuer (self-issued). Order-independent (Intel's sample has root first). */
static void identify(X509 **certs, int n, X509 **leaf, X509 **inter, X509 **root,
		     struct sgx_pck_ext *pck, bool *have_pck)
{
	*leaf = *inter = *root = NULL;
	*have_pck = false;
	for (int i = 0; i < n && !*leaf; i++) {
		int r = vf_sgx_ext_from_cert(certs[i], pck);

		if (r == -ENOENT)
			continue;
		*leaf = certs[i];
		*have_pck = r == 0;
	}
	if (!*leaf)
		return;
	for (int i = 0; i < n && !*inter; i++)
		if (certs[i] != *leaf && !self_issued(certs[i]) &&
		    X509_NAME_cmp(X509_get_subject_name(certs[i]), X509_get_issuer_name(*leaf)) == 0)
			*inter = certs[i];
	if (!*inter)
		return;
	for (int i = 0; i < n && !*root; i++)
		if (certs[i] != *leaf && certs[i] != *inter && self_issued(certs[i]) &&
		    X509_NAME_cmp(X509_get_subject_name(certs[i]), X509_get_issuer_name(*inter)) == 0)
			*root = certs[i];
}

static void check(struct vf_pck_entry *e, const struct vf_collateral *coll, X509 *leaf,
		  X509 *inter, X509 *root)
{
	struct vf_findings *f = &e->findings;

	if (!leaf || !inter || !root) {
		vf_note(f, VF_PCK_CHAIN_SIGS, "PCK chain lacks a leaf with the SGX extension, its CA or the root");
		if (!root)
			vf_note(f, VF_PCK_ROOT_IS_ANCHOR, "PCK chain has no root certificate");
	}
	if (root && !vf_keys_equal(X509_get0_pubkey(root), coll->anchor))
		vf_note(f, VF_PCK_ROOT_IS_ANCHOR, "PCK chain root is not the trust anchor");
	if (root && !vf_cert_signed_by(root, X509_get0_pubkey(root)))
		vf_note(f, VF_PCK_CHAIN_SIGS, "PCK chain root is not self-signed");
	if (inter && (!vf_cert_signed_by(inter, coll->anchor) || X509_check_ca(inter) < 1))
		vf_note(f, VF_PCK_CHAIN_SIGS, "PCK CA certificate is not a CA signed by the trust anchor");
	if (leaf && inter && !vf_cert_signed_by(leaf, X509_get0_pubkey(inter)))
		vf_note(f, VF_PCK_CHAIN_SIGS, "PCK certificate is not signed by the PCK CA");
	e->n_windows = 0;
	if (leaf)
		vf_cert_window(leaf, VF_PCK_CHAIN_TIME, "PCK certificate", &e->windows[e->n_windows++]);
	if (inter)
		vf_cert_window(inter, VF_PCK_CHAIN_TIME, "PCK CA certificate", &e->windows[e->n_windows++]);
	if (root)
		vf_cert_window(root, VF_PCK_CHAIN_TIME, "PCK chain root certificate", &e->windows[e->n_windows++]);
	if (!inter || vf_crl_revokes(coll->root_crl, inter))
		vf_note(f, VF_INTERMEDIATE_NOT_REVOKED, "PCK CA certificate is revoked by the root CA CRL");
	if (!leaf || !coll->pck_crl ||
	    X509_NAME_cmp(X509_CRL_get_issuer(coll->pck_crl), X509_get_issuer_name(leaf)) != 0)
		vf_note(f, VF_PCKCRL_ISSUER_MATCH, "PCK CRL issuer is not the PCK certificate's issuer");
	if (!inter || !vf_crl_signed_by(coll->pck_crl, X509_get0_pubkey(inter)))
		vf_note(f, VF_PCKCRL_SIG, "PCK CRL is not signed by the PCK CA of the quote");
	if (!leaf || vf_crl_revokes(coll->pck_crl, leaf))
		vf_note(f, VF_PCK_NOT_REVOKED, "PCK certificate is revoked by the PCK CRL");
}

/* The chain text must be exactly the canonical PEM of its certificates (what the quoting
 * enclave writes): no byte of the quote may change without the verdict changing. */
static bool canonical_pem(const char *chain, size_t len, X509 **certs, int n)
{
	BIO *bio = BIO_new(BIO_s_mem());
	const char *p;
	long plen;
	bool ok = bio != NULL;

	for (int i = 0; ok && i < n; i++)
		ok = PEM_write_bio_X509(bio, certs[i]) == 1;
	if (ok) {
		plen = BIO_get_mem_data(bio, &p);
		ok = plen >= 0 && (size_t)plen == len && memcmp(p, chain, len) == 0;
	}
	BIO_free(bio);
	return ok;
}

int vf_pck_entry_build(const char *chain, size_t len, const struct vf_collateral *coll,
		       struct vf_pck_entry **out)
{
	X509 *certs[CHAIN_MAX] = { 0 }, *leaf, *inter, *root;
	struct vf_pck_entry *e = calloc(1, sizeof(*e));
	int n;

	if (!e)
		return -ENOMEM;
	atomic_init(&e->obj.ref, 1);
	e->obj.destroy = destroy;
	n = vf_certs_from_pem(chain, len, certs, CHAIN_MAX);
	if (n == -ENOMEM) {
		free(e);
		return n;
	}
	if (n > 0 && !canonical_pem(chain, len, certs, n))
		vf_note(&e->findings, VF_PCK_CHAIN_PEM,
			"PCK certificate chain in the quote is not canonical PEM (stray or altered bytes)");
	if (n < 0) {
		vf_note(&e->findings, VF_PCK_CHAIN_PEM, "PCK certificate chain in the quote is not PEM");
		n = vf_certs_from_der((const uint8_t *)chain, len, certs, CHAIN_MAX);
	}
	if (n < 0)
		n = 0;
	identify(certs, n, &leaf, &inter, &root, &e->pck, &e->have_pck);
	check(e, coll, leaf, inter, root);
	if (leaf) {
		EVP_PKEY *k = X509_get_pubkey(leaf);

		/* only a P-256 key can have signed the QE report */
		if (vf_key_is_p256(k))
			e->leaf_key = k;
		else
			EVP_PKEY_free(k);
	}
	vf_certs_free(certs, n);
	*out = e;
	return 0;
}
