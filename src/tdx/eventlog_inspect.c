/* SPDX-License-Identifier: Apache-2.0 */
/* Operator view of an event log (`tdx-unlock inspect LOG [--quote QUOTE]`). */
#include "eventlog_inspect.h"
#include "eventlog_decode.h"
#include "../common/cleanup.h"
#include "../common/hex.h"
#include "../common/log.h"

#include <errno.h>
#include <string.h>

static json_object *hex_str(const uint8_t *p, size_t n)
{
	char hex[2 * TDX_MR_LEN + 1];

	hex_encode(p, n, hex);
	return json_object_new_string(hex);
}

static int add_event(json_object *arr, size_t i, const struct ccel_event *e, const struct ccel_decoded *d)
{
	json_object *o = json_object_new_object();
	int k = ccel_event_rtmr(e);
	const char *tn = ccel_type_name(e->type);
	char tbuf[24];

	if (!o)
		return -ENOMEM;
	if (!tn) {
		snprintf(tbuf, sizeof(tbuf), "0x%08x", (unsigned)e->type);
		tn = tbuf;
	}
	if (json_object_object_add(o, "index", json_object_new_int64((int64_t)i)) < 0 ||
	    json_object_object_add(o, "rtmr", k < 0 ? NULL : json_object_new_int(k)) < 0 ||
	    json_object_object_add(o, "type", json_object_new_string(tn)) < 0 ||
	    json_object_object_add(o, "digest", e->digest ? hex_str(e->digest, TDX_MR_LEN) : NULL) < 0 ||
	    json_object_object_add(o, "description", json_object_new_string(d->desc)) < 0 ||
	    json_object_object_add(o, "component", json_object_new_string(ccel_kind_name(d->kind))) < 0 ||
	    (d->check != CCEL_UNCHECKED &&
	     json_object_object_add(o, "digest_matches_event", json_object_new_boolean(d->check == CCEL_DIGEST_OK)) < 0) ||
	    json_object_array_add(arr, o) < 0) {
		json_object_put(o);
		return -ENOMEM;
	}
	return 0;
}

int ccel_inspect(const uint8_t *buf, size_t len, const struct tdx_td_info *quote_td,
		 json_object **out, bool *rtmr012_match)
{
	struct ccel_log log;
	_cleanup_free_ struct ccel_decoded *dec = NULL;
	uint8_t rtmr[4][TDX_MR_LEN];
	json_object *obj = NULL, *events, *regs, *match = NULL;
	const char *why = NULL;
	int r;

	*rtmr012_match = true;
	r = ccel_parse(buf, len, &log, &why);
	if (r == -EBADMSG)
		return log_errno(r, "inspect: malformed event log (%zu bytes): %s", len, why);
	if (r < 0)
		return log_errno(r, "inspect: parsing the event log");
	dec = calloc(log.n ? log.n : 1, sizeof(*dec));
	r = dec ? ccel_decode(&log, tdx_sha384_mbedtls, dec) : -ENOMEM;
	if (r == 0)
		r = ccel_replay(&log, tdx_sha384_mbedtls, rtmr);
	if (r < 0)
		goto out;
	r = -ENOMEM;
	obj = json_object_new_object();
	events = json_object_new_array();
	regs = json_object_new_array();
	if (!obj || json_object_object_add(obj, "events", events) < 0 ||
	    json_object_object_add(obj, "rtmr", regs) < 0)
		goto out;
	for (size_t i = 0; i < log.n; i++)
		if (add_event(events, i, &log.ev[i], &dec[i]) < 0)
			goto out;
	for (int k = 0; k < 4; k++)
		if (json_object_array_add(regs, hex_str(rtmr[k], TDX_MR_LEN)) < 0)
			goto out;
	if (json_object_object_add(obj, "log_end", json_object_new_int64((int64_t)log.end)) < 0)
		goto out;
	if (quote_td) {
		match = json_object_new_array();
		if (json_object_object_add(obj, "match", match) < 0)
			goto out;
		for (int k = 0; k < 4; k++) {
			bool eq = memcmp(rtmr[k], quote_td->rtmr[k], TDX_MR_LEN) == 0;

			if (json_object_array_add(match, json_object_new_boolean(eq)) < 0)
				goto out;
			if (!eq && k < 3)
				*rtmr012_match = false;
		}
	}
	*out = obj;
	obj = NULL;
	r = 0;
out:
	json_object_put(obj);
	ccel_log_free(&log);
	return r < 0 && r != -ENOMEM ? log_errno(r, "inspect: hashing the event log") :
	       r == -ENOMEM ? log_errno(r, "inspect: out of memory") : 0;
}

void ccel_inspect_print_text(json_object *obj, FILE *f)
{
	json_object *events, *regs, *match = NULL;

	json_object_object_get_ex(obj, "events", &events);
	json_object_object_get_ex(obj, "rtmr", &regs);
	json_object_object_get_ex(obj, "match", &match);
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		json_object *e = json_object_array_get_idx(events, i), *v;
		char where[8] = "-";

		if (json_object_object_get_ex(e, "rtmr", &v) && v)
			snprintf(where, sizeof(where), "RTMR%d", json_object_get_int(v));
		json_object_object_get_ex(e, "digest", &v);
		fprintf(f, "%3zu %-5s %-32s %s %s\n", i, where,
			json_object_get_string(json_object_object_get(e, "type")),
			v ? json_object_get_string(v) : "-",
			json_object_get_string(json_object_object_get(e, "description")));
	}
	for (size_t k = 0; k < json_object_array_length(regs); k++) {
		fprintf(f, "rtmr%zu: %s", k, json_object_get_string(json_object_array_get_idx(regs, k)));
		if (match)
			fprintf(f, " %s", json_object_get_boolean(json_object_array_get_idx(match, k)) ?
				"(= quote)" : k < 3 ? "(DIFFERS from the quote)" : "(differs from the quote: run-time extensions)");
		fputc('\n', f);
	}
}
