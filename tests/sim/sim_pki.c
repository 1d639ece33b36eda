/* SPDX-License-Identifier: Apache-2.0 */
/* `tdx-sim pki`: keys and certificates of the test PKI; the documents are in sim_pki_docs.c,
 * the platforms in sim_pki_fleet.c. */
#include "sim_pki.h"
#include "sim_cert.h"
#include "sim_ossl.h"
#include "sim_pki_int.h"
#include "sim_time.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define YEAR (365 * SIM_DAY)
#define ROOT_CDP "https://sim.tdx-unlock.invalid/IntelSGXRootCA.der"

static const char *const key_files[N_AUTH] = {
	"keys/root_ca_key.pem", "keys/platform_ca_key.pem", "keys/tcb_signing_key.pem",
	"keys/processor_ca_key.pem",
};
static const char *const cert_files[N_AUTH] = {
	"certs/root_ca.pem", "certs/platform_ca.pem", "certs/tcb_signing.pem",
	"certs/processor_ca.pem",
};

void pki_free(struct pki *p)
{
	for (size_t i = 0; i < N_AUTH; i++) {
		EVP_PKEY_free(p->key[i]);
		X509_free(p->cert[i]);
	}
	for (size_t i = 0; i < p->n_plat; i++) {
		EVP_PKEY_free(p->plat[i].pck_key);
		EVP_PKEY_free(p->plat[i].att_key);
		X509_free(p->plat[i].pck);
	}
	free(p->plat);
}

int pki_path(const struct pki *p, const char *rel, char *buf)
{
	if (snprintf(buf, PATH_MAX, "%s/%s", p->dir, rel) >= PATH_MAX)
		return log_errno(-ENAMETOOLONG, "path %s/%s too long: use a shorter directory", p->dir, rel);
	return 0;
}

int pki_mkdir(const struct pki *p, const char *rel, unsigned mode)
{
	char path[PATH_MAX];
	int r = pki_path(p, rel, path);

	if (r < 0)
		return r;
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return log_errno(-errno, "cannot create directory %s: check the parent", path);
	if (chmod(path, mode) < 0)
		return log_errno(-errno, "cannot set the mode of %s", path);
	return 0;
}

int pki_write_chain(const struct pki *p, const char *rel, X509 *const *certs, size_t n)
{
	_cleanup_bio_ BIO *bio = BIO_new(BIO_s_mem());
	char path[PATH_MAX];
	int r = bio ? pki_path(p, rel, path) : -ENOMEM;

	for (size_t i = 0; i < n && r == 0; i++)
		r = sim_cert_pem_append(bio, certs[i]);
	if (r < 0)
		return log_errno(r, "cannot encode %s", rel);
	return sim_bio_write_file(bio, path);
}

int pki_ca_index(enum sim_pck_ca ca) { return ca == SIM_CA_PROCESSOR ? PROCESSOR_CA : PLATFORM_CA; }
const char *pki_ca_name(enum sim_pck_ca ca) { return ca == SIM_CA_PROCESSOR ? "processor" : "platform"; }

static int issue_authorities(struct pki *p)
{
	time_t t = p->o->now;
	const struct sim_cert_spec specs[N_AUTH] = {
		[ROOT] = { SIM_CERT_ROOT, "Intel SGX Root CA", SIM_SERIAL_ROOT, t - SIM_DAY,
			   t + 20 * YEAR, p->key[ROOT], NULL, p->key[ROOT], ROOT_CDP, NULL },
		[PLATFORM_CA] = { SIM_CERT_CA, "Intel SGX PCK Platform CA", SIM_SERIAL_PLATFORM_CA,
				  t - SIM_DAY, t + 15 * YEAR, p->key[PLATFORM_CA], NULL, p->key[ROOT],
				  ROOT_CDP, NULL },
		[TCB_SIGNING] = { SIM_CERT_SIGNING, "Intel SGX TCB Signing", SIM_SERIAL_TCB_SIGNING,
				  t - SIM_DAY, t + 10 * YEAR, p->key[TCB_SIGNING], NULL, p->key[ROOT],
				  ROOT_CDP, NULL },
		[PROCESSOR_CA] = { SIM_CERT_CA, "Intel SGX PCK Processor CA", SIM_SERIAL_PROCESSOR_CA,
				   t - SIM_DAY, t + 15 * YEAR, p->key[PROCESSOR_CA], NULL, p->key[ROOT],
				   ROOT_CDP, NULL },
	};

	for (int i = ROOT; i < N_AUTH; i++) {
		struct sim_cert_spec s = specs[i];
		int r;

		s.issuer = i == ROOT ? NULL : p->cert[ROOT];
		r = sim_cert_issue(&s, &p->cert[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int issue_leaf(struct pki *p, struct pki_platform *pl)
{
	static const char *const cdp[] = {
		[SIM_CA_PLATFORM] = "https://sim.tdx-unlock.invalid/pckcrl?ca=platform&encoding=der",
		[SIM_CA_PROCESSOR] = "https://sim.tdx-unlock.invalid/pckcrl?ca=processor&encoding=der",
	};
	int ca = pki_ca_index(pl->ca);
	struct sim_cert_spec s = {
		SIM_CERT_PCK, "Intel SGX PCK Certificate", pl->serial, p->o->now - SIM_DAY,
		p->o->now + 7 * YEAR, NULL, p->cert[ca], p->key[ca], cdp[pl->ca], &pl->values,
	};
	int r = sim_key_gen(&pl->pck_key);

	if (r == 0)
		r = sim_key_gen(&pl->att_key);
	if (r < 0)
		return r;
	s.key = pl->pck_key;
	return sim_cert_issue(&s, &pl->pck);
}

/* The files of one platform below prefix ("" for DIR itself, "platforms/N/"). */
static int write_platform(const struct pki *p, const struct pki_platform *pl, const char *prefix)
{
	int ca = pki_ca_index(pl->ca);
	X509 *chain[] = { pl->pck, p->cert[ca], p->cert[ROOT] };
	struct { const char *name; X509 *const *certs; size_t n; } chains[] = {
		{ SIM_PKI_PCK_CHAIN, chain, 3 },
		{ "certs/pck.pem", chain, 1 },
		{ "collateral/root_ca.pem", &p->cert[ROOT], 1 },
		{ "collateral/pck_crl_issuer_chain.pem", chain + 1, 2 },
	};
	X509 *signing[] = { p->cert[TCB_SIGNING], p->cert[ROOT] };
	char rel[PATH_MAX], path[PATH_MAX];
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(chains) && r == 0; i++) {
		snprintf(rel, sizeof(rel), "%s%s", prefix, chains[i].name);
		r = pki_write_chain(p, rel, chains[i].certs, chains[i].n);
	}
	for (int i = 0; i < 2 && r == 0; i++) {
		snprintf(rel, sizeof(rel), "%scollateral/%s_issuer_chain.pem", prefix,
			 i ? "qe_identity" : "tcb_info");
		r = pki_write_chain(p, rel, signing, 2);
	}
	if (r == 0) {
		snprintf(rel, sizeof(rel), "%s%s", prefix, SIM_PKI_PCK_KEY);
		r = pki_path(p, rel, path);
	}
	if (r == 0)
		r = sim_key_write(path, pl->pck_key);
	if (r == 0) {
		snprintf(rel, sizeof(rel), "%s%s", prefix, SIM_PKI_ATT_KEY);
		r = pki_path(p, rel, path);
	}
	return r == 0 ? sim_key_write(path, pl->att_key) : r;
}

static int make_platform_dirs(const struct pki *p, size_t i)
{
	static const char *const sub[] = { "", "/collateral", "/certs", "/keys" };
	char rel[64];
	int r = 0;

	for (size_t s = 0; s < ARRAY_SIZE(sub) && r == 0; s++) {
		snprintf(rel, sizeof(rel), "platforms/%zu%s", i, sub[s]);
		r = pki_mkdir(p, rel, s == 3 ? 0700 : 0755);
	}
	return r;
}

static int write_keys_and_certs(const struct pki *p)
{
	X509 *const crl_chains[][2] = {
		{ p->cert[PLATFORM_CA], p->cert[ROOT] }, { p->cert[PROCESSOR_CA], p->cert[ROOT] },
	};
	X509 *const signing[] = { p->cert[TCB_SIGNING], p->cert[ROOT] };
	char path[PATH_MAX];
	int r;

	for (size_t i = 0; i < N_AUTH; i++) {
		r = pki_path(p, key_files[i], path);
		if (r == 0)
			r = sim_key_write(path, p->key[i]);
		if (r == 0)
			r = pki_write_chain(p, cert_files[i], &p->cert[i], 1);
		if (r < 0)
			return r;
	}
	r = write_platform(p, &p->plat[0], "");
	for (size_t i = 0; i < p->n_plat && r == 0; i++) {
		char prefix[64];

		snprintf(prefix, sizeof(prefix), "platforms/%zu/", i);
		r = make_platform_dirs(p, i);
		if (r == 0)
			r = write_platform(p, &p->plat[i], prefix);
	}
	if (r == 0)
		r = pki_write_chain(p, "pcs/root_ca.pem", &p->cert[ROOT], 1);
	if (r == 0)
		r = pki_write_chain(p, "pcs/tcb_signing_chain.pem", signing, 2);
	if (r == 0)
		r = pki_write_chain(p, "pcs/pckcrl_platform_issuer_chain.pem", crl_chains[0], 2);
	if (r == 0)
		r = pki_write_chain(p, "pcs/pckcrl_processor_issuer_chain.pem", crl_chains[1], 2);
	return r;
}

static int make_dirs(const struct pki *p)
{
	static const struct { const char *rel; unsigned mode; } dirs[] = {
		{ ".", 0755 }, { "collateral", 0755 }, { "certs", 0755 }, { "keys", 0700 },
		{ "platforms", 0755 }, { "pcs", 0755 }, { "pcs/tcb_info", 0755 },
	};
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(dirs) && r == 0; i++)
		r = pki_mkdir(p, dirs[i].rel, dirs[i].mode);
	return r;
}

int sim_pki_create(const char *dir, const struct sim_pki_opts *opts)
{
	__attribute__((cleanup(pki_free))) struct pki p = { .dir = dir, .o = opts };
	int r;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return log_errno(-errno, "cannot create directory %s: check the parent", dir);
	r = make_dirs(&p);
	if (r == 0)
		r = pki_platforms_init(&p, opts->platforms, opts->n_platforms);
	for (size_t i = 0; i < N_AUTH && r == 0; i++)
		r = sim_key_gen(&p.key[i]);
	if (r == 0)
		r = issue_authorities(&p);
	for (size_t i = 0; i < p.n_plat && r == 0; i++)
		r = issue_leaf(&p, &p.plat[i]);
	if (r == 0)
		r = write_keys_and_certs(&p);
	if (r == 0)
		r = pki_manifest_write(&p);
	if (r == 0)
		r = pki_write_documents(&p);
	return r;
}

int sim_pki_resign(const char *dir, const struct sim_pki_opts *opts)
{
	__attribute__((cleanup(pki_free))) struct pki p = { .dir = dir, .o = opts };
	_cleanup_free_ struct sim_pki_platform *list = NULL;
	char path[PATH_MAX];
	size_t n = 0;
	int r;

	r = sim_pki_manifest_read(dir, &list, &n);
	if (r == 0)
		r = pki_platforms_init(&p, list, n);
	for (size_t i = 0; i < N_AUTH && r == 0; i++) {
		r = pki_path(&p, key_files[i], path);
		if (r == 0)
			r = sim_key_read(path, &p.key[i]);
		if (r == 0)
			r = pki_path(&p, cert_files[i], path);
		if (r == 0)
			r = sim_cert_read(path, &p.cert[i]);
	}
	if (r == 0)
		r = make_dirs(&p);
	if (r == 0)
		r = pki_write_documents(&p);
	return r;
}
