/* SPDX-License-Identifier: Apache-2.0 */
/* Documents of the PCS simulator, read from a PKI's DIR/pcs on every request (so a
 * `tdx-sim pki DIR --resign` shows at once), with the encodings and defects PCS/PCCS
 * clients must handle. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_pki.h"

struct sim_pcs_doc {
	uint8_t *body;            /* malloc'd */
	size_t len;
	const char *content_type;
	const char *chain_header; /* issuer chain header name, or NULL */
	char *chain;              /* its value: URL-encoded PEM (malloc'd) */
};

void sim_pcs_doc_free(struct sim_pcs_doc *d);

/* Loaders: -ENOENT when the PKI has no such document (404). early falls back to standard
 * when DIR/pcs/early has none. bad_chain: the issuer chain of another signer. */
int sim_pcs_doc_tcb(const char *pki, const char *fmspc_upper, bool early, bool bad_chain,
		    struct sim_pcs_doc *d);
int sim_pcs_doc_qe(const char *pki, bool early, bool bad_chain, struct sim_pcs_doc *d);
int sim_pcs_doc_pckcrl(const char *pki, enum sim_pck_ca ca, bool bad_chain, struct sim_pcs_doc *d);
int sim_pcs_doc_rootcrl(const char *pki, struct sim_pcs_doc *d);
/* The signed TDX TCB evaluation data numbers (the newest of the standard and early QE
 * identities and up to two before it, dates of the standard one), TCB signing key. */
int sim_pcs_doc_eval_numbers(const char *pki, bool bad_chain, bool bad_sig, struct sim_pcs_doc *d);
/* [{"fmspc":"...","platform":"E5"},...] of DIR/platforms.json. */
int sim_pcs_doc_fmspcs(const char *pki, struct sim_pcs_doc *d);

/* tcbEvaluationDataNumber of a JSON document (its only signed member), or -EBADMSG. */
int sim_pcs_json_eval(const struct sim_pcs_doc *d);
/* old: re-signed with the evaluation number - 1 (TCB signing key of DIR); bad_sig: the
 * last bit of the signature flipped. */
int sim_pcs_json_tamper(const char *pki, struct sim_pcs_doc *d, bool old, bool bad_sig);
/* old: re-signed by its CA (key of DIR) with thisUpdate and nextUpdate one day earlier;
 * bad_sig: the last signature byte flipped. ca < 0: the root CA CRL. */
int sim_pcs_crl_tamper(const char *pki, int ca, struct sim_pcs_doc *d, bool old, bool bad_sig);

enum sim_pcs_crl_encoding { SIM_CRL_DER, SIM_CRL_PEM, SIM_CRL_HEX };
/* Re-encodes a DER CRL body (PEM: application/x-pem-file; hex: PCCS's lowercase hex text,
 * labelled application/x-pem-file like PCCS does). */
int sim_pcs_crl_encode(struct sim_pcs_doc *d, enum sim_pcs_crl_encoding enc);

/* Every byte but A-Z a-z 0-9 - . _ ~ as %XX (malloc'd). */
char *sim_pcs_urlencode(const char *s, size_t len);
