/* SPDX-License-Identifier: Apache-2.0 */
/* PE/COFF Authenticode SHA-384 as TDVF measures the images it loads (edk2
 * OvmfPkg/Tcg/TdTcg2Dxe/MeasureBootPeCoff.c, measured-boot.md §4.1). Every offset read
 * from the image is checked against its length before use. */
#include "measure.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define PE_SECTION_HDR 40u
#define PE_DIR_SECURITY 4u
#define PE_MAX_SECTIONS 96u  /* the PE specification's limit */

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static int bad(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -EINVAL;
}

int measure_pe_parse(const uint8_t *img, size_t len, struct measure_pe *pe, const char **why)
{
	size_t nt, opt, opt_size, dirs, nrva;
	uint16_t magic;

	memset(pe, 0, sizeof(*pe));
	if (len < 0x40 || img[0] != 'M' || img[1] != 'Z')
		return bad(why, "not a PE image (no MZ header)");
	nt = rd32(img + 0x3c);
	if (nt > len || len - nt < 4 + 20 + 2)
		return bad(why, "PE header offset (e_lfanew) outside the file");
	if (memcmp(img + nt, "PE\0\0", 4) != 0)
		return bad(why, "no PE signature at e_lfanew");
	pe->nsections = rd16(img + nt + 4 + 2);
	opt_size = rd16(img + nt + 4 + 16);
	opt = nt + 4 + 20;
	if (opt_size > len - opt)
		return bad(why, "optional header runs past the end of the file");
	if (opt_size < 2)
		return bad(why, "optional header too short");
	magic = rd16(img + opt);
	if (magic == 0x20b)
		pe->pe32plus = true;
	else if (magic != 0x10b)
		return bad(why, "unknown optional header magic (neither PE32 nor PE32+)");
	/* CheckSum at 64, SizeOfHeaders at 60; NumberOfRvaAndSizes and the directories at
	 * 92/96 (PE32) or 108/112 (PE32+). */
	if (opt_size < (pe->pe32plus ? 112u : 96u))
		return bad(why, "optional header too short for its data directories");
	nrva = rd32(img + opt + (pe->pe32plus ? 108 : 92));
	dirs = opt + (pe->pe32plus ? 112 : 96);
	if (nrva > (opt + opt_size - dirs) / 8)
		return bad(why, "NumberOfRvaAndSizes exceeds the optional header");
	pe->checksum_off = (uint32_t)(opt + 64);
	pe->size_of_headers = rd32(img + opt + 60);
	if (nrva > PE_DIR_SECURITY) {
		pe->certdir_off = (uint32_t)(dirs + 8 * PE_DIR_SECURITY);
		pe->cert_size = rd32(img + pe->certdir_off + 4);
	}
	if (pe->nsections > PE_MAX_SECTIONS)
		return bad(why, "more than 96 sections");
	pe->section_table = (uint32_t)(opt + opt_size);
	if ((size_t)pe->nsections * PE_SECTION_HDR > len - pe->section_table)
		return bad(why, "section table runs past the end of the file");
	if (pe->size_of_headers > len)
		return bad(why, "SizeOfHeaders exceeds the file");
	if (pe->size_of_headers < (pe->certdir_off ? pe->certdir_off + 8 : pe->checksum_off + 4))
		return bad(why, "SizeOfHeaders ends inside the optional header");
	return 0;
}

struct sect {
	uint32_t ptr, size;
};

static int cmp_sect(const void *a, const void *b)
{
	const struct sect *x = a, *y = b;

	return x->ptr < y->ptr ? -1 : x->ptr > y->ptr;
}

static void evp_freep(EVP_MD_CTX **c) { EVP_MD_CTX_free(*c); }

int measure_pe_authenticode(const uint8_t *img, size_t len, uint8_t out[48], const char **why)
{
	_cleanup_(evp_freep) EVP_MD_CTX *md = NULL;
	struct sect s[PE_MAX_SECTIONS];
	struct measure_pe pe;
	size_t n = 0, hashed, tail;
	bool ok;
	int r;

	r = measure_pe_parse(img, len, &pe, why);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < pe.nsections; i++) {
		const uint8_t *h = img + pe.section_table + i * PE_SECTION_HDR;
		uint32_t size = rd32(h + 16), ptr = rd32(h + 20);

		if (size == 0)
			continue;
		if (ptr > len || size > len - ptr)
			return bad(why, "a section's raw data runs past the end of the file");
		s[n++] = (struct sect){ ptr, size };
	}
	qsort(s, n, sizeof(s[0]), cmp_sect);

	md = EVP_MD_CTX_new();
	if (!md)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(md, EVP_sha384(), NULL) == 1 &&
	     EVP_DigestUpdate(md, img, pe.checksum_off) == 1;
	if (pe.certdir_off) {
		ok = ok && EVP_DigestUpdate(md, img + pe.checksum_off + 4, pe.certdir_off - pe.checksum_off - 4) == 1 &&
		     EVP_DigestUpdate(md, img + pe.certdir_off + 8, pe.size_of_headers - pe.certdir_off - 8) == 1;
	} else {
		ok = ok && EVP_DigestUpdate(md, img + pe.checksum_off + 4, pe.size_of_headers - pe.checksum_off - 4) == 1;
	}
	hashed = pe.size_of_headers;
	for (size_t i = 0; ok && i < n; i++) {
		ok = EVP_DigestUpdate(md, img + s[i].ptr, s[i].size) == 1;
		hashed += s[i].size;
	}
	/* edk2 hashes what follows the hashed bytes, less the certificate table (which
	 * Authenticode requires to be last); a certificate table larger than that is refused. */
	if (ok && len > hashed) {
		if (pe.cert_size > len - hashed)
			return bad(why, "certificate table larger than the data after the sections");
		tail = len - hashed - pe.cert_size;
		ok = EVP_DigestUpdate(md, img + hashed, tail) == 1;
	}
	if (!ok || EVP_DigestFinal_ex(md, out, NULL) != 1)
		return -EIO;
	return 0;
}
