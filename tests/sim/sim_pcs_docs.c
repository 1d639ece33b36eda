/* SPDX-License-Identifier: Apache-2.0 */
#include "sim_pcs_docs.h"
#include "sim_collateral.h"
#include "sim_ossl.h"
#include "sim_time.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/json_cleanup.h"
#include "common/log.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/pem.h>

#define DOC_MAX (1u << 20)

void sim_pcs_doc_free(struct sim_pcs_doc *d)
{
	free(d->body);
	free(d->chain);
	*d = (struct sim_pcs_doc){ 0 };
}

char *sim_pcs_urlencode(const char *s, size_t len)
{
	char *out = malloc(3 * len + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			*o++ = (char)c;
		} else {
			sprintf(o, "%%%02X", c);
			o += 3;
		}
	}
	*o = '\0';
	return out;
}

static int read_rel(const char *pki, const char *rel, uint8_t **buf, size_t *len)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/pcs/%s", pki, rel) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return file_read_all(path, DOC_MAX, buf, len);
}

static int load(const char *pki, const char *rel, const char *chain_rel, const char *header,
		const char *ctype, struct sim_pcs_doc *d)
{
	_cleanup_free_ uint8_t *chain = NULL;
	size_t chain_len = 0;
	int r;

	*d = (struct sim_pcs_doc){ .content_type = ctype, .chain_header = header };
	r = read_rel(pki, rel, &d->body, &d->len);
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return log_errno(r, "pcs: cannot read %s/pcs/%s", pki, rel);
	if (!chain_rel)
		return 0;
	r = read_rel(pki, chain_rel, &chain, &chain_len);
	if (r < 0) {
		sim_pcs_doc_free(d);
		return log_errno(r, "pcs: cannot read %s/pcs/%s", pki, chain_rel);
	}
	d->chain = sim_pcs_urlencode((const char *)chain, chain_len);
	if (!d->chain) {
		sim_pcs_doc_free(d);
		return -ENOMEM;
	}
	return 0;
}

#define SIGNING_CHAIN "tcb_signing_chain.pem"
#define PLATFORM_CHAIN "pckcrl_platform_issuer_chain.pem"

int sim_pcs_doc_tcb(const char *pki, const char *fmspc, bool early, bool bad_chain, struct sim_pcs_doc *d)
{
	char rel[64];
	int r = -ENOENT;

	if (early) {
		snprintf(rel, sizeof(rel), "early/tcb_info/%s.json", fmspc);
		r = load(pki, rel, bad_chain ? PLATFORM_CHAIN : SIGNING_CHAIN, "TCB-Info-Issuer-Chain",
			 "application/json", d);
	}
	if (r == -ENOENT) {
		snprintf(rel, sizeof(rel), "tcb_info/%s.json", fmspc);
		r = load(pki, rel, bad_chain ? PLATFORM_CHAIN : SIGNING_CHAIN, "TCB-Info-Issuer-Chain",
			 "application/json", d);
	}
	return r;
}

int sim_pcs_doc_qe(const char *pki, bool early, bool bad_chain, struct sim_pcs_doc *d)
{
	int r = -ENOENT;

	if (early)
		r = load(pki, "early/qe_identity.json", bad_chain ? PLATFORM_CHAIN : SIGNING_CHAIN,
			 "SGX-Enclave-Identity-Issuer-Chain", "application/json", d);
	if (r == -ENOENT)
		r = load(pki, "qe_identity.json", bad_chain ? PLATFORM_CHAIN : SIGNING_CHAIN,
			 "SGX-Enclave-Identity-Issuer-Chain", "application/json", d);
	return r;
}

int sim_pcs_doc_pckcrl(const char *pki, enum sim_pck_ca ca, bool bad_chain, struct sim_pcs_doc *d)
{
	bool proc = ca == SIM_CA_PROCESSOR;
	const char *chain = bad_chain ? SIGNING_CHAIN : proc ? "pckcrl_processor_issuer_chain.pem" : PLATFORM_CHAIN;

	return load(pki, proc ? "pckcrl_processor.der" : "pckcrl_platform.der", chain,
		    "SGX-PCK-CRL-Issuer-Chain", "application/pkix-crl", d);
}

int sim_pcs_doc_rootcrl(const char *pki, struct sim_pcs_doc *d)
{
	return load(pki, "root_ca_crl.der", NULL, NULL, "application/pkix-crl", d);
}

int sim_pcs_doc_fmspcs(const char *pki, struct sim_pcs_doc *d)
{
	_cleanup_free_ struct sim_pki_platform *list = NULL;
	_cleanup_json_put_ json_object *arr = json_object_new_array();
	const char *text;
	size_t n;
	int r;

	*d = (struct sim_pcs_doc){ .content_type = "application/json" };
	r = sim_pki_manifest_read(pki, &list, &n);
	if (r < 0 || !arr)
		return r < 0 ? r : -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		char hex[13];

		hex_encode(list[i].fmspc, 6, hex);
		for (char *c = hex; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		if (!o || json_object_array_add(arr, o) < 0 ||
		    json_object_object_add(o, "fmspc", json_object_new_string(hex)) < 0 ||
		    json_object_object_add(o, "platform", json_object_new_string("E5")) < 0)
			return -ENOMEM;
	}
	text = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN);
	d->body = (uint8_t *)strdup(text);
	if (!d->body)
		return -ENOMEM;
	d->len = strlen(text);
	return 0;
}

/* The signed member of {"<member>":{...},"signature":"..."} and its name. */
static json_object *member_of(json_object *doc, const char **name)
{
	json_object_object_foreach(doc, key, val) {
		if (strcmp(key, "signature") != 0 && json_object_is_type(val, json_type_object)) {
			*name = key;
			return val;
		}
	}
	return NULL;
}

int sim_pcs_json_eval(const struct sim_pcs_doc *d)
{
	_cleanup_json_put_ json_object *doc = json_tokener_parse((const char *)d->body);
	const char *name;
	json_object *m = doc ? member_of(doc, &name) : NULL, *n;

	if (!m || !json_object_object_get_ex(m, "tcbEvaluationDataNumber", &n))
		return -EBADMSG;
	return json_object_get_int(n);
}

static int key_of(const char *pki, const char *name, EVP_PKEY **key)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/keys/%s", pki, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return sim_key_read(path, key);
}

static void flip_last_sig_digit(struct sim_pcs_doc *d)
{
	char *sig = strstr((char *)d->body, "\"signature\":\"");
	char *last;

	if (!sig || strlen(sig) < 14 + 128)
		return;
	last = sig + 13 + 127;
	*last = *last == '0' ? '1' : '0';
}

int sim_pcs_json_tamper(const char *pki, struct sim_pcs_doc *d, bool old, bool bad_sig)
{
	_cleanup_json_put_ json_object *doc = NULL;
	_cleanup_pkey_ EVP_PKEY *key = NULL;
	char *signed_doc = NULL;
	const char *name, *text;
	json_object *m;
	int eval, r;

	if (!old) {
		if (bad_sig)
			flip_last_sig_digit(d);
		return 0;
	}
	doc = json_tokener_parse((const char *)d->body);
	m = doc ? member_of(doc, &name) : NULL;
	eval = sim_pcs_json_eval(d);
	if (!m || eval < 0)
		return log_errno(-EBADMSG, "pcs: a stored document has no tcbEvaluationDataNumber");
	json_object_object_add(m, "tcbEvaluationDataNumber", json_object_new_int(eval > 1 ? eval - 1 : 0));
	text = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	r = key_of(pki, "tcb_signing_key.pem", &key);
	if (r == 0)
		r = sim_json_sign(key, name, text, bad_sig, &signed_doc);
	if (r < 0)
		return r;
	free(d->body);
	d->body = (uint8_t *)signed_doc;
	d->len = strlen(signed_doc);
	return 0;
}

static int shift_day_back(X509_CRL *crl)
{
	const ASN1_TIME *tu = X509_CRL_get0_lastUpdate(crl), *nu = X509_CRL_get0_nextUpdate(crl);
	ASN1_TIME *t1 = NULL, *t2 = NULL;
	struct tm a, b;
	int ok;

	if (!tu || !nu || !ASN1_TIME_to_tm(tu, &a) || !ASN1_TIME_to_tm(nu, &b))
		return -EBADMSG;
	t1 = ASN1_TIME_set(NULL, timegm(&a) - SIM_DAY);
	t2 = ASN1_TIME_set(NULL, timegm(&b) - SIM_DAY);
	ok = t1 && t2 && X509_CRL_set1_lastUpdate(crl, t1) && X509_CRL_set1_nextUpdate(crl, t2);
	ASN1_TIME_free(t1);
	ASN1_TIME_free(t2);
	return ok ? 0 : -ENOMEM;
}

int sim_pcs_crl_tamper(const char *pki, int ca, struct sim_pcs_doc *d, bool old, bool bad_sig)
{
	static const char *const keys[] = { "platform_ca_key.pem", "processor_ca_key.pem" };
	const unsigned char *p = d->body;
	_cleanup_crl_ X509_CRL *crl = NULL;
	_cleanup_pkey_ EVP_PKEY *key = NULL;
	unsigned char *der = NULL;
	int len, r;

	if (old) {
		crl = d2i_X509_CRL(NULL, &p, (long)d->len);
		if (!crl)
			return sim_ossl_err(-EBADMSG, "pcs: a stored CRL does not parse");
		r = key_of(pki, ca < 0 ? "root_ca_key.pem" : keys[ca], &key);
		if (r == 0)
			r = shift_day_back(crl);
		if (r < 0)
			return r;
		if (!X509_CRL_sign(crl, key, EVP_sha256()) || (len = i2d_X509_CRL(crl, &der)) <= 0)
			return sim_ossl_err(-EIO, "pcs: cannot re-sign a CRL");
		free(d->body);
		d->body = malloc((size_t)len);
		if (!d->body) {
			OPENSSL_free(der);
			return -ENOMEM;
		}
		memcpy(d->body, der, (size_t)len);
		d->len = (size_t)len;
		OPENSSL_free(der);
	}
	if (bad_sig && d->len)
		d->body[d->len - 1] ^= 0x01; /* last byte of the signature's s */
	return 0;
}

int sim_pcs_crl_encode(struct sim_pcs_doc *d, enum sim_pcs_crl_encoding enc)
{
	uint8_t *out;
	size_t len;

	if (enc == SIM_CRL_DER)
		return 0;
	if (enc == SIM_CRL_HEX) {
		out = malloc(2 * d->len + 1);
		if (!out)
			return -ENOMEM;
		hex_encode(d->body, d->len, (char *)out);
		len = 2 * d->len;
	} else {
		_cleanup_bio_ BIO *bio = BIO_new(BIO_s_mem());
		char *data;
		long n;

		/* PEM of the bytes as they are (a tampered signature stays tampered) */
		if (!bio || !PEM_write_bio(bio, "X509 CRL", "", d->body, (long)d->len) ||
		    (n = BIO_get_mem_data(bio, &data)) <= 0)
			return sim_ossl_err(-ENOMEM, "pcs: cannot PEM-encode a CRL");
		out = malloc((size_t)n);
		if (!out)
			return -ENOMEM;
		memcpy(out, data, (size_t)n);
		len = (size_t)n;
	}
	free(d->body);
	d->body = out;
	d->len = len;
	d->content_type = "application/x-pem-file";
	return 0;
}

/* issueDate / nextUpdate of a JSON document's member as strings (into a, b). */
static int dates_of(const struct sim_pcs_doc *d, char *a, char *b, size_t len)
{
	_cleanup_json_put_ json_object *doc = json_tokener_parse((const char *)d->body);
	const char *name;
	json_object *m = doc ? member_of(doc, &name) : NULL, *i, *n;

	if (!m || !json_object_object_get_ex(m, "issueDate", &i) || !json_object_object_get_ex(m, "nextUpdate", &n))
		return -EBADMSG;
	snprintf(a, len, "%s", json_object_get_string(i));
	snprintf(b, len, "%s", json_object_get_string(n));
	return 0;
}

static json_object *eval_entry(int num, time_t issued, int age)
{
	json_object *o = json_object_new_object();
	char rec[32], tcb[32];

	/* a TCB recovery about every 8 months back from the newest number */
	sim_time_format(issued - (time_t)age * 240 * SIM_DAY - 14 * SIM_DAY, rec, sizeof(rec));
	sim_time_format(issued - (time_t)age * 240 * SIM_DAY - 13 * SIM_DAY, tcb, sizeof(tcb));
	if (o && (json_object_object_add(o, "tcbEvaluationDataNumber", json_object_new_int(num)) < 0 ||
		  json_object_object_add(o, "tcbRecoveryEventDate", json_object_new_string(rec)) < 0 ||
		  json_object_object_add(o, "tcbDate", json_object_new_string(tcb)) < 0)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int sim_pcs_doc_eval_numbers(const char *pki, bool bad_chain, bool bad_sig, struct sim_pcs_doc *d)
{
	struct sim_pcs_doc std = { 0 }, early = { 0 };
	_cleanup_json_put_ json_object *m = json_object_new_object();
	_cleanup_pkey_ EVP_PKEY *key = NULL;
	json_object *arr = json_object_new_array();
	char issue[64], next[64];
	time_t issued;
	int newest, r;

	r = sim_pcs_doc_qe(pki, false, false, &std);
	if (r == 0)
		r = sim_pcs_doc_qe(pki, true, false, &early);
	newest = r == 0 ? sim_pcs_json_eval(&std) : r;
	if (r == 0 && sim_pcs_json_eval(&early) > newest)
		newest = sim_pcs_json_eval(&early);
	if (newest >= 0)
		r = dates_of(&std, issue, next, sizeof(issue));
	sim_pcs_doc_free(&std);
	sim_pcs_doc_free(&early);
	if (newest < 0 || r < 0 || !m || !arr || sim_time_parse(issue, &issued) < 0) {
		json_object_put(arr);
		return newest < 0 ? newest : r < 0 ? r : -ENOMEM;
	}
	/* the newest number and up to two before it, newest first, as Intel's list */
	for (int k = 0; k < 3 && newest - k >= 1; k++)
		json_object_array_add(arr, eval_entry(newest - k, issued, k));
	json_object_object_add(m, "id", json_object_new_string("TDX"));
	json_object_object_add(m, "version", json_object_new_int(1));
	json_object_object_add(m, "issueDate", json_object_new_string(issue));
	json_object_object_add(m, "nextUpdate", json_object_new_string(next));
	json_object_object_add(m, "tcbEvalNumbers", arr);
	r = key_of(pki, "tcb_signing_key.pem", &key);
	if (r < 0)
		return r;
	r = load(pki, "qe_identity.json", bad_chain ? PLATFORM_CHAIN : SIGNING_CHAIN,
		 "TCB-Evaluation-Data-Numbers-Issuer-Chain", "application/json", d);
	if (r < 0)
		return r;
	free(d->body);
	d->body = NULL;
	r = sim_json_sign(key, "tcbEvaluationDataNumbers",
			  json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			  bad_sig, (char **)&d->body);
	if (r < 0) {
		sim_pcs_doc_free(d);
		return r;
	}
	d->len = strlen((const char *)d->body);
	return 0;
}
