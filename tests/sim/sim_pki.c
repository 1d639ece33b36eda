/* SPDX-License-Identifier: Apache-2.0 */
#include "sim_pki.h"
#include "sim_cert.h"
#include "sim_collateral.h"
#include "sim_crl.h"
#include "sim_ossl.h"
#include "sim_time.h"
#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#define YEAR (365 * SIM_DAY)

struct pki {
	const char *dir;
	const struct sim_pki_opts *o;
	EVP_PKEY *key[5];
	X509 *cert[4];
};

enum { ROOT, PLATFORM_CA, TCB_SIGNING, PCK, ATT_KEY };

static const char *const key_files[] = {
	"keys/root_ca_key.pem", "keys/platform_ca_key.pem", "keys/tcb_signing_key.pem",
	SIM_PKI_PCK_KEY, SIM_PKI_ATT_KEY,
};
static const char *const cert_files[] = {
	"certs/root_ca.pem", "certs/platform_ca.pem", "certs/tcb_signing.pem", "certs/pck.pem",
};

static void pki_free(struct pki *p)
{
	for (size_t i = 0; i < sizeof(p->key) / sizeof(p->key[0]); i++)
		EVP_PKEY_free(p->key[i]);
	for (size_t i = 0; i < sizeof(p->cert) / sizeof(p->cert[0]); i++)
		X509_free(p->cert[i]);
}

static int path_of(const struct pki *p, const char *rel, char *buf)
{
	if (snprintf(buf, PATH_MAX, "%s/%s", p->dir, rel) >= PATH_MAX)
		return log_errno(-ENAMETOOLONG, "path %s/%s too long: use a shorter directory", p->dir, rel);
	return 0;
}

/* Creates DIR/rel (or DIR itself for rel == NULL); an existing subdirectory gets mode. */
static int make_dir(const struct pki *p, const char *rel, mode_t mode)
{
	char path[PATH_MAX];
	int r = 0;

	if (rel)
		r = path_of(p, rel, path);
	else if (snprintf(path, sizeof(path), "%s", p->dir) >= (int)sizeof(path))
		r = log_errno(-ENAMETOOLONG, "directory name too long: %s", p->dir);
	if (r < 0)
		return r;
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return log_errno(-errno, "cannot create directory %s: check the parent", path);
	if (rel && chmod(path, mode) < 0)
		return log_errno(-errno, "cannot set the mode of %s", path);
	return 0;
}

static int issue_certs(struct pki *p)
{
	time_t t = p->o->now;
	const struct sim_cert_spec specs[] = {
		[ROOT] = { SIM_CERT_ROOT, "Intel SGX Root CA", SIM_SERIAL_ROOT, t - SIM_DAY,
			   t + 20 * YEAR, p->key[ROOT], NULL, p->key[ROOT],
			   "https://sim.tdx-unlock.invalid/IntelSGXRootCA.der" },
		[PLATFORM_CA] = { SIM_CERT_CA, "Intel SGX PCK Platform CA", SIM_SERIAL_PLATFORM_CA,
				  t - SIM_DAY, t + 15 * YEAR, p->key[PLATFORM_CA], NULL, p->key[ROOT],
				  "https://sim.tdx-unlock.invalid/IntelSGXRootCA.der" },
		[TCB_SIGNING] = { SIM_CERT_SIGNING, "Intel SGX TCB Signing", SIM_SERIAL_TCB_SIGNING,
				  t - SIM_DAY, t + 10 * YEAR, p->key[TCB_SIGNING], NULL, p->key[ROOT],
				  "https://sim.tdx-unlock.invalid/IntelSGXRootCA.der" },
		[PCK] = { SIM_CERT_PCK, "Intel SGX PCK Certificate", SIM_SERIAL_PCK, t - SIM_DAY,
			  t + 7 * YEAR, p->key[PCK], NULL, p->key[PLATFORM_CA],
			  "https://sim.tdx-unlock.invalid/pckcrl?ca=platform&encoding=der" },
	};
	static const int issuer[] = { [ROOT] = -1, [PLATFORM_CA] = ROOT, [TCB_SIGNING] = ROOT,
				      [PCK] = PLATFORM_CA };

	for (int i = ROOT; i <= PCK; i++) {
		struct sim_cert_spec s = specs[i];
		int r;

		s.issuer = issuer[i] < 0 ? NULL : p->cert[issuer[i]];
		r = sim_cert_issue(&s, &p->cert[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Writes the PEM concatenation of the listed certificates. */
static int write_chain(const struct pki *p, const char *rel, const int *which, size_t n)
{
	_cleanup_bio_ BIO *bio = BIO_new(BIO_s_mem());
	char path[PATH_MAX];
	int r = bio ? path_of(p, rel, path) : -ENOMEM;

	for (size_t i = 0; i < n && r == 0; i++)
		r = sim_cert_pem_append(bio, p->cert[which[i]]);
	if (r < 0)
		return log_errno(r, "cannot encode %s", rel);
	return sim_bio_write_file(bio, path);
}

static int write_keys_and_certs(const struct pki *p)
{
	static const int chains[][4] = {
		{ PCK, PLATFORM_CA, ROOT, -1 },   /* pck_chain.pem */
		{ ROOT, -1 },                     /* collateral/root_ca.pem */
		{ TCB_SIGNING, ROOT, -1 },        /* collateral/tcb_info_issuer_chain.pem */
		{ TCB_SIGNING, ROOT, -1 },        /* collateral/qe_identity_issuer_chain.pem */
		{ PLATFORM_CA, ROOT, -1 },        /* collateral/pck_crl_issuer_chain.pem */
	};
	static const char *const chain_files[] = {
		SIM_PKI_PCK_CHAIN, "collateral/root_ca.pem", "collateral/tcb_info_issuer_chain.pem",
		"collateral/qe_identity_issuer_chain.pem", "collateral/pck_crl_issuer_chain.pem",
	};
	char path[PATH_MAX];
	int r;

	for (size_t i = 0; i < sizeof(key_files) / sizeof(key_files[0]); i++) {
		r = path_of(p, key_files[i], path);
		if (r == 0)
			r = sim_key_write(path, p->key[i]);
		if (r < 0)
			return r;
	}
	for (int i = ROOT; i <= PCK; i++) {
		r = write_chain(p, cert_files[i], &i, 1);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		size_t n = 0;

		while (n < 4 && chains[i][n] >= 0)
			n++;
		r = write_chain(p, chain_files[i], chains[i], n);
		if (r < 0)
			return r;
	}
	return 0;
}

static int write_crls(const struct pki *p)
{
	time_t t = p->o->now;
	uint64_t root_revoked[] = { SIM_SERIAL_UNRELATED, SIM_SERIAL_PLATFORM_CA };
	uint64_t pck_revoked[] = { SIM_SERIAL_UNRELATED, SIM_SERIAL_PCK };
	struct sim_crl_spec root = {
		p->cert[ROOT], p->key[ROOT], t - SIM_DAY, t + 30 * SIM_DAY, 1,
		root_revoked, p->o->revoke_platform_ca ? 2 : 1, t - SIM_DAY,
	};
	struct sim_crl_spec pck = {
		p->cert[PLATFORM_CA], p->key[PLATFORM_CA], t - SIM_DAY, t + 30 * SIM_DAY, 1,
		pck_revoked, p->o->revoke_pck ? 2 : 1, t - SIM_DAY,
	};
	char path[PATH_MAX];
	int r;

	r = path_of(p, "collateral/root_ca_crl.der", path);
	if (r == 0)
		r = sim_crl_write(&root, path);
	if (r == 0)
		r = path_of(p, "collateral/pck_crl.der", path);
	if (r == 0)
		r = sim_crl_write(&pck, path);
	return r;
}

static int write_json(const struct pki *p)
{
	time_t t = p->o->now;
	struct sim_collateral_spec tcb = {
		p->key[TCB_SIGNING], t - SIM_DAY, t + 30 * SIM_DAY, p->o->bad_tcb_info_sig,
		p->o->fmspc_mismatch,
	};
	struct sim_collateral_spec qe = {
		p->key[TCB_SIGNING], t - SIM_DAY, t + 30 * SIM_DAY, false, p->o->qe_identity_mismatch,
	};
	char path[PATH_MAX];
	int r;

	if (p->o->expired_tcb_info) {
		tcb.issue_date = t - 31 * SIM_DAY;
		tcb.next_update = t - SIM_DAY;
	}
	if (p->o->expired_qe_identity) {
		qe.issue_date = t - 31 * SIM_DAY;
		qe.next_update = t - SIM_DAY;
	}
	r = path_of(p, "collateral/tcb_info.json", path);
	if (r == 0)
		r = sim_tcb_info_write(path, &tcb);
	if (r == 0)
		r = path_of(p, "collateral/qe_identity.json", path);
	if (r == 0)
		r = sim_qe_identity_write(path, &qe);
	return r;
}

int sim_pki_create(const char *dir, const struct sim_pki_opts *opts)
{
	__attribute__((cleanup(pki_free))) struct pki p = { .dir = dir, .o = opts };
	int r;

	r = make_dir(&p, NULL, 0755);
	if (r == 0)
		r = make_dir(&p, "collateral", 0755);
	if (r == 0)
		r = make_dir(&p, "certs", 0755);
	if (r == 0)
		r = make_dir(&p, "keys", 0700);
	for (size_t i = 0; i < sizeof(p.key) / sizeof(p.key[0]) && r == 0; i++)
		r = sim_key_gen(&p.key[i]);
	if (r == 0)
		r = issue_certs(&p);
	if (r == 0)
		r = write_keys_and_certs(&p);
	if (r == 0)
		r = write_crls(&p);
	if (r == 0)
		r = write_json(&p);
	return r;
}
