/* SPDX-License-Identifier: Apache-2.0 */
/* Internal interfaces of the DCAP verifier (one concern per file; see verify.h for the API). */
#pragma once
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "verify.h"
#include "p256.h"

/* ---- result bookkeeping (verify.c) ---- */
void vf_fail(struct vf_result *res, enum vf_check c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Statically known outcomes (independent of T), cached with the object they describe. */
struct vf_findings {
	uint64_t mask;
	const char *text[VF_CHECK_COUNT];
};
static inline void vf_note(struct vf_findings *f, enum vf_check c, const char *text)
{
	if (!(f->mask & (1ull << c))) {
		f->mask |= 1ull << c;
		f->text[c] = text;
	}
}
void vf_apply_findings(struct vf_result *res, const struct vf_findings *f);

/* A validity period checked at T; `what` names the object for the reason text. */
struct vf_window {
	int64_t from, to;
	enum vf_check check;
	const char *what;
};
void vf_apply_window(struct vf_result *res, const struct vf_window *w, int64_t at);

/* ---- time (vtime.c) ---- */
int vf_asn1_time(const ASN1_TIME *t, int64_t *out);
int vf_cert_window(X509 *cert, enum vf_check check, const char *what, struct vf_window *w);

/* ---- ECDSA P-256 (ecdsa.c) ---- */
/* Key from raw X||Y (64 bytes); NULL when not a point on P-256. */
/* Verifies a raw r||s signature over SHA-256(msg): 1 valid, 0 invalid, negative errno. */
int vf_ecdsa_verify(EVP_PKEY *key, const uint8_t *msg, size_t len, const uint8_t sig[64]);
int vf_ecdsa_verify_digest(EVP_PKEY *key, const uint8_t digest[32], const uint8_t sig[64]);
/* True when key is a P-256 key whose uncompressed point equals pt[65]. */
bool vf_key_equals_point(EVP_PKEY *key, const uint8_t pt[65]);
bool vf_key_is_p256(EVP_PKEY *key);
/* True when both are P-256 keys with the same point. */
bool vf_keys_equal(EVP_PKEY *a, EVP_PKEY *b);

/* ---- SGX extension with OpenSSL (sgx_ext_openssl.c) ---- */
int vf_sgx_ext_decode(const uint8_t *der, size_t len, struct sgx_pck_ext *out);
/* 0, -ENOENT (no SGX extension), -EBADMSG. */
int vf_sgx_ext_from_cert(X509 *cert, struct sgx_pck_ext *out);

/* ---- certificate lists (certs.c) ---- */
/* Parses every certificate of a PEM text (at most max). Returns the count, or -EBADMSG. */
int vf_certs_from_pem(const char *pem, size_t len, X509 **out, int max);
/* Parses concatenated DER certificates (at most max). Returns the count, or -EBADMSG. */
int vf_certs_from_der(const uint8_t *der, size_t len, X509 **out, int max);
void vf_certs_free(X509 **certs, int n);
/* 1 when cert is signed by key, 0 otherwise. */
int vf_cert_signed_by(X509 *cert, EVP_PKEY *key);

/* ---- JSON collateral (json_slice.c, tcb_info.c, qe_identity.c) ---- */
/* Finds the top-level member `key` whose value is an object and returns the raw bytes of
 * that value, '{' .. matching '}', string-aware. 0, -ENOENT, -EBADMSG (malformed or the key
 * appears twice). */
int vf_json_member_slice(const char *doc, size_t len, const char *key, const char **start,
			 size_t *slen);
/* The top-level "signature" member: 128 hex digits -> 64 bytes. 0 or -EBADMSG. */
int vf_json_signature(const char *doc, size_t len, uint8_t sig[64]);

struct vf_level_isv {
	int isvsvn;
	enum vf_tcb_status status;
	unsigned n_adv;
	char (*adv)[VF_ADVISORY_LEN];
};

struct vf_module_identity {
	char id[16];
	uint8_t mrsigner[48];
	uint8_t attributes[8], attributes_mask[8];
	unsigned n_levels;
	struct vf_level_isv *levels;
};

struct vf_tcb_level {
	int sgx[16];
	int pcesvn;
	int tdx[16];
	enum vf_tcb_status status;
	unsigned n_adv;
	char (*adv)[VF_ADVISORY_LEN];
};

#define VF_MAX_TCB_LEVELS 128
#define VF_MAX_MODULE_IDS 16
#define VF_MAX_ISV_LEVELS 64

struct vf_tcb_info {
	char id[16];
	int version;
	int64_t issue_date, next_update;
	uint8_t fmspc[6];
	uint8_t pce_id[2];
	bool has_module;
	struct vf_module_identity module;
	unsigned n_module_ids;
	struct vf_module_identity *module_ids;
	unsigned n_levels;
	struct vf_tcb_level *levels;
};

struct vf_qe_identity {
	char id[16];
	int version;
	int64_t issue_date, next_update;
	uint8_t miscselect[4], miscselect_mask[4];
	uint8_t attributes[16], attributes_mask[16];
	uint8_t mrsigner[32];
	int isvprodid;
	unsigned n_levels;
	struct vf_level_isv *levels;
};

/* Parse the signed member slice (not the whole document). 0, -EBADMSG (*why says what),
 * -ENOMEM. On failure the struct is freed. */
int vf_tcb_info_parse(const char *slice, size_t len, struct vf_tcb_info *out, const char **why);
void vf_tcb_info_free(struct vf_tcb_info *t);
int vf_qe_identity_parse(const char *slice, size_t len, struct vf_qe_identity *out,
			 const char **why);
void vf_qe_identity_free(struct vf_qe_identity *q);

/* ---- TCB level matching and status combination (tcb_level.c) ---- */
struct vf_tcb_eval {
	enum vf_tcb_status status;
	bool sgx_matched;            /* a level matched the SGX SVNs + PCESVN */
	const struct vf_tcb_level *level; /* matched level (advisory IDs), or NULL */
	const struct vf_level_isv *module_level;
};
/* The module identity the quote's TEE_TCB_SVN selects (step 7), or NULL (missing). */
const struct vf_module_identity *vf_tcb_module_for(const struct vf_tcb_info *t,
						   const uint8_t tee_tcb_svn[16]);
/* QE ISVSVN -> QE TCB level (first with isvsvn <= ISVSVN), or NULL. */
const struct vf_level_isv *vf_qe_level(const struct vf_qe_identity *q, int isvsvn);
void vf_tcb_evaluate(const struct vf_tcb_info *t, const struct sgx_pck_ext *pck,
		     const uint8_t tee_tcb_svn[16], const struct vf_level_isv *qe_level,
		     struct vf_tcb_eval *out);

/* ---- reference-counted cache objects (cache.c) ---- */
struct vf_obj {
	atomic_int ref;
	void (*destroy)(struct vf_obj *o);
};
static inline void vf_obj_get(struct vf_obj *o) { atomic_fetch_add(&o->ref, 1); }
void vf_obj_put(struct vf_obj *o);

struct vf_cache;
int vf_cache_new(unsigned entries, struct vf_cache **out);
void vf_cache_free(struct vf_cache *c);
/* Returns a new reference, or NULL. */
struct vf_obj *vf_cache_get(struct vf_cache *c, const uint8_t key[32]);
/* Inserts (replacing an entry with the same key); the cache takes its own reference. */
void vf_cache_put(struct vf_cache *c, const uint8_t key[32], struct vf_obj *o);

/* ---- collateral directory (collateral.c) ---- */
#define VF_COLL_WINDOWS 16
struct vf_collateral {
	struct vf_obj obj;
	uint64_t generation;       /* unique per load: part of dependent cache keys */
	EVP_PKEY *anchor;          /* the trust anchor used for this collateral */
	X509_CRL *root_crl, *pck_crl;
	X509 *pck_crl_ca;          /* first certificate of pck_crl_issuer_chain.pem */
	struct vf_tcb_info tcb;
	bool tcb_ok;               /* tcb parsed (fields usable) */
	struct vf_qe_identity qe;
	bool qe_ok;
	struct vf_findings findings;
	unsigned n_windows;
	struct vf_window windows[VF_COLL_WINDOWS];
	char label_tcb[64], label_pck_crl[64]; /* names of the windows in reason texts */
	/* file identity for reload detection */
	uint64_t stamp;
	atomic_llong checked_ms;   /* monotonic ms of the last stamp comparison */
};
/* The files of one set, in this order (root_ca.pem may be absent when an anchor is given). */
enum vf_coll_file {
	VF_COLL_ROOT_CA, VF_COLL_ROOT_CRL, VF_COLL_PCK_CRL, VF_COLL_PCK_CHAIN, VF_COLL_TCB,
	VF_COLL_TCB_CHAIN, VF_COLL_QE, VF_COLL_QE_CHAIN, VF_COLL_NFILES
};
struct vf_coll_files {
	char path[VF_COLL_NFILES][4096];
};
/* The file names of a one-directory collateral (testdata layout). */
int vf_coll_files_dir(const char *dir, struct vf_coll_files *f);
/* Loads and checks a directory against the anchor (anchor may be NULL: use root_ca.pem). */
int vf_collateral_load(const char *dir, EVP_PKEY *anchor, bool require_root_match,
		       struct vf_collateral **out);
/* The same from named files; label (may be NULL) names the platform in reason texts. */
int vf_collateral_load_files(const struct vf_coll_files *f, EVP_PKEY *anchor, bool require_root_match,
			     const char *label, struct vf_collateral **out);
/* A cheap fingerprint of the files (inode, size, mtime); 0 or negative errno. */
int vf_collateral_stamp(const char *dir, uint64_t *stamp);
int vf_coll_files_stamp(const struct vf_coll_files *f, uint64_t *stamp);

/* ---- PCK chain of a quote, checked against collateral (pck_chain.c) ---- */
struct vf_pck_entry {
	struct vf_obj obj;
	uint8_t id[32];            /* its cache key */
	EVP_PKEY *leaf_key;        /* NULL when no usable leaf */
	bool have_pck;
	struct sgx_pck_ext pck;
	struct vf_findings findings;
	unsigned n_windows;
	struct vf_window windows[4];
};
int vf_pck_entry_build(const char *chain, size_t len, const struct vf_collateral *coll,
		       struct vf_pck_entry **out);

/* ---- QE report + attestation key (qe_report.c) ---- */
struct vf_qe_entry {
	struct vf_obj obj;
	EVP_PKEY *att_key;         /* NULL when the key is not a P-256 point */
	struct vf_findings findings; /* qe_report_sig_by_pck, qe_reportdata_* */
};
int vf_qe_entry_build(const struct tdx_quote *q, EVP_PKEY *leaf_key, struct vf_qe_entry **out);
