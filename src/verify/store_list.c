/* SPDX-License-Identifier: Apache-2.0 */
/* Listing the documents of a collateral store (store_list.h). */
#include "store_list.h"
#include "internal.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DOCS 8192
#define DOC_MAX (4u << 20)

/* Recognises a document file name; 0 or -EINVAL (chains, root_ca.pem, others). */
static int classify(const char *name, struct vf_store_entry *e)
{
	char fmspc[16] = "", update[16] = "", ca[16] = "", tail[16] = "";
	struct vf_doc d = { 0 };

	memset(e, 0, sizeof(*e));
	if (strlen(name) >= sizeof(e->file))
		return -EINVAL;
	memcpy(e->file, name, strlen(name) + 1);
	if (strcmp(name, VF_STORE_ROOT_CRL) == 0) {
		d.kind = VF_DOC_ROOT_CRL;
	} else if (sscanf(name, "tcb_info-%12[0-9A-F]-%15[a-z].%15s", fmspc, update, tail) == 3 &&
		   strcmp(tail, "json") == 0 && strlen(fmspc) == 12) {
		d.kind = VF_DOC_TCB_INFO;
		memcpy(d.fmspc_hex, fmspc, 13); /* 12 digits and the NUL, checked above */
		memcpy(e->fmspc_hex, fmspc, 13);
	} else if (sscanf(name, "qe_identity-%15[a-z].%15s", update, tail) == 2 && strcmp(tail, "json") == 0) {
		d.kind = VF_DOC_QE_IDENTITY;
	} else if (sscanf(name, "pck_crl-%15[a-z].%15s", ca, tail) == 2 && strcmp(tail, "der") == 0 &&
		   vf_ca_parse(ca, &d.ca) == 0) {
		d.kind = VF_DOC_PCK_CRL;
	} else {
		return -EINVAL;
	}
	if (d.kind == VF_DOC_TCB_INFO || d.kind == VF_DOC_QE_IDENTITY) {
		if (strcmp(update, VF_UPDATE_STANDARD) != 0 && strcmp(update, VF_UPDATE_EARLY) != 0)
			return -EINVAL;
		memcpy(e->update, update, strlen(update) + 1); /* "standard" or "early" */
		d.update = e->update;
	}
	e->kind = d.kind;
	e->ca = d.ca;
	vf_doc_describe(&d, e->what, sizeof(e->what));
	return 0;
}

/* The earliest notAfter of the certificates in a chain file, or INT64_MAX. */
static int64_t chain_not_after(const char *path)
{
	_cleanup_free_ uint8_t *buf = NULL;
	X509 *certs[4] = { 0 };
	int64_t min = INT64_MAX;
	size_t len;
	int n;

	if (file_read_all(path, DOC_MAX, &buf, &len) < 0)
		return INT64_MIN / 2; /* missing chain: the set is unusable */
	n = vf_certs_from_pem((const char *)buf, len, certs, 4);
	for (int i = 0; i < n; i++) {
		struct vf_window w;

		vf_cert_window(certs[i], VF_TCB_CHAIN_TIME, "", &w);
		if (w.to < min)
			min = w.to;
	}
	vf_certs_free(certs, n > 0 ? n : 0);
	return n > 0 ? min : INT64_MIN / 2;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct vf_store_entry *)a)->file, ((const struct vf_store_entry *)b)->file);
}

int vf_store_list(const char *store, struct vf_store_entry **out, size_t *n)
{
	char gen[PATH_MAX], path[PATH_MAX + 256];
	struct vf_store_entry *v = NULL, e;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int r;

	*out = NULL;
	*n = 0;
	r = vf_store_resolve(store, gen, sizeof(gen));
	if (r < 0)
		return r;
	d = opendir(gen);
	if (!d)
		return log_errno(-errno, "cannot read collateral generation %s", gen);
	while ((de = readdir(d)) && cnt < MAX_DOCS) {
		_cleanup_free_ uint8_t *buf = NULL;
		size_t len;

		if (classify(de->d_name, &e) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", gen, e.file);
		e.readable = file_read_all(path, DOC_MAX, &buf, &len) == 0 &&
			     vf_doc_summarize(e.kind, buf, len, &e.s) == 0;
		e.expires = e.readable ? e.s.next_update : INT64_MIN / 2;
		if (e.readable && e.kind != VF_DOC_ROOT_CRL) {
			char body[96], chain[96];
			struct vf_doc doc = { .kind = e.kind, .ca = e.ca, .update = e.update };
			int64_t na;

			memcpy(doc.fmspc_hex, e.fmspc_hex, sizeof(doc.fmspc_hex));
			vf_doc_names(&doc, body, chain, sizeof(body));
			snprintf(path, sizeof(path), "%s/%s", gen, chain);
			na = chain_not_after(path);
			if (na < e.expires) {
				e.expires = na;
				e.chain_expires_first = true;
			}
		}
		if (cnt == cap) {
			struct vf_store_entry *nv = realloc(v, (cap ? cap * 2 : 16) * sizeof(*v));

			if (!nv) {
				closedir(d);
				free(v);
				return -ENOMEM;
			}
			v = nv;
			cap = cap ? cap * 2 : 16;
		}
		v[cnt++] = e;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_entry);
	*out = v;
	*n = cnt;
	return 0;
}

int64_t vf_store_time_left(const struct vf_store_entry *e, size_t n, int64_t at, size_t *which)
{
	int64_t best = INT64_MAX;

	for (size_t i = 0; i < n; i++) {
		int64_t left = e[i].readable ? e[i].expires - at : INT64_MIN / 2;

		if (left < best) {
			best = left;
			if (which)
				*which = i;
		}
	}
	return best;
}
