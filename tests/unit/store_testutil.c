/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers for the collateral store tests (store_testutil.h). */
#include "testutil.h"
#include "store_testutil.h"
#include "common/fileio.h"

#include <ctype.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

void store_test_mkdtemp(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/tdx-store-test.XXXXXX");
	assert_non_null(mkdtemp(buf));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(path);
}

void store_test_rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#define MAX_PATHS 4096
static char *paths[MAX_PATHS];
static size_t npaths;

static int collect(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	if (npaths < MAX_PATHS)
		paths[npaths++] = strdup(path);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void store_test_tree_digest(const char *dir, uint8_t out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned l = 0;

	npaths = 0;
	nftw(dir, collect, 16, FTW_PHYS);
	qsort(paths, npaths, sizeof(paths[0]), cmp);
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	for (size_t i = 0; i < npaths; i++) {
		struct stat st;
		char link[PATH_MAX];
		uint8_t *buf;
		size_t len;
		ssize_t n;

		EVP_DigestUpdate(md, paths[i], strlen(paths[i]) + 1);
		if (lstat(paths[i], &st) == 0 && S_ISLNK(st.st_mode) &&
		    (n = readlink(paths[i], link, sizeof(link))) > 0)
			EVP_DigestUpdate(md, link, (size_t)n);
		else if (S_ISREG(st.st_mode) && file_read_all(paths[i], 1u << 24, &buf, &len) == 0) {
			EVP_DigestUpdate(md, buf, len);
			free(buf);
		}
		free(paths[i]);
	}
	EVP_DigestFinal_ex(md, out, &l);
	EVP_MD_CTX_free(md);
}

int store_test_put_file(struct vf_ctx *ctx, const char *store, int64_t at, enum vf_doc_kind kind,
			const char *key, const char *body_path, const char *chain_path)
{
	struct vf_store_txn *t;
	struct vf_doc d = { .kind = kind, .update = VF_UPDATE_STANDARD };
	uint8_t *body, *chain = NULL;
	size_t blen, clen = 0;
	char why[256];
	int r;

	assert_int_equal(file_read_all(body_path, 1u << 22, &body, &blen), 0);
	if (chain_path)
		assert_int_equal(file_read_all(chain_path, 1u << 22, &chain, &clen), 0);
	if (kind == VF_DOC_TCB_INFO)
		snprintf(d.fmspc_hex, sizeof(d.fmspc_hex), "%s", key);
	if (kind == VF_DOC_PCK_CRL)
		assert_int_equal(vf_ca_parse(key, &d.ca), 0);
	d.body = body;
	d.body_len = blen;
	d.chain = (const char *)chain;
	d.chain_len = clen;
	assert_int_equal(vf_store_begin(ctx, store, at, &t), 0);
	r = vf_store_put(t, &d, why, sizeof(why));
	if (r < 0)
		print_message("refused: %s\n", why);
	assert_int_equal(vf_store_commit(t), 0);
	free(body);
	free(chain);
	return r;
}

void store_test_put_case(struct vf_ctx *ctx, const char *store, const char *coll, enum vf_pck_ca ca,
			 int64_t at, int expect)
{
	char b[PATH_MAX], c[PATH_MAX], fmspc[13] = "";
	uint8_t *buf;
	size_t len;
	const char *p;

	snprintf(b, sizeof(b), "%s/tcb_info.json", coll);
	assert_int_equal(file_read_all(b, 1u << 22, &buf, &len), 0);
	p = strstr((char *)buf, "\"fmspc\":\"");
	assert_non_null(p);
	for (int i = 0; i < 12; i++)
		fmspc[i] = (char)toupper((unsigned char)p[9 + i]);
	free(buf);
	snprintf(c, sizeof(c), "%s/tcb_info_issuer_chain.pem", coll);
	assert_int_equal(store_test_put_file(ctx, store, at, VF_DOC_TCB_INFO, fmspc, b, c), expect);
	snprintf(b, sizeof(b), "%s/qe_identity.json", coll);
	snprintf(c, sizeof(c), "%s/qe_identity_issuer_chain.pem", coll);
	assert_int_equal(store_test_put_file(ctx, store, at, VF_DOC_QE_IDENTITY, NULL, b, c), expect);
	snprintf(b, sizeof(b), "%s/pck_crl.der", coll);
	snprintf(c, sizeof(c), "%s/pck_crl_issuer_chain.pem", coll);
	assert_int_equal(store_test_put_file(ctx, store, at, VF_DOC_PCK_CRL, vf_ca_name(ca), b, c), expect);
	snprintf(b, sizeof(b), "%s/root_ca_crl.der", coll);
	assert_int_equal(store_test_put_file(ctx, store, at, VF_DOC_ROOT_CRL, NULL, b, NULL), expect);
}
