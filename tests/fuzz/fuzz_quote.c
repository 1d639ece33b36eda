/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the quote and TDREPORT parsers, the PCK extension reader, the QGS
 * response decoder and the JSON rendering, on arbitrary bytes. */
#include "common/log.h"
#include "tdx/inspect.h"
#include "tdx/qgs_msg.h"
#include "tdx/quote.h"
#include "tdx/tdreport.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tdx_quote q;
	struct tdx_td_info td;
	const uint8_t *p;
	size_t n;
	uint32_t code;
	json_object *obj = NULL;

	log_set_level(LOG_LVL_QUIET); /* silence: failures are expected here */
	if (tdx_quote_parse(data, size, &q, NULL) == 0) {
		/* Every pointer the parser hands out must lie inside the input. */
		if (q.pck_chain_pem < (const char *)data ||
		    q.pck_chain_pem + q.pck_chain_len > (const char *)data + size)
			abort();
	}
	(void)tdx_tdreport_parse(data, size, &td, NULL);
	(void)qgs_decode_quote_resp(data, size, &p, &n, &code);
	if (tdx_inspect(data, size, &obj) == 0)
		json_object_put(obj);
	return 0;
}
