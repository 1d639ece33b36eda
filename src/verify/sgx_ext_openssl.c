/* SPDX-License-Identifier: Apache-2.0 */
/* The SGX extension of a PCK certificate (tdx-formats.md §7), decoded with OpenSSL's
 * ASN.1 reader (the server links OpenSSL only; src/tdx/pck_ext_mbedtls.c is the client's). */
#include "internal.h"

#include <errno.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>


struct tlv {
	const uint8_t *val;
	long len;
	int tag;
	bool constructed;
};

/* Reads one definite-length TLV from [*p, end); advances *p past it. */
static int get_tlv(const uint8_t **p, const uint8_t *end, struct tlv *t)
{
	const unsigned char *q = *p;
	int tag, cls, ret;
	long len;

	if (*p >= end)
		return -EBADMSG;
	ret = ASN1_get_object(&q, &len, &tag, &cls, end - *p);
	if (ret & 0x80 || ret == 0x21 || cls != V_ASN1_UNIVERSAL || len < 0 || len > end - q)
		return -EBADMSG;
	t->val = q;
	t->len = len;
	t->tag = tag;
	t->constructed = ret & V_ASN1_CONSTRUCTED;
	*p = q + len;
	return 0;
}

/* SEQUENCE { OID prefix.arc, value }: returns arc (1..127) and the value TLV. */
static int get_item(const uint8_t **p, const uint8_t *end, const uint8_t *prefix, size_t plen,
		    struct tlv *val)
{
	struct tlv seq, oid;
	const uint8_t *q;
	int arc;

	if (get_tlv(p, end, &seq) < 0 || seq.tag != V_ASN1_SEQUENCE || !seq.constructed)
		return -EBADMSG;
	q = seq.val;
	if (get_tlv(&q, seq.val + seq.len, &oid) < 0 || oid.tag != V_ASN1_OBJECT ||
	    (size_t)oid.len != plen + 1 || memcmp(oid.val, prefix, plen) != 0 || oid.val[plen] > 0x7f)
		return -EBADMSG;
	arc = oid.val[plen];
	if (get_tlv(&q, seq.val + seq.len, val) < 0 || q != seq.val + seq.len)
		return -EBADMSG;
	return arc;
}

/* Non-negative INTEGER or ENUMERATED of at most max. */
static int get_uint(const struct tlv *t, int tag, long max, long *out)
{
	long v = 0;

	if (t->tag != tag || t->constructed || t->len < 1 || t->len > 4 || t->val[0] & 0x80)
		return -EBADMSG;
	if (t->len > 1 && t->val[0] == 0 && !(t->val[1] & 0x80))
		return -EBADMSG; /* non-minimal */
	for (long i = 0; i < t->len; i++)
		v = v << 8 | t->val[i];
	if (v > max)
		return -EBADMSG;
	*out = v;
	return 0;
}

static int get_octets(const struct tlv *t, uint8_t *out, long want)
{
	if (t->tag != V_ASN1_OCTET_STRING || t->constructed || t->len != want)
		return -EBADMSG;
	memcpy(out, t->val, (size_t)want);
	return 0;
}

static int decode_tcb(const struct tlv *v, struct sgx_pck_ext *out)
{
	const uint8_t *p = v->val, *end = v->val + v->len;
	uint8_t prefix[10];
	uint32_t seen = 0;

	if (v->tag != V_ASN1_SEQUENCE || !v->constructed)
		return -EBADMSG;
	memcpy(prefix, sgx_ext_oid, 9);
	prefix[9] = 0x02;
	while (p < end) {
		struct tlv item;
		int arc = get_item(&p, end, prefix, sizeof(prefix), &item);
		long x;

		if (arc < 0)
			return -EBADMSG;
		if (arc >= 1 && arc <= 16) {
			if (get_uint(&item, V_ASN1_INTEGER, 255, &x) < 0)
				return -EBADMSG;
			out->sgx_svn[arc - 1] = (uint8_t)x;
		} else if (arc == 17) {
			if (get_uint(&item, V_ASN1_INTEGER, 65535, &x) < 0)
				return -EBADMSG;
			out->pcesvn = (uint16_t)x;
		} else if (arc == 18) {
			if (get_octets(&item, out->cpusvn, 16) < 0)
				return -EBADMSG;
		} else {
			continue; /* unknown component: ignored, like Intel's parser */
		}
		if (seen & (1u << arc))
			return -EBADMSG;
		seen |= 1u << arc;
	}
	return seen == 0x7fffe ? 0 : -EBADMSG; /* arcs 1..18 */
}

int vf_sgx_ext_decode(const uint8_t *der, size_t len, struct sgx_pck_ext *out)
{
	const uint8_t *p = der, *end;
	uint8_t prefix[9];
	unsigned seen = 0;
	struct tlv top;

	memset(out, 0, sizeof(*out));
	if (len > 1u << 16 || get_tlv(&p, der + len, &top) < 0 || p != der + len ||
	    top.tag != V_ASN1_SEQUENCE || !top.constructed)
		return -EBADMSG;
	memcpy(prefix, sgx_ext_oid, 9);
	p = top.val;
	end = top.val + top.len;
	while (p < end) {
		struct tlv item;
		int arc = get_item(&p, end, prefix, sizeof(prefix), &item), r = 0;
		long x;

		if (arc < 0)
			return -EBADMSG;
		switch (arc) {
		case 1: r = get_octets(&item, out->ppid, 16); break;
		case 2: r = decode_tcb(&item, out); break;
		case 3: r = get_octets(&item, out->pce_id, 2); break;
		case 4: r = get_octets(&item, out->fmspc, 6); break;
		case 5:
			r = get_uint(&item, V_ASN1_ENUMERATED, 2, &x);
			out->sgx_type = (int)x;
			break;
		default: continue; /* .6 PlatformInstanceID, .7 Configuration, future items */
		}
		if (r < 0 || seen & (1u << arc))
			return -EBADMSG;
		seen |= 1u << arc;
	}
	return (seen & 0x3e) == 0x3e ? 0 : -EBADMSG; /* .1 .. .5 present */
}

int vf_sgx_ext_from_cert(X509 *cert, struct sgx_pck_ext *out)
{
	int n = X509_get_ext_count(cert);

	for (int i = 0; i < n; i++) {
		X509_EXTENSION *ext = X509_get_ext(cert, i);
		const ASN1_OBJECT *obj = X509_EXTENSION_get_object(ext);
		const ASN1_OCTET_STRING *val;

		if (!obj || OBJ_length(obj) != sizeof(sgx_ext_oid) ||
		    memcmp(OBJ_get0_data(obj), sgx_ext_oid, sizeof(sgx_ext_oid)) != 0)
			continue;
		val = X509_EXTENSION_get_data(ext);
		if (!val)
			return -EBADMSG;
		return vf_sgx_ext_decode(ASN1_STRING_get0_data(val), (size_t)ASN1_STRING_length(val), out);
	}
	return -ENOENT;
}
