/* SPDX-License-Identifier: Apache-2.0 */
/* TCB level matching and status combination (tdx-formats.md §9 steps 7, 10, 12, 13, 15;
 * Intel QVL TcbLevelCheck / TdxModuleCheck). */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const status_names[] = {
	[VF_TCB_UP_TO_DATE] = "UpToDate",
	[VF_TCB_SW_HARDENING_NEEDED] = "SWHardeningNeeded",
	[VF_TCB_CONFIGURATION_NEEDED] = "ConfigurationNeeded",
	[VF_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED] = "ConfigurationAndSWHardeningNeeded",
	[VF_TCB_OUT_OF_DATE] = "OutOfDate",
	[VF_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED] = "OutOfDateConfigurationNeeded",
	[VF_TCB_REVOKED] = "Revoked",
	[VF_TCB_NOT_SUPPORTED] = "TCB_NOT_SUPPORTED",
};

const char *vf_tcb_status_name(enum vf_tcb_status s)
{
	return (unsigned)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s] : "?";
}

int vf_tcb_status_parse(const char *s, enum vf_tcb_status *out)
{
	for (unsigned i = 0; i < VF_TCB_NOT_SUPPORTED; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum vf_tcb_status)i;
			return 0;
		}
	return -EINVAL;
}

const struct vf_module_identity *vf_tcb_module_for(const struct vf_tcb_info *t,
						   const uint8_t tee_tcb_svn[16])
{
	char id[8];

	/* Module version 0, or collateral without identities: the single tdxModule entry. */
	if (tee_tcb_svn[1] == 0 || t->n_module_ids == 0)
		return t->has_module ? &t->module : NULL;
	snprintf(id, sizeof(id), "TDX_%02X", tee_tcb_svn[1]);
	for (unsigned i = 0; i < t->n_module_ids; i++)
		if (strcasecmp(t->module_ids[i].id, id) == 0)
			return &t->module_ids[i];
	return NULL;
}

const struct vf_level_isv *vf_qe_level(const struct vf_qe_identity *q, int isvsvn)
{
	for (unsigned i = 0; i < q->n_levels; i++)
		if (isvsvn >= q->levels[i].isvsvn)
			return &q->levels[i];
	return NULL;
}

static bool sgx_ok(const struct vf_tcb_level *l, const struct sgx_pck_ext *pck)
{
	for (int i = 0; i < 16; i++)
		if (pck->sgx_svn[i] < l->sgx[i])
			return false;
	return pck->pcesvn >= l->pcesvn;
}

static bool tdx_ok(const struct vf_tcb_level *l, const uint8_t svn[16])
{
	/* with a module version (svn[1] > 0) the module SVN/version are judged by its identity */
	for (int i = svn[1] > 0 ? 2 : 0; i < 16; i++)
		if (svn[i] < l->tdx[i])
			return false;
	return true;
}

/* §9.1: a module or QE status of OutOfDate/Revoked degrades the platform status. */
static enum vf_tcb_status converge(enum vf_tcb_status s, enum vf_tcb_status modifier)
{
	if (s == VF_TCB_NOT_SUPPORTED)
		return s;
	if (modifier == VF_TCB_REVOKED)
		return VF_TCB_REVOKED;
	if (modifier != VF_TCB_OUT_OF_DATE)
		return s;
	switch (s) {
	case VF_TCB_UP_TO_DATE:
	case VF_TCB_SW_HARDENING_NEEDED:
		return VF_TCB_OUT_OF_DATE;
	case VF_TCB_CONFIGURATION_NEEDED:
	case VF_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED:
		return VF_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
	default:
		return s;
	}
}

void vf_tcb_evaluate(const struct vf_tcb_info *t, const struct sgx_pck_ext *pck,
		     const uint8_t svn[16], const struct vf_level_isv *qe_level,
		     struct vf_tcb_eval *out)
{
	const struct vf_module_identity *mod;
	enum vf_tcb_status s;

	memset(out, 0, sizeof(*out));
	out->status = VF_TCB_NOT_SUPPORTED;
	for (unsigned i = 0; i < t->n_levels; i++) {
		if (!sgx_ok(&t->levels[i], pck))
			continue;
		out->sgx_matched = true;
		if (tdx_ok(&t->levels[i], svn)) {
			out->level = &t->levels[i];
			break;
		}
	}
	if (!out->level)
		return;
	s = out->level->status;
	if (svn[1] > 0) {
		mod = vf_tcb_module_for(t, svn);
		if (!mod)
			return; /* module mismatch */
		for (unsigned i = 0; i < mod->n_levels && !out->module_level; i++)
			if (svn[0] >= mod->levels[i].isvsvn)
				out->module_level = &mod->levels[i];
		if (!out->module_level)
			return;
		s = converge(s, out->module_level->status);
	}
	if (!qe_level)
		return;
	out->status = converge(s, qe_level->status);
}
