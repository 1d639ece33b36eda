/* SPDX-License-Identifier: Apache-2.0 */
/* Checks of a fetched collateral document before it enters the store (store_doc.h). */
#include "json_fields.h"
#include "crl.h"
#include "store_doc.h"
#include "verify_ctx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

void vf_doc_describe(const struct vf_doc *d, char *buf, size_t len)
{
	switch (d->kind) {
	case VF_DOC_TCB_INFO:
		snprintf(buf, len, "TCB info FMSPC %s (%s)", d->fmspc_hex, d->update);
		break;
	case VF_DOC_QE_IDENTITY:
		snprintf(buf, len, "TD QE identity (%s)", d->update);
		break;
	case VF_DOC_PCK_CRL:
		snprintf(buf, len, "PCK CRL (%s CA)", vf_ca_name(d->ca));
		break;
	case VF_DOC_ROOT_CRL:
		snprintf(buf, len, "root CA CRL");
		break;
	}
}

void vf_doc_names(const struct vf_doc *d, char *body, char *chain, size_t len)
{
	switch (d->kind) {
	case VF_DOC_TCB_INFO:
		vf_store_name_tcb(body, len, d->fmspc_hex, d->update, false);
		vf_store_name_tcb(chain, len, d->fmspc_hex, d->update, true);
		break;
	case VF_DOC_QE_IDENTITY:
		vf_store_name_qe(body, len, d->update, false);
		vf_store_name_qe(chain, len, d->update, true);
		break;
	case VF_DOC_PCK_CRL:
		vf_store_name_pck_crl(body, len, d->ca, false);
		vf_store_name_pck_crl(chain, len, d->ca, true);
		break;
	case VF_DOC_ROOT_CRL:
		snprintf(body, len, VF_STORE_ROOT_CRL);
		chain[0] = '\0';
		break;
	}
}

static const char *member_of(enum vf_doc_kind kind)
{
	return kind == VF_DOC_TCB_INFO ? "tcbInfo" : "enclaveIdentity";
}

static int summarize_json(enum vf_doc_kind kind, const char *slice, size_t slen, struct vf_doc_summary *s)
{
	json_object *o = vf_json_parse(slice, slen);
	uint8_t fmspc[6];
	int r = -EBADMSG;

	if (!o)
		return -EBADMSG;
	if (vf_jget_int(o, "tcbEvaluationDataNumber", 0, 1 << 30, &s->eval_num) == 0 &&
	    vf_jget_time(o, "issueDate", &s->issued) == 0 &&
	    vf_jget_time(o, "nextUpdate", &s->next_update) == 0)
		r = 0;
	if (r == 0 && kind == VF_DOC_TCB_INFO) {
		r = vf_jget_hex(o, "fmspc", fmspc, 6);
		for (int i = 0; r == 0 && i < 6; i++)
			snprintf(s->fmspc_hex + 2 * i, 3, "%02X", fmspc[i]);
	}
	json_object_put(o);
	return r;
}

static int summarize_crl(X509_CRL *crl, struct vf_doc_summary *s)
{
	struct vf_window w;

	vf_crl_window(crl, VF_PCKCRL_TIME, "CRL", &w);
	if (w.from > w.to)
		return -EBADMSG;
	s->eval_num = -1;
	s->issued = w.from;
	s->next_update = w.to;
	return 0;
}

int vf_doc_summarize(enum vf_doc_kind kind, const uint8_t *body, size_t len, struct vf_doc_summary *s)
{
	const char *slice;
	size_t slen;
	X509_CRL *crl;
	int r;

	memset(s, 0, sizeof(*s));
	if (kind == VF_DOC_TCB_INFO || kind == VF_DOC_QE_IDENTITY) {
		if (vf_json_member_slice((const char *)body, len, member_of(kind), &slice, &slen) < 0)
			return -EBADMSG;
		return summarize_json(kind, slice, slen, s);
	}
	crl = vf_crl_parse(body, len);
	if (!crl)
		return -EBADMSG;
	r = summarize_crl(crl, s);
	X509_CRL_free(crl);
	return r;
}

static int fail(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

static bool cert_valid_at(X509 *c, int64_t at)
{
	struct vf_window w;

	vf_cert_window(c, VF_TCB_CHAIN_TIME, "", &w);
	return w.from <= at && at <= w.to;
}

/* Exactly [signer, root]: root = anchor, signer signed by it, both valid at `at`. */
static int check_chain(EVP_PKEY *anchor, const struct vf_doc *d, int64_t at, X509 **signer,
		       char *why, size_t wl)
{
	X509 *certs[3] = { 0 };
	int n = vf_certs_from_pem(d->chain, d->chain_len, certs, 3);
	int r = 0;

	if (n == -ENOMEM)
		return n;
	if (n != 2)
		r = fail(why, wl, "issuer chain holds %d certificates, expected signer and root", n < 0 ? 0 : n);
	else if (!vf_keys_equal(X509_get0_pubkey(certs[1]), anchor))
		r = fail(why, wl, "issuer chain root is not the trust anchor");
	else if (!vf_cert_signed_by(certs[0], anchor))
		r = fail(why, wl, "issuer certificate is not signed by the trust anchor");
	else if (!cert_valid_at(certs[0], at) || !cert_valid_at(certs[1], at))
		r = fail(why, wl, "issuer chain certificate not valid at the verification time");
	if (r == 0) {
		*signer = certs[0];
		certs[0] = NULL;
	}
	vf_certs_free(certs, n > 0 ? n : 0);
	return r;
}

/* The signed member of a PCS JSON body (d->body), its signature verified with the signer of
 * d's issuer chain (check_chain) at time at. 0 with *slice / *slen set in d->body, -EBADMSG
 * (why), -ENOMEM. */
static int check_signed(EVP_PKEY *anchor, const struct vf_doc *d, const char *member, int64_t at,
			const char **slice, size_t *slen, char *why, size_t wl)
{
	X509 *signer = NULL;
	uint8_t sig[64];
	int r;

	if (vf_json_member_slice((const char *)d->body, d->body_len, member, slice, slen) < 0 ||
	    vf_json_signature((const char *)d->body, d->body_len, sig) < 0)
		return fail(why, wl, "not a PCS body: signed member or signature missing");
	if (!anchor)
		return fail(why, wl, "no trust anchor"); /* only vf_eval_numbers_check comes here without one */
	r = check_chain(anchor, d, at, &signer, why, wl);
	if (r < 0)
		return r;
	r = vf_ecdsa_verify(X509_get0_pubkey(signer), (const uint8_t *)*slice, *slen, sig);
	X509_free(signer);
	if (r != 1)
		return r < 0 ? r : fail(why, wl, "signature does not verify with the issuer certificate");
	return 0;
}

/* Parses the signed member as the verifier will (all of it: a document the verifier would
 * refuse never enters the store) and checks the id and version it states. */
static int check_member(enum vf_doc_kind kind, const char *slice, size_t slen, char *why, size_t wl)
{
	const char *want_id = kind == VF_DOC_TCB_INFO ? "TDX" : "TD_QE", *w = NULL;
	int want_version = kind == VF_DOC_TCB_INFO ? 3 : 2;
	bool match = false;
	int r;

	if (kind == VF_DOC_TCB_INFO) {
		struct vf_tcb_info t;

		r = vf_tcb_info_parse(slice, slen, &t, &w);
		if (r == 0) {
			match = strcmp(t.id, want_id) == 0 && t.version == want_version;
			vf_tcb_info_free(&t);
		}
	} else {
		struct vf_qe_identity q;

		r = vf_qe_identity_parse(slice, slen, &q, &w);
		if (r == 0) {
			match = strcmp(q.id, want_id) == 0 && q.version == want_version;
			vf_qe_identity_free(&q);
		}
	}
	if (r < 0)
		return r == -ENOMEM ? r : fail(why, wl, "%s", w);
	if (!match)
		return fail(why, wl, "%s is not id \"%s\" version %d", member_of(kind), want_id, want_version);
	return 0;
}

static int check_json(struct vf_ctx *ctx, const struct vf_doc *d, int64_t at, struct vf_doc_summary *s,
		      char *why, size_t wl)
{
	const char *slice;
	size_t slen;
	int r;

	r = check_signed(ctx->anchor, d, member_of(d->kind), at, &slice, &slen, why, wl);
	if (r < 0)
		return r;
	r = check_member(d->kind, slice, slen, why, wl);
	if (r < 0)
		return r;
	if (summarize_json(d->kind, slice, slen, s) < 0)
		return fail(why, wl, "tcbEvaluationDataNumber, issueDate or nextUpdate missing");
	if (d->kind == VF_DOC_TCB_INFO && strcmp(s->fmspc_hex, d->fmspc_hex) != 0)
		return fail(why, wl, "tcbInfo is for FMSPC %s, not %s", s->fmspc_hex, d->fmspc_hex);
	return 0;
}

static int check_crl(struct vf_ctx *ctx, const struct vf_doc *d, int64_t at, struct vf_doc_summary *s,
		     uint8_t **der, size_t *der_len, char *why, size_t wl)
{
	static const char *const cns[VF_CA_COUNT] = { "Intel SGX PCK Processor CA", "Intel SGX PCK Platform CA" };
	X509_CRL *crl = vf_crl_parse(d->body, d->body_len);
	X509 *ca = NULL;
	char cn[128];
	unsigned char *p = NULL;
	int r = 0, n;

	if (!crl)
		return fail(why, wl, "body is not a CRL (DER, PEM or hex)");
	if (d->kind == VF_DOC_ROOT_CRL) {
		if (!vf_crl_signed_by(crl, ctx->anchor))
			r = fail(why, wl, "CRL is not signed by the trust anchor");
	} else {
		r = check_chain(ctx->anchor, d, at, &ca, why, wl);
		if (r == 0 && (X509_NAME_get_text_by_NID(X509_get_subject_name(ca), NID_commonName, cn,
							 sizeof(cn)) <= 0 || strcmp(cn, cns[d->ca]) != 0))
			r = fail(why, wl, "issuer chain is not the %s CA's", vf_ca_name(d->ca));
		if (r == 0 && (!vf_crl_issued_by(crl, ca) || !vf_crl_signed_by(crl, X509_get0_pubkey(ca))))
			r = fail(why, wl, "CRL is not issued and signed by the certificate of its issuer chain");
		X509_free(ca);
	}
	if (r == 0 && summarize_crl(crl, s) < 0)
		r = fail(why, wl, "CRL has no thisUpdate/nextUpdate");
	if (r == 0 && (n = i2d_X509_CRL(crl, &p)) > 0 && (*der = malloc((size_t)n))) {
		memcpy(*der, p, (size_t)n);
		*der_len = (size_t)n;
	} else if (r == 0) {
		r = -ENOMEM;
	}
	OPENSSL_free(p);
	X509_CRL_free(crl);
	(void)at;
	return r;
}

int vf_doc_check(struct vf_ctx *ctx, const struct vf_doc *d, int64_t at, struct vf_doc_summary *s,
		 uint8_t **der, size_t *der_len, char *why, size_t why_len)
{
	int r;

	memset(s, 0, sizeof(*s));
	*der = NULL;
	*der_len = 0;
	why[0] = '\0';
	if (!ctx->anchor)
		return fail(why, why_len, "no trust anchor (collateral-directory anchor mode)");
	if (d->kind == VF_DOC_TCB_INFO || d->kind == VF_DOC_QE_IDENTITY)
		r = check_json(ctx, d, at, s, why, why_len);
	else
		r = check_crl(ctx, d, at, s, der, der_len, why, why_len);
	if (r < 0)
		return r;
	if (at < s->issued || at > s->next_update) {
		char a[32], b[32];

		vf_format_time(s->issued, a, sizeof(a));
		vf_format_time(s->next_update, b, sizeof(b));
		free(*der);
		*der = NULL;
		return fail(why, why_len, "not valid at the verification time (valid %s .. %s)", a, b);
	}
	return 0;
}

int vf_eval_numbers_parse(const uint8_t *body, size_t len, int *nums, size_t max, size_t *n)
{
	const char *slice;
	size_t slen, cnt;
	json_object *o, *arr;
	int r = -EBADMSG;

	*n = 0;
	if (vf_json_member_slice((const char *)body, len, "tcbEvaluationDataNumbers", &slice, &slen) < 0)
		return -EBADMSG;
	o = vf_json_parse(slice, slen);
	if (!o)
		return -EBADMSG;
	arr = vf_jget_array(o, "tcbEvalNumbers", 1, 256);
	if (arr) {
		cnt = json_object_array_length(arr);
		r = 0;
		for (size_t i = 0; i < cnt && r == 0; i++) {
			json_object *e = json_object_array_get_idx(arr, i);
			int64_t t;
			int v;

			if (!json_object_is_type(e, json_type_object) ||
			    vf_jget_int(e, "tcbEvaluationDataNumber", 0, 1 << 30, &v) < 0 ||
			    vf_jget_time(e, "tcbRecoveryEventDate", &t) < 0 || vf_jget_time(e, "tcbDate", &t) < 0)
				r = -EBADMSG;
			else if (*n < max)
				nums[(*n)++] = v;
		}
	}
	json_object_put(o);
	return r;
}

int vf_eval_numbers_check(struct vf_ctx *ctx, const uint8_t *body, size_t len, const char *chain,
			  size_t chain_len, int64_t at, int *nums, size_t max, size_t *n, char *why,
			  size_t wl)
{
	struct vf_doc d = { .body = body, .body_len = len, .chain = chain, .chain_len = chain_len };
	const char *slice;
	size_t slen;
	int r;

	r = check_signed(ctx->anchor, &d, "tcbEvaluationDataNumbers", at, &slice, &slen, why, wl);
	if (r < 0)
		return r;
	if (vf_eval_numbers_parse(body, len, nums, max, n) < 0)
		return fail(why, wl, "malformed tcbEvalNumbers");
	return 0;
}
