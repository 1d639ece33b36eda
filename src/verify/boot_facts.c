/* SPDX-License-Identifier: Apache-2.0 */
#include "boot_facts.h"
#include "sha384.h"
#include "../common/cleanup.h"
#include "../common/hex.h"
#include "../tdx/eventlog.h"
#include "../tdx/eventlog_decode.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int vf_boot_facts_decode(const uint8_t *log, size_t len, struct vf_boot_facts *out, uint8_t rtmr[4][TDX_MR_LEN],
			 char *reason, size_t rlen)
{
	_cleanup_free_ struct ccel_decoded *dec = NULL;
	struct ccel_log l;
	const char *why = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	out->grub_cmdline_event = -1;
	r = ccel_parse(log, len, &l, &why);
	if (r < 0) {
		snprintf(reason, rlen, "eventlog_malformed: %s", r == -EBADMSG ? why : "out of memory");
		return r;
	}
	r = ccel_replay(&l, vf_sha384, rtmr);
	if (r == 0) {
		dec = calloc(l.n ? l.n : 1, sizeof(*dec));
		r = dec ? ccel_decode(&l, vf_sha384, dec) : -ENOMEM;
	}
	if (r < 0) {
		snprintf(reason, rlen, "eventlog_error: %s", strerror(-r));
		ccel_log_free(&l);
		return r;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct ccel_event *e = &l.ev[i];
		int k = ccel_event_rtmr(e);
		struct vf_boot_event *b;

		if (k == 0 || k == 3 || k < 0)
			continue;
		if (out->n < VF_BOOT_EVENTS_MAX && dec[i].kind == CCEL_GRUB_CMDLINE && dec[i].check == CCEL_DIGEST_OK &&
		    dec[i].text && dec[i].text_len > 0) {
			size_t n = dec[i].text_len < sizeof(out->grub_cmdline) ? dec[i].text_len : sizeof(out->grub_cmdline) - 1;

			/* printable ASCII only: it goes into log lines and error details */
			for (size_t j = 0; j < n; j++) {
				char ch = dec[i].text[j];

				out->grub_cmdline[j] = ch >= 0x20 && ch < 0x7f ? ch : '?';
			}
			out->grub_cmdline[n] = '\0';
			out->grub_cmdline_cut = n < dec[i].text_len;
			out->grub_cmdline_event = (int16_t)out->n;
		}
		if (out->n == VF_BOOT_EVENTS_MAX) {
			out->overflow = true;
			continue;
		}
		b = &out->ev[out->n++];
		b->type = e->type;
		b->rtmr = (uint8_t)k;
		b->kind = (uint8_t)dec[i].kind;
		memcpy(b->digest, e->digest, TDX_MR_LEN);
	}
	out->present = true;
	ccel_log_free(&l);
	return 0;
}

int vf_boot_facts_match(const uint8_t rtmr[4][TDX_MR_LEN], const struct tdx_td_info *td, char *reason, size_t rlen)
{
	char got[2 * TDX_MR_LEN + 1], want[2 * TDX_MR_LEN + 1];

	for (int k = 0; k < 3; k++) {
		if (memcmp(rtmr[k], td->rtmr[k], TDX_MR_LEN) == 0)
			continue;
		hex_encode(rtmr[k], TDX_MR_LEN, got);
		hex_encode(td->rtmr[k], TDX_MR_LEN, want);
		snprintf(reason, rlen, "eventlog_mismatch: RTMR%d replays to %.16s..., the quote has %.16s... "
			 "(another boot's log, or one cut or edited)", k, got, want);
		return -EKEYREJECTED;
	}
	return 0;
}

int vf_boot_facts_from_log(const uint8_t *log, size_t len, const struct tdx_td_info *td,
			   struct vf_boot_facts *out, char *reason, size_t rlen)
{
	uint8_t rtmr[4][TDX_MR_LEN];
	int r = vf_boot_facts_decode(log, len, out, rtmr, reason, rlen);

	if (r == 0 && (r = vf_boot_facts_match(rtmr, td, reason, rlen)) < 0) {
		memset(out, 0, sizeof(*out));
		out->grub_cmdline_event = -1;
	}
	return r;
}

static const struct vf_boot_event *last_of(const struct vf_boot_facts *f, enum ccel_kind k1, enum ccel_kind k2)
{
	for (size_t i = f->n; i-- > 0;)
		if (f->ev[i].kind == k1 || f->ev[i].kind == k2)
			return &f->ev[i];
	return NULL;
}

void vf_boot_facts_summary(const struct vf_boot_facts *f, char *buf, size_t len)
{
	const struct vf_boot_event *k = last_of(f, CCEL_KERNEL, CCEL_KERNEL),
				   *i = last_of(f, CCEL_INITRD, CCEL_INITRD),
				   *c = last_of(f, CCEL_CMDLINE, CCEL_GRUB_CMDLINE);
	char kh[2 * TDX_MR_LEN + 1] = "-", ih[2 * TDX_MR_LEN + 1] = "-", ch[2 * TDX_MR_LEN + 1] = "-";

	if (!f->present) {
		if (len)
			buf[0] = '\0';
		return;
	}
	if (k)
		hex_encode(k->digest, TDX_MR_LEN, kh);
	if (i)
		hex_encode(i->digest, TDX_MR_LEN, ih);
	if (c)
		hex_encode(c->digest, TDX_MR_LEN, ch);
	if (f->grub_cmdline[0])
		snprintf(buf, len, "kernel=%s initrd=%s cmdline=\"%s%s\"", kh, ih, f->grub_cmdline,
			 f->grub_cmdline_cut ? "..." : "");
	else
		snprintf(buf, len, "kernel=%s initrd=%s cmdline=%s", kh, ih, ch);
}

/* grub's verified command line text when it is the text of event e, else NULL; *cut: it is
 * only the start of it. */
const char *vf_boot_facts_grub_text(const struct vf_boot_facts *f, const struct vf_boot_event *e, bool *cut)
{
	if (e->kind != CCEL_GRUB_CMDLINE || !f->grub_cmdline[0] || f->grub_cmdline_event < 0 ||
	    f->grub_cmdline_event >= (int)f->n || e != &f->ev[f->grub_cmdline_event])
		return NULL;
	*cut = f->grub_cmdline_cut;
	return f->grub_cmdline;
}
