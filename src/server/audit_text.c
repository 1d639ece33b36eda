/* SPDX-License-Identifier: Apache-2.0 */
#include "audit_text.h"
#include "session.h"
#include "../common/hex.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

void ks_audit_clean(iconv_t cd, const char *s, size_t max, char *out)
{
	char *in = (char *)s, *op = out;
	size_t inleft = strlen(s), outleft = max;

	iconv(cd, NULL, NULL, NULL, NULL);
	while (inleft > 0) {
		if (iconv(cd, &in, &inleft, &op, &outleft) != (size_t)-1 || errno == E2BIG)
			break;
		/* EILSEQ (not UTF-8 here) or EINVAL (a character cut off at the end): replace
		 * one byte and go on after it */
		if (outleft < sizeof(replacement) - 1)
			break;
		memcpy(op, replacement, sizeof(replacement) - 1);
		op += sizeof(replacement) - 1;
		outleft -= sizeof(replacement) - 1;
		in++;
		inleft--;
	}
	if (inleft > 0) {
		memcpy(op, "...", 3);
		op += 3;
	}
	*op = '\0';
}

void ks_audit_session(const char *raw, char out[KS_AUDIT_SESSION_SIZE])
{
	uint8_t id[KS_SESSION_ID_LEN], md[EVP_MAX_MD_SIZE];
	size_t len = strlen(raw);

	if (ks_session_id_parse(raw, len, id) == 0) {
		hex_encode(id, sizeof(id), out);
		return;
	}
	memcpy(out, "invalid:", 8);
	if (EVP_Digest(raw, len, md, NULL, EVP_sha256(), NULL) != 1) {
		strcpy(out + 8, "?");
		return;
	}
	hex_encode(md, 8, out + 8);
}
