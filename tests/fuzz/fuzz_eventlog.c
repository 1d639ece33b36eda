/* libFuzzer target: the event log parser, replay, decoder and the inspect rendering on
 * arbitrary bytes. Checks the parser's promises: every record lies inside the input, in
 * order, and the log ends inside it; descriptions are terminated. */
#include "common/log.h"
#include "tdx/eventlog.h"
#include "tdx/eventlog_decode.h"
#include "tdx/eventlog_inspect.h"

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
	/* The operator view renders the same input, compared with a zero quote. */
	if (ccel_inspect(data, size, &td, &obj, &match) == 0)
		json_object_put(obj);
	return 0;
}
