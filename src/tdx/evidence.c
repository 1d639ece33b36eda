/* SPDX-License-Identifier: Apache-2.0 */
#include "evidence.h"
#include "qgs_client.h"
#include "quote.h"
#include "tdreport.h"
#include "tdx_guest.h"
#include "tsm.h"
#include "../common/cleanup.h"
#include "../common/fileio.h"
#include "../common/log.h"

#include <errno.h>
#include <string.h>

const char *evidence_method_name(enum evidence_method m)
{
	return m == EVIDENCE_TSM ? "configfs-tsm" : "TDREPORT + QGS";
}

static int via_qgs(const struct evidence_opts *o, const uint8_t rd[64], uint8_t **quote, size_t *len)
{
	uint8_t tdreport[TDX_TDREPORT_LEN];
	int r;

	if (o->tdreport_file) {
		_cleanup_free_ uint8_t *buf = NULL;
		struct tdx_td_info td;
		const char *why = NULL;
		size_t n;

		r = strcmp(o->tdreport_file, "-") == 0 ? file_read_all("-", TDX_TDREPORT_LEN + 1, &buf, &n) :
		    file_read_regular(o->tdreport_file, TDX_TDREPORT_LEN + 1, o->deadline_ms, &buf, &n);
		if (r < 0)
			return log_fail(r, "reading TDREPORT %s: %s", o->tdreport_file, file_read_strerror(r));
		r = tdx_tdreport_parse(buf, n, &td, &why);
		if (r < 0)
			return log_fail(r, "%s: %s", o->tdreport_file, why);
		if (memcmp(td.report_data, rd, 64) != 0)
			return log_fail(-EINVAL, "%s: its REPORTDATA is not the requested one", o->tdreport_file);
		memcpy(tdreport, buf, TDX_TDREPORT_LEN);
	} else if ((r = tdx_guest_get_report(rd, tdreport)) < 0) {
		return r;
	}
	return qgs_get_quote(o->qgs_addr, tdreport, o->qgs_timeout_ms ? o->qgs_timeout_ms : 30000,
			     o->deadline_ms, quote, len);
}

static int check_quote(const uint8_t *quote, size_t len, const uint8_t rd[64])
{
	struct tdx_quote q;
	const char *why = NULL;
	int r;

	r = tdx_quote_parse(quote, len, &q, &why);
	if (r < 0)
		return log_fail(r, "the platform returned a malformed quote (%zu bytes): %s", len, why);
	if (memcmp(q.td.report_data, rd, 64) != 0)
		return log_fail(-EBADMSG, "the quote's REPORTDATA is not the one requested (concurrent writer or a broken quote provider)");
	return 0;
}

int evidence_get_quote(const struct evidence_opts *o, const uint8_t rd[64],
		       uint8_t **quote, size_t *len, enum evidence_method *method)
{
	int r;

	if (o->tsm_dir || !(o->qgs_addr || o->tdreport_file)) {
		*method = EVIDENCE_TSM;
		r = tsm_get_quote(o->tsm_dir, rd, o->deadline_ms, quote, len);
		/* Fall back only when configfs-tsm is absent and nothing was configured. */
		if (r == -ENOENT || r == -ENXIO) {
			if (o->tsm_dir)
				return log_fail(r, "configfs-tsm at %s: %s", o->tsm_dir, tsm_strerror(r));
			log_info("configfs-tsm: %s; trying %s + QGS at %s", tsm_strerror(r), TDX_GUEST_DEVICE,
				 o->qgs_addr ? o->qgs_addr : QGS_ADDR_DEFAULT);
			*method = EVIDENCE_QGS;
			r = via_qgs(o, rd, quote, len);
		}
	} else {
		*method = EVIDENCE_QGS;
		r = via_qgs(o, rd, quote, len);
	}
	if (r < 0)
		return r;
	r = check_quote(*quote, *len, rd);
	if (r < 0) {
		free(*quote);
		*quote = NULL;
		return r;
	}
	log_info("obtained a %zu-byte quote through %s", *len, evidence_method_name(*method));
	return 0;
}
