/* SPDX-License-Identifier: Apache-2.0 */
/* Request routing of the PCS simulator: path and query parameters -> status and document,
 * as Intel PCS v4 (collateral-service.md §2) or PCCS (§3.1) answer them. */
#include "sim_pcs_route.h"
#include "common/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SGX "/sgx/certification/v4/"
#define TDX "/tdx/certification/v4/"

static const char *arg(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

static int fail(struct sim_pcs_answer *a, unsigned status, const char *text)
{
	a->status = status;
	a->text = text;
	return 0;
}

static int bad_request(struct sim_pcs_answer *a) { return fail(a, 400, "Invalid request parameters."); }

static int not_found(struct sim_pcs_answer *a)
{
	return fail(a, 404, "No cache data for this platform.");
}

/* update=standard|early (default standard); -1 when invalid. */
static int update_type(struct MHD_Connection *c)
{
	const char *u = arg(c, "update");

	if (!u || strcasecmp(u, "standard") == 0)
		return 0;
	return strcasecmp(u, "early") == 0 ? 1 : -1;
}

/* tcbEvaluationDataNumber=N of PCS: the served number -> 200, lower -> 410 Gone, else 404. */
static int check_eval(struct MHD_Connection *c, const struct sim_pcs_ctx *x, struct sim_pcs_answer *a)
{
	const char *n = arg(c, "tcbEvaluationDataNumber");
	char *end;
	long want;
	int cur;

	if (!n || x->cfg->pccs)
		return 1;
	errno = 0;
	want = strtol(n, &end, 10);
	if (errno || end == n || *end || want < 0)
		return bad_request(a);
	cur = sim_pcs_json_eval(&a->doc);
	if (cur < 0)
		return cur;
	if (want == cur)
		return 1;
	sim_pcs_doc_free(&a->doc);
	return want < cur ? fail(a, 410, "Gone") : not_found(a);
}

static int json_doc(struct MHD_Connection *c, const struct sim_pcs_ctx *x, struct sim_pcs_answer *a, bool tcb)
{
	const char *fmspc = arg(c, "fmspc");
	char upper[13];
	int early = update_type(c), r;

	if (early < 0 || (!x->cfg->pccs && arg(c, "update") && arg(c, "tcbEvaluationDataNumber")))
		return bad_request(a);
	if (tcb) {
		if (!fmspc || strlen(fmspc) != 12)
			return bad_request(a);
		for (int i = 0; i < 12; i++) {
			if (!isxdigit((unsigned char)fmspc[i]))
				return bad_request(a);
			upper[i] = (char)toupper((unsigned char)fmspc[i]);
		}
		upper[12] = '\0';
		r = sim_pcs_doc_tcb(x->cfg->pki_dir, upper, early, x->hit->bad_chain, &a->doc);
	} else {
		r = sim_pcs_doc_qe(x->cfg->pki_dir, early, x->hit->bad_chain, &a->doc);
	}
	if (r == -ENOENT)
		return not_found(a);
	if (r < 0)
		return r;
	r = check_eval(c, x, a);
	if (r <= 0)
		return r;
	a->status = 200;
	return sim_pcs_json_tamper(x->cfg->pki_dir, &a->doc, x->hit->old, x->hit->bad_sig);
}

static int crl_doc(const struct sim_pcs_ctx *x, struct sim_pcs_answer *a, int ca,
		   enum sim_pcs_crl_encoding enc)
{
	int r = ca < 0 ? sim_pcs_doc_rootcrl(x->cfg->pki_dir, &a->doc)
		       : sim_pcs_doc_pckcrl(x->cfg->pki_dir, (enum sim_pck_ca)ca, x->hit->bad_chain, &a->doc);

	if (r == -ENOENT)
		return not_found(a);
	if (r == 0)
		r = sim_pcs_crl_tamper(x->cfg->pki_dir, ca, &a->doc, x->hit->old, x->hit->bad_sig);
	if (r == 0)
		r = sim_pcs_crl_encode(&a->doc, enc);
	if (r == 0)
		a->status = 200;
	return r;
}

static int pckcrl(struct MHD_Connection *c, const struct sim_pcs_ctx *x, struct sim_pcs_answer *a)
{
	const char *ca = arg(c, "ca"), *enc = arg(c, "encoding");
	enum sim_pcs_crl_encoding e;
	int which;

	if (!ca)
		return bad_request(a);
	if (strcasecmp(ca, "platform") == 0)
		which = SIM_CA_PLATFORM;
	else if (strcasecmp(ca, "processor") == 0)
		which = SIM_CA_PROCESSOR;
	else
		return bad_request(a);
	if (x->cfg->pccs) /* PCCS: raw DER only when asked; otherwise hex text */
		e = enc && strcasecmp(enc, "der") == 0 ? SIM_CRL_DER : SIM_CRL_HEX;
	else if (!enc || strcmp(enc, "pem") == 0)
		e = SIM_CRL_PEM;
	else if (strcmp(enc, "der") == 0)
		e = SIM_CRL_DER;
	else
		return bad_request(a);
	return crl_doc(x, a, which, e);
}

/* PCCS /crl?uri=: Intel's root CA CDP or a PCS pckcrl URL, raw DER. */
static int crl_by_uri(struct MHD_Connection *c, const struct sim_pcs_ctx *x, struct sim_pcs_answer *a)
{
	const char *uri = arg(c, "uri");

	if (!uri)
		return bad_request(a);
	if (strstr(uri, "/IntelSGXRootCA.der"))
		return crl_doc(x, a, -1, SIM_CRL_DER);
	if (strstr(uri, "/pckcrl?"))
		return crl_doc(x, a, strstr(uri, "ca=processor") ? SIM_CA_PROCESSOR : SIM_CA_PLATFORM,
			       SIM_CRL_DER);
	return bad_request(a);
}

int sim_pcs_route(struct MHD_Connection *c, const char *url, const struct sim_pcs_ctx *x,
		  struct sim_pcs_answer *a)
{
	bool pccs = x->cfg->pccs;
	int r;

	if (strcmp(url, TDX "tcb") == 0)
		return json_doc(c, x, a, true);
	if (strcmp(url, TDX "qe/identity") == 0)
		return json_doc(c, x, a, false);
	if (strcmp(url, SGX "pckcrl") == 0)
		return pckcrl(c, x, a);
	if (strcmp(url, "/IntelSGXRootCA.der") == 0)
		return crl_doc(x, a, -1, SIM_CRL_DER);
	if (pccs && strcmp(url, SGX "rootcacrl") == 0)
		return crl_doc(x, a, -1, SIM_CRL_HEX);
	if (pccs && strcmp(url, SGX "crl") == 0)
		return crl_by_uri(c, x, a);
	if (!pccs && strcmp(url, TDX "tcbevaluationdatanumbers") == 0) {
		r = sim_pcs_doc_eval_numbers(x->cfg->pki_dir, x->hit->bad_chain, x->hit->bad_sig, &a->doc);
		if (r == 0)
			a->status = 200;
		return r;
	}
	if (!pccs && strcmp(url, SGX "fmspcs") == 0) {
		r = sim_pcs_doc_fmspcs(x->cfg->pki_dir, &a->doc);
		if (r == 0)
			a->status = 200;
		return r;
	}
	return not_found(a);
}
