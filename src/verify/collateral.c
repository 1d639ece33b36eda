/* SPDX-License-Identifier: Apache-2.0 */
/* One collateral set (root CA CRL, PCK CRL, TCB info, QE identity with their issuer chains),
 * loaded once and checked against the trust anchor; only the time checks are left for each
 * verification. The files come from a directory in the layout of
 * ../shared/testdata/tdx/README.md, or from a collateral store (store.h). */
#include "crl.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define FILE_MAX (1u << 20)
#define CHAIN_MAX 4

static const char *const files[VF_COLL_NFILES] = {
	"root_ca.pem", "root_ca_crl.der", "pck_crl.der", "pck_crl_issuer_chain.pem",
	"tcb_info.json", "tcb_info_issuer_chain.pem", "qe_identity.json",
	"qe_identity_issuer_chain.pem",
};

static atomic_ullong generations;

int vf_coll_files_dir(const char *dir, struct vf_coll_files *f)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < VF_COLL_NFILES; i++)
		if ((size_t)snprintf(f->path[i], sizeof(f->path[i]), "%s/%s", dir, files[i]) >= sizeof(f->path[i]))
			return log_fail(-ENAMETOOLONG, "collateral path %s/%s too long", dir, files[i]);
	return 0;
}

/* The key server reloads collateral from a request thread when the files change: a FIFO
 * (or a device) dropped there must be refused at once, not block that thread in open()
 * or read() (issue 14, the sibling of the resource FIFO). */
static int read_file(const struct vf_coll_files *f, enum vf_coll_file i, uint8_t **buf, size_t *len)
{
	int r = file_read_regular(f->path[i], FILE_MAX, 0, buf, len);

	return r < 0 ? log_errno(r, "cannot read collateral %s", f->path[i]) : 0;
}

int vf_collateral_stamp(const char *dir, uint64_t *stamp)
{
	struct vf_coll_files f;
	int r = vf_coll_files_dir(dir, &f);

	return r < 0 ? r : vf_coll_files_stamp(&f, stamp);
}

int vf_coll_files_stamp(const struct vf_coll_files *f, uint64_t *stamp)
{
	uint64_t h = 1469598103934665603ull;
	struct stat st;

	for (size_t i = 0; i < VF_COLL_NFILES; i++) {
		uint64_t v[4];

		if (stat(f->path[i], &st) < 0) {
			memset(&st, 0, sizeof(st));
			st.st_size = -1;
		}
		v[0] = st.st_ino;
		v[1] = (uint64_t)st.st_size;
		v[2] = (uint64_t)st.st_mtim.tv_sec;
		v[3] = (uint64_t)st.st_mtim.tv_nsec;
		for (size_t j = 0; j < sizeof(v); j++) {
			h ^= ((const uint8_t *)v)[j];
			h *= 1099511628211ull;
		}
	}
	*stamp = h;
	return 0;
}

static void destroy(struct vf_obj *o)
{
	struct vf_collateral *c = (struct vf_collateral *)o;

	EVP_PKEY_free(c->anchor);
	X509_CRL_free(c->root_crl);
	X509_CRL_free(c->pck_crl);
	X509_free(c->pck_crl_ca);
	vf_tcb_info_free(&c->tcb);
	vf_qe_identity_free(&c->qe);
	free(c);
}

static void add_window(struct vf_collateral *c, const struct vf_window *w)
{
	if (c->n_windows < VF_COLL_WINDOWS)
		c->windows[c->n_windows++] = *w;
}

/* An issuer chain file: [signer, root]. Checks the signer against the anchor and the
 * root CRL; records validity windows. *signer: a new reference, or NULL when the file holds
 * no certificate. Returns 0, or a negative errno when the file cannot be read. */
static int issuer_chain(struct vf_collateral *c, const struct vf_coll_files *f, enum vf_coll_file name,
			enum vf_check to_anchor, enum vf_check time_check, enum vf_check revoked,
			const char *what, X509 **signer)
{
	_cleanup_free_ uint8_t *buf = NULL;
	X509 *certs[CHAIN_MAX] = { 0 };
	struct vf_window w;
	size_t len;
	int n, r;

	*signer = NULL;
	r = read_file(f, name, &buf, &len);
	if (r < 0)
		return r;
	n = vf_certs_from_pem((const char *)buf, len, certs, CHAIN_MAX);
	if (n < 0) {
		vf_note(&c->findings, to_anchor, "issuer chain file holds no PEM certificate");
		return 0;
	}
	if (!vf_cert_signed_by(certs[0], c->anchor))
		vf_note(&c->findings, to_anchor, "issuer certificate is not signed by the trust anchor");
	if (n > 1 && !vf_keys_equal(X509_get0_pubkey(certs[n - 1]), c->anchor))
		vf_note(&c->findings, to_anchor, "issuer chain ends in a root that is not the trust anchor");
	for (int i = 0; i < n; i++) {
		vf_cert_window(certs[i], time_check, i == 0 ? what : "issuer chain root", &w);
		add_window(c, &w);
	}
	if (vf_crl_revokes(c->root_crl, certs[0]))
		vf_note(&c->findings, revoked, "issuer certificate is revoked by the root CA CRL");
	*signer = certs[0];
	certs[0] = NULL;
	vf_certs_free(certs, n);
	return 0;
}

/* tcb_info.json / qe_identity.json: raw slice signature, then the parsed fields. */
static int signed_json(struct vf_collateral *c, const struct vf_coll_files *f, enum vf_coll_file name,
		       const char *member, X509 *signer, enum vf_check sig_check, bool is_tcb)
{
	_cleanup_free_ uint8_t *buf = NULL;
	const char *slice, *why = NULL;
	uint8_t sig[64];
	size_t len, slen;
	int r;

	r = read_file(f, name, &buf, &len);
	if (r < 0)
		return r;
	if (vf_json_member_slice((const char *)buf, len, member, &slice, &slen) < 0 ||
	    vf_json_signature((const char *)buf, len, sig) < 0) {
		vf_note(&c->findings, sig_check, "malformed document: signed member or signature missing");
		return 0;
	}
	if (!signer || vf_ecdsa_verify(X509_get0_pubkey(signer), (const uint8_t *)slice, slen, sig) != 1)
		vf_note(&c->findings, sig_check, "signature does not verify with the issuer certificate");
	if (is_tcb) {
		r = vf_tcb_info_parse(slice, slen, &c->tcb, &why);
		c->tcb_ok = r == 0;
	} else {
		r = vf_qe_identity_parse(slice, slen, &c->qe, &why);
		c->qe_ok = r == 0;
	}
	if (r == -ENOMEM)
		return log_errno(r, "parsing %s", f->path[name]);
	if (r < 0)
		vf_note(&c->findings, (enum vf_check)(sig_check + 1), why);
	return 0;
}

static int load_crl(const struct vf_coll_files *f, enum vf_coll_file name, X509_CRL **out)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int r = read_file(f, name, &buf, &len);

	if (r < 0)
		return r;
	*out = vf_crl_parse(buf, len);
	return 0;
}

static int load_anchor(struct vf_collateral *c, const struct vf_coll_files *f, EVP_PKEY *anchor,
		       bool require_match)
{
	_cleanup_free_ uint8_t *buf = NULL;
	X509 *root[1] = { NULL };
	size_t len;
	int r;

	r = file_read_regular(f->path[VF_COLL_ROOT_CA], FILE_MAX, 0, &buf, &len);
	if (r < 0 && (r != -ENOENT || !anchor))
		return log_errno(r, "cannot read collateral %s", f->path[VF_COLL_ROOT_CA]);
	if (r == 0 && vf_certs_from_pem((const char *)buf, len, root, 1) < 0 && !anchor)
		return log_fail(-EBADMSG, "collateral %s is not a PEM certificate", f->path[VF_COLL_ROOT_CA]);
	if (anchor) {
		EVP_PKEY_up_ref(anchor);
		c->anchor = anchor;
		if (require_match && r == 0 && (!root[0] || !vf_keys_equal(X509_get0_pubkey(root[0]), anchor)))
			vf_note(&c->findings, VF_PCK_ROOT_IS_ANCHOR,
				"collateral root_ca.pem is not the Intel SGX Root CA (give --anchor to trust another root)");
	} else {
		c->anchor = X509_get_pubkey(root[0]);
	}
	X509_free(root[0]);
	return c->anchor ? 0 : log_fail(-EBADMSG, "collateral %s has no usable key", f->path[VF_COLL_ROOT_CA]);
}

static int load(struct vf_collateral *c, const struct vf_coll_files *dir, EVP_PKEY *anchor,
		bool require_match)
{
	struct vf_window w;
	X509 *tcb_signer, *qe_signer;
	int r;

	r = load_anchor(c, dir, anchor, require_match);
	if (r < 0)
		return r;
	if ((r = load_crl(dir, VF_COLL_ROOT_CRL, &c->root_crl)) < 0 ||
	    (r = load_crl(dir, VF_COLL_PCK_CRL, &c->pck_crl)) < 0)
		return r;
	if (!vf_crl_signed_by(c->root_crl, c->anchor))
		vf_note(&c->findings, VF_ROOTCRL_SIG, c->root_crl ? "root CA CRL is not signed by the trust anchor"
								  : "root CA CRL does not parse");
	vf_crl_window(c->root_crl, VF_ROOTCRL_TIME, "root CA CRL", &w);
	add_window(c, &w);
	if (!c->pck_crl)
		vf_note(&c->findings, VF_PCKCRL_SIG, "PCK CRL does not parse");
	vf_crl_window(c->pck_crl, VF_PCKCRL_TIME, c->label_pck_crl, &w);
	add_window(c, &w);

	r = issuer_chain(c, dir, VF_COLL_PCK_CHAIN, VF_PCKCRL_ISSUER_CHAIN,
			 VF_PCKCRL_ISSUER_CHAIN, VF_PCKCRL_ISSUER_CHAIN, "PCK CRL issuer", &c->pck_crl_ca);
	if (r < 0)
		return r;
	if (!c->pck_crl_ca || !vf_crl_signed_by(c->pck_crl, X509_get0_pubkey(c->pck_crl_ca)))
		vf_note(&c->findings, VF_PCKCRL_ISSUER_CHAIN, "PCK CRL is not signed by its issuer chain");
	r = issuer_chain(c, dir, VF_COLL_TCB_CHAIN, VF_TCB_CHAIN_TO_ANCHOR,
			 VF_TCB_CHAIN_TIME, VF_TCB_SIGNER_NOT_REVOKED, "TCB signing certificate", &tcb_signer);
	if (r == 0)
		r = signed_json(c, dir, VF_COLL_TCB, "tcbInfo", tcb_signer, VF_TCBINFO_SIG, true);
	X509_free(tcb_signer);
	if (r < 0)
		return r;
	r = issuer_chain(c, dir, VF_COLL_QE_CHAIN, VF_QE_CHAIN_TO_ANCHOR,
			 VF_QE_CHAIN_TIME, VF_QE_CHAIN_TO_ANCHOR, "QE identity signing certificate", &qe_signer);
	if (r == 0)
		r = signed_json(c, dir, VF_COLL_QE, "enclaveIdentity", qe_signer, VF_QEID_SIG, false);
	X509_free(qe_signer);
	if (r < 0)
		return r;

	if (c->tcb_ok && (strcmp(c->tcb.id, "TDX") != 0 || c->tcb.version != 3))
		vf_note(&c->findings, VF_TCBINFO_ID_VERSION, "tcbInfo is not id \"TDX\" version 3");
	if (c->tcb_ok)
		add_window(c, &(struct vf_window){ c->tcb.issue_date, c->tcb.next_update,
						   VF_TCBINFO_TIME, c->label_tcb });
	else
		add_window(c, &(struct vf_window){ INT64_MAX, INT64_MIN, VF_TCBINFO_TIME, "TCB info" });
	if (c->qe_ok && (strcmp(c->qe.id, "TD_QE") != 0 || c->qe.version != 2))
		vf_note(&c->findings, VF_QEID_ID_VERSION, "enclaveIdentity is not id \"TD_QE\" version 2");
	if (c->qe_ok)
		add_window(c, &(struct vf_window){ c->qe.issue_date, c->qe.next_update,
						   VF_QEID_TIME, "QE identity" });
	else
		add_window(c, &(struct vf_window){ INT64_MAX, INT64_MIN, VF_QEID_TIME, "QE identity" });
	return 0;
}

int vf_collateral_load(const char *dir, EVP_PKEY *anchor, bool require_root_match,
		       struct vf_collateral **out)
{
	struct vf_coll_files f;
	int r = vf_coll_files_dir(dir, &f);

	return r < 0 ? r : vf_collateral_load_files(&f, anchor, require_root_match, NULL, out);
}

int vf_collateral_load_files(const struct vf_coll_files *f, EVP_PKEY *anchor, bool require_root_match,
			     const char *label, struct vf_collateral **out)
{
	struct vf_collateral *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	atomic_init(&c->obj.ref, 1);
	c->obj.destroy = destroy;
	c->generation = atomic_fetch_add(&generations, 1) + 1;
	/* the names an expiry refusal gives (audit line): which platform's document */
	snprintf(c->label_tcb, sizeof(c->label_tcb), "TCB info%s%s", label ? " of " : "", label ? label : "");
	snprintf(c->label_pck_crl, sizeof(c->label_pck_crl), "PCK CRL%s%s", label ? " of " : "", label ? label : "");
	vf_coll_files_stamp(f, &c->stamp);
	r = load(c, f, anchor, require_root_match);
	if (r < 0) {
		destroy(&c->obj);
		return r;
	}
	*out = c;
	return 0;
}
