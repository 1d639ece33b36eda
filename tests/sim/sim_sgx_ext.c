/* SPDX-License-Identifier: Apache-2.0 */
#include "sim_sgx_ext.h"
#include "sim_ossl.h"

#include <errno.h>
#include <stdio.h>

#include <openssl/asn1t.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

/* SGXItem ::= SEQUENCE { id OBJECT IDENTIFIER, value ANY }
 * SGXItems ::= SEQUENCE OF SGXItem   (both the extension and its TCB value) */
typedef struct {
	ASN1_OBJECT *id;
	ASN1_TYPE *value;
} SGX_ITEM;

DECLARE_ASN1_FUNCTIONS(SGX_ITEM)
ASN1_SEQUENCE(SGX_ITEM) = {
	ASN1_SIMPLE(SGX_ITEM, id, ASN1_OBJECT),
	ASN1_SIMPLE(SGX_ITEM, value, ASN1_ANY),
} ASN1_SEQUENCE_END(SGX_ITEM)
IMPLEMENT_ASN1_FUNCTIONS(SGX_ITEM)

DEFINE_STACK_OF(SGX_ITEM)
typedef STACK_OF(SGX_ITEM) SGX_ITEMS;
DECLARE_ASN1_ITEM(SGX_ITEMS)
DECLARE_ASN1_ENCODE_FUNCTIONS_only(SGX_ITEMS, SGX_ITEMS)
ASN1_ITEM_TEMPLATE(SGX_ITEMS) =
	ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, SGX_ITEMS, SGX_ITEM)
ASN1_ITEM_TEMPLATE_END(SGX_ITEMS)
IMPLEMENT_ASN1_ENCODE_FUNCTIONS_fname(SGX_ITEMS, SGX_ITEMS, SGX_ITEMS)

static void items_free(SGX_ITEMS **s) { sk_SGX_ITEM_pop_free(*s, SGX_ITEM_free); }
#define _cleanup_items_ __attribute__((cleanup(items_free)))

/* Appends { OID base.arc, value } and takes ownership of value (also on failure). */
static int push(SGX_ITEMS *items, const char *base, int arc, ASN1_TYPE *value)
{
	char oid[64];
	SGX_ITEM *it;

	if (!value)
		return -ENOMEM;
	snprintf(oid, sizeof(oid), "%s.%d", base, arc);
	it = SGX_ITEM_new();
	if (!it) {
		ASN1_TYPE_free(value);
		return -ENOMEM;
	}
	ASN1_TYPE_free(it->value);
	it->value = value;
	ASN1_OBJECT_free(it->id);
	it->id = OBJ_txt2obj(oid, 1);
	if (!it->id || !sk_SGX_ITEM_push(items, it)) {
		SGX_ITEM_free(it);
		return -ENOMEM;
	}
	return 0;
}

static ASN1_TYPE *wrap(int type, void *v)
{
	ASN1_TYPE *t;

	if (!v)
		return NULL;
	t = ASN1_TYPE_new();
	if (!t) {
		ASN1_STRING_free(v); /* every value type used here is an ASN1_STRING */
		return NULL;
	}
	ASN1_TYPE_set(t, type, v);
	return t;
}

static ASN1_TYPE *octets(const uint8_t *p, int len)
{
	ASN1_OCTET_STRING *s = ASN1_OCTET_STRING_new();

	if (s && !ASN1_OCTET_STRING_set(s, p, len)) {
		ASN1_OCTET_STRING_free(s);
		s = NULL;
	}
	return wrap(V_ASN1_OCTET_STRING, s);
}

static ASN1_TYPE *integer(long v)
{
	ASN1_INTEGER *i = ASN1_INTEGER_new();

	if (i && !ASN1_INTEGER_set(i, v)) {
		ASN1_INTEGER_free(i);
		i = NULL;
	}
	return wrap(V_ASN1_INTEGER, i);
}

static ASN1_TYPE *enumerated(long v)
{
	ASN1_ENUMERATED *e = ASN1_ENUMERATED_new();

	if (e && !ASN1_ENUMERATED_set(e, v)) {
		ASN1_ENUMERATED_free(e);
		e = NULL;
	}
	return wrap(V_ASN1_ENUMERATED, e);
}

static ASN1_TYPE *boolean(int v)
{
	ASN1_TYPE *t = ASN1_TYPE_new();

	if (t && !ASN1_TYPE_set1(t, V_ASN1_BOOLEAN, v ? (void *)1 : NULL)) {
		ASN1_TYPE_free(t);
		return NULL;
	}
	return t;
}

/* A nested SEQUENCE OF items as an ANY value: OpenSSL encodes it, ANY carries the DER. */
static ASN1_TYPE *sequence(SGX_ITEMS *items)
{
	unsigned char *der = NULL;
	int len = i2d_SGX_ITEMS(items, &der);
	ASN1_STRING *s;

	if (len <= 0)
		return NULL;
	s = ASN1_STRING_type_new(V_ASN1_SEQUENCE);
	if (!s || !ASN1_STRING_set(s, der, len)) {
		ASN1_STRING_free(s);
		OPENSSL_free(der);
		return NULL;
	}
	OPENSSL_free(der);
	return wrap(V_ASN1_SEQUENCE, s);
}

static int tcb_items(const struct sim_platform *p, SGX_ITEMS **out)
{
	const char *base = SIM_SGX_EXT_OID ".2";
	SGX_ITEMS *tcb = sk_SGX_ITEM_new_null();
	int r = tcb ? 0 : -ENOMEM;

	for (int i = 0; i < 16 && r == 0; i++)
		r = push(tcb, base, i + 1, integer(p->sgx_svn[i]));
	if (r == 0)
		r = push(tcb, base, 17, integer(p->pcesvn));
	if (r == 0)
		r = push(tcb, base, 18, octets(p->cpusvn, 16));
	if (r < 0) {
		items_free(&tcb);
		return r;
	}
	*out = tcb;
	return 0;
}

static int config_items(SGX_ITEMS **out)
{
	const char *base = SIM_SGX_EXT_OID ".7";
	SGX_ITEMS *cfg = sk_SGX_ITEM_new_null();
	int r = cfg ? 0 : -ENOMEM;

	/* dynamicPlatform, cachedKeys, smtEnabled */
	if (r == 0)
		r = push(cfg, base, 1, boolean(0));
	if (r == 0)
		r = push(cfg, base, 2, boolean(1));
	if (r == 0)
		r = push(cfg, base, 3, boolean(1));
	if (r < 0) {
		items_free(&cfg);
		return r;
	}
	*out = cfg;
	return 0;
}

int sim_sgx_ext_der(const struct sim_platform *p, unsigned char **der, int *len)
{
	_cleanup_items_ SGX_ITEMS *ext = sk_SGX_ITEM_new_null();
	_cleanup_items_ SGX_ITEMS *tcb = NULL;
	_cleanup_items_ SGX_ITEMS *cfg = NULL;
	const char *base = SIM_SGX_EXT_OID;
	int r = ext ? 0 : -ENOMEM;

	if (r == 0)
		r = tcb_items(p, &tcb);
	if (r == 0)
		r = config_items(&cfg);
	if (r == 0)
		r = push(ext, base, 1, octets(p->ppid, 16));
	if (r == 0)
		r = push(ext, base, 2, sequence(tcb));
	if (r == 0)
		r = push(ext, base, 3, octets(p->pce_id, 2));
	if (r == 0)
		r = push(ext, base, 4, octets(p->fmspc, 6));
	if (r == 0)
		r = push(ext, base, 5, enumerated(p->sgx_type));
	/* Only Platform-CA leaves carry PlatformInstanceID and Configuration. */
	if (r == 0 && !p->processor_ca)
		r = push(ext, base, 6, octets(p->platform_instance_id, 16));
	if (r == 0 && !p->processor_ca)
		r = push(ext, base, 7, sequence(cfg));
	if (r < 0)
		return sim_ossl_err(r, "cannot build the SGX extension items");
	*der = NULL;
	*len = i2d_SGX_ITEMS(ext, der);
	if (*len <= 0)
		return sim_ossl_err(-EIO, "cannot DER-encode the SGX extension");
	return 0;
}

int sim_sgx_ext_add(X509 *cert, const struct sim_platform *p)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(SIM_SGX_EXT_OID, 1);
	ASN1_OCTET_STRING *val = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext = NULL;
	unsigned char *der = NULL;
	int len, r;

	r = obj && val ? sim_sgx_ext_der(p, &der, &len) : -ENOMEM;
	if (r == 0 && !ASN1_OCTET_STRING_set(val, der, len))
		r = -ENOMEM;
	if (r == 0) {
		ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, val);
		if (!ext || !X509_add_ext(cert, ext, -1))
			r = sim_ossl_err(-ENOMEM, "cannot add the SGX extension to the PCK certificate");
	}
	X509_EXTENSION_free(ext);
	OPENSSL_free(der);
	ASN1_OCTET_STRING_free(val);
	ASN1_OBJECT_free(obj);
	return r;
}
