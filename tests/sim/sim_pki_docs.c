/* SPDX-License-Identifier: Apache-2.0 */
/* The signed collateral documents of a PKI, each signed once and written to every place
 * that holds it: DIR/collateral (platform 0), DIR/platforms/N/collateral, DIR/pcs. */
#include "sim_collateral.h"
#include "sim_crl.h"
#include "sim_pki_int.h"
#include "sim_time.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct docs {
	char **tcb;         /* per platform: its FMSPC's TCB info (shared pointers, see owner) */
	bool *tcb_owner;    /* tcb[i] is the first of its FMSPC: free it */
	char *qe;
	uint8_t *crl[2];    /* [SIM_CA_PLATFORM], [SIM_CA_PROCESSOR] */
	size_t crl_len[2];
	uint8_t *root_crl;
	size_t root_crl_len;
	size_t n;
};

static void docs_free(struct docs *d)
{
	for (size_t i = 0; d->tcb && i < d->n; i++)
		if (d->tcb_owner[i])
			free(d->tcb[i]);
	free(d->tcb);
	free(d->tcb_owner);
	free(d->qe);
	free(d->crl[0]);
	free(d->crl[1]);
	free(d->root_crl);
}

static void window(const struct sim_pki_opts *o, time_t *issue, time_t *next)
{
	*issue = o->have_issue_date ? o->issue_date : o->now - SIM_DAY;
	*next = *issue + (time_t)(o->validity_days ? o->validity_days : 31) * SIM_DAY;
}

static int sign_json(const struct pki *p, struct docs *d)
{
	const struct sim_pki_opts *o = p->o;
	struct sim_collateral_spec tcb = {
		p->key[TCB_SIGNING], 0, 0, o->bad_tcb_info_sig, o->fmspc_mismatch, NULL, o->tcb_eval,
	};
	struct sim_collateral_spec qe = {
		p->key[TCB_SIGNING], 0, 0, false, o->qe_identity_mismatch, NULL, o->tcb_eval,
	};
	int r;

	window(o, &tcb.issue_date, &tcb.next_update);
	window(o, &qe.issue_date, &qe.next_update);
	if (o->expired_tcb_info) {
		tcb.issue_date = o->now - 31 * SIM_DAY;
		tcb.next_update = o->now - SIM_DAY;
	}
	if (o->expired_qe_identity) {
		qe.issue_date = o->now - 31 * SIM_DAY;
		qe.next_update = o->now - SIM_DAY;
	}
	d->tcb = calloc(d->n, sizeof(*d->tcb));
	d->tcb_owner = calloc(d->n, sizeof(*d->tcb_owner));
	if (!d->tcb || !d->tcb_owner)
		return log_errno(-ENOMEM, "cannot allocate %zu TCB info documents", d->n);
	for (size_t i = 0; i < d->n; i++) {
		for (size_t j = 0; j < i && !d->tcb[i]; j++)
			if (memcmp(p->plat[j].values.fmspc, p->plat[i].values.fmspc, 6) == 0)
				d->tcb[i] = d->tcb[j];
		if (d->tcb[i])
			continue;
		tcb.fmspc = p->plat[i].values.fmspc;
		r = sim_tcb_info_build(&tcb, &d->tcb[i]);
		if (r < 0)
			return r;
		d->tcb_owner[i] = true;
	}
	return sim_qe_identity_build(&qe, &d->qe);
}

static int sign_crls(const struct pki *p, struct docs *d)
{
	const struct sim_pki_opts *o = p->o;
	uint64_t revoked[2][2] = { { SIM_SERIAL_UNRELATED, p->plat[0].serial },
				   { SIM_SERIAL_UNRELATED, p->plat[0].serial } };
	uint64_t root_revoked[] = { SIM_SERIAL_UNRELATED, SIM_SERIAL_PLATFORM_CA };
	struct sim_crl_spec root = {
		p->cert[ROOT], p->key[ROOT], 0, 0, 1, root_revoked, o->revoke_platform_ca ? 2 : 1, 0,
	};
	int r;

	window(o, &root.this_update, &root.next_update);
	root.revoked_at = root.this_update;
	r = sim_crl_der(&root, &d->root_crl, &d->root_crl_len);
	for (int ca = SIM_CA_PLATFORM; ca <= SIM_CA_PROCESSOR && r == 0; ca++) {
		bool rev = o->revoke_pck && p->plat[0].ca == (enum sim_pck_ca)ca;
		struct sim_crl_spec s = {
			p->cert[pki_ca_index(ca)], p->key[pki_ca_index(ca)], root.this_update,
			root.next_update, 1, revoked[ca], rev ? 2 : 1, root.this_update,
		};

		r = sim_crl_der(&s, &d->crl[ca], &d->crl_len[ca]);
	}
	return r;
}

static int put(const struct pki *p, const char *rel, const void *buf, size_t len)
{
	char path[PATH_MAX];
	int r = pki_path(p, rel, path);

	if (r == 0)
		r = file_write_all(path, buf, len, 0644);
	if (r < 0)
		return log_errno(r, "cannot write %s: check the directory permissions", path);
	return 0;
}

/* JSON with the newline that the collateral directory's files have. */
static int put_line(const struct pki *p, const char *rel, const char *doc)
{
	_cleanup_free_ char *line = NULL;
	int n = asprintf(&line, "%s\n", doc);

	if (n < 0) {
		line = NULL;
		return log_errno(-ENOMEM, "cannot assemble %s", rel);
	}
	return put(p, rel, line, (size_t)n);
}

/* A one-platform collateral directory (the layout of shared/testdata/tdx/README.md). */
static int put_collateral(const struct pki *p, const struct docs *d, size_t i, const char *prefix)
{
	enum sim_pck_ca ca = p->plat[i].ca;
	char rel[PATH_MAX];
	int r;

	snprintf(rel, sizeof(rel), "%scollateral/tcb_info.json", prefix);
	r = put_line(p, rel, d->tcb[i]);
	if (r == 0) {
		snprintf(rel, sizeof(rel), "%scollateral/qe_identity.json", prefix);
		r = put_line(p, rel, d->qe);
	}
	if (r == 0) {
		snprintf(rel, sizeof(rel), "%scollateral/pck_crl.der", prefix);
		r = put(p, rel, d->crl[ca], d->crl_len[ca]);
	}
	if (r == 0) {
		snprintf(rel, sizeof(rel), "%scollateral/root_ca_crl.der", prefix);
		r = put(p, rel, d->root_crl, d->root_crl_len);
	}
	return r;
}

/* DIR/pcs[/early]: the bodies exactly as the PCS simulator serves them. */
static int put_pcs(const struct pki *p, const struct docs *d, bool early)
{
	const char *base = early ? "pcs/early" : "pcs";
	char rel[PATH_MAX];
	int r = 0;

	for (size_t i = 0; i < d->n && r == 0; i++) {
		char hex[13];

		if (!d->tcb_owner[i])
			continue;
		hex_encode(p->plat[i].values.fmspc, 6, hex);
		for (char *c = hex; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		snprintf(rel, sizeof(rel), "%s/tcb_info/%s.json", base, hex);
		r = put(p, rel, d->tcb[i], strlen(d->tcb[i]));
	}
	if (r == 0) {
		snprintf(rel, sizeof(rel), "%s/qe_identity.json", base);
		r = put(p, rel, d->qe, strlen(d->qe));
	}
	if (r < 0 || early)
		return r;
	r = put(p, "pcs/pckcrl_platform.der", d->crl[SIM_CA_PLATFORM], d->crl_len[SIM_CA_PLATFORM]);
	if (r == 0)
		r = put(p, "pcs/pckcrl_processor.der", d->crl[SIM_CA_PROCESSOR], d->crl_len[SIM_CA_PROCESSOR]);
	if (r == 0)
		r = put(p, "pcs/root_ca_crl.der", d->root_crl, d->root_crl_len);
	return r;
}

int pki_write_documents(const struct pki *p)
{
	__attribute__((cleanup(docs_free))) struct docs d = { .n = p->n_plat };
	int r;

	r = sign_json(p, &d);
	if (r == 0)
		r = sign_crls(p, &d);
	if (r < 0)
		return r;
	if (p->o->early) {
		r = pki_mkdir(p, "pcs/early", 0755);
		if (r == 0)
			r = pki_mkdir(p, "pcs/early/tcb_info", 0755);
		return r < 0 ? r : put_pcs(p, &d, true);
	}
	r = put_collateral(p, &d, 0, "");
	for (size_t i = 0; i < d.n && r == 0; i++) {
		char prefix[64];

		snprintf(prefix, sizeof(prefix), "platforms/%zu/", i);
		r = put_collateral(p, &d, i, prefix);
	}
	return r < 0 ? r : put_pcs(p, &d, false);
}
