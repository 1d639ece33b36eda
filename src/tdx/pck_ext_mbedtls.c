/* SPDX-License-Identifier: Apache-2.0 */
/* SGX PCK extension decoding with mbedTLS (the client-side crypto library). */
#include "pck_ext.h"
#include "../common/cleanup.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>


/* Reads one SEQUENCE { OID, value } and returns the OID's last arc relative to `prefix`
 * (the sub-OID under the SGX extension) in *arc; *p is left at the value. */
static int read_item(unsigned char **p, const unsigned char *end, const uint8_t *prefix,
		     size_t prefix_len, int *arc, const unsigned char **item_end)
{
	size_t len;

	if (mbedtls_asn1_get_tag(p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
		return -EBADMSG;
	*item_end = *p + len;
	if (mbedtls_asn1_get_tag(p, *item_end, &len, MBEDTLS_ASN1_OID))
		return -EBADMSG;
	if (len != prefix_len + 1 || memcmp(*p, prefix, prefix_len) != 0 || (*p)[prefix_len] > 0x7f)
		return -EBADMSG;
	*arc = (*p)[prefix_len];
	*p += len;
	return 0;
}

static int read_octets(unsigned char **p, const unsigned char *end, uint8_t *out, size_t want)
{
	size_t len;

	if (mbedtls_asn1_get_tag(p, end, &len, MBEDTLS_ASN1_OCTET_STRING) || len != want)
		return -EBADMSG;
	memcpy(out, *p, want);
	*p += len;
	return 0;
}

static int read_svn(unsigned char **p, const unsigned char *end, int max, int *out)
{
	int v;

	if (mbedtls_asn1_get_int(p, end, &v) || v < 0 || v > max)
		return -EBADMSG;
	*out = v;
	return 0;
}

static int decode_tcb(unsigned char *p, const unsigned char *end, struct sgx_pck_ext *out)
{
	uint8_t prefix[10];
	unsigned seen = 0;
	size_t len;

	memcpy(prefix, sgx_ext_oid, 9);
	prefix[9] = 0x02;
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) ||
	    p + len != end)
		return -EBADMSG;
	while (p < end) {
		const unsigned char *item_end;
		int arc, v;

		if (read_item(&p, end, prefix, sizeof(prefix), &arc, &item_end) < 0)
			return -EBADMSG;
		if (arc >= 1 && arc <= 16) {
			if (read_svn(&p, item_end, 255, &v) < 0)
				return -EBADMSG;
			out->sgx_svn[arc - 1] = (uint8_t)v;
		} else if (arc == 17) {
			if (read_svn(&p, item_end, 65535, &v) < 0)
				return -EBADMSG;
			out->pcesvn = (uint16_t)v;
		} else if (arc == 18) {
			if (read_octets(&p, item_end, out->cpusvn, 16) < 0)
				return -EBADMSG;
		} else {
			return -EBADMSG;
		}
		if (p != item_end || seen & (1u << arc))
			return -EBADMSG;
		seen |= 1u << arc;
	}
	return seen == 0x7fffeu ? 0 : -EBADMSG; /* arcs 1..18 exactly once */
}

int sgx_pck_ext_decode(const uint8_t *der, size_t len, struct sgx_pck_ext *out)
{
	unsigned char *p = (unsigned char *)der;
	const unsigned char *end = der + len;
	unsigned seen = 0;
	size_t slen;

	memset(out, 0, sizeof(*out));
	if (mbedtls_asn1_get_tag(&p, end, &slen, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) ||
	    p + slen != end)
		return -EBADMSG;
	while (p < end) {
		const unsigned char *item_end;
		int arc, r = 0;

		if (read_item(&p, end, sgx_ext_oid, sizeof(sgx_ext_oid), &arc, &item_end) < 0)
			return -EBADMSG;
		switch (arc) {
		case 1: r = read_octets(&p, item_end, out->ppid, 16); break;
		case 2: r = decode_tcb(p, item_end, out); p = (unsigned char *)item_end; break;
		case 3: r = read_octets(&p, item_end, out->pce_id, 2); break;
		case 4: r = read_octets(&p, item_end, out->fmspc, 6); break;
		case 5: r = mbedtls_asn1_get_enum(&p, item_end, &out->sgx_type) ? -EBADMSG : 0; break;
		default: p = (unsigned char *)item_end; break; /* .6, .7: platform instance data */
		}
		if (r < 0 || p != item_end || (arc < 32 && seen & (1u << arc)))
			return -EBADMSG;
		if (arc < 32)
			seen |= 1u << arc;
	}
	return (seen & 0x3e) == 0x3e ? 0 : -EBADMSG; /* .1 .. .5 are mandatory */
}

struct ext_ctx {
	struct sgx_pck_ext *out;
	int found;
	int result;
};

static int ext_cb(void *ctx, mbedtls_x509_crt const *crt, mbedtls_x509_buf const *oid,
		  int critical, const unsigned char *p, const unsigned char *end)
{
	struct ext_ctx *c = ctx;

	(void)crt;
	(void)critical;
	if (oid->len != sizeof(sgx_ext_oid) || memcmp(oid->p, sgx_ext_oid, sizeof(sgx_ext_oid)))
		return 0; /* standard extensions mbedTLS 2.28 does not parse (AKI, SKI, CRL DP) */
	c->found++;
	c->result = sgx_pck_ext_decode(p, (size_t)(end - p), c->out);
	return 0;
}

/* Decodes the SGX extension of one DER certificate; sets *found when it has one. */
static int ext_from_der(const unsigned char *der, size_t len, struct sgx_pck_ext *out, bool *found)
{
	mbedtls_x509_crt crt;
	struct ext_ctx c = { .out = out };
	int r;

	mbedtls_x509_crt_init(&crt);
	r = mbedtls_x509_crt_parse_der_with_ext_cb(&crt, der, len, 1, ext_cb, &c);
	mbedtls_x509_crt_free(&crt);
	if (r != 0 || c.found > 1)
		return -EBADMSG;
	*found = c.found == 1;
	return *found ? c.result : 0;
}

int sgx_pck_ext_from_chain(const char *chain, size_t len, struct sgx_pck_ext *out)
{
	_cleanup_free_ unsigned char *buf = NULL;
	mbedtls_x509_crt certs;
	bool found = false;
	int r;

	/* mbedTLS wants PEM NUL-terminated, with the NUL counted in the length. */
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, chain, len);
	buf[len] = '\0';
	mbedtls_x509_crt_init(&certs);
	if (len > 0 && buf[0] == 0x30) {
		/* Concatenated DER (seen in Intel's synthetic samples): one certificate at a time. */
		for (size_t off = 0; off < len && !found;) {
			mbedtls_x509_crt one;
			size_t n;

			mbedtls_x509_crt_init(&one);
			r = mbedtls_x509_crt_parse_der_nocopy(&one, buf + off, len - off);
			n = one.raw.len;
			mbedtls_x509_crt_free(&one);
			if (r != 0 || n == 0)
				return -EBADMSG;
			r = ext_from_der(buf + off, n, out, &found);
			if (r < 0)
				return r;
			off += n;
		}
		return found ? 0 : -ENOENT;
	}
	r = mbedtls_x509_crt_parse(&certs, buf, len + 1);
	if (r != 0 || certs.raw.len == 0) {
		mbedtls_x509_crt_free(&certs);
		return -EBADMSG;
	}
	r = 0;
	for (mbedtls_x509_crt *c = &certs; c && !found && r == 0; c = c->next)
		r = ext_from_der(c->raw.p, c->raw.len, out, &found);
	mbedtls_x509_crt_free(&certs);
	if (r < 0)
		return r;
	return found ? 0 : -ENOENT;
}
