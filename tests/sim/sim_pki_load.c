/* SPDX-License-Identifier: Apache-2.0 */
/* Loads the key material of a `tdx-sim pki` directory for quote generation. */
#include "sim_ossl.h"
#include "sim_pki.h"
#include "sim_quote.h"
#include "sim_quote_int.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>

#define CHAIN_MAX (64u * 1024)

void sim_pki_free(struct sim_pki *pki)
{
	if (!pki)
		return;
	EVP_PKEY_free(pki->att_key);
	EVP_PKEY_free(pki->pck_key);
	free(pki->chain);
	free(pki);
}

static void sim_pki_freep(struct sim_pki **p) { sim_pki_free(*p); }

/* The PCK key must belong to the first certificate of the chain (catches mixed dirs). */
static int check_leaf(const struct sim_pki *pki, const char *path)
{
	_cleanup_bio_ BIO *bio = BIO_new_mem_buf(pki->chain, (int)pki->chain_len);
	_cleanup_x509_ X509 *leaf = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

	if (!leaf)
		return sim_ossl_err(-EBADMSG, "%s does not start with a PEM certificate", path);
	if (X509_check_private_key(leaf, pki->pck_key) != 1)
		return sim_ossl_err(-EBADMSG, "%s: the PCK key does not match the first certificate", path);
	return 0;
}

int sim_pki_load(const char *dir, struct sim_pki **out)
{
	__attribute__((cleanup(sim_pki_freep))) struct sim_pki *pki = calloc(1, sizeof(*pki));
	char path[PATH_MAX];
	uint8_t *chain;
	int r;

	if (!pki)
		return log_errno(-ENOMEM, "cannot allocate the PKI");
	if (snprintf(path, sizeof(path), "%s/%s", dir, SIM_PKI_ATT_KEY) >= (int)sizeof(path))
		return log_errno(-ENAMETOOLONG, "PKI directory name too long: %s", dir);
	r = sim_key_read(path, &pki->att_key);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%s", dir, SIM_PKI_PCK_KEY);
	r = sim_key_read(path, &pki->pck_key);
	if (r < 0)
		return r;
	r = sim_pubkey_xy(pki->att_key, pki->att_xy);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%s", dir, SIM_PKI_PCK_CHAIN);
	r = file_read_all(path, CHAIN_MAX, &chain, &pki->chain_len);
	if (r < 0)
		return log_errno(r, "cannot read %s: run 'tdx-sim pki %s' first", path, dir);
	pki->chain = (char *)chain;
	if (strlen(pki->chain) != pki->chain_len)
		return log_errno(-EBADMSG, "%s contains a NUL byte", path);
	r = check_leaf(pki, path);
	if (r < 0)
		return r;
	*out = pki;
	pki = NULL;
	return 0;
}
