/* SPDX-License-Identifier: Apache-2.0 */
/* Internal state of `tdx-sim pki` shared by sim_pki.c (keys, certificates), sim_pki_docs.c
 * (signed collateral) and sim_pki_fleet.c (platforms). */
#pragma once
#include <limits.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "sim_pki.h"
#include "sim_platform.h"

/* CA and signing keys/certificates of the PKI (indices into pki.key / pki.cert). */
enum { ROOT, PLATFORM_CA, TCB_SIGNING, PROCESSOR_CA, N_AUTH };

struct pki_platform {
	struct sim_platform values; /* sim_platform with this platform's FMSPC, PPID and CA */
	enum sim_pck_ca ca;
	uint64_t serial;
	EVP_PKEY *pck_key, *att_key;
	X509 *pck;
};

struct pki {
	const char *dir;
	const struct sim_pki_opts *o;
	EVP_PKEY *key[N_AUTH];
	X509 *cert[N_AUTH];
	struct pki_platform *plat;
	size_t n_plat;
};

void pki_free(struct pki *p);
/* DIR/rel into buf (PATH_MAX). */
int pki_path(const struct pki *p, const char *rel, char *buf);
/* Creates DIR/rel with mode (an existing one gets the mode). */
int pki_mkdir(const struct pki *p, const char *rel, unsigned mode);
/* Writes the PEM concatenation of certificates to DIR/rel. */
int pki_write_chain(const struct pki *p, const char *rel, X509 *const *certs, size_t n);
/* Index of the issuing CA of a platform's leaf (PLATFORM_CA or PROCESSOR_CA). */
int pki_ca_index(enum sim_pck_ca ca);
const char *pki_ca_name(enum sim_pck_ca ca); /* "platform" / "processor" */

/* Fills p->plat from the list (or the default platform) with the sim_platform values. */
int pki_platforms_init(struct pki *p, const struct sim_pki_platform *list, size_t n);
int pki_manifest_write(const struct pki *p);

/* Writes every signed document (CRLs, TCB info per FMSPC, QE identity) to DIR/collateral,
 * DIR/platforms/N/collateral and DIR/pcs (or DIR/pcs/early only when o->early). */
int pki_write_documents(const struct pki *p);
