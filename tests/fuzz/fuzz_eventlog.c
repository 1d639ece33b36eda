/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the event log parser, replay, decoder and the inspect rendering on
 * arbitrary bytes, and the key server's side: boot facts from a log that replays to its
 * quote, a policy pinned from them (policy-from-quote --eventlog), which must parse and
 * allow the same facts. Checks the parser's promises: every record lies inside the input,
 * in order, and the log ends inside it; descriptions are terminated. */
#include "common/log.h"
#include "tdx/eventlog.h"
#include "tdx/eventlog_decode.h"
#include "tdx/eventlog_inspect.h"
#include "verify/boot_facts.h"
#include "verify/boot_policy.h"
#include "verify/policy.h"
#include "verify/sha384.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_log(const uint8_t *data, size_t size, const struct ccel_log *log)
{
	size_t prev = 0;

	if (log->end > size)
		abort();
	for (size_t i = 0; i < log->n; i++) {
		const struct ccel_event *e = &log->ev[i];

		if (e->offset < prev || e->offset >= log->end || e->data < data ||
		    e->data + e->data_len > data + log->end ||
		    (e->digest && (e->digest < data || e->digest + 48 > e->data)))
			abort();
		if (ccel_event_rtmr(e) >= 0 && !e->digest)
			abort();
		prev = e->offset + 1;
	}
}

/* The server's path: facts of a TD whose quote has the log's RTMRs; a policy made from
 * them must load and allow them. */
static void server_side(const uint8_t *data, size_t size, const uint8_t rtmr[4][48])
{
	static struct vf_claims c;
	struct vf_policy *p = NULL;
	json_object *o;
	const char *text;
	char reason[320];

	memset(&c, 0, sizeof(c));
	memcpy(c.td.rtmr, rtmr, sizeof(c.td.rtmr));
	c.tcb_status = VF_TCB_UP_TO_DATE;
	if (vf_boot_facts_from_log(data, size, &c.td, &c.boot, reason, sizeof(reason)) != 0)
		abort(); /* it parsed and replayed above */
	vf_boot_facts_summary(&c.boot, reason, sizeof(reason));
	o = json_object_new_object();
	if (!o || vf_boot_policy_from_facts(&c.boot, o) != 0) {
		json_object_put(o);
		return; /* out of memory, or more events than the facts keep */
	}
	text = json_object_to_json_string(o);
	if (vf_policy_parse(text, strlen(text), &p, reason, sizeof(reason)) != 0 ||
	    !vf_policy_eval(p, &c, reason, sizeof(reason)))
		abort();
	vf_policy_free(p);
	json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ccel_log log;
	struct ccel_decoded *d;
	uint8_t rtmr[4][48];
	struct tdx_td_info td = { 0 };
	json_object *obj = NULL;
	bool match;

	log_set_level(LOG_LVL_QUIET); /* failures are expected here */
	if (ccel_parse(data, size, &log, NULL) != 0)
		return 0;
	check_log(data, size, &log);
	if (ccel_replay(&log, tdx_sha384_mbedtls, rtmr) != 0)
		abort();
	d = calloc(log.n ? log.n : 1, sizeof(*d));
	if (d && ccel_decode(&log, tdx_sha384_mbedtls, d) == 0)
		for (size_t i = 0; i < log.n; i++)
			if (strnlen(d[i].desc, sizeof(d[i].desc)) == sizeof(d[i].desc) ||
			    (d[i].text && (d[i].text < (const char *)data || d[i].text + d[i].text_len > (const char *)data + size)))
				abort();
	free(d);
	ccel_log_free(&log);
	server_side(data, size, rtmr);
	/* The operator view renders the same input, compared with a zero quote. */
	if (ccel_inspect(data, size, &td, &obj, &match) == 0)
		json_object_put(obj);
	return 0;
}
